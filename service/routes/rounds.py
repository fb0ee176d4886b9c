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
    SystemQuery,
)
from service.usecases import rounds as usecases

router = APIRouter(tags=["rounds"], responses=PROBLEM_RESPONSES)
YearPath = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX, description="the year evaluated")]


@router.get("/rounds", response_model=list[RoundOut])
def rounds(context: ContextDep, system: SystemQuery = None) -> list[dict[str, Any]]:
    """Every round (of one system with ``?system=``), oldest first; a year may have rounds of several systems."""
    return usecases.list_rounds(context, system)


@router.post("/rounds", status_code=201, response_model=RoundOut)
def create_round(body: RoundCreate, principal: AdminDep, context: ContextDep) -> dict[str, Any]:
    """Open the round of a year on a registered system version (admin); that version is frozen from now on."""
    return usecases.open_round(context, principal, body.year, body.system_id, body.version)


@router.get("/rounds/{year}", response_model=RoundOut)
def get_round(year: YearPath, context: ContextDep, system: SystemQuery = None) -> dict[str, Any]:
    """A round: status, system version, times, and the sha256 of its results once published. Every
    ``/rounds/{year}/…`` URL takes ``?system=<id>``; without it, the default system's round."""
    return usecases.read_round(context, year, system)


@router.post("/rounds/{year}/close", response_model=RoundOut)
def close(
    year: YearPath, principal: AdminDep, context: ContextDep, system: SystemQuery = None
) -> dict[str, Any]:
    """Stop taking uploads (admin); reviews go on."""
    return usecases.close_round(context, principal, year, system)


@router.post("/rounds/{year}/cancel", response_model=RoundOut)
def cancel(
    year: YearPath,
    principal: AdminDep,
    context: ContextDep,
    body: Annotated[RoundCancel | None, Body()] = None,
    system: SystemQuery = None,
) -> dict[str, Any]:
    """Cancel a round opened by mistake (admin): only while it holds no submission; audited. Its year may be
    opened again."""
    return usecases.cancel_round(context, principal, year, body.reason if body else None, system)


@router.post("/rounds/{year}/reopen", response_model=RoundOut)
def reopen(
    year: YearPath, body: RoundReopen, principal: AdminDep, context: ContextDep, system: SystemQuery = None
) -> dict[str, Any]:
    """Take uploads again in a closed round that is not published (admin; the reason is audited)."""
    return usecases.reopen_round(context, principal, year, body.reason, system)


@router.get("/rounds/{year}/publication")
def publication(
    year: YearPath, _caller: AdminDep, context: ContextDep, system: SystemQuery = None
) -> dict[str, Any]:
    """What publishing the closed round would freeze now: the units with an accepted version and the units
    without one (to confirm in the body of the publish request); for a composite system, its included systems
    whose round of the year is not published yet."""
    return usecases.publication_check(context, year, system)


@router.post("/rounds/{year}/publish")
def publish(
    year: YearPath,
    principal: AdminDep,
    context: ContextDep,
    body: Annotated[PublishConfirm | None, Body()] = None,
    system: SystemQuery = None,
) -> dict[str, Any]:
    """Score the closed round from each unit's latest accepted version and freeze the results with the list of
    units lacking one (admin). With ``missing_units`` in the body, a different list now is refused (409). A
    composite system's round scores the inputs of its included systems' published rounds of the year, and is
    refused (409) until they are all published."""
    return usecases.publish_round(context, principal, year, body.missing_units if body else None, system)


@router.get(
    "/rounds/{year}/results",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "the stored results document"}},
)
async def results_document(year: YearPath, context: ContextDep, system: SystemQuery = None) -> Response:
    """The published results exactly as frozen (their sha256 is the round's ``results_sha256``)."""
    body, sha256 = await run_in_threadpool(usecases.results_document, context, year, system)
    return Response(body, media_type="application/json", headers={"ETag": f'"{sha256}"'})


@router.get("/rounds/{year}/results/verification")
def verify(
    year: YearPath, _caller: StaffDep, context: ContextDep, system: SystemQuery = None
) -> dict[str, Any]:
    """Score the published round again from the inputs its snapshot names and compare (admin, reviewer)."""
    return usecases.verify_round(context, year, system)
