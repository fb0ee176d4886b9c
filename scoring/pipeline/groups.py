"""Comparability groups: the rows evaluated together by every data-driven step."""

from __future__ import annotations

import numpy as np
import pandas as pd


def comparability_groups(index: pd.MultiIndex, comparability: str) -> list[np.ndarray]:
    """Row positions evaluated together: each year on its own (``per_year``), or all years pooled."""
    if comparability == "pooled":
        return [np.arange(len(index))]
    years = index.get_level_values("year").to_numpy()
    return [np.flatnonzero(years == y) for y in np.unique(years)]


def group_years(index: pd.MultiIndex, rows: np.ndarray) -> list[int]:
    """The years of a group's rows, sorted (for the log)."""
    return sorted({int(y) for y in np.unique(index.get_level_values("year").to_numpy()[rows])})
