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


def _strip_node(node: Node, drop: dict[str, Any], weights: Mapping[str, float] | None) -> Node:
    """The node with the given per-node options dropped (``drop``: option → None) and explicit weights set."""
    update: dict[str, Any] = {}
    if weights is not None and node.code in weights:
        update["weight"] = weights[node.code]
    if node.children:
        update["children"] = [_strip_node(c, drop, weights) for c in node.children]
        update.update({k: v for k, v in drop.items() if k != "normalise"})
    elif "normalise" in drop:
        update["normalise"] = None
    return node.model_copy(update=update)


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
) -> IndicatorSystem:
    """The system with methods replaced everywhere.

    ``normalise`` replaces the normalisation of every indicator (per-indicator overrides are dropped);
    ``aggregate`` / ``weighting`` replace the method of every parent node, the composite included (per-node
    overrides dropped); ``weights`` (child code → weight) sets explicit weights, used with ``weighting="fixed"``;
    ``None`` keeps what the system says.
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
    drop: dict[str, Any] = {}
    if normalise is not None:
        drop["normalise"] = None
    if aggregate is not None:
        drop["aggregate"] = None
    if weighting is not None:
        drop.update(weighting=None, combine=None)
    tree = [_strip_node(n, drop, weights) for n in system.tree]
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
