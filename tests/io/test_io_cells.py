"""Cell parsing, one cell at a time: what is accepted, how, and what is refused."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.io.cells import (
    MISSING,
    NOT_APPLICABLE,
    VALUE,
    ExcelError,
    FormulaWithoutValue,
    cell_ref,
    column_letter,
    key_text,
    parse_cells,
    parse_year,
    split_numbers,
)
from scoring.io.checks import leave_one_out_median
from scoring.problems import Severity


def parse_one(item: object, unit: str = "亿元") -> tuple[float, int, str | None, Severity | None]:
    raw = np.array([item], dtype=object)
    parsed = parse_cells(split_numbers(raw), raw, np.array([0]), [unit])
    finding = parsed.findings.get(0)
    return (
        float(parsed.value[0]),
        int(parsed.status[0]),
        finding.code if finding else None,
        finding.severity if finding else None,
    )


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (12.5, 12.5),
        (7, 7.0),
        ("12", 12.0),
        (" 3.5 ", 3.5),
        ("1e3", 1000.0),
        ("-4", -4.0),
    ],
)
def test_plain_numbers_pass_without_a_problem(item: object, expected: float) -> None:
    assert parse_one(item) == (expected, VALUE, None, None)


@pytest.mark.parametrize(
    ("item", "unit", "expected"),
    [
        ("1,234.5", "亿元", (1234.5, VALUE, "cell.thousands_separator", Severity.INFO)),
        ("12,345,678", "个", (12345678.0, VALUE, "cell.thousands_separator", Severity.INFO)),
        (
            "１，２３４",
            "个",
            (1234.0, VALUE, "cell.thousands_separator", Severity.INFO),
        ),  # full-width digits and comma
        ("１２．５", "个", (12.5, VALUE, "cell.full_width", Severity.INFO)),
        ("−3.5", "%", (-3.5, VALUE, "cell.full_width", Severity.INFO)),  # U+2212 minus sign
        ("35%", "%", (35.0, VALUE, "cell.percent_sign", Severity.INFO)),
        ("35.5％", "%", (35.5, VALUE, "cell.percent_sign", Severity.INFO)),
    ],
)
def test_unambiguous_texts_are_read_and_noted(item: str, unit: str, expected: tuple[object, ...]) -> None:
    assert parse_one(item, unit) == expected


@pytest.mark.parametrize("item", ["不适用", "N/A", "n/a", "NA", "-", "—", " 不适用 "])
def test_not_applicable_markers(item: str) -> None:
    value, status, code, severity = parse_one(item)
    assert math.isnan(value)
    assert (status, code, severity) == (NOT_APPLICABLE, "cell.not_applicable", Severity.INFO)


@pytest.mark.parametrize(
    ("item", "unit", "code"),
    [
        ("1,23", "亿元", "cell.ambiguous_separator"),
        ("12,5", "亿元", "cell.ambiguous_separator"),
        ("1,2345", "亿元", "cell.ambiguous_separator"),
        ("35%", "亿元", "cell.percent_ambiguous"),
        ("abc", "亿元", "cell.not_number"),
        ("约 35", "亿元", "cell.not_number"),
        ("3.5万", "亿元", "cell.not_number"),
        ("nan", "亿元", "cell.not_number"),
        ("inf", "亿元", "cell.not_number"),
        ("1_000", "亿元", "cell.not_number"),
        ("٣٥", "亿元", "cell.not_number"),  # Arabic-Indic digits are not taken for 35
        ("#N/A", "亿元", "cell.not_number"),  # typed as text
        (True, "亿元", "cell.not_number"),
        (False, "亿元", "cell.not_number"),
        (dt.date(2024, 5, 1), "亿元", "cell.not_number"),
        (ExcelError("#DIV/0!"), "亿元", "cell.not_number"),
        (FormulaWithoutValue("SUM(G9:G10)"), "亿元", "cell.formula_no_value"),
    ],
)
def test_refused_cells_get_one_error_and_no_value(item: object, unit: str, code: str) -> None:
    value, status, found, severity = parse_one(item, unit)
    assert math.isnan(value)
    assert (status, found, severity) == (MISSING, code, Severity.ERROR)


@pytest.mark.parametrize("item", ["", "   ", None])
def test_empty_cells_are_missing_without_a_problem_here(item: object) -> None:
    value, status, code, _ = parse_one(item)
    assert math.isnan(value)
    assert (status, code) == (MISSING, None)


def test_problem_parameters_show_the_cell_as_typed() -> None:
    raw = np.array(["1,234.5", "35%", ExcelError("#DIV/0!"), FormulaWithoutValue("A1*2")], dtype=object)
    parsed = parse_cells(split_numbers(raw), raw, np.array([0, 1, 0, 0]), ["亿元", "%"])
    assert parsed.findings[0].params == {"value": "1,234.5", "number": "1234.5"}
    assert parsed.findings[1].params == {"value": "35%", "number": "35"}
    assert parsed.findings[2].params == {"value": "#DIV/0!"}
    assert parsed.findings[3].params == {"formula": "=A1*2"}


def test_key_text_and_years() -> None:
    assert key_text(370102.0) == "370102"
    assert key_text(" DI－01 ") == "DI-01"  # full-width hyphen
    assert key_text("") == ""
    # "2024.0" is how a year column of floats comes out of pandas or Excel as text
    assert [parse_year(v) for v in (2024, 2024.0, "2024", "2024.0", "2024年", "2024年度", " 2024 ")] == [
        2024
    ] * 7
    assert [parse_year(v) for v in (2024.5, "2024.5", "24", 1899, 2101, True, None, "")] == [None] * 8


def test_cell_references() -> None:
    assert [column_letter(c) for c in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip
    assert cell_ref(8, 6) == "G9"


@given(st.lists(st.floats(min_value=0.001, max_value=1e6), min_size=2, max_size=40))
def test_leave_one_out_median_matches_the_definition(values: list[float]) -> None:
    x = np.array(values)
    expected = [np.median(np.delete(x, i)) for i in range(x.size)]
    np.testing.assert_allclose(leave_one_out_median(x), expected)
