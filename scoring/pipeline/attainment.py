"""Target attainment (目标完成度) and the time-elapsed schedule (序时进度)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.system.models import Baseline, Node, Target

# The target statuses: the one catalogue the report, the CLI and the dashboard word a unit's standing against a
# target from (schedule_status gives the first three; resolved_status the others).
AHEAD = "提前完成"
ON_TRACK = "符合预期"
BEHIND = "滞后"
NOT_MET = "未达目标"  # below the target and no schedule to compare with (the target has no baseline)
NO_DATA = "无数据"  # the value is missing (not one the unit marked 不适用)
NOT_APPLICABLE = "不适用"  # the unit marked the indicator 不适用: no target applies to it, nothing is missing
STATUSES = (AHEAD, ON_TRACK, BEHIND, NOT_MET, NO_DATA, NOT_APPLICABLE)
STATUS_TEXT: dict[str, tuple[str, str]] = {  # status → (Chinese, English), as every view prints it
    AHEAD: (AHEAD, "ahead of schedule"),
    ON_TRACK: (ON_TRACK, "on schedule"),
    BEHIND: (BEHIND, "behind schedule"),
    NOT_MET: (NOT_MET, "target not met"),
    NO_DATA: (NO_DATA, "no data"),
    NOT_APPLICABLE: (NOT_APPLICABLE, "not applicable"),
}


def resolved_status(value: float | None, status: object, not_applicable: bool = False) -> str:
    """The status a view shows for one (unit, indicator with a target): 不适用 where the unit marked the
    indicator not applicable, 无数据 for another missing value, the schedule's status where there is one, and
    未达目标 where the target is not met and has no schedule to compare with."""
    if not_applicable:
        return NOT_APPLICABLE
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return NO_DATA
    return str(status) if isinstance(status, str) and status else NOT_MET


def status_text(status: str, lang: str = "zh") -> str:
    """A status in Chinese (``zh``) or English (``en``); an unknown status as it is."""
    texts = STATUS_TEXT.get(status)
    return status if texts is None else texts[1 if lang == "en" else 0]


def attainment_ratio(x: np.ndarray, target: float | np.ndarray, direction: int, cap: float) -> np.ndarray:
    """``min(x/target, cap)`` for d = +1; ``min(target/x, cap)`` for d = −1 (x = 0 counts as cap).

    ``target`` is one value or one per row. NaN where x is missing or the ratio is undefined (target 0 with
    d = +1, or no target).
    """
    t = np.broadcast_to(np.asarray(target, dtype=float), np.shape(x))
    with np.errstate(all="ignore"):
        if direction > 0:
            ratio = np.where(t != 0, x / np.where(t != 0, t, 1.0), np.nan)
        else:
            ratio = np.where(x == 0, cap, t / np.where(x == 0, 1.0, x))
    return np.where(np.isnan(x) | np.isnan(t), np.nan, np.minimum(ratio, cap))


def target_in_force(indicator: Node, year: int) -> tuple[Target, Baseline | None] | None:
    """The target a year is measured against, and where its schedule starts.

    Of several dated targets, the first due in or after ``year`` (after the last one: the last); its schedule
    starts at its own baseline, else at the previous target (value and year), else nowhere (no schedule).
    """
    targets = indicator.all_targets
    if not targets:
        return None
    index = next((k for k, t in enumerate(targets) if t.year is None or t.year >= year), len(targets) - 1)
    target = targets[index]
    start = target.baseline
    if start is None and index > 0:
        previous = targets[index - 1]
        if previous.year is not None:
            start = Baseline(value=previous.level, year=previous.year)
    return target, start


def expected_value(indicator: Node, year: int, unit: str | None = None) -> float | None:
    """The value the schedule (序时进度) expects by ``year`` of the target in force.

    A level target: linear from the start to the target ``s + (T − s)·(year − s_year)/(T_year − s_year)``; an
    annual-rate target: the compound path ``b·(1 + r/100)^(year − b_year)``; the target itself from its year on.
    None without a start or a year.
    """
    found = target_in_force(indicator, year)
    if found is None:
        return None
    target, start = found
    if target.annual_rate is not None:
        return target.path(year)
    goal = unit_target(target, unit)
    if start is None or target.year is None:
        return None
    begin, end = start.year, target.year
    if year >= end or end <= begin:
        return goal
    share = max(0.0, (year - begin) / (end - begin))
    return start.value + (goal - start.value) * share


def unit_target(target: Target, unit: str | None) -> float:
    """The target's value for a unit: its ``by_unit`` value where it has one, else the level."""
    if unit is not None and target.by_unit and unit in target.by_unit:
        return target.by_unit[unit]
    return target.level


def schedule_status(x: np.ndarray, indicator: Node, year: int, units: np.ndarray | None = None) -> np.ndarray:
    """提前完成 if the target in force is already met; 符合预期 if at or past the scheduled value; else 滞后.

    None where x is missing, or where the target is not met and there is no schedule (no start).
    """
    status = np.full(x.shape, None, dtype=object)
    found = target_in_force(indicator, year)
    if found is None:
        return status
    target = found[0]
    unit_list = list(units) if units is not None else [None] * len(x)
    goal = np.array([unit_target(target, u) for u in unit_list], dtype=float)
    expected = np.array(
        [np.nan if (e := expected_value(indicator, year, u)) is None else e for u in unit_list], dtype=float
    )
    d = indicator.direction
    present = ~np.isnan(x)
    met = present & (d * x >= d * goal)
    status[met] = AHEAD
    scheduled = ~np.isnan(expected)
    on_track = present & ~met & scheduled & (d * x >= d * expected)
    status[on_track] = ON_TRACK
    status[present & ~met & ~on_track & scheduled] = BEHIND
    return status


COLUMNS = [
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


def attainment_table(raw: pd.DataFrame, indicators: list[Node], cap: float) -> pd.DataFrame:
    """One row per (year, unit, indicator with a target): value, the target in force for the year (the unit's
    own where ``by_unit`` gives one), attainment, expected value and status.

    Attainment is ``min(x/target, cap)`` against a level target and ``min(x/path(year), cap)`` against an
    annual-rate target (the compound path's value for the year).
    """
    frames = []
    years = raw.index.get_level_values("year").to_numpy()
    units = raw.index.get_level_values("unit_code").to_numpy()
    for indicator in indicators:
        if not indicator.all_targets or indicator.code not in raw:
            continue
        x = raw[indicator.code].to_numpy(dtype=float)
        status = np.full(x.shape, None, dtype=object)
        expected = np.full(x.shape, np.nan)
        goal = np.full(x.shape, np.nan)
        due = np.full(x.shape, None, dtype=object)
        measure = np.full(x.shape, np.nan)  # what attainment divides by
        for year in np.unique(years):
            rows = years == year
            found = target_in_force(indicator, int(year))
            assert found is not None
            target = found[0]
            here = units[rows]
            status[rows] = schedule_status(x[rows], indicator, int(year), here)
            expected[rows] = [
                np.nan if (e := expected_value(indicator, int(year), u)) is None else e for u in here
            ]
            goal[rows] = [unit_target(target, u) for u in here]
            due[rows] = target.year
            measure[rows] = target.path(int(year)) if target.annual_rate is not None else goal[rows]
        frames.append(
            pd.DataFrame(
                {
                    "year": years,
                    "unit_code": units,
                    "indicator_code": indicator.code,
                    "value": x,
                    "target": goal,
                    "target_year": due,
                    "attainment": attainment_ratio(x, measure, indicator.direction, cap),
                    "expected": expected,
                    "status": status,
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)[COLUMNS]
