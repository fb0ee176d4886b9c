"""Decomposition of a composite score into the contributions of its indicators ("back to the data").

Arithmetic parent P with applied weights w: child c contributes ``w_c·S_c`` and the contributions add up to S_P.
Geometric parent: ``ln S_P = Σ w_c ln S_c``, so child c gets the share ``w_c ln S_c / Σ_k w_k ln S_k`` of S_P
(or ``w_c`` when that sum is 0; and 0 each when S_P = 0). A node's contribution to the composite is passed down
to its children in proportion to their local contributions, so the indicators' contributions to the composite
add up to the composite exactly (to floating-point rounding).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
import pandas as pd

from scoring.methods import Stage, record
from scoring.pipeline.derive import formula_of
from scoring.problems import PipelineError, Problem
from scoring.system.models import IndicatorSystem


class Explained(Protocol):
    """What a decomposition reads from an evaluation (:class:`scoring.result.Evaluation` has it all); a
    protocol, so that this module does not import the result module, which imports it."""

    system: IndicatorSystem
    raw: pd.DataFrame
    scores: pd.DataFrame
    applied_weights: dict[str, pd.DataFrame]
    parts: pd.DataFrame


def _arithmetic_contributions(child_scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``w'_c·S_c`` for the present children."""
    return np.where(weights > 0, weights * np.nan_to_num(child_scores), 0.0)


def _geometric_contributions(child_scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``P·w'_c ln S_c / Σ_k w'_k ln S_k`` with ``P`` the weighted geometric mean (``P·w'_c`` when the sum is 0;
    all 0 when a child is 0, so that the product is 0)."""
    present = weights > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(present, weights * np.log(np.where(present, child_scores, 1.0)), 0.0)
    total = logs.sum()
    if not np.isfinite(total):  # a zero child: the product is 0 and no scored child contributes
        return np.zeros_like(weights)
    product = float(np.exp(total))
    return product * (logs / total if total != 0 else weights)


# Each aggregation method's local contributions, keyed by its record name (the contract test checks that every
# aggregation record has one).
CONTRIBUTIONS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "arithmetic": _arithmetic_contributions,
    "geometric": _geometric_contributions,
}


def local_shares(
    method: str, child_scores: np.ndarray, weights: np.ndarray, points: np.ndarray
) -> np.ndarray:
    """Each child's share of its parent's score: the scored children (in order), then bonus/deduction points.

    Local contributions: ``w'_c·S_c`` (arithmetic) or ``P·w'_c ln S_c / Σ_k w'_k ln S_k`` with ``P`` the weighted
    geometric mean (geometric), and the signed points of each bonus or deduction; shares are these over their
    sum (so a score clipped to the scale is still split in proportion).
    """
    name = record(Stage.AGGREGATION, method).name  # an alias decomposes as its method
    local = np.concatenate([CONTRIBUTIONS[name](child_scores, weights), np.nan_to_num(points)])
    total = local.sum()
    if total != 0:
        return local / total
    return np.concatenate([weights, np.zeros(len(points))])


def decompose(evaluation: Explained, unit: str, year: int) -> pd.DataFrame:
    """Rows for every node on the unit's tree: score, weight at its parent, overall weight, contribution; for a
    system with derived indicators also each one's ``formula`` and its ``parts`` (the values it was computed from)."""
    system = evaluation.system
    key = (year, unit)
    if key not in evaluation.scores.index:
        raise PipelineError(Problem("data.unknown_unit", unit=unit, year=year, params={"unit": unit}))
    scores = evaluation.scores.loc[key]
    raw = evaluation.raw.loc[key]
    composite = float(scores[system.composite.code])
    contribution: dict[str, float] = {system.composite.code: composite}
    applied_weight: dict[str, float] = {system.composite.code: 1.0}
    overall: dict[str, float] = {system.composite.code: 1.0}
    rows = []
    for node, depth, parent in system.walk():
        if node.children:
            scored = [c.code for c in node.scored_children]
            adjustments = [c.code for c in node.adjustments]
            w = evaluation.applied_weights[node.code].loc[key, scored].to_numpy(dtype=float)
            shares = local_shares(
                system.aggregate_method(node),
                scores[scored].to_numpy(dtype=float),
                w,
                scores[adjustments].to_numpy(dtype=float),
            )
            weights = np.concatenate([w, np.zeros(len(adjustments))])
            for child, share, weight in zip(scored + adjustments, shares, weights, strict=True):
                contribution[child] = contribution[node.code] * share
                applied_weight[child] = float(weight)
                overall[child] = overall[node.code] * float(weight)
        rows.append(
            {
                "node_code": node.code,
                "node_name": node.name,
                "level": depth,
                "parent": parent.code if parent else None,
                "raw_value": float(raw[node.code]) if node.is_indicator else np.nan,
                "unit": node.unit,
                "score": float(scores[node.code]),
                "weight": applied_weight[node.code],
                "overall_weight": overall[node.code],
                "contribution": contribution[node.code],
                "share": contribution[node.code] / composite if composite else np.nan,
            }
        )
    frame = pd.DataFrame(rows)
    if system.derived:
        frame["formula"] = [node.formula for node, _, _ in system.walk()]
        frame["parts"] = [_parts_text(evaluation.parts, key, node.formula) for node, _, _ in system.walk()]
    return frame


def _parts_text(parts: pd.DataFrame, key: tuple[int, str], formula: str | None) -> str | None:
    """``常住人口 = 52.3；5G基站数 = 1200`` for a derived indicator: the values its formula was computed from."""
    if formula is None:
        return None
    row = parts.loc[key]
    return "；".join(f"{code} = {_number(row[code])}" for code in formula_of(formula).codes)


def _number(value: float) -> str:
    return "—" if np.isnan(value) else f"{value:.10g}"
