"""Rankings, unit profiles and comparisons: published results for everyone, previews for staff.

The ranking handler is the hot path: for a published round it answers from memory (the year's snapshot
reference, then the encoded page) without a database call or a thread hop; only a miss goes to a thread.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from scoring.evaluate import Evaluation
from service import results as res
from service.auth import Principal
from service.context import ContextDep, PrincipalDep, ServiceContext, require_staff
from service.errors import conflict, not_found
from service.schemas import PROBLEM_RESPONSES, UNIT_PATTERN, YEAR_MAX, YEAR_MIN, RankingPage

router = APIRouter(tags=["results"], responses=PROBLEM_RESPONSES)
YearPath = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX, description="the year of the round")]
UnitPath = Annotated[str, Path(pattern=UNIT_PATTERN, description="unit code (区县编码)")]
NODE_PATTERN = r"^[^\s!]{1,100}$"
CSV = "text/csv; charset=utf-8"


def _not_published(year: int) -> Exception:
    return conflict("round-not-published", f"the results of round {year} are not published yet")


def _published_results(context: ServiceContext, ref: res.PublishedRef) -> res.RoundResults:
    return context.results.results(ref, lambda: res.load_results(context.db, ref))


def _results_for(
    context: ServiceContext, principal: Principal, year: int
) -> tuple[res.RoundResults, res.PublishedRef | None]:
    """Published results, or for staff a preview of an unpublished round (scored now, not cached)."""
    ref = res.find_published(context.db, context.results, year)
    if ref is not None:
        return _published_results(context, ref), ref
    if not principal.is_staff:
        raise _not_published(year)
    results, _ = res.preview(context.db, context.catalog, year)
    return results, None


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
) -> Response:
    """Units in rank order on the composite or any node: score, rank, tier, change from last year.

    Published rounds are public; staff also see a preview of an unpublished round, scored afresh per request.
    """
    settings = context.settings
    size = min(
        limit or (settings.page_size if format == "json" else settings.max_page_size), settings.max_page_size
    )
    media = "application/json" if format == "json" else CSV
    ref = context.results.published(year)
    if ref is None:
        ref = await run_in_threadpool(res.find_published, context.db, context.results, year)
    if ref is None:
        if not principal.is_staff:
            raise _not_published(year)
        preview = await run_in_threadpool(_preview_page, context, year, node, offset, size, format)
        return Response(preview, media_type=media, headers={"Cache-Control": "no-store"})
    key = (ref.snapshot_id, node or "", offset, size, format)
    body = context.results.page(key)
    if body is None:
        body = await run_in_threadpool(_published_page, context, ref, key, node, offset, size, format)
    etag = '"' + hashlib.sha256(f"{ref.sha256}{key}".encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if format == "csv":
        headers["Content-Disposition"] = f'attachment; filename="rankings_{year}_{node or "composite"}.csv"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)


def _encode_page(results: res.RoundResults, node: str | None, offset: int, size: int, format: str) -> bytes:
    chosen = results.node(node)
    if format == "csv":
        return res.ranking_csv(results, chosen, offset, size)
    return res.ranking_json(results, chosen, offset, size)


def _published_page(
    context: ServiceContext,
    ref: res.PublishedRef,
    key: tuple[object, ...],
    node: str | None,
    offset: int,
    size: int,
    format: str,
) -> bytes:
    body = _encode_page(_published_results(context, ref), node, offset, size, format)
    return context.results.store_page(key, body)


def _preview_page(
    context: ServiceContext, year: int, node: str | None, offset: int, size: int, format: str
) -> bytes:
    results, _ = res.preview(context.db, context.catalog, year)
    return _encode_page(results, node, offset, size, format)


@router.get("/rounds/{year}/units/{unit}/profile")
def profile(
    year: YearPath,
    unit: UnitPath,
    principal: PrincipalDep,
    context: ContextDep,
) -> Response:
    """A unit's profile (一区一档): score, rank and change on every node, each node's contribution to the
    composite (they add up to it), target attainment, and the trend over the years of the data."""
    ref = res.find_published(context.db, context.results, year)
    if ref is None:
        require_staff(principal)
        results, evaluation = res.preview(context.db, context.catalog, year)
        return Response(_dumps(res.profile(results, evaluation, unit)), media_type="application/json")
    key = ("profile", ref.snapshot_id, unit)
    body = context.results.page(key)
    if body is None:
        results = _published_results(context, ref)
        results.unit(unit)  # 404 before the costlier rebuild
        evaluation = context.results.evaluation(
            ref, lambda: res.rebuild_evaluation(context.db, context.catalog, ref)
        )
        body = context.results.store_page(key, _dumps(res.profile(results, evaluation, unit)))
    return Response(body, media_type="application/json", headers={"Cache-Control": "public, max-age=300"})


@router.get("/rounds/{year}/compare")
def compare(
    year: YearPath,
    a: Annotated[str, Query(pattern=UNIT_PATTERN, description="first unit code")],
    b: Annotated[str, Query(pattern=UNIT_PATTERN, description="second unit code")],
    principal: PrincipalDep,
    context: ContextDep,
) -> Response:
    """Two units side by side on every node: scores, ranks and the difference a − b."""
    results, _ = _results_for(context, principal, year)
    return Response(_dumps(res.compare(results, a, b)), media_type="application/json")


@router.get("/rounds/{year}/units/{unit}/whatif")
def whatif(
    year: YearPath,
    unit: UnitPath,
    principal: PrincipalDep,
    context: ContextDep,
) -> Response:
    """What-if and gap analysis for a unit: the gap to the unit ranked directly above, broken down by node;
    the composite and rank if each indicator reached its goal; the gain per 1 % of each indicator's range."""
    from scoring.analysis.export import whatif_document
    from scoring.analysis.whatif import whatif_analysis_matrix

    def build(evaluation: Evaluation) -> bytes:
        if (year, unit) not in evaluation.scores.index:
            raise not_found(f"a score of unit {unit} in round {year}")
        result = whatif_analysis_matrix(
            evaluation.system, evaluation.raw, evaluation.not_applicable, year, unit
        )
        return _dumps(whatif_document(result))

    ref = res.find_published(context.db, context.results, year)
    if ref is None:
        require_staff(principal)
        _, evaluation = res.preview(context.db, context.catalog, year)
        return Response(build(evaluation), media_type="application/json")
    key = ("whatif", ref.snapshot_id, unit)
    body = context.results.page(key)
    if body is None:
        evaluation = context.results.evaluation(
            ref, lambda: res.rebuild_evaluation(context.db, context.catalog, ref)
        )
        body = context.results.store_page(key, build(evaluation))
    return Response(body, media_type="application/json", headers={"Cache-Control": "public, max-age=300"})


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
) -> Response:
    """The year's annual evaluation report, built from the published snapshot's inputs (built once per format
    and kept in memory); staff get a preview of an unpublished round."""
    from scoring.report import MEDIA_TYPES, build_report

    ref = res.find_published(context.db, context.results, year)
    if ref is None:
        require_staff(principal)
        _, evaluation = res.preview(context.db, context.catalog, year)
        body = build_report(evaluation, fmt)
    else:
        key = ("report", ref.snapshot_id, fmt)
        cached = context.results.page(key)
        if cached is None:
            evaluation = context.results.evaluation(
                ref, lambda: res.rebuild_evaluation(context.db, context.catalog, ref)
            )
            cached = context.results.store_page(key, build_report(evaluation, fmt))
        body = cached
    headers = {"Content-Disposition": f'attachment; filename="report_{year}.{fmt}"'}
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def _dumps(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
