"""Variance-based sensitivity indices from a pick-freeze sample (Saltelli et al. 2010; Jansen 1999).

For one output Y and a sample laid out as N blocks ``A_j, A_B^1_j, …, A_B^k_j, B_j`` (see
:mod:`scoring.analysis.design`), with y centred by the mean of all N·(k + 2) outputs:

    V      = var(y_A ∪ y_B)                        (the 2N values of A and B, population variance)
    S_i    = (1/N) Σ_j y_B,j · (y_AB^i,j − y_A,j) / V          first-order index (Saltelli 2010)
    ST_i   = (1/2N) Σ_j (y_A,j − y_AB^i,j)² / V                 total-effect index (Jansen)

These are SALib's ``sobol.analyze`` estimators (which centre the outputs the same way). With many outputs
(one rank per unit) the indices are also aggregated over outputs u as variance-weighted means,

    S_i = Σ_u V_u·S_i,u / Σ_u V_u,     ST_i = Σ_u V_u·ST_i,u / Σ_u V_u,

the generalised indices of a multivariate output (Gamboa et al. 2014): the share of the total variance of
all units' ranks explained by factor i alone (S_i) or with its interactions (ST_i). An output that never
varies (V_u = 0) adds nothing to either sum and has no per-output index (NaN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SobolIndices:
    """First-order and total-effect indices, aggregated over outputs and per output (k × outputs)."""

    first_order: np.ndarray  # (k,)
    total_effect: np.ndarray  # (k,)
    first_order_by_output: np.ndarray  # (k, n_outputs), NaN where V_u = 0
    total_effect_by_output: np.ndarray  # (k, n_outputs)
    variance: np.ndarray  # (n_outputs,) V_u


def sobol_indices(outputs: np.ndarray, n_factors: int, chunk: int = 512) -> SobolIndices:
    """Indices of every output column of ``outputs`` (runs × n_outputs, runs = N·(k + 2) in design layout).

    Columns are processed ``chunk`` at a time, so the float copies stay small however many runs there are.
    """
    outputs = np.asarray(outputs)
    if outputs.ndim == 1:
        outputs = outputs[:, np.newaxis]
    step = n_factors + 2
    runs, n_out = outputs.shape
    if runs % step:
        raise ValueError(f"{runs} runs is not a multiple of k + 2 = {step}")
    n = runs // step
    first = np.zeros((n_factors, n_out))
    total = np.zeros((n_factors, n_out))
    variance = np.zeros(n_out)
    for start in range(0, n_out, chunk):
        columns = slice(start, min(start + chunk, n_out))
        y = outputs[:, columns].astype(float).reshape(n, step, -1)
        y -= y.mean(axis=(0, 1))
        a, b = y[:, 0], y[:, step - 1]
        variance[columns] = np.var(np.concatenate([a, b]), axis=0)
        for i in range(n_factors):
            ab = y[:, i + 1]
            first[i, columns] = np.mean(b * (ab - a), axis=0)
            total[i, columns] = 0.5 * np.mean((a - ab) ** 2, axis=0)
    varies = variance > 0
    with np.errstate(all="ignore"):
        by_first = np.where(varies, first / np.where(varies, variance, 1.0), np.nan)
        by_total = np.where(varies, total / np.where(varies, variance, 1.0), np.nan)
    v = variance.sum()
    return SobolIndices(
        first_order=first.sum(axis=1) / v if v > 0 else np.zeros(n_factors),
        total_effect=total.sum(axis=1) / v if v > 0 else np.zeros(n_factors),
        first_order_by_output=by_first,
        total_effect_by_output=by_total,
        variance=variance,
    )
