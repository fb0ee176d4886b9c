"""Recognise the layout of a sheet (district form, long table, wide table) and take its value cells out of it.

Each reader turns a sheet into a :class:`CellBlock`: one entry per value cell whose indicator and year are known,
with its unit code, position and content, plus the problems found in the sheet's structure (unknown indicator
codes, bad years, unit codes not in the system). Whether a value is a valid number is decided later for all
cells at once (:mod:`scoring.io.cells`), and so are the checks across cells (:mod:`scoring.io.checks`).

A value cell is checked when its indicator and year are known; a problem with its unit code is reported once, at
the unit cell, and the values of that unit are checked but not kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from scoring.io import form
from scoring.io.cells import (
    PERCENT_UNITS,
    BoolArray,
    FloatArray,
    IntArray,
    ObjectArray,
    PercentFormatted,
    cell_ref,
    display,
    key_text,
    parse_year,
    split_numbers,
)
from scoring.io.workbook import Sheet
from scoring.problems import Location, Problem, ProblemLog, Severity
from scoring.system.formula import formula_words
from scoring.system.models import IndicatorSystem

# Header names, compared after NFKC, lower-casing and turning spaces into underscores.
UNIT_HEADERS: Final = frozenset({"unit_code", "unitcode", "区县编码", "区县代码"})
INDICATOR_HEADERS: Final = frozenset({"indicator_code", "indicatorcode", "指标编码", "指标代码"})
YEAR_HEADERS: Final = frozenset({"year", "年份", "年度"})
VALUE_HEADERS: Final = frozenset({"value", "数值", "指标值", "值"})
# The remark (备注) column of a long table: kept with each value.
REMARK_HEADERS: Final = frozenset({"remark", "remarks", "备注", "note", "说明"})
# Columns of a wide table that are neither the unit code nor an indicator, and are skipped without a problem.
WIDE_OTHER_HEADERS: Final = frozenset(
    {
        "unit_name",
        "区县名称",
        "区县",
        "name",
        "名称",
        "序号",
        "no",
        "no.",
        "remark",
        "remarks",
        "备注",
        "note",
        "说明",
    }
)
FORM_OTHER_HEADERS: Final = frozenset(form.LEADING_HEADERS + form.TRAILING_HEADERS)

HEADER_SEARCH_ROWS: Final = 10  # a long or wide table's header must be within the first rows
FORM_SEARCH_ROWS: Final = 30
_FILE_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")


@dataclass
class CellBlock:
    """Value cells of one sheet, as parallel arrays (one entry per cell)."""

    number: FloatArray  # the plain number, NaN where the cell needs a closer look
    raw: ObjectArray  # the cell as read (meaningful where number is NaN)
    unit: ObjectArray  # unit code text
    unit_index: IntArray  # index into system.units; -1 when the code is missing or not in the system
    indicator: IntArray  # index into system.indicators
    year: IntArray
    row: IntArray  # 0-based position in the sheet
    col: IntArray
    remark: ObjectArray  # the value's 备注 as text ("" when none)

    def __len__(self) -> int:
        return int(self.number.size)

    @classmethod
    def concat(cls, blocks: Sequence[CellBlock]) -> CellBlock:
        if len(blocks) == 1:
            return blocks[0]

        def join(name: str, dtype: type) -> np.ndarray:
            parts = [getattr(block, name) for block in blocks]
            return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)

        return cls(
            number=join("number", np.float64),
            raw=join("raw", object),
            unit=join("unit", object),
            unit_index=join("unit_index", np.int64),
            indicator=join("indicator", np.int64),
            year=join("year", np.int64),
            row=join("row", np.int64),
            col=join("col", np.int64),
            remark=join("remark", object),
        )


@dataclass
class SheetResult:
    """What a sheet gave: its layout, its value cells and its structure problems.

    ``usable`` is False when the sheet's layout was not recognised or it lacks what its layout needs (a
    column, the year); a file none of whose sheets is usable is unusable as a whole.
    """

    layout: str  # "form" | "long" | "wide" | "empty" | "instructions" | "unknown"
    usable: bool
    cells: CellBlock | None = None
    problems: list[Problem] = field(default_factory=list)


def unknown_indicator(context: SheetContext, code: str, location: Location, unit: str | None) -> Problem:
    """The problem of a code that is not a collected value of the system: a derived indicator (computed from its
    parts, which are to be given instead) or a code the system does not have at all."""
    node = context.system.nodes.get(code)
    other = context.system.same_as.get(code)
    if node is not None and other is not None:
        # the same as another indicator (same_as): asked once, the other's value counts (as a duplicate does)
        return Problem(
            "data.shared_indicator",
            Severity.WARNING,
            location=location,
            unit=unit,
            indicator=code,
            params={
                "indicator": code,
                "indicator_name": node.name,
                "other": other,
                "other_name": context.system.nodes[other].name,
            },
        )
    if node is not None and node.formula is not None:
        from scoring.pipeline.derive import formula_of  # scoring.pipeline imports scoring.io

        collected = {part.code: part for part in context.system.collected}
        parts = [collected[c] for c in formula_of(node.formula).codes if c in collected]
        return Problem(
            "data.derived_indicator",
            location=location,
            unit=unit,
            indicator=code,
            params={
                "indicator": code,
                "formula": formula_words(node.formula, {part.code: part.name for part in parts}),
                "formula_en": formula_words(node.formula, {p.code: p.name_en or p.name for p in parts}),
                "parts": "、".join(f"{part.code} {part.name}" for part in parts),
                "parts_en": ", ".join(f"{part.code} {part.name_en or part.name}" for part in parts),
            },
        )
    return Problem(
        "data.unknown_indicator", location=location, unit=unit, indicator=code, params={"indicator": code}
    )


@dataclass
class SheetContext:
    """The system and where the sheet is, for the readers below."""

    system: IndicatorSystem
    file: str
    sheet: Sheet
    indicator_index: dict[str, int]
    units: dict[str, int]  # unit code → index in system.units

    def at(self, row: int | None = None, col: int | None = None) -> Location:
        cell = cell_ref(row, col) if row is not None and col is not None else ""
        return Location(file=self.file, sheet=self.sheet.name, cell=cell)


def read_sheet(context: SheetContext) -> SheetResult:
    """Recognise the sheet's layout from its content and read it."""
    grid = context.sheet.grid
    if grid.size == 0 or not _any_content(grid):
        return SheetResult("empty", usable=False)
    if _is_form(grid):
        return _read_form(context)
    header = _find_header(grid)
    if header is not None:
        row, columns = header
        if columns.keys() & INDICATOR_HEADERS:
            return _read_long(context, row, columns)
        return _read_wide(context, row, columns)
    if context.sheet.name == form.INSTRUCTIONS_SHEET:
        return SheetResult("instructions", usable=False)
    return SheetResult(
        "unknown",
        usable=False,
        problems=[
            Problem(
                "file.format",
                location=context.at(),
                params={
                    "detail": "找不到表头（区县编码/指标编码 等） / no header row (unit_code, indicator_code, …) found"
                },
            )
        ],
    )


# ---------------------------------------------------------------------------------------------------- helpers


def _any_content(grid: ObjectArray) -> bool:
    # stops at the first cell with content, which in any real table is one of the first few
    return any(v is not None and not (isinstance(v, str) and v.strip() == "") for v in grid.ravel())


def _header_name(value: object) -> str:
    return key_text(value).lower().replace(" ", "_")


def _is_form(grid: ObjectArray) -> bool:
    rows = min(grid.shape[0], FORM_SEARCH_ROWS)
    if grid.shape[1] <= form.VALUE_COL:
        return False
    labels = [key_text(v) for v in grid[:rows, form.LABEL_COL]]
    values = [key_text(v) for v in grid[:rows, form.VALUE_COL]]
    if any(
        label == form.LABEL_MARKER and value == form.FORM_MARKER
        for label, value in zip(labels, values, strict=True)
    ):
        return True
    return form.LABEL_UNIT_CODE in labels and form.HEAD_CODE in labels


def _find_header(grid: ObjectArray) -> tuple[int, dict[str, int]] | None:
    """The first row (of the first few) naming a unit-code or indicator-code column: (row, header → column)."""
    for row in range(min(grid.shape[0], HEADER_SEARCH_ROWS)):
        columns: dict[str, int] = {}
        for col, value in enumerate(grid[row]):
            name = _header_name(value)
            if name and name not in columns:
                columns[name] = col
        if columns.keys() & (UNIT_HEADERS | INDICATOR_HEADERS):
            return row, columns
    return None


def _column(columns: dict[str, int], names: frozenset[str]) -> int | None:
    found = [col for name, col in columns.items() if name in names]
    return min(found) if found else None


def _texts(values: ObjectArray) -> ObjectArray:
    """key_text of every value, computed once per distinct value (a long table repeats its codes)."""
    if values.size == 0:
        return np.empty(0, dtype=object)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object, copy=False), use_na_sentinel=False)
    texts = np.array([key_text(v) for v in uniques], dtype=object)
    return texts[codes]


def _years(values: ObjectArray) -> IntArray:
    """parse_year of every value (0 where it is not a year), once per distinct value."""
    if values.size == 0:
        return np.empty(0, dtype=np.int64)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object, copy=False), use_na_sentinel=False)
    years = np.array([parse_year(v) or 0 for v in uniques], dtype=np.int64)
    return years[codes]


def _blank(number: FloatArray, raw: ObjectArray) -> BoolArray:
    """Cells that are empty: no number and an empty string (or nothing) as content."""
    blank = np.isnan(number)
    idx = np.flatnonzero(blank)
    if idx.size:
        blank[idx] = np.fromiter(
            (v is None or (isinstance(v, str) and v.strip() == "") for v in raw[idx]),
            dtype=bool,
            count=idx.size,
        )
    return blank


def _check_units(
    context: SheetContext, texts: ObjectArray, rows: IntArray, col: int, problems: ProblemLog
) -> IntArray:
    """Index of each unit cell's unit in the system (-1 if none); a problem for each cell that is empty or names
    a unit outside the system. Looked up once per distinct code."""
    if texts.size == 0:
        return np.empty(0, dtype=np.int64)
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object, copy=False), use_na_sentinel=False)
    index = np.array([context.units.get(str(u), -1) for u in uniques], dtype=np.int64)[codes]
    for i in np.flatnonzero(index < 0).tolist():
        text, row = str(texts[i]), int(rows[i])
        code = "data.missing_unit_code" if text == "" else "data.unknown_unit"
        if not problems.wants(code):
            problems.count(code, Severity.ERROR, 1, context.file)
            continue
        if text == "":
            problems.append(Problem("data.missing_unit_code", location=context.at(row, col)))
        else:
            problems.append(
                Problem("data.unknown_unit", location=context.at(row, col), unit=text, params={"unit": text})
            )
    return index


def _with_special_cells(context: SheetContext, block: CellBlock) -> CellBlock:
    """Put formulas without value and Excel errors in place of the empty strings calamine shows for them, and
    mark the percent-formatted number cells of % indicators (:func:`_with_percent_formats`)."""
    block = _with_percent_formats(context, block)
    blank_idx = np.flatnonzero(np.isnan(block.number))
    if blank_idx.size == 0:
        return block
    is_empty = np.fromiter(
        (isinstance(v, str) and v == "" for v in block.raw[blank_idx]), dtype=bool, count=blank_idx.size
    )
    candidates = blank_idx[is_empty]
    if candidates.size == 0:
        return block
    special = context.sheet.special_cells()
    if not special:
        return block
    hits = _at_positions(block, candidates, special)
    if hits.size:
        raw = block.raw.copy()
        for i in hits.tolist():
            raw[i] = special[(int(block.row[i]), int(block.col[i]))]
        block.raw = raw
    return block


def _at_positions(
    block: CellBlock, candidates: np.ndarray, positions: Iterable[tuple[int, int]]
) -> np.ndarray:
    """The candidates (indices into the block) whose (row, column) is one of ``positions``: one ``isin``."""
    width = 1 << 20  # more columns than any spreadsheet has
    keys = block.row[candidates] * width + block.col[candidates]
    wanted = np.array([r * width + c for r, c in positions], dtype=np.int64)
    return candidates[np.isin(keys, wanted)]


def _with_percent_formats(context: SheetContext, block: CellBlock) -> CellBlock:
    """Number cells of a % indicator with a percent number format (Excel's 34.2 % stored as 0.342) become
    :class:`~scoring.io.cells.PercentFormatted`, read as the number shown with a note. The sheet's formats are
    read only when it has number cells of a % indicator; the lookup is one ``isin`` over the block."""
    is_percent = np.array(
        [(node.unit or "").strip() in PERCENT_UNITS for node in context.system.collected], dtype=bool
    )
    if not is_percent.any() or len(block) == 0:
        return block
    candidates = np.flatnonzero(~np.isnan(block.number) & is_percent[block.indicator])
    if candidates.size == 0:
        return block
    formatted = context.sheet.percent_cells()
    if not formatted:
        return block
    hits = _at_positions(block, candidates, formatted)
    if hits.size:
        number, raw = block.number.copy(), block.raw.copy()
        for i in hits.tolist():
            raw[i] = PercentFormatted(float(number[i]))
        number[hits] = np.nan
        block.number, block.raw = number, raw
    return block


# ------------------------------------------------------------------------------------------------- remarks


def _remark_texts(body: ObjectArray, keep: IntArray, col: int | None) -> ObjectArray:
    """The 备注 of the kept rows of a long table ("" without the column or where it is blank), as written: only
    the surrounding blanks are taken off (no normalisation: it is the district's text)."""
    if col is None or keep.size == 0:
        return np.full(keep.size, "", dtype=object)
    values = body[keep, col]
    codes, uniques = pd.factorize(pd.Series(values, dtype=object, copy=False), use_na_sentinel=False)
    return np.array([_remark_text(v) for v in uniques], dtype=object)[codes]


def _remark_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return value.strip() if isinstance(value, str) else display(value).strip()


def _form_remarks(
    context: SheetContext, header: ObjectArray, body: ObjectArray, picked: IntArray, codes: list[str]
) -> ObjectArray:
    """The 备注 of each kept indicator row of a form. Forms written before the 备注 column was left empty for the
    district came with the system's own remark on an indicator in it: a cell still holding exactly that text (or
    the indicator's guidance, where such a remark now lives) is not the district's remark, and is left out."""
    col = next((c for c in range(header.size) if key_text(header[c]) == form.HEAD_REMARK), None)
    texts = _remark_texts(body, picked, col)
    if col is None or texts.size == 0:
        return texts
    # forms written before the 备注 column was left empty carry the system's remark (or what is now its guidance)
    remark_of = {node.code: (node.remark or "").strip() for node in context.system.collected}
    guidance_of = {node.code: (node.guidance or "").strip() for node in context.system.collected}
    remark_hints = np.array([remark_of.get(code, "") for code in codes], dtype=object)
    guidance_hints = np.array([guidance_of.get(code, "") for code in codes], dtype=object)
    hinted = (texts != "") & ((texts == remark_hints) | (texts == guidance_hints))
    return np.where(hinted, "", texts)


# ---------------------------------------------------------------------------------------------------- form


def _read_form(context: SheetContext) -> SheetResult:
    grid = context.sheet.grid
    system = context.system
    problems = ProblemLog()
    rows = min(grid.shape[0], FORM_SEARCH_ROWS)
    labels = {key_text(grid[r, form.LABEL_COL]): r for r in reversed(range(rows))}

    unit_row = labels.get(form.LABEL_UNIT_CODE)
    unit_text = key_text(grid[unit_row, form.VALUE_COL]) if unit_row is not None else ""
    unit_index = int(
        _check_units(
            context,
            np.array([unit_text], dtype=object),
            np.array([unit_row if unit_row is not None else form.UNIT_CODE_ROW], dtype=np.int64),
            form.VALUE_COL,
            problems,
        )[0]
    )
    id_row, version_row = labels.get(form.LABEL_SYSTEM_ID), labels.get(form.LABEL_SYSTEM_VERSION)
    form_id = key_text(grid[id_row, form.VALUE_COL]) if id_row is not None else ""
    form_version = key_text(grid[version_row, form.VALUE_COL]) if version_row is not None else ""
    if form_id and form_id != system.id and form_id not in system.includes.values():
        # a form of another system (not an older version of this one, nor a system this one includes): its rows
        # are another system's indicators; one error says so, instead of one per row and per missing indicator
        problems.append(
            Problem(
                "form.other_system",
                location=context.at(id_row if id_row is not None else form.SYSTEM_ID_ROW, form.VALUE_COL),
                unit=unit_text or None,
                params={
                    "form_system": form_id,
                    "form_version": form_version or "…",
                    "system": system.id,
                    "system_name": system.name,
                },
            )
        )
        return SheetResult("form", usable=False, problems=problems.problems())
    # a form of a system a composite includes is read as it is (the composite collects no form of its own)
    if form_id not in system.includes.values() and (form_id, form_version) != (system.id, system.version):
        problems.append(
            Problem(
                "form.system_mismatch",
                Severity.WARNING,
                location=context.at(id_row if id_row is not None else form.SYSTEM_ID_ROW, form.VALUE_COL),
                unit=unit_text or None,
                params={
                    "form_system": form_id,
                    "form_version": form_version,
                    "system": system.id,
                    "version": system.version,
                },
            )
        )

    header_row = next((r for r in range(rows) if key_text(grid[r, 0]) == form.HEAD_CODE), None)
    if header_row is None:
        problems.append(
            Problem("file.missing_column", location=context.at(), params={"column": form.HEAD_CODE})
        )
        return SheetResult("form", usable=False, problems=problems.problems())
    year_cols: list[int] = []
    years: list[int] = []
    for col in range(1, grid.shape[1]):
        head = grid[header_row, col]
        if key_text(head) == "" or key_text(head) in FORM_OTHER_HEADERS:
            continue
        year = parse_year(head)
        if year is None:
            problems.append(
                Problem(
                    "data.bad_year", location=context.at(header_row, col), params={"value": display(head)}
                )
            )
            continue
        year_cols.append(col)
        years.append(year)
    if not year_cols:
        problems.append(
            Problem("file.missing_column", location=context.at(header_row, 0), params={"column": "年份"})
        )
        return SheetResult("form", usable=False, problems=problems.problems())

    body = grid[header_row + 1 :]
    codes = [key_text(v) for v in body[:, 0]]
    values = body[:, year_cols]
    value_number = split_numbers(values.ravel()).reshape(values.shape)
    value_blank = _blank(value_number.ravel(), values.ravel()).reshape(values.shape)
    keep_rows: list[int] = []
    seen: set[str] = set()
    providers = system.providers
    for offset, code in enumerate(codes):
        row = header_row + 1 + offset
        if code in providers:
            # a department supplies it for every unit: what a district typed there is not the district's value
            problems.extend(_supplied_values(context, row, code, unit_text, years, year_cols, values[offset]))
            seen.add(code)
        elif code in context.indicator_index:
            keep_rows.append(offset)
            seen.add(code)
        elif code == "":
            if not value_blank[offset].all():
                problems.append(
                    Problem("data.missing_indicator_code", location=context.at(row, 0), unit=unit_text)
                )
        else:
            problems.append(unknown_indicator(context, code, context.at(row, 0), unit_text or None))
    expected = system.district_collected
    if form_id != system.id and form_id in system.includes.values():
        # a form of a system this one includes (a composite): it has that system's rows only
        parts = {node for node, included in system.includes.items() if included == form_id}
        expected = [i for i in expected if parts.intersection(system.path(i.code))]
    for indicator in expected:
        if indicator.code not in seen:
            problems.append(
                Problem(
                    "form.missing_indicator",
                    location=context.at(),
                    unit=unit_text or None,
                    indicator=indicator.code,
                    params={"indicator": indicator.code},
                )
            )
    n_rows, n_years = len(keep_rows), len(year_cols)
    picked = np.array(keep_rows, dtype=np.int64)
    remarks = _form_remarks(context, grid[header_row], body, picked, [codes[i] for i in keep_rows])
    block = CellBlock(
        number=value_number[picked].ravel(),
        raw=values[picked].ravel(),
        unit=np.full(n_rows * n_years, unit_text, dtype=object),
        unit_index=np.full(n_rows * n_years, unit_index, dtype=np.int64),
        indicator=np.repeat(
            np.array([context.indicator_index[codes[i]] for i in keep_rows], dtype=np.int64), n_years
        ),
        year=np.tile(np.array(years, dtype=np.int64), n_rows),
        row=np.repeat(picked + header_row + 1, n_years),
        col=np.tile(np.array(year_cols, dtype=np.int64), n_rows),
        remark=np.repeat(remarks, n_years),
    )
    return SheetResult(
        "form", usable=True, cells=_with_special_cells(context, block), problems=problems.problems()
    )


def _supplied_values(
    context: SheetContext,
    row: int,
    code: str,
    unit_text: str,
    years: list[int],
    year_cols: list[int],
    cells: ObjectArray,
) -> list[Problem]:
    """A warning for each value a district gave on the read-only row of an indicator a department supplies."""
    department = context.system.providers[code]
    return [
        department_value_problem(
            context.at(row, col), unit_text, code, year, display(cell), department, context.system
        )
        for cell, year, col in zip(cells.tolist(), years, year_cols, strict=True)
        if not (cell is None or (isinstance(cell, str) and cell.strip() == ""))
    ]


def department_value_problem(
    location: Location,
    unit: str,
    indicator: str,
    year: int,
    value: str,
    department: str,
    system: IndicatorSystem,
) -> Problem:
    """A district's value of an indicator a department supplies: kept aside, not taken (the provider wins)."""
    return Problem(
        "submission.department_value",
        Severity.WARNING,
        location=location,
        unit=unit or None,
        indicator=indicator,
        year=year,
        params={
            "indicator": indicator,
            "year": year,
            "value": value,
            "department": department,
            "department_name": system.department_names.get(department, department),
            "department_name_en": system.department_names_en.get(department, department),
        },
    )


# ---------------------------------------------------------------------------------------------------- long


def _read_long(context: SheetContext, header_row: int, columns: dict[str, int]) -> SheetResult:
    grid = context.sheet.grid
    problems = ProblemLog()
    unit_col = _column(columns, UNIT_HEADERS)
    indicator_col = _column(columns, INDICATOR_HEADERS)
    year_col = _column(columns, YEAR_HEADERS)
    value_col = _column(columns, VALUE_HEADERS)
    for col, name in ((unit_col, "unit_code"), (year_col, "year"), (value_col, "value")):
        if col is None:
            problems.append(Problem("file.missing_column", location=context.at(), params={"column": name}))
    if unit_col is None or indicator_col is None or year_col is None or value_col is None:
        return SheetResult("long", usable=False, problems=problems.problems())

    body = grid[header_row + 1 :]
    rows = np.arange(header_row + 1, grid.shape[0], dtype=np.int64)
    units = _texts(body[:, unit_col])
    indicators = _texts(body[:, indicator_col])
    year_raw = body[:, year_col]
    years = _years(year_raw)
    year_blank = _texts(year_raw) == ""
    raw = body[:, value_col]
    number = split_numbers(raw)
    value_blank = _blank(number, raw)
    empty_row = (units == "") & (indicators == "") & year_blank & value_blank
    index = context.indicator_index
    indicator_idx = np.array([index.get(code, -1) for code in indicators.tolist()], dtype=np.int64)

    bad = np.flatnonzero(~empty_row & ((indicator_idx < 0) | (years == 0)))
    for i in bad.tolist():
        row = int(rows[i])
        code = str(indicators[i])
        kind = (
            "data.missing_indicator_code"
            if code == ""
            else "data.shared_indicator"
            if code in context.system.same_as
            else "data.unknown_indicator"
            if indicator_idx[i] < 0
            else "data.bad_year"
        )
        if not problems.wants(kind):
            severity = Severity.WARNING if kind == "data.shared_indicator" else Severity.ERROR
            problems.count(kind, severity, 1, context.file)
            continue
        if code == "":
            problems.append(
                Problem(
                    "data.missing_indicator_code",
                    location=context.at(row, indicator_col),
                    unit=units[i] or None,
                )
            )
        elif indicator_idx[i] < 0:
            problems.append(
                unknown_indicator(context, code, context.at(row, indicator_col), units[i] or None)
            )
        else:
            problems.append(
                Problem(
                    "data.bad_year",
                    location=context.at(row, year_col),
                    unit=units[i] or None,
                    indicator=code,
                    params={"value": display(year_raw[i])},
                )
            )
    keep = np.flatnonzero(~empty_row & (indicator_idx >= 0) & (years > 0))
    kept_units = units[keep]
    unit_index = _check_units(context, kept_units, rows[keep], unit_col, problems)
    block = CellBlock(
        number=number[keep],
        raw=raw[keep],
        unit=kept_units,
        unit_index=unit_index,
        indicator=indicator_idx[keep],
        year=years[keep],
        row=rows[keep],
        col=np.full(keep.size, value_col, dtype=np.int64),
        remark=_remark_texts(body, keep, _column(columns, REMARK_HEADERS)),
    )
    return SheetResult(
        "long", usable=True, cells=_with_special_cells(context, block), problems=problems.problems()
    )


# ---------------------------------------------------------------------------------------------------- wide


def _read_wide(context: SheetContext, header_row: int, columns: dict[str, int]) -> SheetResult:
    grid = context.sheet.grid
    problems = ProblemLog()
    unit_col = _column(columns, UNIT_HEADERS)
    assert (
        unit_col is not None
    )  # _find_header found a unit or an indicator column, and there is no indicator one
    year_col = _column(columns, YEAR_HEADERS)
    body = grid[header_row + 1 :]
    n_rows = body.shape[0]
    rows = np.arange(header_row + 1, grid.shape[0], dtype=np.int64)

    value_cols: list[int] = []
    indicator_of_col: list[int] = []
    for col in range(grid.shape[1]):
        if col in (unit_col, year_col):
            continue
        head = grid[header_row, col]
        code = key_text(head)
        name = _header_name(head)
        if code in context.indicator_index:
            value_cols.append(col)
            indicator_of_col.append(context.indicator_index[code])
        elif name in WIDE_OTHER_HEADERS or name in UNIT_HEADERS or name in YEAR_HEADERS:
            continue
        elif code == "":
            column = body[:, col]
            if n_rows and not _blank(split_numbers(column), column).all():
                problems.append(Problem("data.missing_indicator_code", location=context.at(header_row, col)))
        else:
            problems.append(unknown_indicator(context, code, context.at(header_row, col), None))

    year_of_row, year_problem = _wide_years(context, body, rows, year_col)
    if year_problem is not None:
        problems.append(year_problem)
        return SheetResult("wide", usable=False, problems=problems.problems())

    m = len(value_cols)
    values = body[:, value_cols]
    number = split_numbers(values.ravel())
    blank = _blank(number, values.ravel()).reshape(n_rows, m) if m else np.ones((n_rows, 0), dtype=bool)
    units = _texts(body[:, unit_col])
    empty_row = (units == "") & blank.all(axis=1)
    if year_col is not None:
        empty_row &= _texts(body[:, year_col]) == ""
        for i in np.flatnonzero(~empty_row & (year_of_row == 0)).tolist():
            problems.append(
                Problem(
                    "data.bad_year",
                    location=context.at(int(rows[i]), year_col),
                    unit=units[i] or None,
                    params={"value": display(body[i, year_col])},
                )
            )
    keep = np.flatnonzero(~empty_row & (year_of_row > 0))
    unit_index = _check_units(context, units[keep], rows[keep], unit_col, problems)
    raw = values.ravel()
    if keep.size < n_rows:  # (usually every row is kept: then no copy)
        flat = (keep[:, None] * m + np.arange(m)[None, :]).ravel()
        number, raw = number[flat], raw[flat]
    block = CellBlock(
        number=number,
        raw=raw,
        unit=np.repeat(units[keep], m),
        unit_index=np.repeat(unit_index, m),
        indicator=np.tile(np.array(indicator_of_col, dtype=np.int64), keep.size),
        year=np.repeat(year_of_row[keep], m),
        row=np.repeat(rows[keep], m),
        col=np.tile(np.array(value_cols, dtype=np.int64), keep.size),
        remark=np.full(keep.size * m, "", dtype=object),  # a wide table's 备注 column is about the whole row
    )
    return SheetResult(
        "wide", usable=True, cells=_with_special_cells(context, block), problems=problems.problems()
    )


def _wide_years(
    context: SheetContext, body: ObjectArray, rows: IntArray, year_col: int | None
) -> tuple[IntArray, Problem | None]:
    """The year of each row: from the year column, else the sheet name, else the file name."""
    if year_col is not None:
        return _years(body[:, year_col]), None
    year = parse_year(context.sheet.name) if context.sheet.name else None
    if year is None:
        found = set(_FILE_YEAR.findall(Path(context.file).stem))
        year = int(found.pop()) if len(found) == 1 else None
    if year is None:
        where = context.sheet.name or context.file
        return np.zeros(rows.size, dtype=np.int64), Problem(
            "data.bad_year", location=context.at(), params={"value": where}
        )
    return np.full(rows.size, year, dtype=np.int64), None
