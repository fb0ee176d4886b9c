"""Normalisation: raw values of each indicator onto a common scale, oriented so that higher is better.

Every method works on a block of columns at once (rows = units of one comparability group, columns = the
indicators normalised by that method) with per-column parameters, so a national-scale panel is a handful of
numpy operations. ``d`` is the direction (+1 more is better, −1 less is better); ``[lo, hi]`` is the scale.
Missing values stay missing. Each method returns the block's scores and what it learned from the data, per
column (the bounds, mean and sd, ranks counted or floor it used), which the evaluation log reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from scoring.methods import Requirement, Stage
from scoring.pipeline.columns import column_stat
from scoring.pipeline.groups import group_years
from scoring.pipeline.points import adjustment_points
from scoring.pipeline.transform import transform_values
from scoring.problems import PipelineError, Problem
from scoring.registry import Registry
from scoring.system.models import IndicatorSystem, Method, Node


@dataclass(frozen=True)
class ColumnParams:
    """Per-column parameters of a block: direction, and fixed bounds / targets where the file gives them."""

    direction: np.ndarray  # +1 / −1
    lower: np.ndarray  # goalpost L (NaN where none)
    upper: np.ndarray  # goalpost U (NaN where none)
    target: np.ndarray  # target value (NaN where none); rows × columns where a target has by_unit values
    # the optimal range [a, b] of an interval (适度) indicator (NaN where none; None: no interval in the block)
    best_low: np.ndarray | None = None
    best_high: np.ndarray | None = None
    # comparability: frozen: the base years' values, from which data-driven methods learn (None: from x itself);
    # scores of values beyond the base bounds are clipped to the scale
    fit: np.ndarray | None = None

    def learn_from(self, x: np.ndarray) -> np.ndarray:
        """What the statistics are learned from: the base years' values, or the block itself."""
        return x if self.fit is None else self.fit

    @property
    def has_interval(self) -> np.ndarray:
        """True for the columns of interval indicators."""
        if self.best_low is None:
            return np.zeros(len(self.direction), dtype=bool)
        return ~np.isnan(self.best_low)

    def distance(self, x: np.ndarray) -> np.ndarray:
        """An interval column's distance outside its range, ``max(a − x, 0, x − b)`` (NaN where x is)."""
        assert self.best_low is not None and self.best_high is not None
        with np.errstate(invalid="ignore"):
            return np.maximum(np.maximum(self.best_low - x, x - self.best_high), 0.0) + 0.0 * x


# What a method learned from a block, per column: statistic name → one value per column (nothing for fixed
# goalposts).
Learned = dict[str, np.ndarray]
Normaliser = Callable[[np.ndarray, ColumnParams, Method], tuple[np.ndarray, Learned]]
NORMALISATION: Registry[Normaliser] = Registry(Stage.NORMALISATION)


@NORMALISATION.register("minmax")
def normalise_minmax(x: np.ndarray, p: ColumnParams, method: Method) -> tuple[np.ndarray, Learned]:
    """极差标准化: ``y = lo + (hi − lo)·(d·x − min d·x)/(max d·x − min d·x)``.

    For d = −1 this is ``(max x − x)/(max x − min x)``. A constant column (max = min) gets ``hi`` for every unit.
    """
    lo, hi = method.scale
    xd = x * p.direction
    base = p.learn_from(x) * p.direction
    with np.errstate(all="ignore"):
        mn, mx = column_stat(np.nanmin, base), column_stat(np.nanmax, base)
        span = mx - mn
        y = lo + (hi - lo) * (xd - mn) / np.where(span > 0, span, 1.0)
        if p.fit is not None:
            y = np.clip(y, lo, hi)
    learned = {  # the bounds in the indicator's own units (min d·x is −max x for d = −1)
        "min": np.where(p.direction > 0, mn, -mx),
        "max": np.where(p.direction > 0, mx, -mn),
    }
    y = np.where(span > 0, y, np.where(np.isnan(x), np.nan, hi))
    if p.has_interval.any():
        y, learned = _interval_minmax(x, p, lo, hi, y, learned)
    return y, learned


def _interval_minmax(
    x: np.ndarray, p: ColumnParams, lo: float, hi: float, y: np.ndarray, learned: Learned
) -> tuple[np.ndarray, Learned]:
    """The interval (适度) columns of min-max: ``y = lo + (hi − lo)·(1 − dist/D)``.

    ``dist = max(a − x, 0, x − b)`` is the distance outside the optimal range [a, b] and
    ``D = max(a − min x, max x − b)`` the largest in the group (the standard interval transformation, e.g. 郭亚军,
    《综合评价理论、方法及应用》, 2007, §2.2): 1 inside [a, b], 0 at the observed extreme farthest from it,
    linear in between on both sides. D = 0 (every value inside): hi. Learned: D, as ``max_distance``.
    """
    interval = p.has_interval
    dist = p.distance(x)
    with np.errstate(all="ignore"):
        far = column_stat(np.nanmax, p.distance(p.learn_from(x)))
        scored = lo + (hi - lo) * np.clip(1.0 - dist / np.where(far > 0, far, 1.0), 0.0, 1.0)
    scored = np.where(np.isnan(x), np.nan, scored)
    learned = dict(learned) | {"max_distance": np.where(interval, far, np.nan)}
    return np.where(interval, scored, y), learned


@NORMALISATION.register("zscore")
def normalise_zscore(x: np.ndarray, p: ColumnParams, method: Method) -> tuple[np.ndarray, Learned]:
    """``y = m + s·(d·x − mean)/sd`` with the sample sd (ddof = 1); ``(m, s)`` = ``method.zscore`` (default 0, 1).

    A constant column (sd = 0) or a single value gets ``m``.
    """
    m, s = method.zscore
    xd = x * p.direction
    base = p.learn_from(x) * p.direction
    with np.errstate(all="ignore"):
        mean = column_stat(np.nanmean, base)
        sd = column_stat(np.nanstd, base, min_count=2, ddof=1)
        ok = np.isfinite(sd) & (sd > 0)
        y = m + s * (xd - mean) / np.where(ok, sd, 1.0)
    learned = {"mean": p.direction * mean, "sd": sd}  # mean of x, not of d·x
    return np.where(ok, y, np.where(np.isnan(x), np.nan, m)), learned


@NORMALISATION.register("goalpost")
def normalise_goalpost(x: np.ndarray, p: ColumnParams, method: Method) -> tuple[np.ndarray, Learned]:
    """Fixed goalposts (comparable across years): ``y = lo + (hi − lo)·clip(r, 0, 1)``.

    ``r = (x − L)/(U − L)`` for d = +1 and ``r = (U − x)/(U − L)`` for d = −1, with ``L < U`` the goalposts.
    """
    lo, hi = method.scale
    r = (x - p.lower) / (p.upper - p.lower)
    r = np.where(p.direction > 0, r, 1.0 - r)
    if p.has_interval.any():
        r = np.where(p.has_interval, _interval_goalpost(x, p), r)
    return lo + (hi - lo) * np.clip(r, 0.0, 1.0), {}


def _interval_goalpost(x: np.ndarray, p: ColumnParams) -> np.ndarray:
    """An interval column between tolerance goalposts L < a ≤ b < U: ``r = 1`` inside [a, b],
    ``r = 1 − (a − x)/(a − L)`` below it and ``r = 1 − (x − b)/(U − b)`` above it (clipped to [0, 1] by the
    caller): the interval transformation with fixed tolerance bounds, comparable across years."""
    assert p.best_low is not None and p.best_high is not None
    with np.errstate(all="ignore"):
        below = 1.0 - (p.best_low - x) / (p.best_low - p.lower)
        above = 1.0 - (x - p.best_high) / (p.upper - p.best_high)
    return np.where(
        x < p.best_low, below, np.where(x > p.best_high, above, np.where(np.isnan(x), np.nan, 1.0))
    )


def _target_score(x: np.ndarray, p: ColumnParams, base: float, span: float) -> tuple[np.ndarray, Learned]:
    """``y = base + span·clip((x − floor)/(target − floor), 0, 1)``.

    The floor is the lower goalpost (d = +1) or the upper one (d = −1) where the file gives goalposts, else the
    worst value observed in the group (min for d = +1, max for d = −1). If target = floor, y = base + span.
    Learned: the floor of each column and whether it was observed (no goalposts).
    """
    learned_from = p.learn_from(x)
    observed_worst = np.where(
        p.direction > 0, column_stat(np.nanmin, learned_from), column_stat(np.nanmax, learned_from)
    )
    fixed_floor = np.where(p.direction > 0, p.lower, p.upper)
    floor = np.where(np.isnan(fixed_floor), observed_worst, fixed_floor)
    gap = p.target - floor
    with np.errstate(all="ignore"):
        r = np.where(gap != 0, (x - floor) / np.where(gap != 0, gap, 1.0), 1.0)
    learned = {"floor": floor, "floor_observed": np.isnan(fixed_floor)}
    return np.where(np.isnan(x), np.nan, base + span * np.clip(r, 0.0, 1.0)), learned


@NORMALISATION.register("target")
def normalise_target(x: np.ndarray, p: ColumnParams, method: Method) -> tuple[np.ndarray, Learned]:
    """目标值法: the target-based score on the system scale, ``lo + (hi − lo)·clip((x − floor)/(target − floor))``."""
    lo, hi = method.scale
    with np.errstate(all="ignore"):
        return _target_score(x, p, lo, hi - lo)


@NORMALISATION.register("efficacy")
def normalise_efficacy(x: np.ndarray, p: ColumnParams, method: Method) -> tuple[np.ndarray, Learned]:
    """功效系数法: ``base + span·clip((x − floor)/(target − floor))``, commonly ``60 + 40·…``."""
    with np.errstate(all="ignore"):
        return _target_score(x, p, method.efficacy.base, method.efficacy.span)


@NORMALISATION.register("rank")
def normalise_percentile(x: np.ndarray, p: ColumnParams, method: Method) -> tuple[np.ndarray, Learned]:
    """Percentile rank: ``y = lo + (hi − lo)·(r − 1)/(n − 1)``.

    ``r`` is the ascending rank of ``d·x`` among the n non-missing values, ties taking the average rank; with a
    single value, y = hi. Learned: n, the number of values ranked.
    """
    lo, hi = method.scale
    oriented = x * p.direction
    if (
        p.has_interval.any()
    ):  # an interval column is ranked by its distance outside the range, nearer is better
        oriented = np.where(p.has_interval, -p.distance(x), oriented)
    if p.fit is not None:
        return _frozen_rank(oriented, p, lo, hi)
    xd = pd.DataFrame(oriented)  # average-rank ties along columns are pandas' job
    r = xd.rank(method="average", axis=0).to_numpy()
    n = xd.notna().sum(axis=0).to_numpy()
    with np.errstate(all="ignore"):
        y = lo + (hi - lo) * (r - 1.0) / np.where(n > 1, n - 1.0, 1.0)
    return np.where(n > 1, y, np.where(np.isnan(x), np.nan, hi)), {"n": n.astype(float)}


def _frozen_rank(oriented: np.ndarray, p: ColumnParams, lo: float, hi: float) -> tuple[np.ndarray, Learned]:
    """Percentile rank against the base years' values: ``r = #(base < x) + (#(base = x) + 1)/2`` (a base value
    gets its average rank among the base), ``y = lo + (hi − lo)·(r − 1)/(n − 1)`` clipped to the scale."""
    assert p.fit is not None
    base = p.fit * p.direction
    if p.best_low is not None:
        base = np.where(p.has_interval, -p.distance(p.fit), base)
    y = np.full(oriented.shape, np.nan)
    n = np.zeros(oriented.shape[1])
    for j in range(oriented.shape[1]):  # one sorted base per column
        known = np.sort(base[:, j][~np.isnan(base[:, j])])
        n[j] = known.size
        less = np.searchsorted(known, oriented[:, j], side="left")
        upto = np.searchsorted(known, oriented[:, j], side="right")
        r = less + (upto - less + 1) / 2.0
        with np.errstate(all="ignore"):
            y[:, j] = lo + (hi - lo) * (r - 1.0) / (known.size - 1.0) if known.size > 1 else hi
    y = np.where(np.isnan(oriented), np.nan, np.clip(y, lo, hi))
    return y, {"n": n}


# ------------------------------------------------------------------------------------------------- the stage


def column_params(indicators: list[Node]) -> ColumnParams:
    """Directions, goalposts, targets and optimal ranges of the indicators, on the scale of their declared
    transform."""
    lower = np.array([i.goalposts[0] if i.goalposts else np.nan for i in indicators], dtype=float)
    upper = np.array([i.goalposts[1] if i.goalposts else np.nan for i in indicators], dtype=float)
    target = np.array([i.final_target.level if i.final_target else np.nan for i in indicators], dtype=float)
    transforms: list[str | None] = [i.transform for i in indicators]
    has_interval = any(i.interval is not None for i in indicators)
    best_low = np.array([i.interval[0] if i.interval else np.nan for i in indicators], dtype=float)
    best_high = np.array([i.interval[1] if i.interval else np.nan for i in indicators], dtype=float)
    return ColumnParams(
        direction=np.array([i.direction for i in indicators], dtype=float),
        lower=_transformed(lower, transforms),
        upper=_transformed(upper, transforms),
        target=_transformed(target, transforms),
        best_low=_transformed(best_low, transforms) if has_interval else None,
        best_high=_transformed(best_high, transforms) if has_interval else None,
    )


def unit_targets(params: ColumnParams, indicators: list[Node], units: np.ndarray) -> ColumnParams:
    """The parameters with a rows × columns target where some indicator's target has ``by_unit`` values."""
    by_unit = [(i.final_target.by_unit if i.final_target else None) or {} for i in indicators]
    if not any(by_unit):
        return params
    target = np.tile(params.target, (len(units), 1))
    for j, (values, indicator) in enumerate(zip(by_unit, indicators, strict=True)):
        if values:
            own = np.array([values.get(u, np.nan) for u in units], dtype=float)
            own = np.asarray(transform_values(own, indicator.transform), dtype=float)
            target[:, j] = np.where(np.isnan(own), target[:, j], own)
    return replace(params, target=target)


def _transformed(values: np.ndarray, transforms: list[str | None]) -> np.ndarray:
    out = values.copy()
    for j, transform in enumerate(transforms):
        if transform is not None:
            out[j] = transform_values(values[j], transform)
    return out


# Where a requirement of a normalisation lives among the column parameters, and the problem when it is absent.
_PARAMETER_OF = {
    Requirement.GOALPOSTS: ("lower", "pipeline.no_goalposts"),
    Requirement.TARGET: ("target", "pipeline.no_target"),
}


def require_parameters(name: str, block: list[Node], params: ColumnParams) -> None:
    """Refuse a block whose indicators lack what the method's record requires (goalposts, a target).

    The loader refuses such a file with the paths; this guards systems built in code (variants).
    """
    problems: list[Problem] = []
    for requirement in NORMALISATION.record(name).requires:
        if requirement not in _PARAMETER_OF:
            continue  # not a column parameter: the loader checks it
        attribute, code = _PARAMETER_OF[requirement]
        values = getattr(params, attribute)
        problems.extend(
            Problem(code, indicator=i.code, params={"indicator": i.code})
            for i, value in zip(block, values, strict=True)
            if np.isnan(value)
        )
    if problems:
        raise PipelineError(problems)


@dataclass(frozen=True)
class NormalisedBlock:
    """The indicators one method normalised, and what it learned in each comparability group."""

    method: str
    indicators: list[str]
    learned: list[tuple[list[int], Learned]] = field(default_factory=list)  # (years of the group, statistics)

    def log_detail(self) -> dict[str, Any]:
        """The log entry's detail: the indicators and, per indicator and group, what was learned."""
        detail: dict[str, Any] = {"indicators": self.indicators}
        entries = [
            {"indicator_code": code, "years": years}
            | {key: _plain(values[j]) for key, values in statistics.items()}
            for years, statistics in self.learned
            if statistics
            for j, code in enumerate(self.indicators)
        ]
        if entries:
            detail["learned"] = entries
        return detail


def _plain(value: Any) -> float | bool:
    return bool(value) if isinstance(value, np.bool_) else float(value)


@dataclass(frozen=True)
class Normalised:
    """The normalisation stage: every indicator column normalised (points for bonus/deduction), and per method
    the block it normalised with what it learned."""

    values: pd.DataFrame
    blocks: list[NormalisedBlock]


def normalise_stage(
    x: pd.DataFrame,
    system: IndicatorSystem,
    row_groups: list[np.ndarray],
    fit_rows: np.ndarray | None = None,
) -> Normalised:
    """Normalise each scored indicator by its method within each comparability group; a bonus or deduction
    indicator's column is its points (:func:`scoring.pipeline.points.adjustment_points`). With ``fit_rows``
    (``comparability: frozen``) every data-driven statistic is learned from those rows (the base years)."""
    values = x.to_numpy()
    out = np.full(values.shape, np.nan)
    by_method: dict[str, list[int]] = {}
    for j, indicator in enumerate(system.indicators):
        if indicator.role == "score":
            by_method.setdefault(system.normalise_method(indicator), []).append(j)
        else:
            out[:, j] = adjustment_points(values[:, j], indicator)
    blocks = []
    for name, columns in by_method.items():
        block = [system.indicators[j] for j in columns]
        params = column_params(block)
        require_parameters(name, block, params)
        normaliser = NORMALISATION[name]
        learned = []
        units = x.index.get_level_values("unit_code").to_numpy()
        for rows in row_groups:
            cells = np.ix_(rows, np.asarray(columns))
            here = unit_targets(params, block, units[rows])
            if fit_rows is not None:
                here = replace(here, fit=values[np.ix_(fit_rows, np.asarray(columns))])
            out[cells], statistics = normaliser(values[cells], here, system.method)
            learned.append((group_years(x.index, rows), statistics))
        blocks.append(NormalisedBlock(name, [i.code for i in block], learned))
    return Normalised(pd.DataFrame(out, index=x.index, columns=x.columns), blocks)
