"""Rounds: list, open (admin), detail, cancel, close, reopen, what publishing would freeze, publish (admin), the
published results document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response
from starlette.concurrency import run_in_threadpool

from service.access import AdminDep, StaffDep
from service.context import ContextDep
from service.schemas import (
    PROBLEM_RESPONSES,
    YEAR_MAX,
    YEAR_MIN,
    PublishConfirm,
    RoundCancel,
    RoundCreate,
    RoundOut,
    RoundReopen,
)
from service.usecases import rounds as usecases

router = APIRouter(tags=["rounds"], responses=PROBLEM_RESPONSES)
YearPath = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX, description="the year evaluated")]


@router.get("/rounds", response_model=list[RoundOut])
def rounds(context: ContextDep) -> list[dict[str, Any]]:
    """Every round, oldest first."""
    return usecases.list_rounds(context)


@router.post("/rounds", status_code=201, response_model=RoundOut)
def create_round(body: RoundCreate, principal: AdminDep, context: ContextDep) -> dict[str, Any]:
    """Open the round of a year on a registered system version (admin); that version is frozen from now on."""
    return usecases.open_round(context, principal, body.year, body.system_id, body.version)


@router.get("/rounds/{year}", response_model=RoundOut)
def get_round(year: YearPath, context: ContextDep) -> dict[str, Any]:
    """A round: status, system version, times, and the sha256 of its results once published."""
    return usecases.read_round(context, year)


@router.post("/rounds/{year}/close", response_model=RoundOut)
def close(year: YearPath, principal: AdminDep, context: ContextDep) -> dict[str, Any]:
    """Stop taking uploads (admin); reviews go on."""
    return usecases.close_round(context, principal, year)


@router.post("/rounds/{year}/cancel", response_model=RoundOut)
def cancel(
    year: YearPath,
    principal: AdminDep,
    context: ContextDep,
    body: Annotated[RoundCancel | None, Body()] = None,
) -> dict[str, Any]:
    """Cancel a round opened by mistake (admin): only while it holds no submission; audited. Its year may be
    opened again."""
    return usecases.cancel_round(context, principal, year, body.reason if body else None)


@router.post("/rounds/{year}/reopen", response_model=RoundOut)
def reopen(year: YearPath, body: RoundReopen, principal: AdminDep, context: ContextDep) -> dict[str, Any]:
    """Take uploads again in a closed round that is not published (admin; the reason is audited)."""
    return usecases.reopen_round(context, principal, year, body.reason)


@router.get("/rounds/{year}/publication")
def publication(year: YearPath, _caller: AdminDep, context: ContextDep) -> dict[str, Any]:
    """What publishing the closed round would freeze now: the units with an accepted version and the units
    without one (to confirm in the body of the publish request)."""
    return usecases.publication_check(context, year)


@router.post("/rounds/{year}/publish")
def publish(
    year: YearPath,
    principal: AdminDep,
    context: ContextDep,
    body: Annotated[PublishConfirm | None, Body()] = None,
) -> dict[str, Any]:
    """Score the closed round from each unit's latest accepted version and freeze the results with the list of
    units lacking one (admin). With ``missing_units`` in the body, a different list now is refused (409)."""
    return usecases.publish_round(context, principal, year, body.missing_units if body else None)


@router.get(
    "/rounds/{year}/results",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "the stored results document"}},
)
async def results_document(year: YearPath, context: ContextDep) -> Response:
    """The published results exactly as frozen (their sha256 is the round's ``results_sha256``)."""
    body, sha256 = await run_in_threadpool(usecases.results_document, context, year)
    return Response(body, media_type="application/json", headers={"ETag": f'"{sha256}"'})


@router.get("/rounds/{year}/results/verification")
def verify(year: YearPath, _caller: StaffDep, context: ContextDep) -> dict[str, Any]:
    """Score the published round again from the inputs its snapshot names and compare (admin, reviewer)."""
    return usecases.verify_round(context, year)
