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
        "填报备注",  # the sample forms' 备注 on their blanks
        "标准化得分",
        "权重与方法",
        "指标说明",
        "数据处理标记",
        "稳健性分析",  # 附录五 (附录六's sheet only when the previous round used another version)
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


def test_every_sheet_prints_fitted_to_the_page_width(book: openpyxl.Workbook) -> None:
    """Print set-up (issue 17): A4, a print area, fitted to the width with as many pages down as it takes (or
    one, for a sheet that nearly fits one page), landscape where the columns are wider than a portrait page
    (698 px) — portrait for a sheet up to 25 % wider when that takes fewer pages —, the table's header row
    repeated on every page and the page number in the footer."""
    for sheet in book.worksheets:
        name = sheet.title
        assert sheet.print_area, name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        # as many pages down as it takes; a sheet that nearly fits one page is fitted to it (1 is the file's
        # default, left out), so that a chart is not cut nor a few rows left on a page of their own; a longer
        # sheet without charts whose last page would hold a few rows is fitted onto one page less
        down = int(sheet.page_setup.fitToHeight if sheet.page_setup.fitToHeight is not None else 1)
        assert down in (0, 1) or (down > 1 and not sheet._charts), name
        assert int(sheet.page_setup.fitToWidth or 1) >= 1, name
        assert sheet.page_setup.paperSize == 9, name  # A4
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text, name
        assert sheet.oddHeader.left.text == "济南市区县数字化发展水平综合评价报告（2024 年度）", name
        last_column = max(c.max_col for c in sheet.print_area and _ranges(sheet))
        width = sum(_column_px(sheet, c) for c in range(1, last_column + 1))
        # the file stores widths with padding: compare away from the limits
        if width < 698 - 30:
            assert sheet.page_setup.orientation == "portrait", (name, width)
        elif width > 698 / 0.8 + 30:
            assert sheet.page_setup.orientation == "landscape", (name, width)
    # long tables repeat their header row; the ranking and raw-data sheets are wide enough to print landscape
    assert book["完成度明细"].print_title_rows == "$1:$1"
    assert book["原始数据"].print_title_rows == "$1:$1"
    assert book["综合排名"].page_setup.orientation == "landscape"
    # the raw data (34 columns) would shrink below 55 % on one page: more pages across, unit columns repeated
    assert int(book["原始数据"].page_setup.fitToWidth) >= 2
    assert book["原始数据"].print_title_cols == "$A:$C"
    # the weights (38 rows of 6 columns a little wider than portrait) print on one portrait page, not on two
    # landscape ones; the 障碍因子 sheet's long table (top five per unit) comes last and repeats its header
    assert book["权重与方法"].page_setup.orientation == "portrait"
    assert book["权重与方法"].page_setup.fitToHeight in (None, 1)
    # 完成度明细 (197 rows of 20 px, 32 to a landscape page) would leave 5 rows on a seventh page: six pages,
    # a little smaller
    assert book["完成度明细"].page_setup.fitToHeight == 6
    obstacles = book["障碍因子"]
    header = next(r for r in range(2, obstacles.max_row + 1) if obstacles.cell(r, 3).value == "位次")
    assert obstacles.print_title_rows == f"${header}:${header}"
    # a chart is inside the print area
    ranking = book["综合排名"]
    anchor = ranking._charts[0].anchor._from
    assert anchor.row + 1 < max(r.max_row for r in _ranges(ranking))


def test_tables_on_one_sheet_share_column_widths_and_headers_fit(book: openpyxl.Workbook) -> None:
    """Two tables on a sheet: each column as wide as the wider table needs it (the 障碍因子 sheet's indicator
    names were cut to the width of the dimension table's percentages below them), and every header row as
    high as its texts take wrapped in the final widths (全市概况's 数字基础设施 printed half cut off)."""
    obstacles = book["障碍因子"]
    names = [c.value for c in obstacles["E"] if c.value and str(c.value).startswith(("数字", "规上", "省级"))]
    assert names and _width(obstacles, 5) >= min(max(_size(str(n)) for n in names), 40)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            header = [c for c in row if c.fill.fgColor.rgb in ("FFD9D9D9", "00D9D9D9") and c.font.b]
            if not header:
                continue
            r = header[0].row
            height = sheet.row_dimensions[r].height or 15
            for cell in header:
                width = _width(sheet, cell.column)
                lines = -(-_size(str(cell.value)) // max(int(width) - 1, 1))
                assert height >= 15 * lines, (sheet.title, cell.coordinate, cell.value, width, height)


def test_raw_values_show_at_most_two_decimals(book: openpyxl.Workbook) -> None:
    """A raw value is stored at full precision and shown as numbers.value writes it: at most two decimals, no
    trailing zeros (77.968695 → 77.97, 271.8 → 271.8, 53 → 53), not 72.3962040332147."""
    for cell in (c for row in book["原始数据"].iter_rows(min_row=2, min_col=4) for c in row):
        if isinstance(cell.value, float | int):
            text = f"{cell.value:.2f}".rstrip("0").rstrip(".")
            decimals = len(text.split(".")[1]) if "." in text else 0
            assert cell.number_format == {0: "0", 1: "0.0", 2: "0.00"}[decimals], (
                cell.coordinate,
                cell.value,
            )


def test_method_settings_are_named_in_the_editions_language(book: openpyxl.Workbook) -> None:
    """权重与方法 and 指标说明 name the methods as the report does (固定阈值法, not goalpost; 综合指数, not the
    composite's code), in a bordered table of their own."""
    weights = rows(book["权重与方法"])
    settings = dict(r[:2] for r in weights[1:10])
    assert settings["标准化（默认）"] == "固定阈值法"
    assert settings["合成方法（默认）"] == "加权算术平均"
    assert settings["缺失值处理"] == "权重按比例重新分配"
    assert settings["异常值处理"] == "不处理异常值"
    assert settings["跨年可比"] == "逐年计算"
    parents = {r[0] for r in weights[12:]}
    assert "综合指数" in parents and "INDEX" not in parents
    definitions = rows(book["指标说明"])
    column = definitions[0].index("标准化方法")
    assert {r[column] for r in definitions[1:]} == {"固定阈值法"}


def _width(sheet: Worksheet, col: int) -> float:
    """Column ``col``'s width (1-based): the file stores ranges of columns of the same width."""
    for dim in sheet.column_dimensions.values():
        if dim.min is not None and dim.min <= col <= dim.max and dim.customWidth:
            return float(dim.width)
    return 8.43


def _size(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _ranges(sheet: Worksheet) -> list[openpyxl.worksheet.cell_range.CellRange]:
    from openpyxl.worksheet.cell_range import CellRange

    return [CellRange(r.split("!")[-1].replace("$", "")) for r in sheet.print_area.split(",")]


def _column_px(sheet: Worksheet, col: int) -> int:
    from openpyxl.utils import get_column_letter

    dim = sheet.column_dimensions.get(get_column_letter(col))
    width = dim.width if dim is not None and dim.customWidth else 8.43
    return int(width * 7)  # about Excel's pixels of a column of ``width`` characters (Calibri 11)


def test_excel_charts_start_at_zero_and_label_every_unit(jinan_files: dict[str, bytes]) -> None:
    """Bar charts of units: the value axis from 0, every category labelled (tickLblSkip 1) and read from the
    top; the line chart of the city averages starts at 0 too."""
    import re

    with zipfile.ZipFile(io.BytesIO(jinan_files["xlsx"])) as z:
        charts = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")}
    assert len(charts) >= 8
    for name, xml in charts.items():
        assert '<c:tickLblSkip val="1"/>' in xml, name
        value_axis = re.search(r"<c:valAx>.*?</c:valAx>", xml)
        assert value_axis is not None, name
        if 'c:grouping val="stacked"' in xml and "年度变化" in xml:
            continue  # the change decomposition diverges around 0
        assert '<c:min val="0"/>' in value_axis.group(0), name


def test_coordination_names_the_lagging_subsystem(book: openpyxl.Workbook) -> None:
    """协同发展: the lagging subsystem by name, as in the Word table (it printed B or C)."""
    table = rows(book["协同发展"])
    column = table[0].index("滞后子系统")
    names = {str(h)[2:] for h in table[0] if str(h).startswith("U ")}
    lagging = {r[column] for r in table[1:] if r[column]}
    assert lagging and lagging <= names
