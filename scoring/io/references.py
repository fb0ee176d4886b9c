"""Checks of one unit's values against reference values from elsewhere: the unit's own value of last year and
the median of other units' values of the same indicator and year.

A caller that keeps data over time (the service: the unit's last accepted value, the units already accepted in
the round) fetches the references and passes them in; nothing here knows where they came from. A value about
10, 100, 1 000 or 10 000 times off is a warning naming both numbers and the likely unit mix-up (万元 for 亿元,
0.342 for 34.2 %); a year-over-year change beyond the system's ``method.yoy_warning`` is a warning too.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import pandas as pd

from scoring.io.cells import PERCENT_UNITS
from scoring.io.checks import MAGNITUDE_FACTOR, MAGNITUDE_MIN_OTHERS, MAX_SHOWN_FACTOR, factor_text
from scoring.io.form import format_number
from scoring.problems import Location, Problem, Severity
from scoring.system import IndicatorSystem

# Against the unit's own last value a factor of about 10 is already suspicious (a real change of that size in
# one year is rare; the median of other units varies far more, hence MAGNITUDE_FACTOR there).
LAST_FACTOR: Final = 9.0
# The money units of Chinese statistics, by their size in yuan: a slip between two of them is the usual mix-up
# (values in 万元 where the form asks for 亿元). A ratio is put down to the pair whose size ratio is nearest on a
# log scale, within MIXUP_DECADES powers of ten (districts differ in size: 57 691 times the median is still
# 10^4, 万元 for 亿元).
MONEY_UNITS: Final = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
MIXUP_DECADES: Final = 1.0
# where a unit's last value comes from, as the messages say it: 0 an accepted submission, 1 the same form
BASIS: Final = (("已接受的", "accepted"), ("本表填报的", "as filled in the same form"))


def likely_mixup(unit: str, ratio: float, decades: float | None = None) -> tuple[str, str]:
    """The likely unit mix-up of a value ``ratio`` times the reference, as (Chinese, English) text.

    For a money unit, the other money unit whose size ratio is nearest to ``ratio`` on a log scale: a value
    3 702 times the median of an indicator in 亿元 was given in 万元 (10⁴). A percent indicator about 100 times
    too small was given as a fraction (0.342 for 34.2 %). Otherwise the nearest power of ten is named, below a
    million; beyond that (a value next to zero) only that it is more than a million times off. ``decades``:
    log10 of the ratio, when the caller has it (the ratio of a denormal value to an ordinary one underflows to
    0 or overflows to inf, its logarithm does neither).
    """
    if decades is None:
        decades = math.log10(ratio) if ratio > 0 and math.isfinite(ratio) else 0.0
    unit = unit.strip()
    if unit in MONEY_UNITS:
        size = MONEY_UNITS[unit]
        candidates = [
            (abs(decades - math.log10(size / other)), name)
            for name, other in MONEY_UNITS.items()
            if name != unit
        ]
        distance, name = min(candidates)
        if distance <= MIXUP_DECADES:
            return f"“{name}”与“{unit}”", f"{name} vs {unit}"
    power = round(decades)
    if unit in PERCENT_UNITS and power == -2:
        return "小数（如 0.342）与百分数（34.2）", "a fraction (0.342) vs a percentage (34.2)"
    if unit in PERCENT_UNITS and power == 2:
        return "百分数与小数", "a percentage vs a fraction"
    if abs(power) >= math.log10(MAX_SHOWN_FACTOR):  # 10.0 ** 324 would overflow
        return "数量级（相差一百万倍以上）", "the order of magnitude (more than a million times)"
    factor = format_number(10.0 ** abs(power))
    return f"数量级（约 {factor} 倍）", f"the order of magnitude (about {factor}x)"


def reference_problems(
    system: IndicatorSystem,
    unit: str,
    year: int,
    values: pd.DataFrame,
    last: pd.DataFrame,
    others: pd.DataFrame,
) -> list[Problem]:
    """Warnings on the unit's values of ``year`` against its last value and the other units' median.

    ``values``: ``indicator_code, year, value, location`` (``file!sheet!cell``); ``last``: ``indicator_code,
    year, value`` — the unit's last accepted value of each indicator (its year before ``year``; where there is
    none, the form's own latest earlier year in ``values`` stands in); ``others``:
    ``indicator_code, value`` — the other units' accepted values of ``year``. The median takes the positive
    values of an indicator when at least :data:`~scoring.io.checks.MAGNITUDE_MIN_OTHERS` are given and none is
    negative (growth rates are not magnitudes), as the check across files does. A value off the median by
    :data:`~scoring.io.checks.MAGNITUDE_FACTOR` or more, or off its last value by :data:`LAST_FACTOR` or
    more, is a warning; else a change from the last value beyond ``method.yoy_warning`` (a share: 0.5 = ±50 %).
    """
    own = values[(values["year"] == year) & values["value"].notna()]
    own = own[["indicator_code", "value", "location"]]
    if own.empty:
        return []
    units = {node.code: node.unit or "" for node in system.collected}
    medians = _medians(others)
    last_of = _latest(last, year).assign(basis=0)
    # an indicator without an accepted last value is compared with the form's own earlier year (districts fill
    # three years per form: this year's value in 万元 next to last year's in 亿元 is caught too)
    own_earlier = _latest(values, year).assign(basis=1)
    last_of = pd.concat([last_of, own_earlier[~own_earlier.index.isin(last_of.index)]])
    frame = own.join(medians.rename("median"), on="indicator_code").join(
        last_of[["value", "year", "basis"]].rename(columns={"value": "last", "year": "last_year"}),
        on="indicator_code",
    )
    x, median, previous = (frame[c].to_numpy(dtype=np.float64) for c in ("value", "median", "last"))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        to_median = np.where((x > 0) & (median > 0), np.maximum(x / median, median / x), np.nan)
        to_last = np.where((x > 0) & (previous > 0), np.maximum(x / previous, previous / x), np.nan)
        change = np.where(previous != 0, (x - previous) / np.abs(previous), np.nan)
    threshold = system.method.yoy_warning
    with np.errstate(invalid="ignore"):
        # the rows with something to say, found at once: only those are built into problems (digiscore validate
        # runs this over whole long tables)
        candidates = (to_median >= MAGNITUDE_FACTOR) | (to_last >= LAST_FACTOR)
        if threshold is not None:
            candidates |= np.abs(change) > threshold
    problems: list[Problem] = []
    for k in np.flatnonzero(candidates).tolist():
        row = next(frame.iloc[[k]].itertuples(index=False))
        flagged = (to_median[k] >= MAGNITUDE_FACTOR, to_last[k] >= LAST_FACTOR)
        yoy = threshold is not None and not flagged[1] and abs(change[k]) > threshold
        if not (flagged[0] or flagged[1] or yoy):
            continue
        code, unit_name = str(row.indicator_code), units.get(str(row.indicator_code), "")
        where = Location.parse(str(row.location or ""))
        shown = {"value": format_number(float(row.value)), "unit": unit_name}
        if row.last == row.last:  # not NaN: say where the last value comes from
            shown |= dict(zip(("basis_zh", "basis_en"), BASIS[int(row.basis)], strict=True))

        def warn(code_: str, **params: object) -> None:
            problems.append(
                Problem(code_, Severity.WARNING, where, unit, code, year, params=shown | params)  # noqa: B023
            )

        if flagged[0]:
            decades = math.log10(float(row.value)) - math.log10(float(row.median))  # both > 0: flagged
            zh, en = likely_mixup(unit_name, float(row.value) / float(row.median), decades)
            warn(
                "cell.magnitude_vs_median",
                median=format(float(row.median), ".6g"),
                mixup_zh=zh,
                mixup_en=en,
                **_factor(to_median[k]),
            )
        if flagged[1]:
            decades = math.log10(float(row.value)) - math.log10(float(row.last))
            zh, en = likely_mixup(unit_name, float(row.value) / float(row.last), decades)
            warn(
                "cell.magnitude_vs_last",
                last=format_number(float(row.last)),
                last_year=int(row.last_year),
                mixup_zh=zh,
                mixup_en=en,
                **_factor(to_last[k]),
            )
        if yoy:
            warn(
                "cell.yoy_change",
                last=format_number(float(row.last)),
                last_year=int(row.last_year),
                change=f"{change[k] * 100:+.1f}",
                threshold=format_number(round(float(threshold) * 100, 6)),  # type: ignore[arg-type]
            )
    return problems


def _factor(ratio: float) -> dict[str, str]:
    """The ``factor`` parameter of a message, left out when it would be infinite or absurd (the message then
    says "more than a million times")."""
    text = factor_text(float(ratio))
    return {} if text is None else {"factor": text}


def _latest(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per indicator, the value (and its year) of the latest year before ``year`` that has one."""
    given = table[table["value"].notna() & (table["year"] < year)].sort_values("year", kind="stable")
    latest = given.drop_duplicates("indicator_code", keep="last").set_index("indicator_code")
    return latest[["value", "year"]]


def _medians(others: pd.DataFrame) -> pd.Series:
    """Per indicator, the median of the positive values, where there are enough and none is negative."""
    given = others[others["value"].notna()]
    if given.empty:
        return pd.Series(dtype=np.float64)
    grouped = given.groupby("indicator_code")["value"]
    negative = grouped.min() < 0
    positive = given[given["value"] > 0].groupby("indicator_code")["value"]
    enough = positive.count() >= MAGNITUDE_MIN_OTHERS
    medians = positive.median()
    keep = enough & ~negative.reindex(medians.index, fill_value=False)
    return medians[keep]
