"""Screening: the (year, unit) rows that are not evaluated, before anything is computed.

A row with no value and no 不适用 mark is dropped (the unit reported nothing that year); with
``method.min_coverage`` > 0, so is a row whose share of available indicators (a value or a 不适用 mark) is below
the threshold. Both are warnings and log entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from scoring.problems import Location, Problem, Severity


@dataclass(frozen=True)
class Screened:
    """The rows kept (raw values and their 不适用 mask) and the rows removed, with why."""

    raw: pd.DataFrame
    not_applicable: pd.DataFrame
    empty: list[tuple[int, str]] = field(default_factory=list)  # (year, unit) with nothing reported
    low_coverage: list[tuple[int, str, float]] = field(default_factory=list)  # (year, unit, coverage)
    threshold: float = 0.0

    @property
    def problems(self) -> list[Problem]:
        """A warning per removed row."""
        empty = [Problem("pipeline.empty_unit", Severity.WARNING, unit=u, year=y) for y, u in self.empty]
        screened = [
            Problem("pipeline.screened", Severity.WARNING, Location(), unit=u, year=y, params={"coverage": c})
            for y, u, c in self.low_coverage
        ]
        return empty + screened

    def log_entries(self) -> list[tuple[str, dict[str, Any]]]:
        """(method, detail) of the log: ``no_values`` and ``min_coverage``, each when it removed a row."""
        entries: list[tuple[str, dict[str, Any]]] = []
        if self.empty:
            entries.append(("no_values", {"removed": self.empty}))
        if self.low_coverage:
            entries.append(("min_coverage", {"threshold": self.threshold, "removed": self.low_coverage}))
        return entries


def screen(raw: pd.DataFrame, not_applicable: pd.DataFrame, min_coverage: float) -> Screened:
    """Drop the rows with nothing reported, then those below the coverage threshold."""
    empty = raw.isna().all(axis=1) & ~not_applicable.any(axis=1)
    dropped = [(int(y), str(u)) for y, u in raw.index[empty.to_numpy()]]
    if dropped:
        raw, not_applicable = raw[~empty], not_applicable[~empty]
    coverage = (raw.notna() | not_applicable).mean(axis=1)
    low = coverage < min_coverage
    removed = [(int(y), str(u), round(float(c), 4)) for (y, u), c in coverage[low].items()]
    raw = raw[~low]
    return Screened(raw, not_applicable.loc[raw.index], dropped, removed, min_coverage)
