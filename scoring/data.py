"""The data the pipeline evaluates: a long table of values read from any mix of input files.

Readers (``scoring.io``) produce a :class:`Dataset`; the pipeline takes its matrix. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.problems import Problem, Severity

LONG_COLUMNS = ["unit_code", "indicator_code", "year", "value", "status", "location"]

# status of a value: a number; the unit said the indicator does not apply to it (不适用); the cell was empty
STATUS_VALUE = "value"
STATUS_NOT_APPLICABLE = "not_applicable"
STATUS_MISSING = "missing"


@dataclass
class Dataset:
    """Values keyed by (unit, indicator, year), each with where it came from, plus every problem found."""

    values: pd.DataFrame = field(default_factory=lambda: empty_long_table())
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def from_long(cls, table: pd.DataFrame, problems: list[Problem] | None = None) -> Dataset:
        """A dataset from a long table with at least ``unit_code, indicator_code, year, value``."""
        frame = table.copy()
        if "status" not in frame:
            frame["status"] = np.where(frame["value"].isna(), STATUS_MISSING, STATUS_VALUE)
        if "location" not in frame:
            frame["location"] = ""
        frame = frame[LONG_COLUMNS].astype(
            {"unit_code": str, "indicator_code": str, "year": int, "value": float, "status": str, "location": str}
        )
        return cls(frame.reset_index(drop=True), list(problems or []))

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.values["year"].unique())

    def merge(self, other: Dataset) -> Dataset:
        return Dataset(pd.concat([self.values, other.values], ignore_index=True), self.problems + other.problems)

    def matrix(self, indicators: list[str], units: list[str] | None = None) -> pd.DataFrame:
        """Values as a (year, unit_code) × indicator matrix; NaN where missing or not applicable.

        Rows exist for every unit with at least one value in a year (or for every listed unit in every year
        with data, when ``units`` is given); columns follow ``indicators``.
        """
        frame = self.values[self.values["indicator_code"].isin(indicators)]
        wide = frame.pivot_table(
            index=["year", "unit_code"], columns="indicator_code", values="value", aggfunc="first", dropna=False
        )
        wide = wide.reindex(columns=indicators)
        if units is not None:
            index = pd.MultiIndex.from_product([self.years, units], names=["year", "unit_code"])
            wide = wide.reindex(index)
            wide = wide[wide.notna().any(axis=1)]
        wide.columns.name = None
        return wide.astype(float).sort_index()

    def not_applicable(self, indicators: list[str]) -> pd.DataFrame:
        """Boolean matrix aligned with :meth:`matrix`: True where the unit marked the indicator 不适用."""
        flags = self.values.assign(na=self.values["status"] == STATUS_NOT_APPLICABLE)
        flags = flags[flags["indicator_code"].isin(indicators)]
        wide = flags.pivot_table(index=["year", "unit_code"], columns="indicator_code", values="na", aggfunc="any")
        wide = wide.reindex(columns=indicators)
        wide.columns.name = None
        return wide.fillna(False).astype(bool)


def empty_long_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_code": pd.Series(dtype=str),
            "indicator_code": pd.Series(dtype=str),
            "year": pd.Series(dtype=int),
            "value": pd.Series(dtype=float),
            "status": pd.Series(dtype=str),
            "location": pd.Series(dtype=str),
        }
    )
