"""The report as an Excel workbook (.xlsx, xlsxwriter): the numbers behind every chapter, at full precision.

Each chapter writes its own sheets (``Chapter.sheets``, in chapter order) with the tools here: :class:`Book`
(formats, unique sheet names, column-wise tables) and :func:`bar_chart`. Sheets: 摘要, 全市概况, 综合排名, one per
top-level dimension, 目标完成度, 完成度明细, 年度变化, 区县画像, 原始数据, 标准化得分, 权重与方法, 指标说明,
数据处理标记. Headers are frozen, numbers carry number formats (scores ``0.00``,
shares ``0.0%``, weights ``0.0000``), columns are sized to their content, charts are native Excel charts, and
every text cell is written as text and escaped (:func:`scoring.outputs.escape_text`) so that nothing a
district typed can run as a formula.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from scoring.outputs import escape_text
from scoring.report.charts import OKABE_ITO
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
    "value": {"num_format": "General"},
    "decimal": {"num_format": "0.00"},  # averages and scheduled values are computed: two decimals
}
NO_DATE = datetime(1980, 1, 1)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: header, values (one per row) and how to show them."""

    header: str
    values: Sequence[Any]
    kind: str = "text"


class Book:
    """An xlsxwriter workbook with the report's formats and a writer for column-wise tables."""

    def __init__(self, workbook: Any):
        self.workbook = workbook
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.formats = {kind: workbook.add_format(spec) for kind, spec in FORMATS.items()}
        self.names: set[str] = set()

    def sheet(self, name: str) -> Any:
        """A new worksheet named ``name``, made valid and unique (Excel allows 31 characters, no ``[]:*?/\\``)."""
        clean = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
        candidate, k = clean, 1
        while candidate in self.names:
            k += 1
            candidate = f"{clean[:28]}_{k}"
        self.names.add(candidate)
        return self.workbook.add_worksheet(candidate)

    def table(self, sheet: Any, columns: list[Column], first_row: int = 0, freeze: int = 1) -> int:
        """Write a table at ``first_row`` with a frozen header; returns the row after it."""
        for c, column in enumerate(columns):
            sheet.write_string(first_row, c, str(escape_text(column.header)), self.header)
            fmt = self.formats[column.kind]
            for r, value in enumerate(column.values, start=first_row + 1):
                self.cell(sheet, r, c, value, column.kind, fmt)
            sheet.set_column(c, c, _width(column))
        if first_row == 0 and freeze:
            sheet.freeze_panes(1, freeze)
        n_rows = max((len(c.values) for c in columns), default=0)
        if columns:
            sheet.autofilter(first_row, 0, first_row + n_rows, len(columns) - 1)
        return first_row + n_rows + 1

    def cell(self, sheet: Any, row: int, col: int, value: Any, kind: str, fmt: Any) -> None:
        """One cell: blank for a missing value, escaped text, or a number in the format of ``kind``."""
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            sheet.write_blank(row, col, None, fmt)
        elif kind == "text" or isinstance(value, str):
            sheet.write_string(row, col, str(escape_text(str(value))), fmt)
        else:
            sheet.write_number(row, col, float(value), fmt)


def _width(column: Column) -> float:
    def size(value: Any) -> int:
        text = value if isinstance(value, str) else f"{value:.2f}" if isinstance(value, float) else str(value)
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    sample = [column.header, *list(column.values)[:200]]
    return float(min(max(max(size(v) for v in sample) + 2, 8), 60))


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
    workbook.close()
    return buffer.getvalue()


def bar_chart(
    book: Book, sheet: Any, name: str, n: int, category_col: int, value_col: int, title: str, at_col: int
) -> None:
    """A native bar chart of ``n`` rows of the sheet ``name`` (categories and values by column), placed at
    column ``at_col``."""
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
    chart.set_title({"name": title})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"num_format": "0"})
    chart.set_legend({"none": True})
    sheet.insert_chart(1, at_col, chart, {"x_scale": 1.4, "y_scale": max(1.0, n * 22 / 288)})
