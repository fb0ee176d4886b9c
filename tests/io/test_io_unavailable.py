"""数据缺失说明 (issue 15 item 6): a required value declared unavailable with a reason. On the form the value
cell reads 数据缺失 and the row's 备注 gives the reason (a long table: its remark column). The value is kept as
``unavailable`` with a warning carrying the reason (the reviewer decides on it); without a reason it is an error.
Scored, it counts as missing, and the reason goes into the results and the report's appendix."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.evaluate import evaluate
from scoring.io import read_data, write_template
from scoring.outputs import results_document
from scoring.problems import Severity
from scoring.system import parse_system
from scoring.system.models import IndicatorSystem

ROOT = Path(__file__).resolve().parents[2]
REASON = "2024 年起由市统计局统一核算，区县无分区数据"


def test_form_declares_a_value_unavailable_with_its_reason(system: IndicatorSystem, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    write_template(system, "370102", path, [2023, 2024])
    book = openpyxl.load_workbook(path)
    sheet = book["数据填报"]
    remark_col = [c.value for c in sheet[8]].index("备注") + 1
    for row in range(9, 15):
        sheet.cell(row, 7).value = 1
        sheet.cell(row, 8).value = 2
    sheet["H11"] = "数据缺失"  # DI-08, 2024
    sheet.cell(11, remark_col).value = REASON
    book.save(path)

    dataset = read_data([path], system)

    assert [(p.code, p.severity, p.location.cell) for p in dataset.problems] == [
        ("cell.unavailable", Severity.WARNING, "H11")
    ]
    problem = dataset.problems[0]
    assert problem.params["reason"] == REASON
    assert REASON in problem.message_zh and "历下区" in problem.message_zh and "DI-08" in problem.message_zh
    assert "declared unavailable" in problem.message_en
    row = dataset.values[(dataset.values["indicator_code"] == "DI-08") & (dataset.values["year"] == 2024)]
    assert row["status"].item() == "unavailable" and math.isnan(row["value"].item())
    assert row["remark"].item() == REASON
    assert not dataset.has_errors  # not a missing required value: the reviewer decides on the reason


def test_unavailable_without_a_reason_is_an_error_naming_the_cell(
    system: IndicatorSystem, tmp_path: Path
) -> None:
    rows = [["unit_code", "indicator_code", "year", "value", "备注"]]
    rows += [["370103", "DI-01", "2024", "数据缺失", ""], ["370103", "DI-08", "2024", "数据缺失", REASON]]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")

    dataset = read_data([path], system)

    got = {p.code: p for p in dataset.problems if p.code.startswith("cell.unavailable")}
    assert set(got) == {"cell.unavailable", "cell.unavailable_no_reason"}
    missing_reason = got["cell.unavailable_no_reason"]
    assert missing_reason.severity is Severity.ERROR and missing_reason.location.cell == "D2"
    assert "市中区" in missing_reason.message_zh and "备注" in missing_reason.message_zh
    assert "without a reason" in missing_reason.message_en
    statuses = dict(zip(dataset.values["indicator_code"], dataset.values["status"], strict=True))
    assert statuses == {"DI-01": "missing", "DI-08": "unavailable"}


SMALL = """
id: t
name: 测试
version: "1"
units: [{code: U1, name: 一区}, {code: U2, name: 二区}]
method: {normalise: goalpost}
tree:
  - code: A
    name: 甲
    weight: 1
    children:
      - {code: X1, name: 甲一, unit: "%", weight: 1, goalposts: [0, 100]}
      - {code: X2, name: 甲二, unit: "%", weight: 3, goalposts: [0, 100]}
"""


def small_table(tmp_path: Path, u1_x2: str, remark: str) -> Path:
    path = tmp_path / "long.csv"
    lines = [
        "unit_code,indicator_code,year,value,备注",
        "U1,X1,2024,40,",
        f"U1,X2,2024,{u1_x2},{remark}",
        "U2,X1,2024,10,",
        "U2,X2,2024,50,",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_declared_unavailable_value_is_scored_as_missing_with_its_reason(tmp_path: Path) -> None:
    system = parse_system(SMALL)
    dataset = read_data([small_table(tmp_path, "数据缺失", REASON)], system)
    evaluation = evaluate(system, dataset, 2024)
    scores = evaluation.scores.xs(2024, level="year")
    # U1: X1 = 40 points; X2 missing, its weight renormalised away: composite = 40 (with X2 = 80 it would be
    # (1·40 + 3·80)/4 = 70); U2: (1·10 + 3·50)/4 = 40
    assert scores.at["U1", "INDEX"] == pytest.approx(40.0)
    assert scores.at["U2", "INDEX"] == pytest.approx(40.0)
    filled = evaluate(system, read_data([small_table(tmp_path, "80", "")], system), 2024)
    assert filled.scores.xs(2024, level="year").at["U1", "INDEX"] == pytest.approx(70.0)
    assert list(evaluation.unavailable.itertuples(index=False, name=None)) == [("U1", "X2", 2024, REASON)]
    document = results_document(evaluation)
    assert document["unavailable"] == [
        {"unit_code": "U1", "indicator_code": "X2", "year": 2024, "reason": REASON}
    ]
    schema = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    assert "unavailable" not in results_document(filled)  # left out when none: earlier documents unchanged


def test_cli_score_counts_it_as_missing_and_prints_the_reason(tmp_path: Path) -> None:
    system_file = tmp_path / "small.yaml"
    system_file.write_text(SMALL, encoding="utf-8")
    data = small_table(tmp_path, "数据缺失", REASON)
    out = tmp_path / "scores.json"
    result: Any = CliRunner(env={"COLUMNS": "250"}).invoke(
        app, ["score", "--system", str(system_file), "--year", "2024", str(data), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert REASON in result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["unavailable"][0]["reason"] == REASON


def test_the_reports_data_appendix_lists_the_reasons(tmp_path: Path) -> None:
    """The Jinan sample with 历下区's DI-08 of 2024 declared unavailable: the report's 附录三 has the table
    数据缺失说明 (and the workbook its sheet) with the reason, which is not listed again among the remarks."""
    import io

    from scoring.report import build_report
    from scoring.system import load_system

    jinan = load_system(ROOT / "indicators" / "jinan_district_digital.yaml")
    lines = (ROOT / "sample_inputs" / "jinan" / "long_table.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = [lines[0] + ",备注"]
    for line in lines[1:]:
        unit, code, year, _ = line.split(",")
        declared = (unit, code, year) == ("370102", "DI-08", "2024")
        rows.append(f"{unit},{code},{year},数据缺失,{REASON}" if declared else line + ",")
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    evaluation = evaluate(jinan, read_data([path], jinan), 2024)
    assert evaluation.flags.query("unit_code == '370102' and node_code == 'DI-08' and year == 2024")[
        "flag"
    ].tolist() == ["missing"]

    book = openpyxl.load_workbook(io.BytesIO(build_report(evaluation, "xlsx")), read_only=True)
    sheet = list(book["数据缺失说明"].iter_rows(values_only=True))
    assert sheet == [
        ("区县编码", "区县名称", "指标编码", "指标名称", "缺失原因"),
        ("370102", "历下区", "DI-08", jinan.nodes["DI-08"].name, REASON),
    ]
    assert "填报备注" not in book.sheetnames
    html = build_report(evaluation, "html").decode("utf-8")
    assert "2024 年数据缺失说明" in html and REASON in html
