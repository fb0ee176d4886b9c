"""The analyses beside the ranking — coupling coordination, obstacle degrees, regional disparity and evaluation
by class of unit (分类评价) — for a round's results, as documents the JSON API returns and the dashboard draws.

One computation, three views: the documents are :mod:`scoring.analysis.regional`'s, built from the same
:func:`~scoring.analysis.regional.regional_analysis` the report's chapters read, on the evaluation behind the
round's results; once per published snapshot and worker (kept in the results cache), afresh for a preview.
"""

from __future__ import annotations

from typing import Any, Literal

from service.context import ServiceContext
from service.errors import not_found
from service.usecases.read import RoundRead

Kind = Literal["coordination", "obstacles", "disparity", "groups"]


def regional_documents(context: ServiceContext, read: RoundRead) -> dict[str, dict[str, Any]]:
    """Every ``kind`` document of the round (see :mod:`scoring.analysis.regional`) from one analysis; an analysis
    the system cannot support gives ``{"year", "error": problem}`` with the reason in Chinese and English."""

    def build() -> dict[str, dict[str, Any]]:
        from scoring.analysis import regional  # the analysis stack loads on first use

        evaluation = read.evaluation()
        found = regional.regional_analysis(evaluation)
        system = evaluation.system
        names = system.unit_names
        nodes = {code: node.name for code, node in system.nodes.items()}
        return {
            "coordination": regional.coordination_document(found, names),
            "obstacles": regional.obstacles_document(found, names, nodes),
            "disparity": regional.disparity_document(found),
            "groups": regional.groups_document(found),
        }

    documents: dict[str, dict[str, Any]] = read.derived(context, ("regional",), build)
    return documents


def regional_document(context: ServiceContext, read: RoundRead, kind: Kind) -> dict[str, Any]:
    """The ``kind`` document of the round (one of :func:`regional_documents`)."""
    return regional_documents(context, read)[kind]


def group_ranking(context: ServiceContext, read: RoundRead, node: str | None) -> dict[str, Any]:
    """Ranks (and tiers, on the composite) within each unit group on ``node`` (the composite by default), the
    groups in unit-list order: the 分类评价 of :func:`scoring.analysis.unit_groups.group_ranking`."""
    chosen = node or read.system.composite.code
    if chosen not in read.system.nodes:
        raise not_found(f"node {chosen}")
    if chosen == read.system.composite.code:
        return regional_document(context, read, "groups")

    def build() -> dict[str, Any]:
        from scoring.analysis.unit_groups import group_order
        from scoring.analysis.unit_groups import group_ranking as ranked
        from scoring.outputs import records

        evaluation = read.evaluation()
        frame = ranked(evaluation, node=chosen).reset_index()
        return {"year": read.year, "node": chosen, "groups": group_order(evaluation), "units": records(frame)}

    document: dict[str, Any] = read.derived(context, ("regional", "groups", chosen), build)
    return document
