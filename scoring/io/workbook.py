"""Open an input file as a list of sheets, each a grid of cell values aligned with A1.

Spreadsheets are read with calamine, whole sheets at once; CSV files are decoded (UTF-8, UTF-8 with BOM,
UTF-16 with BOM, GB18030/GBK) and split with pandas. Anything that cannot be opened raises
:class:`SubmissionError`: the file as a whole is unusable.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Final

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from scoring.io.cells import ObjectArray
from scoring.io.xlsxformats import PercentCells, percent_cells
from scoring.io.xlsxscan import SpecialCells, scan_workbook
from scoring.problems import Location, Problem, SubmissionError, file_problem

SPREADSHEET_SUFFIXES: Final = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
ZIP_MAGIC: Final = b"PK\x03\x04"
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls


@dataclass
class Sheet:
    """One sheet: ``grid[r, c]`` is the value of the cell at 0-based (r, c), ``""`` when empty.

    ``special_cells`` finds, on demand, the cells that look empty in ``grid`` but hold a formula without a
    cached value or an Excel error (xlsx only; other formats have none to find). ``percent_cells`` finds, on
    demand, the cells with a percent number format (xlsx only), whose stored 0.342 Excel shows as 34.2 %.
    """

    name: str
    grid: ObjectArray
    special_cells: Callable[[], SpecialCells]
    percent_cells: Callable[[], PercentCells] = field(default=lambda: frozenset())


@dataclass
class SourceFile:
    """An opened input file: its name (as problems cite it) and its sheets (CSV: one sheet named "")."""

    name: str
    sheets: list[Sheet]


def open_path(path: Path | str) -> SourceFile:
    """Open a file from disk; raises :class:`SubmissionError` when it cannot be read as a table."""
    file_path = Path(path)
    name = file_path.name
    try:
        with file_path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise SubmissionError(file_problem(str(path), error)) from error
    if _is_spreadsheet(head, file_path.suffix):
        return _open_spreadsheet(name, head, lambda: str(file_path))
    try:
        content = file_path.read_bytes()
    except OSError as error:
        raise SubmissionError(file_problem(str(path), error)) from error
    return _open_csv(name, content)


def open_bytes(content: bytes, name: str) -> SourceFile:
    """Open an uploaded file held in memory; ``name`` (the file name) decides nothing but how problems cite it,
    except that a spreadsheet suffix makes non-spreadsheet content unusable rather than CSV."""
    head = content[:8]
    if _is_spreadsheet(head, Path(name).suffix):
        return _open_spreadsheet(name, head, lambda: io.BytesIO(content))
    return _open_csv(name, content)


def _is_spreadsheet(head: bytes, suffix: str) -> bool:
    # The content decides; a spreadsheet suffix on anything else still goes to calamine, which then refuses it.
    return head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC) or suffix.lower() in SPREADSHEET_SUFFIXES


# what a parser's exception means to the person who sent the file (its own text is the parser's, in English)
_DAMAGED = {
    "detail_zh": "文件已损坏，或不是有效的电子表格",
    "detail_en": "it is damaged or not a valid spreadsheet",
}


def _unusable(name: str, code: str, **params: str) -> SubmissionError:
    return SubmissionError(Problem(code, location=Location(file=name), params=dict(params)))


def _open_spreadsheet(name: str, head: bytes, source: Callable[[], str | IO[bytes]]) -> SourceFile:
    if not head:
        raise _unusable(name, "file.unreadable", detail="文件为空 / empty file")
    scan: Future[dict[str, SpecialCells]] | None = None
    if head.startswith(ZIP_MAGIC):
        # calamine releases the GIL while it parses, so the look for formulas and errors in the XML runs alongside
        # at no cost in wall time; its result is only waited for if some value cell turns out empty
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="digiscore-xlsx-scan")
        scan = executor.submit(scan_workbook, source())
        executor.shutdown(wait=False)
    try:
        opened = source()
        workbook = (
            CalamineWorkbook.from_path(opened)
            if isinstance(opened, str)
            else CalamineWorkbook.from_filelike(opened)
        )
        grids = [
            (sheet_name, _grid(workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)))
            for sheet_name in workbook.sheet_names
        ]
    except Exception as error:  # calamine raises several types for hostile input; all mean "unusable"
        raise _unusable(name, "file.unreadable", **_DAMAGED) from error

    def special_cells_of(sheet_name: str) -> Callable[[], SpecialCells]:
        def special_cells() -> SpecialCells:
            if scan is None:
                return {}  # .xls: no cached-value XML to look at
            try:
                return scan.result().get(sheet_name, {})
            except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as error:
                # ElementTree's ParseError is a SyntaxError; a zip calamine could read but we cannot is unusable
                raise _unusable(name, "file.unreadable", **_DAMAGED) from error

        return special_cells

    @cache
    def formats() -> dict[str, PercentCells]:
        # read only when a sheet has number cells of a % indicator, and then once for the whole package
        if not head.startswith(ZIP_MAGIC):
            return {}  # .xls: no styles part to look at
        try:
            return percent_cells(source())
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as error:
            raise _unusable(name, "file.unreadable", **_DAMAGED) from error

    def percent_cells_of(sheet_name: str) -> Callable[[], PercentCells]:
        return lambda: formats().get(sheet_name, frozenset())

    return SourceFile(
        name,
        [
            Sheet(sheet_name, grid, special_cells_of(sheet_name), percent_cells_of(sheet_name))
            for sheet_name, grid in grids
        ],
    )


def _grid(rows: Sequence[Sequence[object]]) -> ObjectArray:
    if not rows or not rows[0]:
        return np.empty((0, 0), dtype=object)
    grid = np.empty((len(rows), len(rows[0])), dtype=object)
    grid[:] = rows
    return grid


def _decode(content: bytes) -> str | None:
    if content.startswith(codecs.BOM_UTF16_LE) or content.startswith(codecs.BOM_UTF16_BE):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        # GB18030 is a superset of GBK and GB2312; UTF-8 first, because a UTF-8 text is rarely valid GB18030
        # the other way round (and BOM-less ASCII is the same in both)
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _open_csv(name: str, content: bytes) -> SourceFile:
    text = _decode(content)
    if text is None:
        raise _unusable(name, "file.encoding")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1  # where, so that a person can look
        raise _unusable(
            name,
            "file.format",
            detail_zh=f"第 {line} 行含有空字符（NUL，此处显示为 ␀），像是二进制文件，不是 CSV 或 Excel 文件",
            detail_en=f"line {line} holds a NUL character (shown here as ␀): binary content, not CSV or Excel",
        )
    if not text.strip():
        raise _unusable(name, "file.format", detail="文件为空 / empty file")
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    separator = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            sep=separator,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
        grid = frame.to_numpy(dtype=object)
    except pd.errors.EmptyDataError as error:
        raise _unusable(name, "file.format", detail="文件为空 / empty file") from error
    except (pd.errors.ParserError, ValueError):
        # ragged rows (more fields than the first line): the csv module takes them; pad to a rectangle
        rows = list(csv.reader(io.StringIO(text), delimiter=separator))
        width = max((len(row) for row in rows), default=0)
        grid = np.full((len(rows), width), "", dtype=object)
        for r, row in enumerate(rows):
            grid[r, : len(row)] = row
    return SourceFile(name, [Sheet("", grid, dict)])
