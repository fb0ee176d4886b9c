"""The data the pipeline evaluates: a long table of values read from any mix of input files.

Readers (``scoring.io``) produce a :class:`Dataset`; the pipeline takes its matrix. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.problems import Problem, Severity

LONG_COLUMNS = ["unit_code", "indicator_code", "year", "value", "status", "location", "remark"]

# status of a value: a number; the unit said the indicator does not apply to it (不适用); the cell was empty;
# the unit declared the value unavailable with a reason (数据缺失, the reason in the value's remark): it counts as
# missing in the evaluation, and the reason goes along
STATUS_VALUE = "value"
STATUS_NOT_APPLICABLE = "not_applicable"
STATUS_MISSING = "missing"
STATUS_UNAVAILABLE = "unavailable"


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
        if "remark" not in frame:
            frame["remark"] = ""  # the 备注 a form or long table gave the value ("" when none)
        frame = frame[LONG_COLUMNS].astype(
            {
                "unit_code": str,
                "indicator_code": str,
                "year": int,
                "value": float,
                "status": str,
                "location": str,
                "remark": str,
            }
        )
        return cls(frame.reset_index(drop=True), list(problems or []))

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.values["year"].unique())

    def merge(self, other: Dataset) -> Dataset:
        return Dataset(
            pd.concat([self.values, other.values], ignore_index=True), self.problems + other.problems
        )

    def matrix(self, indicators: list[str], units: list[str] | None = None) -> pd.DataFrame:
        """Values as a (year, unit_code) × indicator matrix; NaN where missing or not applicable.

        Rows exist for every (year, unit) with at least one record (a value, an empty cell or 不适用) — only the
        listed units, in their order, when ``units`` is given; columns follow ``indicators``. The first of
        duplicate records wins.
        """
        return self._placed(self.values["value"].to_numpy(dtype=float), np.nan, indicators, units)

    def not_applicable(self, indicators: list[str], units: list[str] | None = None) -> pd.DataFrame:
        """Boolean matrix aligned with :meth:`matrix`: True where the unit marked the indicator 不适用."""
        flags = (self.values["status"] == STATUS_NOT_APPLICABLE).to_numpy(dtype=float)
        return self._placed(flags, 0.0, indicators, units).astype(bool)

    def _placed(
        self, cells: np.ndarray, empty: float, indicators: list[str], units: list[str] | None
    ) -> pd.DataFrame:
        # Scatter the long table into a dense array by integer codes: a pivot without pandas' groupby cost.
        frame = self.values
        column = pd.Index(indicators).get_indexer(frame["indicator_code"])
        unit_index = pd.Index(units if units is not None else sorted(frame["unit_code"].unique()))
        row_unit = unit_index.get_indexer(frame["unit_code"])
        years = np.array(self.years, dtype=int)
        row_year = np.searchsorted(years, frame["year"].to_numpy(dtype=int))
        keep = (column >= 0) & (row_unit >= 0)
        dense = np.full((len(years), len(unit_index), len(indicators)), empty)
        # reversed so that the first occurrence of a duplicate is the one written last
        order = np.flatnonzero(keep)[::-1]
        dense[row_year[order], row_unit[order], column[order]] = cells[order]
        recorded = np.zeros((len(years), len(unit_index)), dtype=bool)
        recorded[row_year[keep], row_unit[keep]] = True
        rows = recorded.reshape(-1)
        index = pd.MultiIndex.from_product([years.tolist(), unit_index], names=["year", "unit_code"])
        return pd.DataFrame(
            dense.reshape(-1, len(indicators))[rows], index=index[rows], columns=list(indicators)
        )


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
