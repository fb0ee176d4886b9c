"""Weighting and aggregation, bottom-up over the tree: each parent's weights (per comparability group) and score.

Weights and aggregation interleave: a parent's data-driven weights (entropy, CRITIC) see its children's scores,
which are aggregated first, so the stage walks the tree from the indicators up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.pipeline.aggregate import AGGREGATION
from scoring.pipeline.groups import group_years
from scoring.pipeline.points import add_points
from scoring.pipeline.weights import WEIGHTING
from scoring.system.models import IndicatorSystem


@dataclass(frozen=True)
class ParentStep:
    """How one parent was scored: its aggregation and weighting methods."""

    node: str
    aggregation: str
    weighting: str


@dataclass(frozen=True)
class Aggregated:
    """The stage's output: every node's score, the nominal weights each group learned or was given (long:
    year, parent, child, weight, method), the weights applied per row after skipping missing children, and
    the methods of each parent in the order scored."""

    scores: pd.DataFrame
    weight_rows: list[dict[str, Any]]
    applied: dict[str, pd.DataFrame]
    parents: list[ParentStep]

    @property
    def weights(self) -> pd.DataFrame:
        return pd.DataFrame(self.weight_rows)


def aggregate_tree(
    normalised: pd.DataFrame, system: IndicatorSystem, row_groups: list[np.ndarray]
) -> Aggregated:
    """Score every parent from its children, children before parents (reversed pre-order)."""
    n = len(normalised)
    columns: dict[str, np.ndarray] = {code: normalised[code].to_numpy() for code in normalised.columns}
    weight_rows: list[dict[str, Any]] = []
    applied: dict[str, pd.DataFrame] = {}
    steps: list[ParentStep] = []
    years_of = [group_years(normalised.index, rows) for rows in row_groups]
    parents = [node for node, _, _ in system.walk() if node.children]
    for node in reversed(parents):  # reversed pre-order: every child is scored before its parent
        children = [c.code for c in node.scored_children]
        child_scores = np.column_stack([columns[c] for c in children])
        weighting = system.weighting_method(node)
        aggregation = system.aggregate_method(node)
        aggregate = AGGREGATION[aggregation]
        value = np.full(n, np.nan)
        used = np.zeros((n, len(children)))
        for rows, in_group in zip(row_groups, years_of, strict=True):
            w = WEIGHTING[weighting](node, child_scores[rows], system.method)
            value[rows], used[rows] = aggregate(child_scores[rows], w, node.code)
            for child, weight in zip(children, w, strict=True):
                weight_rows.extend(
                    {
                        "year": y,
                        "parent": node.code,
                        "child": child,
                        "weight": float(weight),
                        "method": weighting,
                    }
                    for y in in_group
                )
        if node.adjustments:
            points = np.column_stack([columns[c.code] for c in node.adjustments])
            value = add_points(value, points, system.method.scale)
        columns[node.code] = value
        applied[node.code] = pd.DataFrame(used, index=normalised.index, columns=children)
        steps.append(ParentStep(node.code, aggregation, weighting))
    order = [node.code for node, _, _ in system.walk()]
    scores = pd.DataFrame({code: columns[code] for code in order}, index=normalised.index)
    return Aggregated(scores, weight_rows, applied, steps)
