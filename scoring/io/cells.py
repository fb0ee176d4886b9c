"""Turning cell contents into numbers: the vectorised fast path and the precise look at cells that fail it.

A cell is parsed in two steps. :func:`split_numbers` runs ``pandas.to_numeric`` over a whole block; every cell
that is a plain number is done. Only the cells it could not read (text, blanks, Excel errors) are looked at one by
one in :func:`parse_cells`, which says exactly what is wrong with each — or how an unambiguous text such as
``1,234.5`` or ``35%`` was read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.io.form import format_number
from scoring.problems import Severity

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

# Status codes while reading; turned into scoring.data's status strings at the end.
VALUE: Final = 0
MISSING: Final = 1
NOT_APPLICABLE: Final = 2
UNAVAILABLE: Final = 3  # 数据缺失: declared unavailable (the reason is the value's remark)

# Texts that mean "does not apply to this unit", compared after NFKC normalisation, stripping and lower-casing.
# "#N/A" is not among them: that is an Excel error, not a statement by the district.
NOT_APPLICABLE_TEXTS: Final = frozenset({"不适用", "n/a", "na", "-", "—", "–", "--", "——", "/", "无此项"})

# Texts that declare a required value unavailable (数据缺失说明), compared like NOT_APPLICABLE_TEXTS.
UNAVAILABLE_TEXTS: Final = frozenset({"数据缺失", "缺失"})

PERCENT_UNITS: Final = frozenset({"%", "％", "百分比"})

# ASCII digits only ([0-9], not \d): other scripts' digits are not silently taken for numbers
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_COMMA_NUMBER = re.compile(r"[+-]?[0-9,]*[0-9][0-9,]*(?:\.[0-9]+)?")
_YEAR_TEXT = re.compile(r"([0-9]{4})(?:\.0+)?(?:\s*年(?:度)?)?")

YEAR_MIN: Final = 1900
YEAR_MAX: Final = 2100


@dataclass(frozen=True)
class FormulaWithoutValue:
    """An xlsx cell holding a formula that was never calculated (no cached value to read)."""

    formula: str


@dataclass(frozen=True)
class PercentFormatted:
    """An xlsx number cell of a % indicator shown as a percentage: Excel stores 34.2 % as 0.342."""

    stored: float

    @property
    def shown(self) -> float:
        """The number the district sees (34.2 for a stored 0.342): the decimal point moved on the stored
        number's shortest repr, so no binary noise (34.199999999999996) creeps in."""
        return float(Decimal(repr(self.stored)).scaleb(2))


@dataclass(frozen=True)
class ExcelError:
    """An xlsx cell whose value is an Excel error such as ``#DIV/0!``."""

    text: str


@dataclass(frozen=True)
class Finding:
    """What parsing found in one cell; becomes a Problem once the cell's unit, indicator and place are known."""

    code: str
    severity: Severity
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedCells:
    """Numbers, statuses and findings of a run of cells, aligned with the input arrays."""

    value: FloatArray
    status: npt.NDArray[np.int8]
    findings: dict[int, Finding]


def column_letter(col: int) -> str:
    """Excel column letters of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    n = col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """A1 reference of a 0-based (row, col)."""
    return f"{column_letter(col)}{row + 1}"


def normalise_text(text: str) -> str:
    """NFKC (full-width digits, letters and punctuation to ASCII), with surrounding whitespace removed.

    The minus sign U+2212, which NFKC keeps, becomes an ASCII hyphen-minus.
    """
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip()


def key_text(value: object) -> str:
    """A code cell (unit or indicator code, header) as text: ``370102.0`` → ``"370102"``, blanks → ``""``."""
    if value is None or isinstance(value, FormulaWithoutValue | ExcelError):
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, str):
        return normalise_text(value)
    return str(value)


def display(value: object) -> str:
    """A cell value as the district sees it in Excel, for messages."""
    if isinstance(value, ExcelError):
        return value.text
    if isinstance(value, FormulaWithoutValue):
        return value.formula
    if isinstance(value, PercentFormatted):
        return format_number(value.shown) + "%"
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return format_number(value) if np.isfinite(value) else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return value.isoformat() if not isinstance(value, dt.timedelta) else str(value)
    return str(value)


def parse_year(value: object) -> int | None:
    """A year from a cell, a header or a sheet name: ``2024``, ``2024.0``, ``"2024"``, ``"2024.0"``, ``"2024年"``,
    ``"2024年度"``; else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if value != value or not float(value).is_integer():
            return None
        year = int(value)
    elif isinstance(value, str):
        match = _YEAR_TEXT.fullmatch(normalise_text(value))
        if match is None:
            return None
        year = int(match.group(1))
    else:
        return None
    return year if YEAR_MIN <= year <= YEAR_MAX else None


def split_numbers(raw: ObjectArray) -> FloatArray:
    """The plain numbers of a 1-D object array, NaN for every cell that needs a closer look.

    ``pandas.to_numeric`` reads numbers and numeric text in C; booleans (which it turns into 0 and 1) and
    non-finite results (the text ``inf``) are sent back for a closer look.
    """
    if raw.size == 0:
        return np.empty(0, dtype=np.float64)
    number = pd.to_numeric(pd.Series(raw, dtype=object, copy=False), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan, copy=True
    )
    maybe_bool = np.flatnonzero((number == 0.0) | (number == 1.0))
    if maybe_bool.size:
        is_bool = np.fromiter((type(raw[i]) is bool for i in maybe_bool), dtype=bool, count=maybe_bool.size)
        number[maybe_bool[is_bool]] = np.nan
    number[~np.isfinite(number)] = np.nan
    return number


def parse_cells(number: FloatArray, raw: ObjectArray, indicator: IntArray, units: list[str]) -> ParsedCells:
    """Values, statuses and findings of cells whose plain numbers are already in ``number``.

    ``raw`` holds the cell as read wherever ``number`` is NaN (``None`` or ``""`` for an empty cell);
    ``indicator`` gives each cell's indicator as an index into ``units``, the indicators' measurement units
    (a percent sign is accepted only where that unit is %).
    """
    value = number.copy()
    status = np.full(number.shape, VALUE, dtype=np.int8)
    findings: dict[int, Finding] = {}
    # a text repeated over many cells (a hostile file repeats one a million times) is inspected once
    seen: dict[tuple[str, str], tuple[float, int, Finding | None]] = {}
    for i in np.flatnonzero(np.isnan(number)).tolist():
        item = raw[i]
        if item is None or (isinstance(item, str) and item == ""):
            status[i] = MISSING
            continue
        unit = units[indicator[i]]
        if isinstance(item, str):
            key = (item, unit)
            outcome = seen.get(key)
            if outcome is None:
                outcome = seen[key] = _inspect(item, unit)
            parsed, state, finding = outcome
        else:
            parsed, state, finding = _inspect(item, unit)
        value[i] = parsed
        status[i] = state
        if finding is not None:
            findings[i] = finding
    return ParsedCells(value=value, status=status, findings=findings)


def _inspect(item: object, unit: str) -> tuple[float, int, Finding | None]:
    """One cell that is not a plain number: (value, status, finding)."""
    shown = display(item)
    if isinstance(item, PercentFormatted):
        percent = item.shown
        finding = Finding(
            "cell.percent_format", Severity.INFO, {"stored": _fmt(item.stored), "number": _fmt(percent)}
        )
        return percent, VALUE, finding
    if isinstance(item, FormulaWithoutValue):
        return (
            np.nan,
            MISSING,
            Finding("cell.formula_no_value", Severity.ERROR, {"formula": "=" + item.formula}),
        )
    if isinstance(item, float) and not np.isnan(item):
        # a number cell beyond the largest double (Excel writes 1.8e308 as it was typed; it reads as inf)
        return np.nan, MISSING, _implausible("±∞" if not shown.startswith("-") else "-∞")
    if not isinstance(item, str):
        # Excel errors, booleans, dates and times: none of them is a number of the indicator
        return np.nan, MISSING, Finding("cell.not_number", Severity.ERROR, {"value": shown})
    text = normalise_text(item)
    if text == "":
        return np.nan, MISSING, None  # only spaces: an empty cell
    if text.lower() in NOT_APPLICABLE_TEXTS:
        return np.nan, NOT_APPLICABLE, Finding("cell.not_applicable", Severity.INFO, {"value": shown})
    if text in UNAVAILABLE_TEXTS:
        # its problem (the reason given, or none) is decided with the cell's remark (scoring.io.read)
        return np.nan, UNAVAILABLE, None
    full_width = text != item.strip()
    if text.endswith("%"):
        body = text[:-1].strip()
        number = _number_text(body)
        if number is None:
            return np.nan, MISSING, _not_a_number(body, shown)
        if not np.isfinite(number):
            return np.nan, MISSING, _implausible(shown.strip())
        if unit.strip() not in PERCENT_UNITS:
            return (
                np.nan,
                MISSING,
                Finding("cell.percent_ambiguous", Severity.ERROR, {"value": shown, "unit": unit}),
            )
        return (
            number,
            VALUE,
            Finding("cell.percent_sign", Severity.INFO, {"value": shown, "number": _fmt(number)}),
        )
    number = _number_text(text)
    if number is None:
        return np.nan, MISSING, _not_a_number(text, shown)
    if not np.isfinite(number):
        return np.nan, MISSING, _implausible(shown.strip())
    if "," in text:
        return (
            number,
            VALUE,
            Finding("cell.thousands_separator", Severity.INFO, {"value": shown, "number": _fmt(number)}),
        )
    if full_width:
        return (
            number,
            VALUE,
            Finding("cell.full_width", Severity.INFO, {"value": shown, "number": _fmt(number)}),
        )
    # a plain number pandas did not take in the fast path; nothing was converted, so nothing to note
    return number, VALUE, None


def _number_text(text: str) -> float | None:
    """A number written as text, with optional thousands separators in the strict ``1,234,567.8`` form."""
    if _PLAIN_NUMBER.fullmatch(text):
        number = float(text)
    elif _THOUSANDS.fullmatch(text):
        number = float(text.replace(",", ""))
    else:
        return None
    return number  # inf when the text is beyond the largest double: the caller says it is implausible


# the limit the message names; scoring.io.read refuses finite values beyond it (MAX_MAGNITUDE) in the same words
IMPLAUSIBLE_LIMIT_TEXT: Final = "1e15"


def _implausible(shown: str) -> Finding:
    return Finding("cell.implausible", Severity.ERROR, {"value": shown, "limit": IMPLAUSIBLE_LIMIT_TEXT})


def _not_a_number(text: str, shown: str) -> Finding:
    if "," in text and _COMMA_NUMBER.fullmatch(text):
        # digits and commas, but not in groups of three: 1,23 could be 1.23 or 123
        return Finding("cell.ambiguous_separator", Severity.ERROR, {"value": shown})
    return Finding("cell.not_number", Severity.ERROR, {"value": shown})


def _fmt(number: float) -> str:
    return format_number(number)
