"""附录六 指标体系版本变化: when the previous round used another version of the system, the report compares the
two versions on this year's data; with the same version (or none given) there is no such appendix."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from scoring.evaluate import Evaluation, evaluate
from scoring.io import read_data
from scoring.report import ReportOptions, build_reports
from scoring.system import load_system
from tests.report.conftest import FORMS, ROOT
from tests.report.support import open_docx, tables_by_key

QUICK = ReportOptions(charts=False, robustness=None)


def _old_version(tmp_path: Path) -> Path:
    """The district system as it might have been last year: DI-01 weighed 0.08 (now 0.05), target 42 (now 53)."""
    text = (ROOT / "indicators" / "jinan_district_digital.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "2025.1"', 'version: "2024.1"', 1)
    text = text.replace(
        "weight: 0.05\n        goalposts: [20, 90]", "weight: 0.08\n        goalposts: [20, 90]", 1
    )
    text = text.replace("value: 53\n", "value: 42\n", 1)
    (tmp_path / "units").mkdir()
    (tmp_path / "units" / "jinan.yaml").write_bytes(
        (ROOT / "indicators" / "units" / "jinan.yaml").read_bytes()
    )
    path = tmp_path / "district_2024.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_new_version_gets_the_appendix_with_changes_and_moves(jinan: Evaluation, tmp_path: Path) -> None:
    old = load_system(_old_version(tmp_path))
    previous = evaluate(old, read_data(FORMS, old), 2024)
    files = build_reports(jinan, ("docx", "html", "xlsx"), QUICK, previous)
    tables = tables_by_key(open_docx(files["docx"]))
    changes = tables["version-changes"][1:]
    # the declared weight and target of DI-01, and DI-01's share of A as applied: 0.08/0.23 → 0.05/0.20
    assert ["权重", "DI-01", "每万人5G基站数", "权重（文件）", "0.08", "0.05"] in changes
    assert ["目标值", "DI-01", "每万人5G基站数", "目标值", "42", "53"] in changes
    assert ["权重", "DI-01", "每万人5G基站数", "在 A 中的实际权重", "0.3478", "0.2500"] in changes
    moves = tables["version-moves"]
    assert moves[0] == ["区县", "原版得分", "新版得分", "得分变化", "原版排名", "新版排名", "名次变化"]
    assert len(moves) == 1 + 14
    html = files["html"].decode("utf-8")
    assert "附录六" in html and "斯皮尔曼等级相关系数" in html
    # the workbook's sheet: the summary, every change, both versions' numbers unrounded
    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))["指标体系版本变化"]
    rows = list(sheet.iter_rows(values_only=True))
    assert "斯皮尔曼等级相关系数" in str(rows[0][0])
    assert ("权重", "DI-01", "每万人5G基站数", "权重（文件）", "0.08", "0.05") in [r[:6] for r in rows]
    header = next(i for i, r in enumerate(rows) if r[0] == "区县编码")
    assert rows[header][2:4] == ("原版得分（2024.1）", "新版得分（2025.1）")
    units = rows[header + 1 : header + 15]
    assert len(units) == 14 and all(r[0] for r in units)
    composite = jinan.scores[jinan.composite].xs(2024, level="year")
    before = previous.scores[previous.composite].xs(2024, level="year")
    for r in units:
        # full precision (Excel keeps 15–17 significant digits)
        assert (r[2], r[3]) == pytest.approx((before[r[0]], composite[r[0]]), abs=1e-12)
        assert r[4] == pytest.approx(composite[r[0]] - before[r[0]], abs=1e-12)


def test_the_same_version_or_none_adds_no_appendix(jinan: Evaluation) -> None:
    for previous in (None, jinan):
        tables = tables_by_key(open_docx(build_reports(jinan, ("docx",), QUICK, previous)["docx"]))
        assert "version-changes" not in tables and "version-moves" not in tables
    workbook = openpyxl.load_workbook(io.BytesIO(build_reports(jinan, ("xlsx",), QUICK, jinan)["xlsx"]))
    assert "指标体系版本变化" not in workbook.sheetnames and "稳健性分析" not in workbook.sheetnames
