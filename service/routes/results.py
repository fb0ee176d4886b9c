"""Rankings, unit profiles and comparisons: published results for everyone, previews for staff.

The ranking handler is the hot path: for a published round it answers from memory (the year's snapshot
reference, then the encoded page) without a database call or a thread hop; only a miss goes to a thread.
Which results a caller may read is the use cases' rule (``service.usecases.read``).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from service.context import ContextDep, PrincipalDep
from service.routes.submissions import attachment
from service.schemas import PROBLEM_RESPONSES, UNIT_PATTERN, YEAR_MAX, YEAR_MIN, RankingPage, SystemQuery
from service.usecases import maps, read
from service.usecases.read import Document

router = APIRouter(tags=["results"], responses=PROBLEM_RESPONSES)
YearPath = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX, description="the year of the round")]
UnitPath = Annotated[str, Path(pattern=UNIT_PATTERN, description="unit code (区县编码)")]
NODE_PATTERN = r"^[^\s!]{1,100}$"
CSV = "text/csv; charset=utf-8"
PUBLIC_CACHE = {"Cache-Control": "public, max-age=300"}


@router.get(
    "/rounds/{year}/rankings",
    response_class=Response,
    responses={
        200: {
            "model": RankingPage,
            "content": {"text/csv": {}},
            "description": "a page of the ranking (JSON, or CSV with format=csv)",
        },
        304: {"description": "not modified (If-None-Match)"},
    },
)
async def rankings(
    request: Request,
    year: YearPath,
    principal: PrincipalDep,
    context: ContextDep,
    node: Annotated[
        str | None, Query(pattern=NODE_PATTERN, description="node code; the composite by default")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[
        int | None, Query(ge=1, le=100_000, description="page size (JSON default 50; CSV: all)")
    ] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
    system: SystemQuery = None,
) -> Response:
    """Units in rank order on the composite or any node: score, rank, tier, change from last year.

    Published rounds are public; staff also see a preview of an unpublished round, scored afresh per request.
    """
    settings = context.settings
    size = min(
        limit or (settings.page_size if format == "json" else settings.max_page_size), settings.max_page_size
    )
    media = "application/json" if format == "json" else CSV
    page = read.cached_ranking(context, year, node, offset, size, format, system)
    if page is None:
        page = await run_in_threadpool(
            read.ranking, context, principal, year, node, offset, size, format, system
        )
    if page.ref is None:
        return Response(page.body, media_type=media, headers={"Cache-Control": "no-store"})
    key = (page.ref.snapshot_id, node or "", offset, size, format)
    etag = '"' + hashlib.sha256(f"{page.ref.sha256}{key}".encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag} | PUBLIC_CACHE
    if format == "csv":
        name = f"rankings_{page.system_id}_{year}_{node or 'composite'}.csv"
        headers["Content-Disposition"] = attachment(name)
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(page.body, media_type=media, headers=headers)


def _json(document: Document) -> Response:
    """A cached document is public for five minutes; a preview gets no cache header (as before)."""
    return Response(
        document.body, media_type="application/json", headers=PUBLIC_CACHE if document.published else None
    )


@router.get("/rounds/{year}/units/{unit}/profile")
def profile(
    year: YearPath, unit: UnitPath, principal: PrincipalDep, context: ContextDep, system: SystemQuery = None
) -> Response:
    """A unit's profile (一区一档): score, rank and change on every node, each node's contribution to the
    composite (they add up to it), target attainment, and the trend over the years of the data."""
    return _json(read.unit_profile(context, principal, year, unit, system))


@router.get("/rounds/{year}/compare")
def compare(
    year: YearPath,
    a: Annotated[str, Query(pattern=UNIT_PATTERN, description="first unit code")],
    b: Annotated[str, Query(pattern=UNIT_PATTERN, description="second unit code")],
    principal: PrincipalDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> Response:
    """Two units side by side on every node: scores, ranks and the difference a − b."""
    return Response(
        read.dumps(read.compare_units(context, principal, year, a, b, system)), media_type="application/json"
    )


@router.get("/rounds/{year}/units/{unit}/whatif")
def whatif(
    year: YearPath, unit: UnitPath, principal: PrincipalDep, context: ContextDep, system: SystemQuery = None
) -> Response:
    """What-if and gap analysis for a unit: the gap to the unit ranked directly above, broken down by node;
    the composite and rank if each indicator reached its goal; the gain per 1 % of each indicator's range."""
    return _json(read.unit_whatif(context, principal, year, unit, system))


@router.get("/rounds/{year}/map")
def round_map(
    year: YearPath,
    principal: PrincipalDep,
    context: ContextDep,
    node: Annotated[
        str | None, Query(pattern=NODE_PATTERN, description="node code; the composite by default")
    ] = None,
    system: SystemQuery = None,
) -> Response:
    """The map of the round: the boundaries of the units (GeoJSON FeatureCollection, ``properties.code`` and
    ``properties.name``; empty when the system's unit list names no boundary file), marked points of units
    without an official boundary (functional zones), every unit not drawn as a boundary with the reason, and each
    unit's score and rank on ``node``."""
    return Response(
        read.dumps(maps.round_map(context, principal, year, node, system)),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


@router.get(
    "/rounds/{year}/report.{fmt}",
    response_class=Response,
    responses={200: {"description": "the annual evaluation report (综合评价报告) as Word, Excel or HTML"}},
)
def report(
    year: YearPath,
    fmt: Annotated[Literal["docx", "xlsx", "html"], Path(description="docx | xlsx | html")],
    principal: PrincipalDep,
    context: ContextDep,
    system: SystemQuery = None,
    lang: Annotated[
        Literal["zh", "en"], Query(description="the report's language: zh (default) or en (English edition)")
    ] = "zh",
) -> Response:
    """The year's annual evaluation report, built from the published snapshot's inputs (built once per format
    and language and kept in memory); staff get a preview of an unpublished round."""
    from scoring.report import MEDIA_TYPES  # the report stack loads on first use, not at start-up

    document = read.round_report(context, principal, year, fmt, system, lang)
    suffix = "" if lang == "zh" else f"_{lang}"
    headers = {"Content-Disposition": attachment(f"report_{document.system_id}_{year}{suffix}.{fmt}")}
    return Response(document.body, media_type=MEDIA_TYPES[fmt], headers=headers)
