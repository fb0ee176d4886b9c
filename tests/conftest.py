"""Shared helpers: an indicator system from a few lines of YAML, a dataset from a nested dict.

``make_system`` writes the header (id, name, version, unit list) so that a test only shows what matters:
the method, the tree and the options under test. ``make_dataset`` takes ``{year: {unit: {indicator: value}}}``;
``None`` is an empty cell and ``NA`` a cell the unit marked 不适用 (not applicable).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pytest

from scoring.data import STATUS_MISSING, STATUS_NOT_APPLICABLE, STATUS_VALUE, Dataset
from scoring.system import IndicatorSystem, parse_system

NA = "不适用"  # marker for a not-applicable cell in make_dataset

UnitSpec = str | tuple[str, str | None]


def system_yaml(body: str, units: Iterable[UnitSpec] = ("U1", "U2", "U3")) -> str:
    """A complete system file: a fixed header with the unit list, then ``body`` (dedented)."""
    lines = ["id: test", "name: test system", 'version: "1"', "units:"]
    for unit in units:
        code, group = (unit, None) if isinstance(unit, str) else unit
        extra = f", group: {group}" if group else ""
        lines.append(f"  - {{code: {code}, name: unit {code}{extra}}}")
    return "\n".join(lines) + "\n" + textwrap.dedent(body).strip("\n") + "\n"


def build_system(body: str, units: Iterable[UnitSpec] = ("U1", "U2", "U3")) -> IndicatorSystem:
    return parse_system(system_yaml(body, units))


def build_dataset(values: dict[int, dict[str, dict[str, float | str | None]]]) -> Dataset:
    """``{year: {unit: {indicator: value}}}`` → a Dataset (``None`` = empty cell, ``NA`` = 不适用)."""
    rows = []
    for year, by_unit in values.items():
        for unit, by_indicator in by_unit.items():
            for indicator, value in by_indicator.items():
                if value is None:
                    rows.append((unit, indicator, year, np.nan, STATUS_MISSING))
                elif value == NA:
                    rows.append((unit, indicator, year, np.nan, STATUS_NOT_APPLICABLE))
                else:
                    rows.append((unit, indicator, year, float(value), STATUS_VALUE))
    table = pd.DataFrame(rows, columns=["unit_code", "indicator_code", "year", "value", "status"])
    return Dataset.from_long(table)


@pytest.fixture(scope="session")
def make_system() -> Callable[..., IndicatorSystem]:
    return build_system


@pytest.fixture(scope="session")
def make_dataset() -> Callable[..., Dataset]:
    return build_dataset
