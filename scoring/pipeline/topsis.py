"""TOPSIS as an alternative composite, on the weighted normalised indicator matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.pipeline.columns import column_stat
from scoring.system.models import IndicatorSystem


def topsis(normalised: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Relative closeness ``C_i = D−_i / (D+_i + D−_i)`` in [0, 1].

    ``v_ij = w_j·y_ij`` with y the normalised (already direction-oriented) indicators and w the indicators'
    overall weights; the ideal point is the column maximum of v, the anti-ideal the minimum;
    ``D±_i = sqrt(Σ_j (v_ij − v±_j)²)`` over the indicators present for unit i. If D+ + D− = 0 (every unit equal),
    C = 1.
    """
    v = normalised * weights[np.newaxis, :]
    with np.errstate(all="ignore"):
        best, worst = column_stat(np.nanmax, v), column_stat(np.nanmin, v)
    d_plus = np.sqrt(np.nansum((v - best) ** 2, axis=1))
    d_minus = np.sqrt(np.nansum((v - worst) ** 2, axis=1))
    total = d_plus + d_minus
    closeness = np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 1.0)
    return np.where(np.isnan(v).all(axis=1), np.nan, closeness)


def overall_weights(system: IndicatorSystem, weights: pd.DataFrame, year: int) -> np.ndarray:
    """Each indicator's overall nominal weight in a year: the product of the nominal weights along its path."""
    local = weights[weights["year"] == year].set_index("child")["weight"]
    return np.array(
        [np.prod([local.get(c, 0.0) for c in system.path(i.code)[1:]]) for i in system.indicators],
        dtype=float,
    )


def topsis_scores(normalised: pd.DataFrame, system: IndicatorSystem, weights: pd.DataFrame) -> pd.Series:
    """TOPSIS closeness of every row, within each year, with the indicators' overall nominal weights."""
    years = normalised.index.get_level_values("year").to_numpy()
    values = normalised.to_numpy()
    closeness = np.full(len(normalised), np.nan)
    for year in np.unique(years):
        rows = np.flatnonzero(years == year)
        closeness[rows] = topsis(values[rows], overall_weights(system, weights, int(year)))
    return pd.Series(closeness, index=normalised.index, name="topsis")
