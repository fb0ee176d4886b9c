"""Read any mix of district forms, long tables and wide tables into one :class:`Dataset`.

The flow: open each file (:mod:`scoring.io.workbook`), recognise each sheet's layout and take out its value cells
(:mod:`scoring.io.layouts`), parse all cells at once (:mod:`scoring.io.cells`), check across cells and files
(:mod:`scoring.io.checks`), then keep one value per (unit, indicator, year) with every problem found on the way.
A file that cannot be used at all raises :class:`SubmissionError`; everything else is a :class:`Problem`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from scoring.data import STATUS_MISSING, STATUS_NOT_APPLICABLE, STATUS_UNAVAILABLE, STATUS_VALUE, Dataset
from scoring.io import cells as cellmod
from scoring.io.cells import Finding, IntArray, cell_ref, column_letter, parse_cells
from scoring.io.checks import factor_text, find_duplicates, wrong_magnitude
from scoring.io.form import (
    DATA_SHEET,
    FIRST_YEAR_COL,
    HEAD_UNIT,
    LEADING_HEADERS,
    UNAVAILABLE_TEXT,
    format_number,
)
from scoring.io.layouts import CellBlock, SheetContext, read_sheet
from scoring.io.safety import UploadLimits, check_path, check_upload
from scoring.io.workbook import SourceFile, open_bytes, open_path
from scoring.problems import Location, Problem, ProblemLog, Severity, SubmissionError, cap_problems
from scoring.system.models import IndicatorSystem, Node

_STATUS_TEXT = np.array(
    [STATUS_VALUE, STATUS_MISSING, STATUS_NOT_APPLICABLE, STATUS_UNAVAILABLE], dtype=object
)

# No indicator of a district evaluation comes near this (a whole province's output in 元 is about 1e13), and
# beyond it doubles no longer hold every integer exactly (2**53 ≈ 9e15): a larger value is a typing mistake.
MAX_MAGNITUDE: Final = 1e15
_LIMIT_TEXT: Final = "1e15"
# marks of the checks after parsing (see _assemble); 0 = none
_IMPLAUSIBLE, _OUT_OF_RANGE, _DUPLICATE, _REQUIRED, _MAGNITUDE, _NA_REFUSED = 1, 2, 3, 4, 5, 6
_UNAVAILABLE, _NO_REASON = 7, 8
_MARKS: Final = {
    _NA_REFUSED: ("cell.not_applicable_refused", Severity.ERROR),
    _UNAVAILABLE: ("cell.unavailable", Severity.WARNING),
    _NO_REASON: ("cell.unavailable_no_reason", Severity.ERROR),
    _IMPLAUSIBLE: ("cell.implausible", Severity.ERROR),
    _OUT_OF_RANGE: ("cell.out_of_range", Severity.ERROR),
    _DUPLICATE: ("data.duplicate", Severity.ERROR),
    _REQUIRED: ("cell.required_missing", Severity.ERROR),
    _MAGNITUDE: ("cell.wrong_magnitude", Severity.WARNING),
}


def read_data(
    paths: Sequence[Path | str],
    system: IndicatorSystem,
    limits: UploadLimits | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Dataset:
    """Read data files of any supported layout and format into one dataset for ``system``.

    Files are district forms (``.xlsx`` written by :func:`scoring.io.write_template`), long tables
    (``unit_code, indicator_code, year, value``) or wide tables (one row per unit, one column per indicator),
    as ``.xlsx`` (also ``.xlsm``, ``.xls``, ``.xlsb``, ``.ods``) or ``.csv``; the layout is recognised from the
    content. Every cell problem is a :class:`Problem` in ``Dataset.problems``; values with an error are kept as
    missing. When the same (unit, indicator, year) is given twice, the first (in the order of ``paths``, then
    sheets, then rows) is kept. Each file first passes the safety checks of :mod:`scoring.io.safety` (size,
    decompressed size and ratio, macros, disguised files). Raises :class:`SubmissionError` listing every file
    that cannot be used at all. ``progress(done, total)`` is called as each file is opened (the CLI's progress
    bar).
    """
    files: list[SourceFile] = []
    unusable: list[Problem] = []
    for done, path in enumerate(paths, 1):
        if progress is not None:
            progress(done - 1, len(paths))
        # size, zip bombs, macros, disguised files, cells beyond the limits: before any parser sees it
        refused = check_path(path, limits)
        if refused:
            unusable.extend(refused)
            continue
        try:
            files.append(open_path(path))
        except SubmissionError as error:
            unusable.extend(error.problems)
    if progress is not None:
        progress(len(paths), len(paths))
    return _read_files(files, unusable, system)


def read_bytes(
    content: bytes, file_name: str, system: IndicatorSystem, limits: UploadLimits | None = None
) -> Dataset:
    """:func:`read_data` for one uploaded file held in memory; ``file_name`` names it in problems. The file
    passes the same safety checks first (``limits``: :class:`UploadLimits`, the defaults when None)."""
    refused = check_upload(content, file_name, limits)
    if refused:
        raise SubmissionError(refused)
    try:
        files = [open_bytes(content, file_name)]
    except SubmissionError as error:
        raise SubmissionError(error.problems) from error
    return _read_files(files, [], system)


@dataclass(frozen=True)
class _Place:
    file: str
    sheet: str


def _read_files(files: list[SourceFile], unusable: list[Problem], system: IndicatorSystem) -> Dataset:
    indicator_index = {node.code: i for i, node in enumerate(system.collected)}
    units = {code: i for i, code in enumerate(system.unit_codes)}
    places: list[_Place] = []
    blocks: list[CellBlock] = []
    block_place: list[int] = []
    structure = ProblemLog()
    for source in files:
        file_problems: list[Problem] = []
        usable = False
        for sheet in source.sheets:
            context = SheetContext(system, source.name, sheet, indicator_index, units)
            result = read_sheet(context)
            file_problems.extend(result.problems)
            if result.usable:
                usable = True
            if result.cells is not None and len(result.cells):
                places.append(_Place(source.name, sheet.name))
                blocks.append(result.cells)
                block_place.append(len(places) - 1)
        if not usable:
            unusable.extend(file_problems or [_no_table(source.name)])
            continue
        for result_problem in file_problems:
            if result_problem.code == "file.format":
                # a sheet we could not make sense of, in a file that has a readable one: say so, do not stop
                structure.append(_ignored_sheet(result_problem))
            else:
                structure.append(result_problem)
    if unusable:
        raise SubmissionError(cap_problems(unusable))
    cells = CellBlock.concat(blocks)
    place = (
        np.repeat(np.array(block_place, dtype=np.int64), [len(b) for b in blocks])
        if blocks
        else np.empty(0, np.int64)
    )
    dataset = _assemble(system, cells, place, places, structure.problems())
    dataset.problems = named(dataset.problems, system)  # messages that name the indicator and its unit
    return dataset


def _no_table(file_name: str) -> Problem:
    return Problem(
        "file.format", location=Location(file=file_name), params={"detail": "没有数据 / no data in the file"}
    )


def _ignored_sheet(problem: Problem) -> Problem:
    return Problem(
        "file.sheet_ignored",
        Severity.WARNING,
        location=problem.location,
        params={"sheet": problem.location.sheet},
    )


def _assemble(
    system: IndicatorSystem,
    cells: CellBlock,
    place: np.ndarray,
    places: list[_Place],
    structure: list[Problem],
) -> Dataset:
    indicators = system.collected
    codes = np.array([node.code for node in indicators], dtype=object)
    measure_units = [node.unit or "" for node in indicators]
    parsed = parse_cells(cells.number, cells.raw, cells.indicator, measure_units)
    findings = parsed.findings
    value, status = parsed.value, parsed.status

    # accepted range
    low = np.array([_bound(node.valid, 0, -np.inf) for node in indicators], dtype=np.float64)
    high = np.array([_bound(node.valid, 1, np.inf) for node in indicators], dtype=np.float64)
    is_value = status == cellmod.VALUE
    # a value beyond any sane magnitude (1e308 typed for a percentage) is refused before the range is looked
    # at: sums, variances and ratios of such values overflow to inf in every method downstream
    implausible = is_value & (np.abs(value) > MAX_MAGNITUDE)
    outside = is_value & ~implausible & ((value < low[cells.indicator]) | (value > high[cells.indicator]))

    # The checks below mark cells in ``late`` instead of building a finding for each: a hostile file can give
    # a million duplicates, and only the problems listed (ProblemLog) are built. A later check's mark replaces
    # an earlier one, and any mark replaces the parse note: one problem per cell, the one that matters.
    late = np.zeros(len(cells), dtype=np.int8)
    late[implausible] = _IMPLAUSIBLE
    late[outside] = _OUT_OF_RANGE
    # 不适用 only where the system allows it for that indicator and unit (``not_applicable``)
    refused = (status == cellmod.NOT_APPLICABLE) & ~_not_applicable_allowed(system, cells)
    late[refused] = _NA_REFUSED
    # 数据缺失 (declared unavailable): kept with its reason, the value's remark, for the reviewer to accept;
    # without a reason it is an error
    unavailable = status == cellmod.UNAVAILABLE
    reasoned = unavailable & (cells.remark != "")
    late[reasoned] = _UNAVAILABLE
    late[unavailable & ~reasoned] = _NO_REASON

    error = np.zeros(len(cells), dtype=bool)
    error_idx = [i for i, finding in findings.items() if finding.severity is Severity.ERROR]
    error[error_idx] = True
    error |= (late > 0) & (late != _UNAVAILABLE)
    # a value with an error is not used: it stays in the data as missing, and the problem says why
    shown_value = value.copy()
    value[error] = np.nan
    status[error] = cellmod.MISSING
    has_content = (status != cellmod.MISSING) | error

    # one value per (unit, indicator, year), across all files
    unit_index = cells.unit_index
    usable = unit_index >= 0
    n_units, n_indicators = max(len(system.unit_codes), 1), max(len(indicators), 1)
    year_base = int(cells.year.min()) if len(cells) else 0
    key = ((cells.year - year_base) * n_units + np.maximum(unit_index, 0)) * n_indicators + cells.indicator
    duplicates = find_duplicates(key, has_content, usable)
    late[duplicates.first >= 0] = _DUPLICATE
    keep = duplicates.keep

    required = np.array([node.required for node in indicators], dtype=bool)
    late[keep & ~has_content & required[cells.indicator]] = _REQUIRED

    year_span = int(cells.year.max()) - year_base + 1 if len(cells) else 1
    group = cells.indicator * year_span + (cells.year - year_base)
    magnitude = wrong_magnitude(value, group, keep & (status == cellmod.VALUE) & ~error)
    late[magnitude.index] = _MAGNITUDE
    magnitude_at = {int(i): k for k, i in enumerate(magnitude.index.tolist())}

    def finding_of(i: int, mark: int) -> Finding:
        """The finding of a marked cell, built only for the problems listed."""
        if mark == _IMPLAUSIBLE:
            return Finding(
                "cell.implausible",
                Severity.ERROR,
                {"value": _shown(cells.raw[i], shown_value[i]), "limit": _LIMIT_TEXT},
            )
        if mark == _OUT_OF_RANGE:
            k = int(cells.indicator[i])
            return Finding(
                "cell.out_of_range",
                Severity.ERROR,
                {
                    "value": format_number(float(shown_value[i])),
                    "low": _show_bound(low[k]),
                    "high": _show_bound(high[k]),
                },
            )
        if mark == _DUPLICATE:
            return Finding(
                "data.duplicate",
                Severity.ERROR,
                {
                    "indicator": codes[cells.indicator[i]],
                    "year": int(cells.year[i]),
                    "other": str(_location(places, place, cells, int(duplicates.first[i]))),
                },
            )
        if mark == _REQUIRED:
            return Finding("cell.required_missing", Severity.ERROR, {})
        if mark in (_UNAVAILABLE, _NO_REASON):
            k = int(cells.indicator[i])
            unit_code = str(cells.unit[i])
            params = {
                "cell": cell_ref(int(cells.row[i]), int(cells.col[i])),
                "unit_name": system.unit_names.get(unit_code, unit_code),
                "indicator": codes[k],
                "indicator_name": indicators[k].name,
                "year": int(cells.year[i]),
                "unavailable": UNAVAILABLE_TEXT,
            }
            if mark == _UNAVAILABLE:
                return Finding(
                    "cell.unavailable", Severity.WARNING, params | {"reason": str(cells.remark[i])}
                )
            return Finding("cell.unavailable_no_reason", Severity.ERROR, params)
        if mark == _NA_REFUSED:
            k = int(cells.indicator[i])
            unit_code = str(cells.unit[i])
            return Finding(
                "cell.not_applicable_refused",
                Severity.ERROR,
                {
                    "value": _shown(cells.raw[i], np.nan),
                    "cell": cell_ref(int(cells.row[i]), int(cells.col[i])),
                    "unit_name": system.unit_names.get(unit_code, unit_code),
                    "indicator": codes[k],
                    "indicator_name": indicators[k].name,
                    "units_zh": _allowed_units(system, indicators[k], "、", "无"),
                    "units_en": _allowed_units(system, indicators[k], ", ", "none"),
                    "unavailable": UNAVAILABLE_TEXT,
                },
            )
        k = magnitude_at[i]
        factor = factor_text(float(magnitude.factor[k]))  # None for a value next to zero: no factor said
        return Finding(
            "cell.wrong_magnitude",
            Severity.WARNING,
            {
                "value": format_number(float(value[i])),
                "median": format(float(magnitude.median[k]), ".6g"),
            }
            | ({"factor": factor} if factor is not None else {}),
        )

    log = ProblemLog()
    log.extend(structure)
    marked = np.flatnonzero(late)
    order = (
        np.union1d(marked, np.fromiter(findings, dtype=np.int64, count=len(findings))) if findings else marked
    )
    marks = late[order].tolist()
    for i, mark in zip(order.tolist(), marks, strict=True):
        code, severity = _MARKS[mark] if mark else (findings[i].code, findings[i].severity)
        where = places[int(place[i])].file
        if not log.wants(code):
            log.count(code, severity, 1, where)
            continue
        finding = finding_of(i, mark) if mark else findings[i]
        log.add(
            Problem(
                finding.code,
                finding.severity,
                location=_location(places, place, cells, i),
                unit=str(cells.unit[i]) or None,
                indicator=str(codes[cells.indicator[i]]),
                year=int(cells.year[i]),
                params=dict(finding.params),
            )
        )
    problems = log.problems()

    kept: slice | IntArray = slice(None) if keep.all() else np.flatnonzero(keep)  # a slice copies nothing
    # string columns typed up front: pandas would otherwise scan every object to infer what it holds
    frame = pd.DataFrame(
        {
            "unit_code": pd.array(cells.unit[kept], dtype="str"),
            "indicator_code": pd.array(codes[cells.indicator[kept]], dtype="str"),
            "year": cells.year[kept],
            "value": value[kept],
            "status": pd.array(_STATUS_TEXT[status[kept]], dtype="str"),
            "location": pd.array(
                _locations(places, place[kept], cells.row[kept], cells.col[kept]), dtype="str"
            ),
            "remark": pd.array(cells.remark[kept], dtype="str"),
        },
        copy=False,  # Dataset.from_long makes its own copy
    )
    return Dataset.from_long(frame, problems)


def _not_applicable_allowed(system: IndicatorSystem, cells: CellBlock) -> np.ndarray:
    """Per cell: whether its indicator may be 不适用 for its unit (an (indicator × unit) table, looked up once)."""
    units = system.unit_codes
    table = np.array(
        [[node.allows_not_applicable(code) for code in units] + [True] for node in system.collected],
        dtype=bool,
    ).reshape(len(system.collected), len(units) + 1)
    # unit_index −1 (a unit not in the system) reads the last column: its values are not kept anyway
    allowed: np.ndarray = table[cells.indicator, cells.unit_index]
    return allowed


def _allowed_units(system: IndicatorSystem, node: Node, sep: str, none: str) -> str:
    """The names of the units that may write 不适用 for ``node``."""
    if node.not_applicable == "allowed":
        return sep.join(system.unit_names.values())
    names = [system.unit_names.get(code, code) for code in node.not_applicable or []]
    return sep.join(names) if names else none


def _bound(valid: tuple[float | None, float | None] | None, side: int, default: float) -> float:
    if valid is None or valid[side] is None:
        return default
    return float(valid[side])  # type: ignore[arg-type]


def _show_bound(bound: float) -> str:
    if np.isinf(bound):
        return "-∞" if bound < 0 else "+∞"
    return format_number(float(bound))


def _shown(raw: object, number: float) -> str:
    """A cell as the district typed it (the text, when it was text), else the number read."""
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    return format_number(float(number))


def _location(places: list[_Place], place: np.ndarray, cells: CellBlock, i: int) -> Location:
    where = places[int(place[i])]
    return Location(file=where.file, sheet=where.sheet, cell=cell_ref(int(cells.row[i]), int(cells.col[i])))


def _locations(places: list[_Place], place: np.ndarray, row: np.ndarray, col: np.ndarray) -> np.ndarray:
    """``file!sheet!A1`` for every kept cell.

    Each string is one concatenation of two precomputed pieces (``file!sheet!`` + column letters, and the row
    number): a new string per cell is unavoidable, a second one per cell is not.
    """
    if row.size == 0:
        return np.empty(0, dtype=object)
    n_cols = int(col.max()) + 1
    heads = np.array(
        [
            "!".join(part for part in (p.file, p.sheet) if part) + "!" + column_letter(c)
            for p in places
            for c in range(n_cols)
        ],
        dtype=object,
    )
    rows_text = np.array([str(r + 1) for r in range(int(row.max()) + 1)], dtype=object)
    result: np.ndarray = heads[place * n_cols + col] + rows_text[row]
    return result


def named(problems: Iterable[Problem], system: IndicatorSystem) -> list[Problem]:
    """The problems with the names their messages say where with: the indicator's name (and ``name_en``) and
    its measurement unit, the unit's name, and for a cell of the district form the column that gives the
    measurement unit."""
    nodes = {node.code: node for node in system.collected} | dict(system.nodes)
    units = {unit.code: unit for unit in system.units}
    measure_column = chr(ord("A") + LEADING_HEADERS.index(HEAD_UNIT))
    assert LEADING_HEADERS.index(HEAD_UNIT) < FIRST_YEAR_COL
    out = []
    for problem in problems:
        extra: dict[str, object] = {}
        node = nodes.get(problem.indicator or "")
        if node is not None:
            extra["indicator_name"] = node.name
            if node.name_en:
                extra["indicator_name_en"] = node.name_en
            if getattr(node, "unit", None):
                extra["measure"] = node.unit
                if problem.location.sheet == DATA_SHEET:
                    extra["measure_column"] = measure_column
        unit = units.get(problem.unit or "")
        if unit is not None:
            extra["unit_name"] = unit.name
            if getattr(unit, "name_en", None):
                extra["unit_name_en"] = unit.name_en
        if problem.code == "data.unknown_unit" and units:
            extra["known"] = next(iter(units))
        out.append(replace(problem, names=problem.names | extra) if extra else problem)
    return out
