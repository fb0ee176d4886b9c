"""Rounds: list, open (admin), detail, cancel, close, reopen, what publishing would freeze, publish (admin), the
published results document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from starlette.concurrency import run_in_threadpool

from service.access import AdminDep, StaffDep
from service.context import ContextDep
from service.schemas import (
    PROBLEM_RESPONSES,
    UNIT_PATTERN,
    YEAR_MAX,
    YEAR_MIN,
    CorrectionCreate,
    DeadlineSet,
    LateUploadCreate,
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
VersionPath = Annotated[
    int, Path(ge=1, le=1_000_000, description="the version of the results (1: as published)")
]


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


@router.put("/rounds/{year}/deadline", response_model=RoundOut)
def deadline(
    year: YearPath, body: DeadlineSet, principal: AdminDep, context: ContextDep, system: SystemQuery = None
) -> dict[str, Any]:
    """Set (or with null remove) the deadline of an open or closed round (admin; audited). After it, a unit
    uploads only on leave (``POST …/late-uploads``)."""
    return usecases.set_deadline(context, principal, year, body.deadline, system)


@router.post("/rounds/{year}/units/{unit}/late-uploads", status_code=201)
def late_upload(
    year: YearPath,
    unit: Annotated[str, Path(pattern=UNIT_PATTERN, description="unit code (区县编码)")],
    body: LateUploadCreate,
    principal: AdminDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> dict[str, Any]:
    """Let one unit upload after the deadline, or into the published round to correct it, until ``until``
    (admin; audited with the reason). The unit's newest leave counts."""
    return usecases.allow_late_upload(context, principal, year, unit, body.until, body.reason, system)


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


@router.get("/rounds/{year}/correction")
def correction(
    year: YearPath, _caller: AdminDep, context: ContextDep, system: SystemQuery = None
) -> dict[str, Any]:
    """What a correction of the published round would change now (admin): the inputs whose accepted version
    differs from the current results' and the units lacking one."""
    return usecases.correction_check(context, year, system)


@router.post("/rounds/{year}/corrections", status_code=201)
def correct(
    year: YearPath,
    body: CorrectionCreate,
    principal: AdminDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> dict[str, Any]:
    """Publish a correction (更正) of a published round (admin): its results scored again from each unit's
    latest accepted version, frozen as the next version with the reason; earlier versions stay, byte for byte.
    The only way published results change."""
    return usecases.correct_round(context, principal, year, body.reason, body.missing_units, system)


RESULTS_DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}}, "description": "the stored results document"}
}


@router.get("/rounds/{year}/results", response_class=Response, responses=RESULTS_DOCUMENT)
async def results_document(year: YearPath, context: ContextDep, system: SystemQuery = None) -> Response:
    """The current results exactly as frozen (their sha256 is the round's ``results_sha256``); once corrected,
    ``X-Results-Version`` says which version, and ``Link`` names the list of versions."""
    body, sha256, version = await run_in_threadpool(usecases.results_document, context, year, system)
    headers = {
        "ETag": f'"{sha256}"',
        "X-Results-Version": str(version),
        "Link": f'</rounds/{year}/results/versions>; rel="version-history"',
    }
    return Response(body, media_type="application/json", headers=headers)


@router.get("/rounds/{year}/results/versions")
def result_versions(year: YearPath, context: ContextDep, system: SystemQuery = None) -> list[dict[str, Any]]:
    """Every version of the published results, oldest first (the last is current): sha256, time, the reason
    of a correction, and the links to its document and to its difference from the version before."""
    return usecases.result_versions(context, year, system)


@router.get("/rounds/{year}/results/versions/{version}", response_class=Response, responses=RESULTS_DOCUMENT)
def result_version(
    year: YearPath, version: VersionPath, context: ContextDep, system: SystemQuery = None
) -> Response:
    """One version of the results exactly as frozen: the same bytes (and sha256) it had when published."""
    body, sha256 = usecases.result_version(context, year, version, system)
    return Response(
        body,
        media_type="application/json",
        headers={"ETag": f'"{sha256}"', "X-Results-Version": str(version)},
    )


@router.get("/rounds/{year}/results/versions/{version}/diff")
def result_diff(
    year: YearPath, version: VersionPath, context: ContextDep, system: SystemQuery = None
) -> dict[str, Any]:
    """What a correction changed against the version before it: on the composite, each unit's score and rank
    before and after (those that moved first), the inputs that changed, and the reason."""
    return usecases.result_diff(context, year, version, system)


@router.get("/rounds/{year}/results/verification")
def verify(
    year: YearPath,
    _caller: StaffDep,
    context: ContextDep,
    system: SystemQuery = None,
    version: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="a version; the current one by default")
    ] = None,
) -> dict[str, Any]:
    """Score the published round again from the inputs its snapshot names and compare (admin, reviewer)."""
    return usecases.verify_round(context, year, system, version)
