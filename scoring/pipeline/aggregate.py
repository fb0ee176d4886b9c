"""Aggregation: a parent's score from its children's scores and weights.

Each method takes the children's scores (rows × k, NaN for missing) and the weights (k, summing to 1) and
returns the parent's scores and the weights actually applied per row: missing children are skipped and the
remaining weights rescaled to sum to 1 (COINr's convention), so the applied weights explain every score.
A row whose children are all missing gets NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scoring.methods import Stage
from scoring.problems import PipelineError, Problem
from scoring.registry import Registry

Aggregator = Callable[[np.ndarray, np.ndarray, str], tuple[np.ndarray, np.ndarray]]
AGGREGATION: Registry[Aggregator] = Registry(Stage.AGGREGATION)


def applied_weights(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``w_ij = w_j / Σ_{k present in row i} w_k`` for present children, 0 for missing ones."""
    w = np.where(np.isnan(scores), 0.0, weights[np.newaxis, :])
    total = w.sum(axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        return np.where(total > 0, w / np.where(total > 0, total, 1.0), 0.0)


@AGGREGATION.register("arithmetic")
def aggregate_arithmetic(scores: np.ndarray, weights: np.ndarray, node: str) -> tuple[np.ndarray, np.ndarray]:
    """Weighted arithmetic mean ``Σ_j w_ij y_ij`` over the children present."""
    w = applied_weights(scores, weights)
    value = np.where(w > 0, np.nan_to_num(scores) * w, 0.0).sum(axis=1)
    return np.where(w.sum(axis=1) > 0, value, np.nan), w


@AGGREGATION.register("geometric")
def aggregate_geometric(scores: np.ndarray, weights: np.ndarray, node: str) -> tuple[np.ndarray, np.ndarray]:
    """Weighted geometric mean ``Π_j y_ij^{w_ij}`` over the children present.

    Needs y ≥ 0: a negative child score is an error; a zero child score makes the parent 0 (the product's
    value, not a shift).
    """
    if (np.nan_to_num(scores, nan=0.0) < 0).any():
        raise PipelineError(Problem("pipeline.geometric_negative", params={"node": node}))
    w = applied_weights(scores, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(w > 0, np.log(np.where(w > 0, scores, 1.0)) * w, 0.0)
    value = np.exp(logs.sum(axis=1))  # a zero child gives log 0 = −inf and exp(−inf) = 0
    return np.where(w.sum(axis=1) > 0, value, np.nan), w
