"""Variants of an indicator system: the same tree and data with one methodological choice changed.

A variant is always built with the model's constructor, never with ``model_copy(update={"tree": …})``: the
system caches views of its tree (``indicators``, ``root``, ``nodes``) and ``model_copy`` copies those caches, so a
copy with a new tree would still answer with the old one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoring.methods import Bound, Stage, find
from scoring.system.models import IndicatorSystem, Node


def rebuild_system(system: IndicatorSystem, **updates: Any) -> IndicatorSystem:
    """A new system with some fields replaced (fresh caches of the tree views)."""
    fields = {name: getattr(system, name) for name in IndicatorSystem.model_fields}
    fields.update(updates)
    return IndicatorSystem(**fields)


def shifted(value: float, direction: int, shift: float) -> float:
    """A goalpost or target moved by ``shift`` (a signed share) of its magnitude, in the indicator's direction:
    ``b' = b + d·shift·|b|`` — positive ``shift`` is stricter (higher for d = +1, lower for d = −1)."""
    return value + direction * shift * abs(value)


def _indicator_update(node: Node, shift: float | None, points_scale: float | None) -> dict[str, Any]:
    """An indicator's goalposts and target moved by ``shift`` (:func:`shifted`) and its points scaled."""
    update: dict[str, Any] = {}
    if shift:
        if node.goalposts is not None:
            update["goalposts"] = tuple(shifted(b, node.direction, shift) for b in node.goalposts)
        target = node.target
        if target is not None and target.value is not None:  # an annual_rate target keeps its rate
            moved: dict[str, Any] = {"value": shifted(target.value, node.direction, shift)}
            if target.by_unit:
                moved["by_unit"] = {u: shifted(v, node.direction, shift) for u, v in target.by_unit.items()}
            update["target"] = target.model_copy(update=moved)
    if points_scale is not None and node.points is not None:
        update["points"] = node.points.model_copy(
            update={"per_unit": node.points.per_unit * points_scale, "cap": node.points.cap * points_scale}
        )
    return update


def _strip_node(
    node: Node,
    drop: dict[str, Any],
    weights: Mapping[str, float] | None,
    shift: float | None = None,
    points_scale: float | None = None,
) -> Node:
    """The node with the given per-node options dropped (``drop``: option → None), explicit weights set, and
    its indicators' goalposts, targets and points changed (:func:`_indicator_update`)."""
    update: dict[str, Any] = {}
    if weights is not None and node.code in weights:
        update["weight"] = weights[node.code]
    if node.children:
        update["children"] = [_strip_node(c, drop, weights, shift, points_scale) for c in node.children]
        update.update({k: v for k, v in drop.items() if k != "normalise"})
    else:
        if "normalise" in drop:
            update["normalise"] = None
        update.update(_indicator_update(node, shift, points_scale))
    return node.model_copy(update=update)


def _without(nodes: list[Node], code: str) -> list[Node]:
    """The nodes with indicator ``code`` removed, and any parent left without a scored child with it."""
    kept = []
    for node in nodes:
        if node.code == code:
            continue
        if node.children:
            children = _without(node.children, code)
            if not any(c.role == "score" for c in children):
                continue
            if len(children) != len(node.children):  # a child removed: its AHP matrix no longer fits
                node = node.model_copy(update={"children": children, "ahp": None})
            elif any(a is not b for a, b in zip(children, node.children or [], strict=True)):
                node = node.model_copy(update={"children": children})
        kept.append(node)
    return kept


def variant_system(
    system: IndicatorSystem,
    *,
    normalise: str | None = None,
    missing: str | None = None,
    aggregate: str | None = None,
    weighting: str | None = None,
    scale: tuple[float, float] | None = None,
    weights: Mapping[str, float] | None = None,
    tiers: bool = True,
    treat: str | None = None,
    goalpost_shift: float | None = None,
    points_scale: float | None = None,
    without: str | None = None,
) -> IndicatorSystem:
    """The system with methods replaced everywhere.

    ``normalise`` replaces the normalisation of every indicator (per-indicator overrides are dropped);
    ``aggregate`` / ``weighting`` replace the method of every parent node, the composite included (per-node
    overrides dropped); ``weights`` (child code → weight) sets explicit weights, used with ``weighting="fixed"``;
    ``treat`` replaces the outlier treatment; ``goalpost_shift`` moves every goalpost and target
    (:func:`shifted`); ``points_scale`` multiplies the points of bonus and deduction indicators; ``without``
    removes one indicator (and a parent left with no scored child); ``None`` keeps what the system says.
    """
    method_update: dict[str, Any] = {}
    if normalise is not None:
        method_update["normalise"] = normalise
    if missing is not None:
        method_update["missing"] = missing
    if aggregate is not None:
        method_update["aggregate"] = aggregate
    if weighting is not None:
        method_update["weighting"] = weighting
    if scale is not None:
        method_update["scale"] = scale
    if treat is not None:
        method_update["treat"] = treat
    drop: dict[str, Any] = {}
    if normalise is not None:
        drop["normalise"] = None
    if aggregate is not None:
        drop["aggregate"] = None
    if weighting is not None:
        drop.update(weighting=None, combine=None)
    tree = [_strip_node(n, drop, weights, goalpost_shift, points_scale) for n in system.tree]
    if without is not None:
        tree = _without(tree, without)
    composite = system.composite.model_copy(update={k: v for k, v in drop.items() if k != "normalise"})
    return rebuild_system(
        system,
        tree=tree,
        composite=composite,
        method=system.method.model_copy(update=method_update),
        tiers=system.tiers if tiers else None,
    )


def normalisation_label(system: IndicatorSystem) -> str:
    """The system's normalisation as one word: the method if every indicator uses the same, else ``mixed``."""
    methods = {system.normalise_method(i) for i in system.indicators}
    return methods.pop() if len(methods) == 1 else "mixed"


def aggregation_label(system: IndicatorSystem) -> str:
    """The system's aggregation as one word: the method if every parent node uses the same, else ``mixed``."""
    methods = {system.aggregate_method(node) for node, _, _ in system.walk() if node.children}
    return methods.pop() if len(methods) == 1 else "mixed"


def score_range(method: str, system: IndicatorSystem) -> tuple[float, float] | None:
    """The fixed range of a normalisation method's scores (its record's ``bounded``), or ``None`` when it depends
    on the data: the system scale [lo, hi], or [base, base + span] for the efficacy coefficient."""
    found = find(Stage.NORMALISATION, method)
    if found is None or found.bounded is None or found.bounded is Bound.NONE:
        return None
    if found.bounded is Bound.EFFICACY:
        return system.method.efficacy.base, system.method.efficacy.base + system.method.efficacy.span
    return system.method.scale
