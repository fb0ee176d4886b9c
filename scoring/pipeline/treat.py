"""Outlier treatment, as in COINr: Winsorise while |skew| and kurtosis exceed the thresholds, else log.

Skew and kurtosis are the sample-adjusted estimators (type 2 of R's e1071, pandas' ``skew``/``kurt``). A column
fails when ``|skew| > skew_threshold`` and ``kurtosis > kurtosis_threshold`` (COINr passes it when
``|skew| < 2 or kurtosis < 3.5``). Winsorisation replaces the most extreme value (all tied copies at once) with
the next value on that side, on the side of the current skew's sign, and re-checks, until the column passes or
``winmax`` points have been moved. If it still fails, the *original* column gets COINr's ``log_CT`` instead:
``ln(x − min + 0.01·(max − min))``. When a move would leave every value of the column equal, the column is
returned untreated (as COINr does) and the log says so (action ``untreated_constant``), instead of a constant
column that gives every unit the same score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.methods import Stage, method_names
from scoring.pipeline.groups import group_years
from scoring.registry import Registry
from scoring.system.models import IndicatorSystem, Treatment


@dataclass
class ColumnTreatment:
    """What happened to one column in one comparability group."""

    action: (
        str  # "none" | "winsorised" | "log" | "untreated_constant" (left alone: treating would flatten it)
    )
    skew_before: float
    kurtosis_before: float
    skew_after: float
    kurtosis_after: float
    winsorised: list[int] = field(default_factory=list)  # row positions moved


TreatmentMethod = Callable[[np.ndarray, Treatment], tuple[np.ndarray, ColumnTreatment]]
TREATMENT: Registry[TreatmentMethod] = Registry(Stage.TREATMENT)


def skew_kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Type-2 sample skewness and excess kurtosis over the non-missing values (NaN if too few values)."""
    values = pd.Series(x[~np.isnan(x)])
    skew = float(values.skew()) if len(values) >= 3 else float("nan")
    kurt = float(values.kurt()) if len(values) >= 4 else float("nan")
    return skew, kurt


def _fails(skew: float, kurt: float, spec: Treatment) -> bool:
    return bool(abs(skew) > spec.skew and kurt > spec.kurtosis)


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr's ``log_CT``: ``ln(x − min + 0.01·(max − min))``."""
    lo, hi = np.nanmin(x), np.nanmax(x)
    return np.log(x - lo + 0.01 * (hi - lo))


@TREATMENT.register("none")
def treat_none(x: np.ndarray, spec: Treatment) -> tuple[np.ndarray, ColumnTreatment]:
    """Leave the column as it is (its skew and kurtosis are still measured)."""
    skew, kurt = skew_kurtosis(x)
    return x, ColumnTreatment("none", skew, kurt, skew, kurt)


@TREATMENT.register("winsorise")
def treat_winsorise(x: np.ndarray, spec: Treatment) -> tuple[np.ndarray, ColumnTreatment]:
    """COINr's Winsorisation with the ``log_CT`` fallback (see the module docstring)."""
    skew0, kurt0 = skew_kurtosis(x)
    if not _fails(skew0, kurt0, spec):
        return x, ColumnTreatment("none", skew0, kurt0, skew0, kurt0)
    y = x.copy()
    moved: list[int] = []  # distinct row positions, in the order first moved
    skew, kurt = skew0, kurt0
    while _fails(skew, kurt, spec) and len(moved) < spec.winmax:
        present = ~np.isnan(y)
        extreme = np.nanmax(y) if skew >= 0 else np.nanmin(y)
        at_extreme = present & (y == extreme)
        rest = y[present & ~at_extreme]
        if rest.size == 0:
            break
        if rest.min() == rest.max():
            # the move would leave every value equal (a constant column scores everyone the same): COINr
            # returns the column untreated, and so does this, saying so in the log
            return x, ColumnTreatment("untreated_constant", skew0, kurt0, skew0, kurt0)
        y[at_extreme] = rest.max() if skew >= 0 else rest.min()
        moved.extend(int(i) for i in np.flatnonzero(at_extreme) if int(i) not in moved)
        skew, kurt = skew_kurtosis(y)
    if not _fails(skew, kurt, spec):
        return y, ColumnTreatment("winsorised", skew0, kurt0, skew, kurt, moved)
    logged = log_ct(x)
    skew, kurt = skew_kurtosis(logged)
    return logged, ColumnTreatment("log", skew0, kurt0, skew, kurt)


# ------------------------------------------------------------------------------------------------- the stage


@dataclass(frozen=True)
class Treated:
    """The treatment stage: the matrix after treatment, each cell's action (``""`` untouched), and per treated
    column and group what was done (skew and kurtosis before and after, the units moved)."""

    method: str
    values: pd.DataFrame
    flags: pd.DataFrame
    treated: list[dict[str, Any]]
    spec: Treatment

    def log_detail(self) -> dict[str, Any]:
        return {"treated": self.treated, **self.spec.model_dump()}


def treat_stage(x: pd.DataFrame, system: IndicatorSystem, row_groups: list[np.ndarray]) -> Treated:
    """Outlier treatment of the scored indicators whose normalisation's record says ``treated`` (bounds from the
    data); fixed goalposts and targets are in raw units, so their indicators are left alone."""
    flags = pd.DataFrame("", index=x.index, columns=x.columns)
    name = system.method.treat
    spec = system.method.treatment
    if name == "none":
        return Treated(name, x, flags, [], spec)
    treat = TREATMENT[name]
    treated_by = method_names(Stage.NORMALISATION, treated=True)
    original = x.to_numpy()
    values = original.copy()
    actions = np.full(
        values.shape, "", dtype=object
    )  # the flags, filled in numpy (a DataFrame per cell is slow)
    details = []
    for j, indicator in enumerate(system.indicators):
        if indicator.role != "score" or system.normalise_method(indicator) not in treated_by:
            continue
        for rows in row_groups:
            column, outcome = treat(values[rows, j], spec)
            values[rows, j] = column
            if outcome.action == "none":
                continue
            present = rows[~np.isnan(original[rows, j])]
            moved = rows[outcome.winsorised] if outcome.winsorised else present
            if outcome.action != "untreated_constant":  # logged below, but no value changed
                actions[moved, j] = outcome.action
            details.append(
                {
                    "indicator_code": indicator.code,
                    "years": group_years(x.index, rows),
                    "action": outcome.action,
                    "skew_before": outcome.skew_before,
                    "kurtosis_before": outcome.kurtosis_before,
                    "skew_after": outcome.skew_after,
                    "kurtosis_after": outcome.kurtosis_after,
                    "units": [x.index[r][1] for r in rows[outcome.winsorised]],
                }
            )
    flags = pd.DataFrame(actions, index=x.index, columns=x.columns)
    return Treated(name, pd.DataFrame(values, index=x.index, columns=x.columns), flags, details, spec)
