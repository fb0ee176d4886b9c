"""Weighting and aggregation, bottom-up over the tree: each parent's weights (per comparability group) and score.

Weights and aggregation interleave: a parent's data-driven weights (entropy, CRITIC) see its children's scores,
which are aggregated first, so the stage walks the tree from the indicators up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.pipeline.aggregate import AGGREGATION
from scoring.pipeline.groups import group_years
from scoring.pipeline.points import add_points
from scoring.pipeline.weights import WEIGHTING
from scoring.problems import Problem, Severity
from scoring.system.models import IndicatorSystem, Node


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
    # nodes set missing by their coverage rule: (row position, node code, coverage, threshold)
    below_coverage: list[tuple[int, str, float, float]] = field(default_factory=list)

    def coverage_problems(self) -> list[Problem]:
        """A warning per (unit, year, node) set missing by its ``min_coverage``."""
        index = self.scores.index
        return [
            Problem(
                "pipeline.node_coverage",
                Severity.WARNING,
                unit=str(index[row][1]),
                year=int(index[row][0]),
                params={"node": node, "coverage": coverage, "threshold": threshold},
            )
            for row, node, coverage, threshold in self.below_coverage
        ]

    @property
    def weights(self) -> pd.DataFrame:
        return pd.DataFrame(self.weight_rows)


def aggregate_tree(
    normalised: pd.DataFrame,
    system: IndicatorSystem,
    row_groups: list[np.ndarray],
    not_applicable: pd.DataFrame | None = None,
    fit_rows: np.ndarray | None = None,
) -> Aggregated:
    """Score every parent from its children, children before parents (reversed pre-order).

    With ``fit_rows`` (``comparability: frozen``) data-driven weights are learned once from those rows (the base
    years) and applied to every group. A parent with ``min_coverage`` is set missing in the rows where its coverage is below it
    (:func:`node_coverage`), before its own parent is scored (so that parent renormalises over it).
    """
    n = len(normalised)
    columns: dict[str, np.ndarray] = {code: normalised[code].to_numpy() for code in normalised.columns}
    weight_rows: list[dict[str, Any]] = []
    applied: dict[str, pd.DataFrame] = {}
    steps: list[ParentStep] = []
    years_of = [group_years(normalised.index, rows) for rows in row_groups]
    parents = [node for node, _, _ in system.walk() if node.children]
    below: list[tuple[int, str, float, float]] = []
    for node in reversed(parents):  # reversed pre-order: every child is scored before its parent
        children = [c.code for c in node.scored_children]
        child_scores = np.column_stack([columns[c] for c in children])
        weighting = system.weighting_method(node)
        aggregation = system.aggregate_method(node)
        aggregate = AGGREGATION[aggregation]
        value = np.full(n, np.nan)
        used = np.zeros((n, len(children)))
        frozen = (
            None if fit_rows is None else WEIGHTING[weighting](node, child_scores[fit_rows], system.method)
        )
        for rows, in_group in zip(row_groups, years_of, strict=True):
            w = (
                frozen
                if frozen is not None
                else WEIGHTING[weighting](node, child_scores[rows], system.method)
            )
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
        if node.min_coverage is not None:
            coverage = node_coverage(node, normalised, not_applicable, child_scores, weight_rows, years_of)
            low = ~np.isnan(value) & (coverage < node.min_coverage)
            value = np.where(low, np.nan, value)
            below.extend(
                (int(r), node.code, round(float(coverage[r]), 4), node.min_coverage)
                for r in np.flatnonzero(low)
            )
        columns[node.code] = value
        applied[node.code] = pd.DataFrame(used, index=normalised.index, columns=children)
        steps.append(ParentStep(node.code, aggregation, weighting))
    order = [node.code for node, _, _ in system.walk()]
    scores = pd.DataFrame({code: columns[code] for code in order}, index=normalised.index)
    return Aggregated(scores, weight_rows, applied, steps, sorted(below))


def node_coverage(
    node: Node,
    normalised: pd.DataFrame,
    not_applicable: pd.DataFrame | None,
    child_scores: np.ndarray,
    weight_rows: list[dict[str, Any]],
    years_of: list[list[int]],
) -> np.ndarray:
    """A parent's coverage per row.

    ``coverage_by: indicators``: present indicators below the node / indicators below it that apply (不适用
    ones are left out of both); ``weight``: the nominal weight of its scored children with a score over their
    total weight (the weights of the row's comparability group).
    """
    if node.coverage_by == "indicators":
        codes = [leaf.code for leaf in _leaves(node)]
        present = normalised[codes].notna().to_numpy()
        applies = (
            ~not_applicable[codes].to_numpy(dtype=bool)
            if not_applicable is not None
            else np.ones_like(present, dtype=bool)
        )
        with np.errstate(all="ignore"):
            return np.where(applies.sum(axis=1) > 0, present.sum(axis=1) / applies.sum(axis=1), 1.0)
    children = [c.code for c in node.scored_children]
    nominal = {
        (row["year"], row["child"]): row["weight"] for row in weight_rows if row["parent"] == node.code
    }
    years = normalised.index.get_level_values("year").to_numpy()
    w = np.array([[nominal[(int(y), c)] for c in children] for y in years], dtype=float)
    present = ~np.isnan(child_scores)
    return (w * present).sum(axis=1) / w.sum(axis=1)


def _leaves(node: Node) -> list[Node]:
    """The scored indicators below a node."""
    stack, leaves = [node], []
    while stack:
        current = stack.pop()
        for child in reversed(current.children or []):
            if child.role != "score":
                continue
            if child.children:
                stack.append(child)
            else:
                leaves.append(child)
    return leaves
