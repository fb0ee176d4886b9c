"""Outlier treatment, as in COINr: Winsorise while |skew| and kurtosis exceed the thresholds, else log.

Skew and kurtosis are the sample-adjusted estimators (type 2 of R's e1071, pandas' ``skew``/``kurt``). A column
fails when ``|skew| > skew_threshold`` and ``kurtosis > kurtosis_threshold`` (COINr passes it when
``|skew| < 2 or kurtosis < 3.5``). Winsorisation replaces the most extreme value (all tied copies at once) with
the next value on that side, on the side of the current skew's sign, and re-checks, until the column passes or
``winmax`` points have been moved. If it still fails, the *original* column gets COINr's ``log_CT`` instead:
``ln(x − min + 0.01·(max − min))``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.registry import Registry
from scoring.system.models import Treatment


@dataclass
class ColumnTreatment:
    """What happened to one column in one comparability group."""

    action: str  # "none" | "winsorised" | "log"
    skew_before: float
    kurtosis_before: float
    skew_after: float
    kurtosis_after: float
    winsorised: list[int] = field(default_factory=list)  # row positions moved


TreatmentMethod = Callable[[np.ndarray, Treatment], tuple[np.ndarray, ColumnTreatment]]
TREATMENT: Registry[TreatmentMethod] = Registry("treatment")


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
    skew, kurt = skew_kurtosis(x)
    return x, ColumnTreatment("none", skew, kurt, skew, kurt)


@TREATMENT.register("winsorise")
def treat_winsorise(x: np.ndarray, spec: Treatment) -> tuple[np.ndarray, ColumnTreatment]:
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
        y[at_extreme] = rest.max() if skew >= 0 else rest.min()
        moved.extend(int(i) for i in np.flatnonzero(at_extreme) if int(i) not in moved)
        skew, kurt = skew_kurtosis(y)
    if not _fails(skew, kurt, spec):
        return y, ColumnTreatment("winsorised", skew0, kurt0, skew, kurt, moved)
    logged = log_ct(x)
    skew, kurt = skew_kurtosis(logged)
    return logged, ColumnTreatment("log", skew0, kurt0, skew, kurt)
