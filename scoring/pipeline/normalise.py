"""Normalisation: raw values of each indicator onto a common scale, oriented so that higher is better.

Every method works on a block of columns at once (rows = units of one comparability group, columns = the
indicators normalised by that method) with per-column parameters, so a national-scale panel is a handful of
numpy operations. ``d`` is the direction (+1 more is better, −1 less is better); ``[lo, hi]`` is the scale.
Missing values stay missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from scoring.pipeline.columns import column_stat
from scoring.registry import Registry
from scoring.system.models import Method


@dataclass(frozen=True)
class ColumnParams:
    """Per-column parameters of a block: direction, and fixed bounds / targets where the file gives them."""

    direction: np.ndarray  # +1 / −1
    lower: np.ndarray  # goalpost L (NaN where none)
    upper: np.ndarray  # goalpost U (NaN where none)
    target: np.ndarray  # target value (NaN where none)


Normaliser = Callable[[np.ndarray, ColumnParams, Method], np.ndarray]
NORMALISATION: Registry[Normaliser] = Registry("normalisation")

# Methods whose bounds come from the data (and so depend on the comparability group); the others use fixed
# goalposts or targets from the file.
DATA_DRIVEN = frozenset({"minmax", "zscore", "rank", "percentile"})


@NORMALISATION.register("minmax")
def normalise_minmax(x: np.ndarray, p: ColumnParams, method: Method) -> np.ndarray:
    """极差标准化: ``y = lo + (hi − lo)·(d·x − min d·x)/(max d·x − min d·x)``.

    For d = −1 this is ``(max x − x)/(max x − min x)``. A constant column (max = min) gets ``hi`` for every unit.
    """
    lo, hi = method.scale
    xd = x * p.direction
    with np.errstate(all="ignore"):
        mn, mx = column_stat(np.nanmin, xd), column_stat(np.nanmax, xd)
        span = mx - mn
        y = lo + (hi - lo) * (xd - mn) / np.where(span > 0, span, 1.0)
    return np.where(span > 0, y, np.where(np.isnan(x), np.nan, hi))


@NORMALISATION.register("zscore")
def normalise_zscore(x: np.ndarray, p: ColumnParams, method: Method) -> np.ndarray:
    """``y = m + s·(d·x − mean)/sd`` with the sample sd (ddof = 1); ``(m, s)`` = ``method.zscore`` (default 0, 1).

    A constant column (sd = 0) or a single value gets ``m``.
    """
    m, s = method.zscore
    xd = x * p.direction
    with np.errstate(all="ignore"):
        mean = column_stat(np.nanmean, xd)
        sd = column_stat(np.nanstd, xd, min_count=2, ddof=1)
        ok = np.isfinite(sd) & (sd > 0)
        y = m + s * (xd - mean) / np.where(ok, sd, 1.0)
    return np.where(ok, y, np.where(np.isnan(x), np.nan, m))


@NORMALISATION.register("goalpost", "goalposts")
def normalise_goalpost(x: np.ndarray, p: ColumnParams, method: Method) -> np.ndarray:
    """Fixed goalposts (comparable across years): ``y = lo + (hi − lo)·clip(r, 0, 1)``.

    ``r = (x − L)/(U − L)`` for d = +1 and ``r = (U − x)/(U − L)`` for d = −1, with ``L < U`` the goalposts.
    """
    lo, hi = method.scale
    r = (x - p.lower) / (p.upper - p.lower)
    r = np.where(p.direction > 0, r, 1.0 - r)
    return lo + (hi - lo) * np.clip(r, 0.0, 1.0)


def _target_score(x: np.ndarray, p: ColumnParams, base: float, span: float) -> np.ndarray:
    """``y = base + span·clip((x − floor)/(target − floor), 0, 1)``.

    The floor is the lower goalpost (d = +1) or the upper one (d = −1) where the file gives goalposts, else the
    worst value observed in the group (min for d = +1, max for d = −1). If target = floor, y = base + span.
    """
    observed_worst = np.where(p.direction > 0, column_stat(np.nanmin, x), column_stat(np.nanmax, x))
    fixed_floor = np.where(p.direction > 0, p.lower, p.upper)
    floor = np.where(np.isnan(fixed_floor), observed_worst, fixed_floor)
    gap = p.target - floor
    with np.errstate(all="ignore"):
        r = np.where(gap != 0, (x - floor) / np.where(gap != 0, gap, 1.0), 1.0)
    return np.where(np.isnan(x), np.nan, base + span * np.clip(r, 0.0, 1.0))


@NORMALISATION.register("target")
def normalise_target(x: np.ndarray, p: ColumnParams, method: Method) -> np.ndarray:
    """目标值法: the target-based score on the system scale, ``lo + (hi − lo)·clip((x − floor)/(target − floor))``."""
    lo, hi = method.scale
    with np.errstate(all="ignore"):
        return _target_score(x, p, lo, hi - lo)


@NORMALISATION.register("efficacy")
def normalise_efficacy(x: np.ndarray, p: ColumnParams, method: Method) -> np.ndarray:
    """功效系数法: ``base + span·clip((x − floor)/(target − floor))``, commonly ``60 + 40·…``."""
    with np.errstate(all="ignore"):
        return _target_score(x, p, method.efficacy.base, method.efficacy.span)


@NORMALISATION.register("rank", "percentile")
def normalise_percentile(x: np.ndarray, p: ColumnParams, method: Method) -> np.ndarray:
    """Percentile rank: ``y = lo + (hi − lo)·(r − 1)/(n − 1)``.

    ``r`` is the ascending rank of ``d·x`` among the n non-missing values, ties taking the average rank; with a
    single value, y = hi.
    """
    import pandas as pd  # average-rank ties along columns are pandas' job

    lo, hi = method.scale
    xd = pd.DataFrame(x * p.direction)
    r = xd.rank(method="average", axis=0).to_numpy()
    n = xd.notna().sum(axis=0).to_numpy()
    with np.errstate(all="ignore"):
        y = lo + (hi - lo) * (r - 1.0) / np.where(n > 1, n - 1.0, 1.0)
    return np.where(n > 1, y, np.where(np.isnan(x), np.nan, hi))
