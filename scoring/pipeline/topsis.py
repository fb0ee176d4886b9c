"""TOPSIS as an alternative composite, on the weighted normalised indicator matrix."""

from __future__ import annotations

import numpy as np

from scoring.pipeline.columns import column_stat


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
