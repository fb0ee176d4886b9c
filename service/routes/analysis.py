"""The analyses beside the ranking (issue 14): coupling coordination, obstacle degrees, regional disparity and
ranks within unit groups (分类评价). Published rounds are public; staff also see a preview. The numbers are the
report's chapters' (``service.usecases.regional``); docs/analysis.md §6–§9 has every formula."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from service.context import ContextDep, PrincipalDep
from service.routes.results import NODE_PATTERN, PUBLIC_CACHE, YearPath
from service.schemas import PROBLEM_RESPONSES, SystemQuery
from service.usecases import read, regional

router = APIRouter(tags=["analysis"], responses=PROBLEM_RESPONSES)
AnalysisKind = Annotated[
    regional.Kind,
    Path(
        description="coordination (耦合协调度) | obstacles (障碍度) | disparity (区域差异) | groups (分类评价)"
    ),
]


def _json(document: object, published: bool) -> Response:
    return Response(
        read.dumps(document), media_type="application/json", headers=PUBLIC_CACHE if published else None
    )


@router.get("/rounds/{year}/analysis/groups")
def groups(
    year: YearPath,
    principal: PrincipalDep,
    context: ContextDep,
    node: Annotated[
        str | None, Query(pattern=NODE_PATTERN, description="node code; the composite by default")
    ] = None,
    system: SystemQuery = None,
) -> Response:
    """Ranks within each unit group (分类评价: 中心城区 / 外围区 / 县 / 功能区 in Jinan) on the composite or any
    node: ``group_rank``, ``group_size`` and, on the composite, the tier within the group (quantile tiers are
    recomputed among the group's units; threshold tiers are the unit's own)."""
    view = read.read_round(context, principal, year, system)
    return _json(regional.group_ranking(context, view, node), view.published)


@router.get("/rounds/{year}/analysis/{kind}")
def analysis(
    year: YearPath,
    kind: AnalysisKind,
    principal: PrincipalDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> Response:
    """One analysis of the round: ``coordination`` — per unit U of each subsystem, C, T, D, grade and the lagging
    subsystem; ``obstacles`` — per unit its top indicator obstacles and each dimension's obstacle degree, and the
    city's common obstacles; ``disparity`` — Gini, Theil (within/between groups), Dagum's decomposition and CV per
    year, σ-convergence and the kernel density per year; ``groups`` — as ``/analysis/groups``. An analysis the
    system cannot support answers 200 with ``error``: the reason, in Chinese and English."""
    view = read.read_round(context, principal, year, system)
    return _json(regional.regional_document(context, view, kind), view.published)
