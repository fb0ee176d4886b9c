"""The Excel report, opened with openpyxl: full-precision numbers, formats, frozen headers, native charts, and
text that cannot run as a formula."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from scoring.data import Dataset
from scoring.evaluate import Evaluation, evaluate
from scoring.report import build_report
from scoring.system import IndicatorSystem, parse_system


@pytest.fixture(scope="module")
def book(jinan_files: dict[str, bytes]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(jinan_files["xlsx"]))


def rows(sheet: Worksheet) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))


def test_sheets_cover_every_chapter(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == [
        "摘要",
        "全市概况",
        "综合排名",
        "A 数字基础设施",
        "B 数字产业化",
        "C 产业数字化",
        "D 城市数字化",
        "E 发展环境",
        "目标完成度",
        "完成度明细",
        "年度变化",
        "区县画像",
        "协同发展",  # issue 14: the analysis chapters' sheets
        "障碍因子",
        "区域差异",
        "分类评价",
        "原始数据",
        "标准化得分",
        "权重与方法",
        "指标说明",
        "数据处理标记",
    ]


def test_ranking_sheet_holds_the_evaluations_numbers_at_full_precision(
    jinan: Evaluation, book: openpyxl.Workbook
) -> None:
    sheet = book["综合排名"]
    header, *body = rows(sheet)
    assert header[:5] == ("排名", "区县编码", "区县名称", "综合得分", "梯队")
    scores = jinan.scores.xs(2024, level="year")
    ranks = jinan.ranks.xs(2024, level="year")
    tiers = jinan.tiers.xs(2024, level="year")
    assert len(body) == 14
    for row in body:
        unit = row[1]
        assert row[0] == ranks.at[unit, "INDEX"]
        # the full number, not a rounded copy (xlsxwriter writes 16 significant digits)
        assert row[3] == pytest.approx(scores.at[unit, "INDEX"], rel=1e-15)
        assert row[4] == tiers[unit]
        assert list(row[9:14]) == pytest.approx([scores.at[unit, d] for d in "ABCDE"], rel=1e-15)
    assert sheet["D2"].number_format == "0.00"
    assert sheet.freeze_panes == "D2"


def test_raw_sheet_is_the_raw_matrix(jinan: Evaluation, book: openpyxl.Workbook) -> None:
    header, *body = rows(book["原始数据"])
    assert header[3].startswith("DI-01 每万人5G基站数")
    assert len(body) == len(jinan.raw) == 42
    for row in body:
        expected = jinan.raw.loc[(row[0], row[1])]
        for value, want in zip(row[3:], expected, strict=True):
            assert value == (None if want != want else pytest.approx(want, rel=1e-15))


def test_workbook_has_native_charts(jinan_files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(jinan_files["xlsx"])) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
    # city trend, ranking, five dimensions, target attainment, change decomposition
    assert len(charts) == 9


def test_text_that_looks_like_a_formula_stays_text(
    make_dataset: Callable[..., Dataset],
) -> None:
    system: IndicatorSystem = parse_system(
        """
id: test
name: test system
version: "1"
units:
  - {code: U1, name: "=HYPERLINK(\\"http://example.com\\",\\"点击\\")"}
  - {code: U2, name: "@SUM(A1:A9)"}
  - {code: U3, name: "+1-1"}
tree:
  - code: A
    name: "-维度"
    weight: 1
    children:
      - {code: A1, name: 指标, weight: 1}
"""
    )
    evaluation = evaluate(
        system, make_dataset({2024: {"U1": {"A1": 1}, "U2": {"A1": 2}, "U3": {"A1": 3}}}), 2024
    )
    book = openpyxl.load_workbook(io.BytesIO(build_report(evaluation, "xlsx")))
    names = [row[2] for row in rows(book["综合排名"])[1:]]
    assert sorted(names) == ["'+1-1", '\'=HYPERLINK("http://example.com","点击")', "'@SUM(A1:A9)"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_same_evaluation_gives_the_same_bytes(small: Evaluation) -> None:
    assert build_report(small, "xlsx") == build_report(small, "xlsx")
