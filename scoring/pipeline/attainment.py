"""Target attainment (目标完成度) and the time-elapsed schedule (序时进度)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.system.models import Node

AHEAD = "提前完成"
ON_TRACK = "符合预期"
BEHIND = "滞后"


def attainment_ratio(x: np.ndarray, target: float, direction: int, cap: float) -> np.ndarray:
    """``min(x/target, cap)`` for d = +1; ``min(target/x, cap)`` for d = −1 (x = 0 counts as cap).

    NaN where x is missing or the ratio is undefined (target 0 with d = +1).
    """
    with np.errstate(all="ignore"):
        if direction > 0:
            ratio = x / target if target != 0 else np.full_like(x, np.nan)
        else:
            ratio = np.where(x == 0, cap, target / np.where(x == 0, 1.0, x))
    return np.where(np.isnan(x), np.nan, np.minimum(ratio, cap))


def expected_value(indicator: Node, year: int) -> float | None:
    """The value the schedule expects by ``year``: linear from the baseline to the target, then the target."""
    target = indicator.target
    if target is None or target.baseline is None or target.year is None:
        return None
    start, end = target.baseline.year, target.year
    if year >= end or end <= start:
        return target.value
    share = max(0.0, (year - start) / (end - start))
    return target.baseline.value + (target.value - target.baseline.value) * share


def schedule_status(x: np.ndarray, indicator: Node, year: int) -> np.ndarray:
    """提前完成 if the target is already met; 符合预期 if at or past the scheduled value; else 滞后.

    None where x is missing, or where the target is not met and there is no schedule (no baseline).
    """
    target = indicator.target
    status = np.full(x.shape, None, dtype=object)
    if target is None:
        return status
    d = indicator.direction
    expected = expected_value(indicator, year)
    present = ~np.isnan(x)
    met = present & (d * x >= d * target.value)
    status[met] = AHEAD
    if expected is not None:
        on_track = present & ~met & (d * x >= d * expected)
        status[on_track] = ON_TRACK
        status[present & ~met & ~on_track] = BEHIND
    return status


def attainment_table(raw: pd.DataFrame, indicators: list[Node], cap: float) -> pd.DataFrame:
    """One row per (year, unit, indicator with a target): value, target, ratio, expected value, status."""
    frames = []
    years = raw.index.get_level_values("year").to_numpy()
    units = raw.index.get_level_values("unit_code").to_numpy()
    for indicator in indicators:
        if indicator.target is None or indicator.code not in raw:
            continue
        x = raw[indicator.code].to_numpy(dtype=float)
        status = np.full(x.shape, None, dtype=object)
        expected = np.full(x.shape, np.nan)
        for year in np.unique(years):
            rows = years == year
            status[rows] = schedule_status(x[rows], indicator, int(year))
            scheduled = expected_value(indicator, int(year))
            expected[rows] = np.nan if scheduled is None else scheduled
        frames.append(
            pd.DataFrame(
                {
                    "year": years,
                    "unit_code": units,
                    "indicator_code": indicator.code,
                    "value": x,
                    "target": indicator.target.value,
                    "target_year": indicator.target.year,
                    "attainment": attainment_ratio(x, indicator.target.value, indicator.direction, cap),
                    "expected": expected,
                    "status": status,
                }
            )
        )
    columns = [
        "year",
        "unit_code",
        "indicator_code",
        "value",
        "target",
        "target_year",
        "attainment",
        "expected",
        "status",
    ]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
