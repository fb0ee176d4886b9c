"""Composite scores of many replications at once: the tree's aggregation as matrix products.

A replication differs from another by its weights (and by the indicator matrix it starts from, chosen by its
normalisation and missing-data policy). For a fixed indicator matrix Y (units × indicators, missing cells
NaN) and R replications whose weights form the columns of a matrix W (edges × R), every parent node P with
children c is, for all units and replications at once,

    num_P = Σ_c s_c · W_c        den_P = Σ_c 1[c present] · W_c        s_P = num_P / den_P

where ``s_c`` is the child's score (or its logarithm under geometric aggregation) with missing children set to
0. Over indicator children this is one matrix product ``Y_P @ W_P`` (units × k by k × R); the denominator
``M_P @ W_P`` with M the presence mask renormalises the weights over the children present, exactly as the
engine's applied weights ``w'_c = w_c / Σ_{present} w_k`` do (``den`` = the column sums of W where nothing is
missing). Geometric aggregation is the same computation on logarithms: ``ln S_P = Σ w'_c ln s_c``; a zero
child score enters as ``−1e250`` so that ``exp`` gives exactly 0, as the engine's product does. Whether a
node is present (some descendant indicator has a value) does not depend on the weights, so the masks are
computed once per indicator matrix.

Two additions to that form. A **bonus or deduction** child (methods.md §5) is outside the weights: its points
(the indicator's column of the normalised matrix, weight-independent) are added to the parent's linear score,
which is then clipped to the scale, ``s_P ← clip(s_P + Σ points, lo, hi)`` — the engine's rule. A **zero
weight** (an indicator left out by the uncertainty analysis) removes the child: ``den_P`` then depends on the
replication, and a parent whose present children all weigh 0 is missing in that replication, as a parent of
a removed subtree is in the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.methods import Stage, find, records
from scoring.pipeline.rank import TIE_DECIMALS
from scoring.problems import PipelineError, Problem
from scoring.system.models import IndicatorSystem, Node

LOG_ZERO = -1e250  # ln 0 in the log domain: finite, so that 0 · LOG_ZERO = 0 in a matrix product


@dataclass(frozen=True)
class BatchedForm:
    """An aggregation as a weighted mean in some domain: ``s_P = back(Σ_c w'_c·forward(s_c))``, linear (the
    arithmetic mean) or logarithmic (the geometric mean: forward = ln, back = exp)."""

    log_domain: bool


# The batched forms the aggregation records name (``MethodRecord.batched``); the contract test checks that every
# aggregation record names one of these.
BATCHED_FORMS: dict[str, BatchedForm] = {
    "weighted_mean": BatchedForm(log_domain=False),
    "weighted_log_mean": BatchedForm(log_domain=True),
}
SUPPORTED_AGGREGATION = tuple(
    name for record in records(Stage.AGGREGATION) if record.batched in BATCHED_FORMS for name in record.names
)


def batched_form(aggregation: str) -> BatchedForm:
    """The batched form of an aggregation method (one of :data:`SUPPORTED_AGGREGATION`)."""
    found = find(Stage.AGGREGATION, aggregation)
    assert found is not None and found.batched is not None  # TreeLayout.aggregations checked it
    return BATCHED_FORMS[found.batched]


@dataclass(frozen=True)
class ParentBlock:
    """One parent node: its children, which of them are indicators (and their matrix columns), its edges."""

    code: str
    aggregation: str  # the system's own method for this node
    children: tuple[str, ...]
    indicator_slots: np.ndarray  # positions among the children of the indicator children
    indicator_columns: np.ndarray  # their columns in the indicator matrix
    node_slots: tuple[int, ...]  # positions among the children of the node children
    node_children: tuple[str, ...]
    edges: slice  # rows of the flat edge-weight vector
    adjustment_columns: np.ndarray  # matrix columns of the bonus / deduction children (points)
    ahp: np.ndarray | None = None  # the pairwise matrix, when the parent is weighted by AHP
    min_coverage: float | None = None  # the node's coverage rule (methods.md, coverage rules)
    coverage_by: str = "indicators"
    leaf_columns: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=int)
    )  # scored indicators below
    leaf_edges: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # and the edges into them


@dataclass(frozen=True)
class TreeLayout:
    """The system's tree flattened for batch scoring: parent blocks bottom-up and one weight per edge.

    Edges are numbered block by block (children before parents), each block's scored children in file order,
    so a parent's weights are the contiguous slice ``edges``; bonus and deduction children have no edge.
    """

    blocks: tuple[ParentBlock, ...]
    edge_parent: tuple[str, ...]
    edge_child: tuple[str, ...]
    root: str
    indicator_codes: tuple[str, ...]

    @classmethod
    def from_system(cls, system: IndicatorSystem) -> TreeLayout:
        column = {code: j for j, code in enumerate(system.indicator_codes)}
        parents = [node for node, _, _ in system.walk() if node.children]
        blocks = []
        edge_parent: list[str] = []
        edge_child: list[str] = []
        edge_of: dict[str, int] = {}  # the edge into each scored child
        for node in reversed(parents):  # reversed pre-order: every child before its parent
            children = node.scored_children
            start = len(edge_child)
            edge_of.update((c.code, start + k) for k, c in enumerate(children))
            leaves = _scored_leaves(node) if node.min_coverage is not None else []
            edge_parent.extend(node.code for _ in children)
            edge_child.extend(c.code for c in children)
            indicator_slots = [k for k, c in enumerate(children) if c.is_indicator]
            node_slots = [k for k, c in enumerate(children) if not c.is_indicator]
            blocks.append(
                ParentBlock(
                    code=node.code,
                    aggregation=system.aggregate_method(node),
                    children=tuple(c.code for c in children),
                    indicator_slots=np.array(indicator_slots, dtype=int),
                    indicator_columns=np.array(
                        [column[children[k].code] for k in indicator_slots], dtype=int
                    ),
                    node_slots=tuple(node_slots),
                    node_children=tuple(children[k].code for k in node_slots),
                    edges=slice(start, len(edge_child)),
                    adjustment_columns=np.array([column[c.code] for c in node.adjustments], dtype=int),
                    ahp=np.array(node.ahp, dtype=float)
                    if node.ahp is not None and system.weighting_method(node) == "ahp"
                    else None,
                    min_coverage=node.min_coverage,
                    coverage_by=node.coverage_by,
                    leaf_columns=np.array([column[leaf.code] for leaf in leaves], dtype=int),
                    leaf_edges=np.array([edge_of[leaf.code] for leaf in leaves], dtype=int),
                )
            )
        return cls(
            blocks=tuple(blocks),
            edge_parent=tuple(edge_parent),
            edge_child=tuple(edge_child),
            root=system.composite.code,
            indicator_codes=tuple(system.indicator_codes),
        )

    @property
    def n_edges(self) -> int:
        return len(self.edge_child)

    def nominal_weights(self, weights: pd.DataFrame, year: int) -> np.ndarray:
        """The evaluation's nominal weights of the year (``Evaluation.weights``) as a flat edge vector."""
        rows = weights[weights["year"] == year]
        lookup = {
            (p, c): float(w) for p, c, w in zip(rows["parent"], rows["child"], rows["weight"], strict=True)
        }
        return np.array([lookup[(p, c)] for p, c in zip(self.edge_parent, self.edge_child, strict=True)])

    def aggregations(self, level: str | None) -> tuple[str, ...]:
        """Each block's aggregation: the system's own (``level=None``) or ``level`` everywhere."""
        methods = tuple(b.aggregation if level is None else level for b in self.blocks)
        unsupported = sorted({m for m in methods if m not in SUPPORTED_AGGREGATION})
        if unsupported:
            raise PipelineError(
                Problem(
                    "analysis.unsupported_aggregation",
                    params={"methods": ", ".join(unsupported), "supported": ", ".join(SUPPORTED_AGGREGATION)},
                )
            )
        return methods


def _scored_leaves(node: Node) -> list[Node]:
    """The scored indicators below a node (bonus and deduction indicators and their subtrees left out)."""
    leaves: list[Node] = []
    for child in node.scored_children:
        leaves.extend([child] if child.is_indicator else _scored_leaves(child))
    return leaves


class PreparedScores:
    """One indicator matrix (units × indicators, NaN missing) made ready for :func:`batch_composites`.

    Holds per parent block the indicator children's scores with missing cells as 0 (and their logarithms,
    computed on first use), the presence mask of all its children, and which units have a score at each node.
    """

    def __init__(
        self,
        layout: TreeLayout,
        scores: np.ndarray,
        scale: tuple[float, float] = (0.0, 100.0),
        points: np.ndarray | None = None,
        points_factor: float = 1.0,
        applicable: np.ndarray | None = None,
    ):
        """``scores``: the indicator matrix; ``scale``: the clip of a parent with bonus / deduction children;
        ``points``: the matrix whose columns hold their points (default ``scores``), times ``points_factor``;
        ``applicable``: False where the unit marked the indicator 不适用 (default: everything applies), for
        the coverage rule ``coverage_by: indicators``."""
        self.layout = layout
        self.scale = scale
        source = scores if points is None else points
        self.points: dict[str, np.ndarray] = {
            block.code: points_factor * np.nansum(source[:, block.adjustment_columns], axis=1)
            for block in layout.blocks
            if block.adjustment_columns.size
        }
        present = ~np.isnan(scores)
        self.n_units = scores.shape[0]
        self._filled = np.where(present, scores, 0.0)
        self._present = present
        self._logs: dict[str, np.ndarray] = {}
        self.node_present: dict[str, np.ndarray] = {
            code: present[:, j] for j, code in enumerate(layout.indicator_codes)
        }
        self.children_present: dict[str, np.ndarray] = {}
        self.indicator_present: dict[str, np.ndarray] = {}
        self.complete: dict[str, bool] = {}
        self.partial_rows: dict[str, np.ndarray] = {}  # units missing some child of the block
        self.linear: dict[str, np.ndarray] = {}
        applies = np.ones_like(present) if applicable is None else np.asarray(applicable, dtype=bool)
        # a node's presence from its children (``aggregated``) and after its own coverage rule at the nominal
        # weights (``node_present``, what its parent sees); the coverage counts of ``coverage_by: indicators``
        self.aggregated: dict[str, np.ndarray] = {}
        self.leaf_present: dict[str, np.ndarray] = {}
        self.leaf_applies: dict[str, np.ndarray] = {}
        for block in layout.blocks:
            mask = np.column_stack([self.node_present[c] for c in block.children])
            self.children_present[block.code] = mask.astype(float)
            self.indicator_present[block.code] = np.ascontiguousarray(
                self._present[:, block.indicator_columns].astype(float)
            )
            self.complete[block.code] = bool(mask.all())
            self.partial_rows[block.code] = np.flatnonzero(~mask.all(axis=1))
            aggregated = np.asarray(mask.any(axis=1), dtype=bool)
            self.aggregated[block.code] = aggregated
            self.node_present[block.code] = aggregated
            if block.min_coverage is not None and block.coverage_by == "indicators":
                leaf_present = present[:, block.leaf_columns].astype(float)
                leaf_applies = applies[:, block.leaf_columns].astype(float)
                self.leaf_present[block.code] = leaf_present
                self.leaf_applies[block.code] = leaf_applies
                coverage = _coverage_share(leaf_present.sum(axis=1), leaf_applies.sum(axis=1))
                self.node_present[block.code] = aggregated & ~(coverage < block.min_coverage)
            self.linear[block.code] = np.ascontiguousarray(self._filled[:, block.indicator_columns])

    def logs(self, block: ParentBlock) -> np.ndarray:
        """``ln y`` of the block's indicator children (``LOG_ZERO`` for 0, 0 where missing)."""
        if block.code not in self._logs:
            y = self._filled[:, block.indicator_columns]
            present = self._present[:, block.indicator_columns]
            if (y[present] < 0).any():
                raise PipelineError(Problem("pipeline.geometric_negative", params={"node": block.code}))
            with np.errstate(divide="ignore"):
                logged = np.where(y > 0, np.log(np.where(y > 0, y, 1.0)), LOG_ZERO)
            self._logs[block.code] = np.where(present, logged, 0.0)
        return self._logs[block.code]


def _as_domain(value: np.ndarray, is_log: bool, want_log: bool, present: np.ndarray) -> np.ndarray:
    """A node's scores in the linear or log domain, 0 where the node is missing."""
    if is_log == want_log:
        return value
    if want_log:
        with np.errstate(divide="ignore"):
            converted = np.where(value > 0, np.log(np.where(value > 0, value, 1.0)), LOG_ZERO)
    else:
        converted = np.exp(value)
    converted[~present] = 0.0
    return converted


def batch_composites(
    prepared: PreparedScores, aggregations: Sequence[str], weights: np.ndarray
) -> np.ndarray:
    """Composite scores (units × R) of R replications whose edge weights are the columns of ``weights``.

    ``aggregations`` gives each block's method (:meth:`TreeLayout.aggregations`). Each parent's weights must be
    non-negative; they need not sum to 1 (the division by ``den`` renormalises). A child of weight 0 is left
    out. A unit with no indicator value (or only left-out ones) gets NaN.
    """
    layout = prepared.layout
    r = weights.shape[1]
    # per node: its value (units × R, 0 where missing), whether in the log domain, and where it is present
    # (units, or units × R once a zero weight made presence depend on the replication)
    values: dict[str, tuple[np.ndarray, bool, np.ndarray]] = {}
    for block, method in zip(layout.blocks, aggregations, strict=True):
        geometric = batched_form(method).log_domain
        w = weights[block.edges]
        children = [values.pop(child) for child in block.node_children]
        child_presence = [child_present for _, _, child_present in children]
        # presence per replication is needed only when a child's presence already varies by replication, or a
        # zero weight leaves a present unit without any weighted child (checked below)
        per_run = any(present.ndim == 2 for _, _, present in children)
        num: np.ndarray | None = None
        den: np.ndarray | None = None
        if block.indicator_slots.size:
            w_indicators = w[block.indicator_slots]
            source = prepared.logs(block) if geometric else prepared.linear[block.code]
            num = source @ w_indicators
            if per_run:
                den = prepared.indicator_present[block.code] @ w_indicators
        for slot, (value, is_log, child_present) in zip(block.node_slots, children, strict=True):
            term = _as_domain(value, is_log, geometric, child_present)
            term *= w[slot]  # in place: the child's values are not used again
            if num is None:
                num = term
            else:
                num += term
            if per_run:
                mask = child_present if child_present.ndim == 2 else child_present[:, np.newaxis]
                weight = mask * w[slot]
                den = weight if den is None else den + weight
        assert num is not None  # a parent has at least one child
        present: np.ndarray = prepared.aggregated[block.code]
        if not per_run:
            # den is the column sum of w for the units with every child present; only the others (few, as a
            # rule) need their own den, from the presence mask
            total = w.sum(axis=0)
            partial = prepared.partial_rows[block.code]
            den_partial = prepared.children_present[block.code][partial] @ w
            den_partial[~present[partial]] = 1.0
            if (total <= 0).any() or (den_partial <= 0).any():  # a unit's present children all left out
                per_run = True
            else:
                scored_partial = num[partial] / den_partial
                scored_partial[~present[partial]] = 0.0
                num /= total
                num[partial] = scored_partial
        if per_run:
            if den is None:
                den = prepared.children_present[block.code] @ w
            runs_present = (den > 0) & (present if present.ndim == 2 else present[:, np.newaxis])
            num /= np.where(runs_present, den, 1.0)
            num[~np.broadcast_to(runs_present, num.shape)] = 0.0
            present = np.broadcast_to(runs_present, num.shape)
        if block.code in prepared.points:
            # bonus / deduction points on the linear score, clipped to the scale (missing parents stay 0)
            linear = np.exp(num) if geometric else num
            linear = np.clip(linear + prepared.points[block.code][:, np.newaxis], *prepared.scale)
            mask = present if present.ndim == 2 else present[:, np.newaxis]
            num, geometric = np.where(mask, linear, 0.0), False
        if block.min_coverage is not None:
            below = _below_coverage(prepared, block, weights, child_presence)
            if below.ndim == 2:
                present = (present if present.ndim == 2 else present[:, np.newaxis]) & ~below
                present = np.broadcast_to(present, num.shape)
            else:
                present = present & ~below if present.ndim == 1 else present & ~below[:, np.newaxis]
            num[~np.broadcast_to(present if present.ndim == 2 else present[:, np.newaxis], num.shape)] = 0.0
        values[block.code] = (num, geometric, present)
    value, is_log, present = values[layout.root]
    composite = np.exp(value) if is_log else value
    composite[~np.broadcast_to(present if present.ndim == 2 else present[:, np.newaxis], composite.shape)] = (
        np.nan
    )
    assert composite.shape == (prepared.n_units, r)
    return composite


def _coverage_share(present: np.ndarray, applies: np.ndarray) -> np.ndarray:
    """``#present / #applicable`` (1 where nothing applies), the engine's ``node_coverage``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(applies > 0, present / np.where(applies > 0, applies, 1.0), 1.0)


def _below_coverage(
    prepared: PreparedScores, block: ParentBlock, weights: np.ndarray, child_presence: list[np.ndarray]
) -> np.ndarray:
    """Where the node falls below its ``min_coverage``: units (the same in every replication) or units × R.

    ``coverage_by: indicators`` counts the scored indicators below the node that are present over those that
    apply; an indicator left out of a replication (weight 0) leaves both counts, as removing it from the file
    does — so the share is the nominal one unless some indicator below is left out. ``coverage_by: weight``
    is the weight of the children with a score over the weight of all children, with the replication's
    weights (the engine's nominal weights of that replication's variant system): it changes with every
    replication where some child is missing.
    """
    assert block.min_coverage is not None
    if block.coverage_by == "indicators":
        kept = weights[block.leaf_edges] > 0  # leaves × R
        if kept.all():
            return prepared.aggregated[block.code] & ~prepared.node_present[block.code]
        k = kept.astype(float)
        share = _coverage_share(prepared.leaf_present[block.code] @ k, prepared.leaf_applies[block.code] @ k)
        return share < block.min_coverage
    indicators_present = prepared.indicator_present[block.code]
    if indicators_present.all() and all(p.ndim == 1 and p.all() for p in child_presence):
        return np.zeros(prepared.n_units, dtype=bool)  # every child present: the share is 1 in every run
    w = weights[block.edges]
    covered = indicators_present @ w[block.indicator_slots]
    for slot, child_present in zip(block.node_slots, child_presence, strict=True):
        mask = child_present if child_present.ndim == 2 else child_present[:, np.newaxis]
        covered = covered + mask * w[slot]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = covered / w.sum(axis=0)[np.newaxis, :]
    return np.asarray(share < block.min_coverage)


def rank_descending(scores: np.ndarray, decimals: int = TIE_DECIMALS) -> np.ndarray:
    """Ranks along axis 1 (rows = replications, columns = units): highest = 1, ties share the best rank.

    Scores are compared rounded to ``decimals`` decimals, the engine's rule (``scoring.pipeline.rank``), so that
    equal scores reached by different floating-point sums are ties. Missing scores get rank 0 (unranked).
    """
    keys = -np.round(scores, decimals)
    order = np.argsort(keys, axis=1)  # NaN sorts last; the order among tied keys does not matter
    ordered = np.take_along_axis(keys, order, axis=1)
    n = scores.shape[1]
    position = np.broadcast_to(np.arange(1, n + 1, dtype=np.int32), ordered.shape)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ranked = np.maximum.accumulate(np.where(starts, position, 0), axis=1).astype(np.int32)
    ranks = np.empty_like(ranked)
    np.put_along_axis(ranks, order, ranked, axis=1)
    ranks[np.isnan(scores)] = 0
    return ranks
