"""Forms and submissions: the blank form, uploads, a unit's history, a version's report and file, reviews."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Path, UploadFile
from fastapi.responses import JSONResponse, Response

from scoring.io import write_template
from scoring.system import IndicatorSystem
from service.context import ContextDep, PrincipalDep, ServiceContext, require_staff, require_unit
from service.errors import PROBLEM_JSON, ServiceError, conflict, not_found, problem_document
from service.rounds import find_round
from service.schemas import (
    PROBLEM_RESPONSES,
    UNIT_PATTERN,
    YEAR_MAX,
    YEAR_MIN,
    ProblemOut,
    ReviewCreate,
    SubmissionOut,
    SubmissionReport,
)
from service.submissions import (
    OUTCOME_UNUSABLE,
    OUTCOME_VALID,
    detail,
    find_submission,
    history,
    overview,
    parse_upload,
    review_submission,
    store_submission,
)
from service.tables import RoundRow, SystemRow
from service.text import clean_content_type, clean_file_name
from service.uploads import IdempotencyKeyDep, OneFilePart

router = APIRouter(tags=["submissions"], responses=PROBLEM_RESPONSES)
YearPath = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX, description="the year of the round")]
UnitPath = Annotated[str, Path(pattern=UNIT_PATTERN, description="unit code (区县编码)")]
VersionPath = Annotated[int, Path(ge=1, le=1_000_000)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORM_YEARS = 3  # the round's year and the two before it, for the year-over-year change


def _round_system(context: ServiceContext, year: int) -> tuple[RoundRow, IndicatorSystem]:
    with context.db.read() as session:
        round_row = find_round(session, year)
        system_row = session.get(SystemRow, round_row.system_pk)
        assert system_row is not None
        return round_row, context.catalog.system(system_row)


def _known_unit(system: IndicatorSystem, unit: str) -> None:
    if unit not in system.unit_names:
        raise not_found(f"unit {unit} in the round's system")


def attachment(file_name: str) -> str:
    """A Content-Disposition value that keeps a Chinese file name (RFC 6266 / 5987) with an ASCII fallback."""
    fallback = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in file_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name)}"


@router.get(
    "/rounds/{year}/units/{unit}/form",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "the blank district form (xlsx)"}},
)
def form(
    year: YearPath,
    unit: UnitPath,
    principal: PrincipalDep,
    context: ContextDep,
) -> Response:
    """The blank form (填报表) of a unit for this round: the round's year and the two before it."""
    require_unit(principal, unit)
    _, system = _round_system(context, year)
    _known_unit(system, unit)
    with tempfile.TemporaryDirectory(prefix="digiscore-form-") as directory:
        path = FilePath(directory) / "form.xlsx"
        write_template(system, unit, path, list(range(year - FORM_YEARS + 1, year + 1)))
        content = path.read_bytes()
    name = f"{unit}_{system.unit_names[unit]}_{year}.xlsx"
    return Response(content, media_type=XLSX, headers={"Content-Disposition": attachment(name)})


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
    principal: PrincipalDep,
    context: ContextDep,
    idempotency_key: IdempotencyKeyDep,
) -> Any:
    """Upload a unit's file: stored as the unit's next version whatever its outcome. 201 with the validation
    report when it can be accepted; 422 problem+json listing every problem when not. A retry with the same
    `Idempotency-Key` and bytes answers with the version stored the first time."""
    require_unit(principal, unit)
    round_row, system = _round_system(context, year)
    _known_unit(system, unit)
    if round_row.status != "open":
        raise conflict("round-not-open", f"round {year} is {round_row.status}: uploads are closed")
    limit = context.settings.max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise ServiceError(413, "too-large", f"the file is larger than {limit} bytes")
    file_name = clean_file_name(file.filename)
    parsed = parse_upload(content, file_name, unit, year, system, context.settings.upload_limits)
    content_type = clean_content_type(file.content_type)
    row = store_submission(
        context.db,
        year,
        unit,
        file_name,
        content_type,
        content,
        parsed,
        principal,
        context.now(),
        idempotency_key=idempotency_key,
    )
    with context.db.read() as session:
        report = detail(session, round_row, row)
    location = f"/rounds/{year}/units/{unit}/submissions/{row.version}"
    if parsed.outcome == OUTCOME_VALID:
        return JSONResponse(report, status_code=201, headers={"Location": location})
    slug = "submission-unusable" if parsed.outcome == OUTCOME_UNUSABLE else "submission-invalid"
    body = problem_document(
        422,
        slug,
        f"version {row.version} was stored but cannot be accepted: {parsed.errors} error(s)",
        location,
        parsed.problems,
        submission={k: v for k, v in report.items() if k != "problems"},
    )
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON, headers={"Location": location})


@router.get("/rounds/{year}/submissions")
def round_submissions(
    year: YearPath,
    principal: PrincipalDep,
    context: ContextDep,
) -> list[dict[str, Any]]:
    """Per unit of the round's system: versions uploaded, the latest, and the version results use (staff)."""
    require_staff(principal)
    round_row, system = _round_system(context, year)
    with context.db.read() as session:
        return overview(session, round_row, system.unit_codes)


@router.get("/rounds/{year}/units/{unit}/submissions", response_model=list[SubmissionOut])
def unit_history(
    year: YearPath,
    unit: UnitPath,
    principal: PrincipalDep,
    context: ContextDep,
) -> list[dict[str, Any]]:
    """Every version the unit uploaded in the round, oldest first, with its status and review."""
    require_unit(principal, unit)
    with context.db.read() as session:
        return history(session, find_round(session, year), unit)


@router.get("/rounds/{year}/units/{unit}/submissions/{version}", response_model=SubmissionReport)
def submission(
    year: YearPath,
    unit: UnitPath,
    version: VersionPath,
    principal: PrincipalDep,
    context: ContextDep,
) -> dict[str, Any]:
    """One version with its validation report."""
    require_unit(principal, unit)
    with context.db.read() as session:
        round_row = find_round(session, year)
        return detail(session, round_row, find_submission(session, round_row, unit, version))


@router.get(
    "/rounds/{year}/units/{unit}/submissions/{version}/file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file as uploaded"}},
)
def submission_file(
    year: YearPath,
    unit: UnitPath,
    version: VersionPath,
    principal: PrincipalDep,
    context: ContextDep,
) -> Response:
    """The uploaded bytes, unchanged (their sha256 is the version's); always as a download, never rendered."""
    require_unit(principal, unit)
    with context.db.read() as session:
        row = find_submission(session, find_round(session, year), unit, version)
        content, name, digest = row.content, row.file_name, row.sha256
    return Response(
        content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": attachment(name),
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{digest}"',
        },
    )


@router.post("/rounds/{year}/units/{unit}/submissions/{version}/review", response_model=SubmissionReport)
def review(
    body: ReviewCreate,
    year: YearPath,
    unit: UnitPath,
    version: VersionPath,
    principal: PrincipalDep,
    context: ContextDep,
) -> dict[str, Any]:
    """Accept a valid version or return a version with a comment (staff); the latest review counts."""
    require_staff(principal)
    return review_submission(
        context.db, year, unit, version, body.decision, body.comment, principal, context.now()
    )
