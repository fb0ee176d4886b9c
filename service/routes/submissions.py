"""Forms and submissions: the blank form, uploads, a unit's history, a version's report and file, reviews."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Path, UploadFile
from fastapi.responses import JSONResponse, Response

from service.access import StaffDep, UnitActorDep
from service.context import ContextDep
from service.errors import PROBLEM_JSON, problem_document
from service.schemas import (
    PROBLEM_RESPONSES,
    UNIT_PATTERN,
    YEAR_MAX,
    YEAR_MIN,
    ProblemOut,
    ReviewCreate,
    SubmissionOut,
    SubmissionReport,
    SystemQuery,
)
from service.submissions import CellComment
from service.uploads import IdempotencyKeyDep, OneFilePart
from service.usecases import departments, submit
from service.usecases import review as reviews
from service.usecases.submit import XLSX, Download

router = APIRouter(tags=["submissions"], responses=PROBLEM_RESPONSES)
YearPath = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX, description="the year of the round")]
UnitPath = Annotated[str, Path(pattern=UNIT_PATTERN, description="unit code (区县编码)")]
VersionPath = Annotated[int, Path(ge=1, le=1_000_000)]


def attachment(file_name: str) -> str:
    """A Content-Disposition value that keeps a Chinese file name (RFC 6266 / 5987) with an ASCII fallback."""
    fallback = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in file_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name)}"


def download(found: Download) -> Response:
    """A file as a download, never rendered: the blank form, or the bytes of a stored version with their ETag."""
    headers = {"Content-Disposition": attachment(found.file_name)}
    if found.sha256 is not None:
        headers |= {"X-Content-Type-Options": "nosniff", "ETag": f'"{found.sha256}"'}
    return Response(found.content, media_type=found.media_type, headers=headers)


@router.get(
    "/rounds/{year}/units/{unit}/form",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "the blank district form (xlsx)"}},
)
def form(
    year: YearPath, unit: UnitPath, _caller: UnitActorDep, context: ContextDep, system: SystemQuery = None
) -> Response:
    """The blank form (填报表) of a unit for this round: the round's year and the two before it."""
    return download(submit.blank_form(context, year, unit, system))


@router.post(
    "/rounds/{year}/units/{unit}/submissions",
    status_code=201,
    dependencies=[OneFilePart],
    response_model=SubmissionReport,
    responses={
        413: {"model": ProblemOut, "content": {PROBLEM_JSON: {}}, "description": "over the size limit"},
        422: {
            "model": ProblemOut,
            "content": {PROBLEM_JSON: {}},
            "description": "refused: every problem listed; the attempt is still stored as a rejected version",
        },
    },
)
def upload(
    year: YearPath,
    unit: UnitPath,
    file: Annotated[
        UploadFile, File(description="the filled district form (.xlsx) or a long/wide table (.csv)")
    ],
    principal: UnitActorDep,
    context: ContextDep,
    idempotency_key: IdempotencyKeyDep,
    system: SystemQuery = None,
) -> Any:
    """Upload a unit's file: stored as the unit's next version whatever its outcome. 201 with the validation
    report when it can be accepted; 422 problem+json listing every problem when not. A retry with the same
    `Idempotency-Key` and bytes answers with the version stored the first time."""
    stored = submit.submit_upload(
        context,
        principal,
        year,
        unit,
        file.file,
        file.filename,
        file.content_type,
        idempotency_key=idempotency_key,
        system=system,
    )
    if stored.acceptable:
        return JSONResponse(stored.report, status_code=201, headers={"Location": stored.location})
    body = problem_document(
        422,
        "submission-unusable" if stored.unusable else "submission-invalid",
        f"version {stored.version} was stored but cannot be accepted: {stored.errors} error(s)",
        stored.location,
        stored.problems,
        submission={k: v for k, v in stored.report.items() if k != "problems"},
    )
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON, headers={"Location": stored.location})


@router.get("/rounds/{year}/submissions")
def round_submissions(
    year: YearPath, _caller: StaffDep, context: ContextDep, system: SystemQuery = None
) -> list[dict[str, Any]]:
    """Per unit of the round's system: versions uploaded, the latest, and the version results use (staff)."""
    return reviews.round_overview(context, year, system)


@router.get("/rounds/{year}/units/{unit}/submissions", response_model=list[SubmissionOut])
def unit_history(
    year: YearPath, unit: UnitPath, _caller: UnitActorDep, context: ContextDep, system: SystemQuery = None
) -> list[dict[str, Any]]:
    """Every version the unit uploaded in the round, oldest first, with its status and review."""
    return reviews.unit_history(context, year, unit, system)


@router.get("/rounds/{year}/units/{unit}/submissions/{version}", response_model=SubmissionReport)
def submission(
    year: YearPath,
    unit: UnitPath,
    version: VersionPath,
    _caller: UnitActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> dict[str, Any]:
    """One version with its validation report."""
    return reviews.submission_report(context, year, unit, version, system)


@router.get(
    "/rounds/{year}/units/{unit}/submissions/{version}/file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file as uploaded"}},
)
def submission_file(
    year: YearPath,
    unit: UnitPath,
    version: VersionPath,
    _caller: UnitActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> Response:
    """The uploaded bytes, unchanged (their sha256 is the version's); always as a download, never rendered."""
    return download(submit.uploaded_file(context, year, unit, version, system))


@router.get("/rounds/{year}/units/{unit}/submissions/{version}/context")
def submission_context(
    year: YearPath,
    unit: UnitPath,
    version: VersionPath,
    _caller: UnitActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> dict[str, Any]:
    """Every value of the version beside the unit's last accepted value of the indicator and the median of the
    other units accepted in the round, with the problems found on it and the latest review's comment on its
    cell."""
    return reviews.value_context(context, year, unit, version, system)


@router.get(
    "/rounds/{year}/units/{unit}/submissions/{version}/annotated",
    response_class=Response,
    responses={
        200: {"content": {XLSX: {}}, "description": "the form filled with the version, cells commented"}
    },
)
def submission_annotated(
    year: YearPath,
    unit: UnitPath,
    version: VersionPath,
    _caller: UnitActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> Response:
    """The unit's form filled with the version's values; every cell the latest review commented on is marked
    and carries the comment (an Excel comment)."""
    return download(reviews.annotated_form(context, year, unit, version, system))


@router.post("/rounds/{year}/units/{unit}/submissions/{version}/review", response_model=SubmissionReport)
def review(
    body: ReviewCreate,
    year: YearPath,
    unit: UnitPath,
    version: VersionPath,
    principal: StaffDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> dict[str, Any]:
    """Accept a valid version or return a version with a comment (staff): overall, on cells (indicator × year,
    each with its own comment) or both; a return without any comment is refused. The latest review counts."""
    cells = [CellComment(c.indicator_code, c.year, c.comment) for c in body.cells]
    return reviews.review(
        context,
        principal,
        year,
        unit,
        version,
        body.decision,
        body.comment,
        system,
        cells,
        accept_unavailable=body.accept_unavailable,
    )


@router.get("/rounds/{year}/units/{unit}/conflicts")
def unit_conflicts(
    year: YearPath, unit: UnitPath, _caller: UnitActorDep, context: ContextDep, system: SystemQuery = None
) -> list[dict[str, Any]]:
    """The cells of the unit a department supplies that the unit's latest version gave a value for too: both
    values and who gave them (the department's is the one scored)."""
    return departments.unit_conflicts(context, year, unit, system)
