"""Weighting: the weights of a parent node's children, fixed by the file or derived from the data.

Every method returns weights that sum to 1 over the children with role ``score``, in their order (bonus and
deduction indicators are outside the weights). Derived methods
(entropy, CRITIC) see the children's scores as a units × children matrix (normalised indicators at the bottom
level, aggregated scores above), with NaN for missing values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scoring.ahp import AhpResult as AhpResult  # re-exported: the AHP method's computation lives below
from scoring.ahp import ahp_weights as ahp_weights
from scoring.methods import SAATY_RI as SAATY_RI  # re-exported: the report's AHP table reads it here
from scoring.methods import Stage
from scoring.pipeline.columns import column_stat
from scoring.problems import PipelineError, Problem
from scoring.registry import Registry
from scoring.system.models import Method, Node

CORRELATION_DECIMALS = 12

WeightingMethod = Callable[[Node, np.ndarray, Method], np.ndarray]
WEIGHTING: Registry[WeightingMethod] = Registry(Stage.WEIGHTING)


def _unit_sum(values: np.ndarray) -> np.ndarray:
    total = values.sum()
    if not np.isfinite(total) or total <= 0:
        return np.full(len(values), 1.0 / len(values))
    return values / total


def entropy_weights(matrix: np.ndarray) -> np.ndarray:
    """Entropy weights (熵权法) of the columns of a non-negative matrix.

    ``p_ij = y_ij / Σ_i y_ij``, ``e_j = −(1/ln n_j) Σ_i p_ij ln p_ij`` with ``0·ln 0 = 0`` and ``n_j`` the number of
    non-missing values in column j, ``w_j = (1 − e_j) / Σ_k (1 − e_k)``. A column with fewer than two values or
    summing to 0 carries no information: ``e_j = 1``. If every column has ``e_j = 1`` the weights are equal.
    """
    y = np.asarray(matrix, dtype=float)
    if np.nanmin(y, initial=0.0) < 0:
        raise PipelineError(Problem("pipeline.entropy_negative"))
    present = ~np.isnan(y)
    n = present.sum(axis=0)
    totals = np.nansum(y, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(present, y, 0.0) / totals
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        e = -plogp.sum(axis=0) / np.log(n)
    e = np.where((n >= 2) & (totals > 0), e, 1.0)
    return _unit_sum(1.0 - e)


def critic_weights(matrix: np.ndarray) -> np.ndarray:
    """CRITIC weights: ``C_j = σ_j · Σ_k (1 − r_jk)``, ``w_j = C_j / Σ C``.

    ``σ_j`` is the sample standard deviation (ddof = 1) of column j and ``r_jk`` the Pearson correlation of
    columns j and k over the units where both are present, rounded to 12 decimals. A constant column has σ = 0
    and correlation taken as 0. If every ``C_j`` is 0 the weights are equal.
    """
    y = np.asarray(matrix, dtype=float)
    if y.shape[1] == 1:
        return np.ones(1)
    sigma = column_stat(np.nanstd, y, min_count=2, ddof=1)
    if np.isnan(y).any():
        import pandas as pd  # pairwise-complete correlations are pandas' job

        r = pd.DataFrame(y).corr().to_numpy()
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.corrcoef(y, rowvar=False)
    # Rounded so that a correlation of exactly 1 computed as 0.9999999999999999 does not turn rounding noise
    # into weights (which would then depend on the order of the units).
    r = np.round(np.nan_to_num(r, nan=0.0), CORRELATION_DECIMALS)
    np.fill_diagonal(r, 1.0)
    c = np.nan_to_num(sigma) * (1.0 - r).sum(axis=0)
    return _unit_sum(c)


def fixed_weights(node: Node) -> np.ndarray:
    """The children's weights as written, rescaled to sum to 1."""
    given = np.array([child.weight if child.weight is not None else np.nan for child in node.scored_children])
    if np.isnan(given).any():
        missing = [c.code for c, w in zip(node.scored_children, given, strict=True) if np.isnan(w)]
        raise PipelineError(
            Problem(
                "system.invalid", params={"detail": f"{node.code}: fixed weights need a weight on {missing}"}
            )
        )
    return given / given.sum()


@WEIGHTING.register("fixed")
def weighting_fixed(node: Node, scores: np.ndarray, method: Method) -> np.ndarray:
    """``w_j = a_j / Σ_k a_k`` with ``a`` the children's weights in the file."""
    return fixed_weights(node)


@WEIGHTING.register("equal")
def weighting_equal(node: Node, scores: np.ndarray, method: Method) -> np.ndarray:
    """``w_j = 1/n``."""
    n = len(node.scored_children)
    return np.full(n, 1.0 / n)


@WEIGHTING.register("entropy")
def weighting_entropy(node: Node, scores: np.ndarray, method: Method) -> np.ndarray:
    """Entropy weights of the children's scores (:func:`entropy_weights`)."""
    return entropy_weights(scores)


@WEIGHTING.register("critic")
def weighting_critic(node: Node, scores: np.ndarray, method: Method) -> np.ndarray:
    """CRITIC weights of the children's scores (:func:`critic_weights`)."""
    return critic_weights(scores)


@WEIGHTING.register("ahp")
def weighting_ahp(node: Node, scores: np.ndarray, method: Method) -> np.ndarray:
    """The principal-eigenvector weights of the node's pairwise matrix (:func:`ahp_weights`)."""
    if node.ahp is None:
        raise PipelineError(
            Problem(
                "system.invalid", params={"detail": f"{node.code}: weighting 'ahp' needs an 'ahp' matrix"}
            )
        )
    return ahp_weights(node.ahp).weights


@WEIGHTING.register("combined")
def weighting_combined(node: Node, scores: np.ndarray, method: Method) -> np.ndarray:
    """组合赋权: ``w = α·w_subjective + (1 − α)·w_objective`` (both already summing to 1)."""
    spec = node.combine or method.combine
    subjective = WEIGHTING[spec.subjective](node, scores, method)
    objective = WEIGHTING[spec.objective](node, scores, method)
    return spec.alpha * subjective + (1.0 - spec.alpha) * objective
