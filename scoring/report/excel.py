"""The report as an Excel workbook (.xlsx, xlsxwriter): the numbers behind every chapter, at full precision.

Each chapter writes its own sheets (``Chapter.sheets``, in chapter order) with the tools here: :class:`Book`
(formats, unique sheet names, column-wise tables) and :func:`bar_chart`. Sheets: 摘要, 全市概况, 综合排名, one per
top-level dimension, 目标完成度, 完成度明细, 年度变化, 区县画像, 原始数据, 标准化得分, 权重与方法, 指标说明,
数据处理标记, and 稳健性分析 (附录五) and 指标体系版本变化 (附录六) when the report has those appendices.
Headers are frozen, numbers carry number formats (scores ``0.00``, shares ``0.0%``, weights ``0.0000``), columns are sized to their content, charts are native Excel charts, and
every text cell is written as text and escaped (:func:`scoring.outputs.escape_text`) so that nothing a
district typed can run as a formula.

Every sheet prints (:meth:`Book.print_setup`): A4, a print area over its cells and drawings, fitted to the page
width (as many pages down as it takes), landscape when its columns are wider than a portrait page, the header
row of its table repeated on every page, the report's title and the sheet's name in the page header and the
page number in the footer. Charts stand below their table so that the table keeps the page width.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from scoring.outputs import escape_text
from scoring.report.charts import OKABE_ITO
from scoring.report.language import _
from scoring.report.model import Document

if TYPE_CHECKING:
    from scoring.analysis.report_data import ReportData
    from scoring.report.chapter import Chapter

FORMATS: dict[str, dict[str, Any]] = {
    "text": {},
    "score": {"num_format": "0.00"},
    "signed": {"num_format": "+0.00;-0.00;0.00"},
    "rank": {"num_format": "0"},
    "int": {"num_format": "0"},
    "percent": {"num_format": "0.0%"},
    "weight": {"num_format": "0.0000"},
    # a sensitivity index: a sampling estimate below 0 (the index itself never is) shows ≈0, its value kept
    "index": {"num_format": '0.0000;"≈0"'},
    "value": {"num_format": "General"},  # written with as many decimals as it has, up to two (VALUE_FORMATS)
    "decimal": {"num_format": "0.00"},  # averages and scheduled values are computed: two decimals
}
# a raw value shows at most two decimals and no trailing zeros, as numbers.value writes it: 77.968695 → 77.97,
# 271.8 → 271.8, 53 → 53 (Excel has no single format for that: one format per number of decimals)
VALUE_FORMATS = {0: "0", 1: "0.0", 2: "0.00"}
NO_DATE = datetime(1980, 1, 1)
CELL_BORDER = {"border": 1, "border_color": "#BFBFBF"}
HEADER_WIDTH = 16  # a header longer than this (in half-width characters) wraps instead of widening its column
TEXT_WIDTH = 40  # a text column wider than this wraps its cells (definitions, sources, remarks)
BAR_PX = 26  # height of one bar (one unit or indicator) in a bar chart: room for its label

# Printing on A4 with margins of 0.5 in left and right: the width a sheet's columns may take, in pixels at 96 dpi
# (Excel's unit for column widths), before a portrait page no longer holds them and the sheet prints landscape.
MARGIN_IN = 0.5
PORTRAIT_PX = round((21.0 / 2.54 - 2 * MARGIN_IN) * 96)  # 698
LANDSCAPE_PX = round((29.7 / 2.54 - 2 * MARGIN_IN) * 96)  # 1026
MIN_PRINT_SCALE = 0.55  # below this a table is too small to read: it takes more pages across instead
CHART_PX = (480, 288)  # an Excel chart's size at scale 1 (xlsxwriter's default)
CHART_OFFSET_PX = (
    4  # a chart stands a little below its row's top, so its frame never prints on the page above
)
ROW_PX = 20  # a default row
ONE_PAGE_SLACK = 1.45  # a sheet up to this many pages high is shrunk onto one page (to about 70 %)
PAGE_HEIGHT_PX = {
    landscape: (21.0 if landscape else 29.7) / 2.54 * 96 - 2 * 0.75 * 96 for landscape in (False, True)
}
PORTRAIT_MIN_SCALE = (
    0.8  # a sheet a little wider than a portrait page prints portrait if that takes fewer pages
)
LAST_PAGE_SHRINK = 0.85  # … and a longer one is shrunk to at most 85 % rather than leave a few rows on a page
ONE_PAGE_MIN_SCALE = 0.5  # … unless that takes it (with its width's shrinking) below half its size


@dataclass(frozen=True)
class Column:
    """One column of a sheet: header, values (one per row) and how to show them."""

    header: str
    values: Sequence[Any]
    kind: str = "text"


@dataclass
class SheetLayout:
    """What :meth:`Book.print_setup` needs of a sheet: where its tables and drawings are."""

    tables: list[tuple[int, int]] = field(default_factory=list)  # (header row, last row) of each table
    headers: list[tuple[int, list[str]]] = field(default_factory=list)  # each table's header row and texts
    widths: dict[int, float] = field(default_factory=dict)  # column → width: the widest any table needs
    drawings: list[tuple[int, int, float, float]] = field(default_factory=list)  # row, col, width, height px
    frozen_columns: int = 0


class Book:
    """An xlsxwriter workbook with the report's formats, a writer for column-wise tables and the print set-up
    of every sheet."""

    def __init__(self, workbook: Any):
        self.workbook = workbook
        self.layouts: dict[str, SheetLayout] = {}
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        # table cells carry a thin grey border, so that a printed table reads as a grid without printing the
        # sheet's gridlines over the charts
        # cells stand in the middle of their row, so that a row made high by one wrapped cell reads as one line
        self.formats = {
            kind: workbook.add_format({**spec, "valign": "vcenter", **CELL_BORDER})
            for kind, spec in FORMATS.items()
        }
        self.values = {
            d: workbook.add_format({"num_format": f, "valign": "vcenter", **CELL_BORDER})
            for d, f in VALUE_FORMATS.items()
        }
        self.wrapped = workbook.add_format({"text_wrap": True, "valign": "vcenter", **CELL_BORDER})
        self.names: set[str] = set()

    def sheet(self, name: str) -> Any:
        """A new worksheet named ``name``, made valid and unique (Excel allows 31 characters, no ``[]:*?/\\``)."""
        clean = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
        candidate, k = clean, 1
        while candidate in self.names:
            k += 1
            candidate = f"{clean[:28]}_{k}"
        self.names.add(candidate)
        self.layouts[candidate] = SheetLayout()
        return self.workbook.add_worksheet(candidate)

    def table(self, sheet: Any, columns: list[Column], first_row: int = 0, freeze: int = 1) -> int:
        """Write a table at ``first_row`` with a frozen header; returns the row after it. A column as wide as
        the widest of the sheet's tables needs it (the header row's height is set by :meth:`print_setup`, when
        every table of the sheet has its widths)."""
        layout = self.layouts[sheet.get_name()]
        row_lines: dict[int, int] = {}
        for c, column in enumerate(columns):
            sheet.write_string(first_row, c, str(escape_text(column.header)), self.header)
            width = _width(column)
            fmt = self.formats[column.kind]
            if column.kind == "text" and width > TEXT_WIDTH:
                width, fmt = TEXT_WIDTH, self.wrapped
                for r, value in enumerate(column.values, start=first_row + 1):
                    # rows are given the height of their wrapped text (LibreOffice does not measure it)
                    row_lines[r] = max(row_lines.get(r, 1), math.ceil(_size(value or "") / (TEXT_WIDTH - 2)))
            for r, value in enumerate(column.values, start=first_row + 1):
                self.cell(sheet, r, c, value, column.kind, fmt)
            layout.widths[c] = max(layout.widths.get(c, 0.0), width)
            sheet.set_column(c, c, layout.widths[c])
        n_rows = max((len(c.values) for c in columns), default=0)
        for r in range(first_row + 1, first_row + n_rows + 1):
            # every row's height written out (Excel's default of 15 points): LibreOffice would make rows of its
            # own default height, and the pages would not break where print_setup expects them to
            n = row_lines.get(r, 1)
            sheet.set_row(r, 15 * n + 2 if n > 1 else 15)
        layout.headers.append((first_row, [column.header for column in columns]))
        if first_row == 0 and freeze:
            sheet.freeze_panes(1, freeze)
        if columns:
            sheet.autofilter(first_row, 0, first_row + n_rows, len(columns) - 1)
        layout.tables.append((first_row, first_row + n_rows))
        if first_row == 0 and freeze:
            layout.frozen_columns = freeze
        return first_row + n_rows + 1

    def paragraph(self, sheet: Any, row: int, text: str, width: float) -> None:
        """A sentence in column A (``width`` characters wide), wrapped, its row as high as its lines (LibreOffice
        does not measure wrapped text)."""
        sheet.write_string(row, 0, str(escape_text(text)), self.wrap)
        sheet.set_row(row, 15 * max(1, math.ceil(_size(text) / (width - 4))) + 2)

    def note(self, sheet: Any, row: int, text: str, columns: int) -> None:
        """A note under a table: one cell across its ``columns`` first columns, wrapped at their width."""
        widths = self.layouts[sheet.get_name()].widths
        width = sum(widths.get(c, 8.43) for c in range(columns))
        sheet.merge_range(row, 0, row, columns - 1, str(escape_text(text)), self.wrap)
        sheet.set_row(row, 15 * max(1, math.ceil(_size(text) / (width - 4))) + 2)

    def chart(
        self, sheet: Any, row: int, col: int, chart: Any, x_scale: float = 1.0, y_scale: float = 1.0
    ) -> None:
        """Insert a native chart at (``row``, ``col``), remembering its extent for the print area."""
        sheet.insert_chart(
            row, col, chart, {"x_scale": x_scale, "y_scale": y_scale, "y_offset": CHART_OFFSET_PX}
        )
        self.drawing(sheet, row, col, CHART_PX[0] * x_scale, CHART_PX[1] * y_scale + CHART_OFFSET_PX)

    def drawing(self, sheet: Any, row: int, col: int, width_px: float, height_px: float) -> None:
        """Note a chart or picture of ``width_px`` × ``height_px`` at (``row``, ``col``) for the print area."""
        self.layouts[sheet.get_name()].drawings.append((row, col, width_px, height_px))

    def print_setup(self, title: str, footer: str = "第 &P 页，共 &N 页") -> None:
        """Print set-up of every sheet (see the module doc). ``title`` goes into the page header (left), the
        sheet's name to the right; ``footer`` is the page-number line in Excel's header codes (``&P`` page,
        ``&N`` pages)."""
        for sheet in self.workbook.worksheets():
            layout = self.layouts.get(sheet.get_name(), SheetLayout())
            for row, headers in layout.headers:
                lines = max(
                    (_header_lines(h, layout.widths.get(c, 8.43)) for c, h in enumerate(headers)), default=1
                )
                sheet.set_row(row, 15 * lines + 3)
            last_row, last_col = _extent(sheet, layout)
            width = sum(_column_px(sheet, c) for c in range(last_col + 1))
            sheet.set_paper(9)  # A4
            landscape = _landscape(width, sum(_row_px(sheet, r) for r in range(last_row + 1)))
            if landscape:
                sheet.set_landscape()
            else:
                sheet.set_portrait()
            page = LANDSCAPE_PX if landscape else PORTRAIT_PX
            across = max(1, math.ceil(width * MIN_PRINT_SCALE / page))  # pages across, each at least 55 %
            sheet.print_area(0, 0, last_row, last_col)
            sheet.fit_to_pages(across, 0)
            scale = min(1.0, page * across / max(width, 1))
            one_page = _fit_down(sheet, layout, last_row, scale)
            if across > 1 and layout.frozen_columns:
                sheet.repeat_columns(0, layout.frozen_columns - 1)
            header = _repeated_header(layout)
            if header is not None and not one_page and not _table_outruns_page(sheet, layout, scale):
                header = None  # the table fits its page: a header repeated would stand above a chart alone
            if header is not None:
                sheet.repeat_rows(header)
            sheet.set_margins(left=MARGIN_IN, right=MARGIN_IN, top=0.75, bottom=0.75)
            sheet.set_header(f"&L&9{_header_text(title)}&R&9&A", {"margin": 0.3})
            sheet.set_footer(f"&C&9{footer}", {"margin": 0.3})

    def cell(self, sheet: Any, row: int, col: int, value: Any, kind: str, fmt: Any) -> None:
        """One cell: blank for a missing value, escaped text, or a number in the format of ``kind``."""
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            sheet.write_blank(row, col, None, fmt)
        elif kind == "text" or isinstance(value, str):
            sheet.write_string(row, col, str(escape_text(str(value))), fmt)
        elif kind == "value":
            sheet.write_number(row, col, float(value), self.values[_decimals(float(value))])
        else:
            sheet.write_number(row, col, float(value), fmt)


def _header_text(text: str) -> str:
    """Text for a page header: ``&`` doubled (it starts a header code), cut to fit Excel's 255 characters."""
    return text.replace("&", "&&")[:120]


def _column_px(sheet: Any, col: int) -> int:
    # xlsxwriter's own conversion of a column's width to pixels (the unit of the drawings' sizes)
    return int(sheet._size_col(col))


def _extent(sheet: Any, layout: SheetLayout) -> tuple[int, int]:
    """The last row and column the sheet's cells and drawings reach."""
    last_row = sheet.dim_rowmax if sheet.dim_rowmax is not None else 0
    last_col = sheet.dim_colmax if sheet.dim_colmax is not None else 0
    for row, col, width, height in layout.drawings:
        last_row = max(last_row, row + math.ceil(height / ROW_PX))
        c, left = col, width
        while left > 0:
            left -= _column_px(sheet, c)
            c += 1
        last_col = max(last_col, c - 1)
    return last_row, last_col


def _page_height(sheet: Any) -> float:
    """The printable height of the sheet's page in pixels (A4, top and bottom margins of 0.75 in)."""
    return PAGE_HEIGHT_PX[sheet.orientation == 0]


def _landscape(width: float, height: float) -> bool:
    """Landscape when the columns (``width`` px) are wider than a portrait page, unless portrait keeps them at
    :data:`PORTRAIT_MIN_SCALE` or more and prints the sheet (``height`` px) on fewer pages."""
    if width <= PORTRAIT_PX:
        return False
    if PORTRAIT_PX / width < PORTRAIT_MIN_SCALE:
        return True

    def pages(page_width: float, landscape: bool) -> int:
        scaled, page = height * min(1.0, page_width / width), PAGE_HEIGHT_PX[landscape]
        return 1 if scaled <= ONE_PAGE_SLACK * page else math.ceil(scaled / page)

    return pages(LANDSCAPE_PX, True) <= pages(PORTRAIT_PX, False)


def _fit_down(sheet: Any, layout: SheetLayout, last_row: int, scale: float) -> bool:
    """A sheet up to :data:`ONE_PAGE_SLACK` pages high (at the width's ``scale``) is fitted onto one page
    height, unless that shrinks it below :data:`ONE_PAGE_MIN_SCALE`; otherwise each drawing starts a new page (a
    chart must not break across pages), and a sheet without drawings whose last page would hold a few rows is
    fitted onto one page less when that takes no more than :data:`LAST_PAGE_SHRINK`. True when the sheet is
    fitted onto one page."""
    height = sum(_row_px(sheet, r) for r in range(last_row + 1)) * scale
    page = _page_height(sheet)
    if height <= ONE_PAGE_SLACK * page and scale * min(1.0, page / max(height, 1)) >= ONE_PAGE_MIN_SCALE:
        sheet.fit_to_pages(sheet.fit_width, 1)
        return True
    if layout.drawings:
        sheet.set_h_pagebreaks(sorted({row for row, _, _, _ in layout.drawings if row > 0}))
        return False
    # a long table whose last page would hold a few rows only is shrunk a little onto one page less
    pages = math.ceil(height / page)
    if pages > 1 and (pages - 1) * page / height >= LAST_PAGE_SHRINK:
        sheet.fit_to_pages(sheet.fit_width, pages - 1)
    return False


def _table_outruns_page(sheet: Any, layout: SheetLayout, scale: float) -> bool:
    """Whether the rows above the sheet's first drawing (all rows, without one) take more than a page."""
    if not layout.drawings:
        return True
    first = min(row for row, _, _, _ in layout.drawings)
    return sum(_row_px(sheet, r) for r in range(first)) * scale > _page_height(sheet)


def _row_px(sheet: Any, row: int) -> int:
    return int(sheet._size_row(row))


def _repeated_header(layout: SheetLayout) -> int | None:
    """The header row to repeat on every printed page: the sheet's longest table's, when no other table
    follows it (a repeated header must never stand above another table's rows)."""
    if not layout.tables:
        return None
    longest = max(layout.tables, key=lambda t: t[1] - t[0])
    if any(first > longest[0] for first, _ in layout.tables):
        return None
    return longest[0]


def _size(value: Any) -> int:
    """Display width in half-width characters (a CJK character counts two)."""
    text = value if isinstance(value, str) else f"{value:.2f}" if isinstance(value, float) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _width(column: Column) -> float:
    """A column as wide as its widest value (at most 60), and at least as its header up to
    :data:`HEADER_WIDTH` (a longer header wraps)."""
    values = max((_size(v) for v in list(column.values)[:200]), default=0)
    return float(min(max(values, min(_size(column.header), HEADER_WIDTH), 6) + 2, 60))


def _header_lines(header: str, width: float) -> int:
    """Lines a header takes, wrapped in its column of ``width`` characters."""
    return max(1, math.ceil(_size(header) / max(width - 1, 1)))


def _decimals(x: float) -> int:
    """The decimals :func:`scoring.report.numbers.value` writes ``x`` with (0, 1 or 2)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def to_xlsx(
    data: ReportData, document: Document, chapters: Sequence[Chapter], created: datetime | None = None
) -> bytes:
    """The workbook as bytes: the sheets of each chapter in turn. ``created`` goes into the file properties
    (default 1980-01-01, so the same evaluation gives the same bytes)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties(
        {
            "title": document.cover.title,
            "subject": data.system.name,
            "author": "digiscore",
            "created": created or NO_DATE,
        }
    )
    book = Book(workbook)
    for chapter in chapters:
        if chapter.sheets is not None:
            chapter.sheets(book, data, document)
    book.print_setup(document.cover.title, _("第 &P 页，共 &N 页"))
    workbook.close()
    return buffer.getvalue()


def bar_chart(
    book: Book,
    sheet: Any,
    name: str,
    n: int,
    category_col: int,
    value_col: int,
    title: str,
    maximum: float | None = None,
) -> None:
    """A native horizontal bar chart of the ``n`` rows of the table of sheet ``name`` (categories and values by
    column), below the table: every category labelled, in table order from the top, values from 0 (to
    ``maximum``, e.g. the top of the score scale, when given)."""
    chart = book.workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": title,
            "categories": [name, 1, category_col, n, category_col],
            "values": [name, 1, value_col, n, value_col],
            "fill": {"color": OKABE_ITO[0]},
            "data_labels": {"value": True, "num_format": "0.00"},
        }
    )
    chart.set_title({"name": title, "name_font": {"size": 11}})
    chart.set_y_axis(category_axis())
    chart.set_x_axis(value_axis() if maximum is None else value_axis(max=maximum))
    chart.set_legend({"none": True})
    book.chart(sheet, n + 2, 0, chart, x_scale=1.4, y_scale=unit_chart_scale(n))


def category_axis(**options: Any) -> dict[str, Any]:
    """The category axis of a horizontal bar chart: every label shown (``interval_unit`` 1, no skipping) and
    read from the top (the table's order)."""
    return {"reverse": True, "interval_unit": 1, "num_font": {"size": 9}, **options}


def value_axis(**options: Any) -> dict[str, Any]:
    """A value axis starting at 0, with gridlines."""
    return {
        "min": 0,
        "num_format": "0",
        "num_font": {"size": 9},
        "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        **options,
    }


def unit_chart_scale(n: int) -> float:
    """The height scale of a chart with ``n`` bars: :data:`BAR_PX` a bar and room for title, axis and legend."""
    return max(1.0, (n * BAR_PX + 100) / CHART_PX[1])
