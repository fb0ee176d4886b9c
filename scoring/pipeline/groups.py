"""Comparability groups: the rows evaluated together by every data-driven step."""

from __future__ import annotations

import numpy as np
import pandas as pd


def comparability_groups(index: pd.MultiIndex, comparability: str) -> list[np.ndarray]:
    """Row positions evaluated together: each year on its own (``per_year``, and ``frozen``, whose bounds and
    weights come from its base years: :func:`base_rows`), or all years pooled."""
    if comparability == "pooled":
        return [np.arange(len(index))]
    years = index.get_level_values("year").to_numpy()
    return [np.flatnonzero(years == y) for y in np.unique(years)]


def group_years(index: pd.MultiIndex, rows: np.ndarray) -> list[int]:
    """The years of a group's rows, sorted (for the log)."""
    return sorted({int(y) for y in np.unique(index.get_level_values("year").to_numpy()[rows])})


def base_rows(index: pd.MultiIndex, base_years: tuple[int, int] | None) -> np.ndarray | None:
    """``comparability: frozen``: the rows of the base years, from which bounds and data-driven weights are
    learned for every year (None for the other modes). Refused when the data hold none of the base years."""
    if base_years is None:
        return None
    years = index.get_level_values("year").to_numpy()
    rows = np.flatnonzero((years >= base_years[0]) & (years <= base_years[1]))
    if rows.size == 0:
        from scoring.problems import PipelineError, Problem

        raise PipelineError(
            Problem("pipeline.no_base_years", params={"first": base_years[0], "last": base_years[1]})
        )
    return rows
