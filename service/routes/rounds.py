"""Rounds: list, open (admin), detail, close (admin), publish (admin), the published results document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from starlette.concurrency import run_in_threadpool

from service import results as results_module
from service.auth import Role
from service.context import ContextDep, PrincipalDep, require_role
from service.errors import conflict
from service.rounds import close_round, find_round, list_rounds, open_round, round_info
from service.schemas import PROBLEM_RESPONSES, YEAR_MAX, YEAR_MIN, RoundCreate, RoundOut

router = APIRouter(tags=["rounds"], responses=PROBLEM_RESPONSES)
YearPath = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX, description="the year evaluated")]


@router.get("/rounds", response_model=list[RoundOut])
def rounds(context: ContextDep) -> list[dict[str, Any]]:
    """Every round, oldest first."""
    with context.db.read() as session:
        return list_rounds(session)


@router.post("/rounds", status_code=201, response_model=RoundOut)
def create_round(
    body: RoundCreate,
    principal: PrincipalDep,
    context: ContextDep,
) -> dict[str, Any]:
    """Open the round of a year on a registered system version (admin); that version is frozen from now on."""
    require_role(principal, Role.ADMIN)
    return open_round(context.db, body.year, body.system_id, body.version, principal, context.now())


@router.get("/rounds/{year}", response_model=RoundOut)
def get_round(year: YearPath, context: ContextDep) -> dict[str, Any]:
    """A round: status, system version, times, and the sha256 of its results once published."""
    with context.db.read() as session:
        return round_info(session, find_round(session, year))


@router.post("/rounds/{year}/close", response_model=RoundOut)
def close(
    year: YearPath,
    principal: PrincipalDep,
    context: ContextDep,
) -> dict[str, Any]:
    """Stop taking uploads (admin); reviews go on."""
    require_role(principal, Role.ADMIN)
    return close_round(context.db, year, principal, context.now())


@router.post("/rounds/{year}/publish")
def publish(
    year: YearPath,
    principal: PrincipalDep,
    context: ContextDep,
) -> dict[str, Any]:
    """Score the closed round from each unit's latest accepted version and freeze the results (admin)."""
    require_role(principal, Role.ADMIN)
    outcome = results_module.publish(context.db, context.catalog, year, principal, context.now())
    context.results.forget(year)
    return outcome


@router.get(
    "/rounds/{year}/results",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "the stored results document"}},
)
async def results_document(year: YearPath, context: ContextDep) -> Response:
    """The published results exactly as frozen (their sha256 is the round's ``results_sha256``)."""
    ref = await run_in_threadpool(results_module.find_published, context.db, context.results, year)
    if ref is None:
        raise conflict("round-not-published", f"round {year} is not published")
    body = await run_in_threadpool(results_module.snapshot_bytes, context.db, ref)
    return Response(body, media_type="application/json", headers={"ETag": f'"{ref.sha256}"'})


@router.get("/rounds/{year}/results/verification")
def verify(
    year: YearPath,
    principal: PrincipalDep,
    context: ContextDep,
) -> dict[str, Any]:
    """Score the published round again from the inputs its snapshot names and compare (admin, reviewer)."""
    require_role(principal, Role.ADMIN, Role.REVIEWER)
    stored, recomputed = results_module.rescore(context.db, context.catalog, year)
    return {
        "year": year,
        "stored_sha256": stored,
        "rescored_sha256": recomputed,
        "reproduced": stored == recomputed,
    }
