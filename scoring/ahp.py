"""AHP (层次分析法): weights of a pairwise comparison matrix and its consistency.

Below the system layer, because the loader refuses an inconsistent matrix (CR ≥ ``AHP_MAX_CR``, see
:mod:`scoring.methods`) and the weighting stage uses the weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.methods import saaty_ri


@dataclass(frozen=True)
class AhpResult:
    """Principal-eigenvector weights of a pairwise matrix and its consistency."""

    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float


def ahp_weights(pairwise: list[list[float]] | np.ndarray) -> AhpResult:
    """AHP (层次分析法): principal eigenvector of the pairwise matrix A, scaled to sum 1.

    ``λmax`` is its eigenvalue, ``CI = (λmax − n)/(n − 1)``, ``CR = CI / RI(n)`` with Saaty's RI; for n ≤ 2
    the matrix is always consistent (CI = CR = 0).
    """
    a = np.asarray(pairwise, dtype=float)
    n = a.shape[0]
    eigenvalues, eigenvectors = np.linalg.eig(a)
    k = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, k].real)
    lambda_max = float(eigenvalues[k].real)
    if n <= 2:
        return AhpResult(vector / vector.sum(), float(n), 0.0, 0.0)
    ci = (lambda_max - n) / (n - 1)
    return AhpResult(vector / vector.sum(), lambda_max, ci, ci / saaty_ri(n))


def ahp_weights_batch(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`ahp_weights` of many pairwise matrices at once (m × n × n): their weights (m × n) and CR (m)."""
    m, n, _ = matrices.shape
    eigenvalues, eigenvectors = np.linalg.eig(matrices)
    k = np.argmax(eigenvalues.real, axis=1)
    vectors = np.abs(np.take_along_axis(eigenvectors.real, k[:, np.newaxis, np.newaxis], axis=2)[:, :, 0])
    weights = vectors / vectors.sum(axis=1, keepdims=True)
    if n <= 2:
        return weights, np.zeros(m)
    lambda_max = eigenvalues.real[np.arange(m), k]
    return weights, (lambda_max - n) / (n - 1) / saaty_ri(n)
