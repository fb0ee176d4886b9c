"""Outlier treatment, as in COINr: Winsorise while |skew| and kurtosis exceed the thresholds, else log.

Skew and kurtosis are the sample-adjusted estimators (type 2 of R's e1071, pandas' ``skew``/``kurt``). A column
fails when ``|skew| > skew_threshold`` and ``kurtosis > kurtosis_threshold`` (COINr passes it when
``|skew| < 2 or kurtosis < 3.5``). Winsorisation replaces the most extreme value (all tied copies at once) with
the next value on that side, on the side of the current skew's sign, and re-checks, until the column passes or
``winmax`` points have been moved. If it still fails, the *original* column gets COINr's ``log_CT`` instead:
``ln(x − min + 0.01·(max − min))``. When a move would leave every value of the column equal, the column is
returned untreated (as COINr does) and the log says so (action ``untreated_constant``), instead of a constant
column that gives every unit the same score.

Every method works on a matrix (rows × columns) and treats its columns independently but together: the
statistics of all columns are one numpy reduction, and each Winsorisation step moves the extreme values of
every column still failing at once (the uncertainty analysis treats 3 000 × 200 matrices many times over).
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
    winsorised: list[int] = field(default_factory=list)  # row positions moved, in the order first moved


# a method treats the columns of a matrix (rows × columns): the treated matrix, and per column what was done
TreatmentMethod = Callable[[np.ndarray, Treatment], tuple[np.ndarray, list[ColumnTreatment]]]
TREATMENT: Registry[TreatmentMethod] = Registry(Stage.TREATMENT)


def skew_kurtosis_columns(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Type-2 sample skewness and excess kurtosis of each column of ``x`` (rows × columns) over its
    non-missing values, all columns in one pass:

        G1 = n·√(n − 1)/(n − 2) · S3 / S2^{3/2}
        G2 = n(n + 1)(n − 1)·S4 / ((n − 2)(n − 3)·S2²) − 3(n − 1)²/((n − 2)(n − 3))

    with ``S_k = Σ(x − x̄)^k`` over the column's ``n`` values. NaN where ``n < 3`` (skew), ``n < 4`` (kurtosis)
    or the values are all equal (``S2 = 0``), as pandas gives.
    """
    columns = np.ascontiguousarray(np.asarray(x, dtype=float).T)  # a column per row: pairwise sums, as pandas
    present = ~np.isnan(columns)
    n = present.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, columns, 0.0).sum(axis=1) / n
        dev = np.where(present, columns - mean[:, np.newaxis], 0.0)
        dev2 = dev * dev
        s2 = dev2.sum(axis=1)
        s3 = (dev2 * dev).sum(axis=1)
        s4 = (dev2 * dev2).sum(axis=1)
        skew = n * np.sqrt(n - 1) / (n - 2) * s3 / s2**1.5
        kurt = n * (n + 1) * (n - 1) * s4 / ((n - 2) * (n - 3) * s2**2) - 3 * (n - 1) ** 2 / (
            (n - 2) * (n - 3)
        )
    flat = s2 == 0
    skew[(n < 3) | flat] = np.nan
    kurt[(n < 4) | flat] = np.nan
    return skew, kurt


def skew_kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Type-2 sample skewness and excess kurtosis over the non-missing values of one column (NaN if too few
    values); see :func:`skew_kurtosis_columns`."""
    skew, kurt = skew_kurtosis_columns(np.asarray(x, dtype=float).reshape(-1, 1))
    return float(skew[0]), float(kurt[0])


def _fails(skew: np.ndarray, kurt: np.ndarray, spec: Treatment) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (np.abs(skew) > spec.skew) & (kurt > spec.kurtosis)  # NaN never fails


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr's ``log_CT`` of each column: ``ln(x − min + 0.01·(max − min))``."""
    lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    return np.log(x - lo + 0.01 * (hi - lo))


@TREATMENT.register("none")
def treat_none(x: np.ndarray, spec: Treatment) -> tuple[np.ndarray, list[ColumnTreatment]]:
    """Leave the columns as they are (their skew and kurtosis are still measured)."""
    skew, kurt = skew_kurtosis_columns(x)
    return x, [ColumnTreatment("none", s, k, s, k) for s, k in zip(skew.tolist(), kurt.tolist(), strict=True)]


@TREATMENT.register("winsorise")
def treat_winsorise(x: np.ndarray, spec: Treatment) -> tuple[np.ndarray, list[ColumnTreatment]]:
    """COINr's Winsorisation with the ``log_CT`` fallback (see the module docstring), every column at once.

    Each step takes the columns still failing with fewer than ``winmax`` distinct points moved, and in each of
    them moves every copy of the extreme value (the maximum when the current skew is ≥ 0, else the minimum) to
    the next value on that side; a column whose move would leave every value equal stops untreated.
    """
    y = np.array(x, dtype=float, copy=True)
    n_columns = y.shape[1]
    skew0, kurt0 = skew_kurtosis_columns(y)
    skew, kurt = skew0.copy(), kurt0.copy()
    ever_moved = np.zeros(y.shape, dtype=bool)
    none = np.zeros(0, dtype=np.intp)
    first_moves = [(none, none, none)]  # (step, column, row) of each cell's first move
    n_moved = np.zeros(n_columns, dtype=np.int64)
    active = _fails(skew0, kurt0, spec)  # columns still being Winsorised
    constant = np.zeros(n_columns, dtype=bool)  # columns a move would flatten: returned untreated
    step = 0
    while True:
        active &= _fails(skew, kurt, spec) & (n_moved < spec.winmax)
        columns = np.flatnonzero(active)
        if columns.size == 0:
            break
        block = y[:, columns]
        present = ~np.isnan(block)
        upward = skew[columns] >= 0
        extreme = np.where(
            upward,
            np.where(present, block, -np.inf).max(axis=0),
            np.where(present, block, np.inf).min(axis=0),
        )
        at_extreme = present & (block == extreme)
        rest = present & ~at_extreme
        rest_high = np.where(rest, block, -np.inf).max(axis=0)
        rest_low = np.where(rest, block, np.inf).min(axis=0)
        empty = ~rest.any(axis=0)  # nothing else to move to: stop (the column still fails → log)
        flat = ~empty & (rest_low == rest_high)  # the move would leave every value equal
        moving = ~empty & ~flat
        target = np.where(upward, rest_high, rest_low)
        moves = at_extreme & moving
        block[moves] = np.broadcast_to(target, block.shape)[moves]
        y[:, columns] = block
        newly = moves & ~ever_moved[:, columns]
        rows_new, slots_new = np.nonzero(newly)
        ever_moved[rows_new, columns[slots_new]] = True
        first_moves.append((np.full(rows_new.size, step, dtype=np.intp), columns[slots_new], rows_new))
        n_moved[columns] += newly.sum(axis=0)
        constant[columns[flat]] = True
        active[columns[~moving]] = False
        if moving.any():
            skew[columns[moving]], kurt[columns[moving]] = skew_kurtosis_columns(block[:, moving])
        step += 1
    failing = _fails(skew, kurt, spec) & ~constant
    treated = _fails(skew0, kurt0, spec) & ~constant
    logged = np.flatnonzero(treated & failing)
    if logged.size:
        y[:, logged] = log_ct(np.asarray(x, dtype=float)[:, logged])
        skew[logged], kurt[logged] = skew_kurtosis_columns(y[:, logged])
    y[:, constant] = np.asarray(x, dtype=float)[:, constant]
    # each column's moved rows in the order first moved (by step, then row)
    steps, owners, rows = (np.concatenate(parts) for parts in zip(*first_moves, strict=True))
    order = np.lexsort((rows, steps, owners))
    owners, rows = owners[order], rows[order]
    starts = np.searchsorted(owners, np.arange(n_columns + 1))
    outcomes = []
    for j in range(n_columns):
        s0, k0 = float(skew0[j]), float(kurt0[j])
        if constant[j]:
            outcomes.append(ColumnTreatment("untreated_constant", s0, k0, s0, k0))
        elif not treated[j]:
            outcomes.append(ColumnTreatment("none", s0, k0, s0, k0))
        elif failing[j]:
            outcomes.append(ColumnTreatment("log", s0, k0, float(skew[j]), float(kurt[j])))
        else:
            moved = rows[starts[j] : starts[j + 1]].tolist()
            outcomes.append(ColumnTreatment("winsorised", s0, k0, float(skew[j]), float(kurt[j]), moved))
    return y, outcomes


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
    data); fixed goalposts and targets are in raw units, so their indicators are left alone. The columns of one
    comparability group are treated together (one call of the method per group)."""
    flags = pd.DataFrame("", index=x.index, columns=x.columns)
    name = system.method.treat
    spec = system.method.treatment
    if name == "none":
        return Treated(name, x, flags, [], spec)
    treat = TREATMENT[name]
    treated_by = method_names(Stage.NORMALISATION, treated=True)
    columns = np.array(
        [
            j
            for j, indicator in enumerate(system.indicators)
            if indicator.role == "score" and system.normalise_method(indicator) in treated_by
        ],
        dtype=int,
    )
    original = x.to_numpy()
    values = original.copy()
    actions = np.full(
        values.shape, "", dtype=object
    )  # the flags, filled in numpy (a DataFrame per cell is slow)
    found: list[tuple[int, int, dict[str, Any]]] = []  # (column, group) → detail, listed column by column
    for g, rows in enumerate(row_groups):
        if columns.size == 0:
            break
        years = group_years(x.index, rows)
        block, outcomes = treat(values[np.ix_(rows, columns)], spec)
        values[np.ix_(rows, columns)] = block
        for j, outcome in zip(columns.tolist(), outcomes, strict=True):
            if outcome.action == "none":
                continue
            present = rows[~np.isnan(original[rows, j])]
            moved = rows[outcome.winsorised] if outcome.winsorised else present
            if outcome.action != "untreated_constant":  # logged below, but no value changed
                actions[moved, j] = outcome.action
            detail = {
                "indicator_code": system.indicators[j].code,
                "years": years,
                "action": outcome.action,
                "skew_before": outcome.skew_before,
                "kurtosis_before": outcome.kurtosis_before,
                "skew_after": outcome.skew_after,
                "kurtosis_after": outcome.kurtosis_after,
                "units": [x.index[r][1] for r in rows[outcome.winsorised]],
            }
            found.append((j, g, detail))
    details = [detail for _, _, detail in sorted(found, key=lambda item: (item[0], item[1]))]
    flags = pd.DataFrame(actions, index=x.index, columns=x.columns)
    return Treated(name, pd.DataFrame(values, index=x.index, columns=x.columns), flags, details, spec)
