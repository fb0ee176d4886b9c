"""Departments (部门) that supply indicators for every unit: the blank department sheet, uploads of a long or
wide table, a department's versions, a version's report, file and values (with the districts' conflicting
values), reviews, and the round's departments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, UploadFile
from fastapi.responses import JSONResponse, Response

from service.access import DepartmentActorDep, StaffDep
from service.context import ContextDep
from service.errors import PROBLEM_JSON, problem_document
from service.routes.submissions import VersionPath, YearPath, download
from service.schemas import (
    PROBLEM_RESPONSES,
    UNIT_PATTERN,
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
from service.usecases.submit import XLSX

router = APIRouter(tags=["departments"], responses=PROBLEM_RESPONSES)
DepartmentPath = Annotated[str, Path(pattern=UNIT_PATTERN, description="department code (部门编码)")]


@router.get("/rounds/{year}/departments")
def round_departments(
    year: YearPath, _caller: StaffDep, context: ContextDep, system: SystemQuery = None
) -> list[dict[str, Any]]:
    """Per department that supplies the round's system: its indicators, versions, the latest, the version
    results use and, with a deadline, on time, late, missing or due (staff)."""
    return departments.department_overview(context, year, system)


@router.get(
    "/rounds/{year}/departments/{department}/sheet",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "the blank department sheet (xlsx)"}},
)
def sheet(
    year: YearPath,
    department: DepartmentPath,
    _caller: DepartmentActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> Response:
    """The blank department sheet (部门报表): every unit × the department's indicators, for the round's year and
    the two before it, a long table with the district form's validation."""
    return download(departments.department_sheet(context, year, department, system))


@router.post(
    "/rounds/{year}/departments/{department}/submissions",
    status_code=201,
    dependencies=[OneFilePart],
    response_model=SubmissionReport,
    responses={
        413: {"model": ProblemOut, "content": {PROBLEM_JSON: {}}, "description": "over the size limit"},
        422: {
            "model": ProblemOut,
            "content": {PROBLEM_JSON: {}},
            "description": "refused: every problem listed (an indicator the department does not supply, a unit "
            "outside the system, each at its cell); the attempt is still stored as a rejected version",
        },
    },
)
def upload(
    year: YearPath,
    department: DepartmentPath,
    file: Annotated[UploadFile, File(description="a long or wide table (.xlsx or .csv) of its indicators")],
    principal: DepartmentActorDep,
    context: ContextDep,
    idempotency_key: IdempotencyKeyDep,
    system: SystemQuery = None,
) -> Any:
    """Upload a department's table: stored as the department's next version whatever its outcome. 201 with the
    validation report when it can be accepted; 422 problem+json listing every problem when not."""
    stored = departments.submit_department_upload(
        context,
        principal,
        year,
        department,
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


@router.get("/rounds/{year}/departments/{department}/submissions", response_model=list[SubmissionOut])
def history(
    year: YearPath,
    department: DepartmentPath,
    _caller: DepartmentActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> list[dict[str, Any]]:
    """Every version the department uploaded in the round, oldest first, with its status and review."""
    return departments.department_history(context, year, department, system)


@router.get("/rounds/{year}/departments/{department}/submissions/{version}", response_model=SubmissionReport)
def submission(
    year: YearPath,
    department: DepartmentPath,
    version: VersionPath,
    _caller: DepartmentActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> dict[str, Any]:
    """One version with its validation report."""
    return departments.department_report(context, year, department, version, system)


@router.get(
    "/rounds/{year}/departments/{department}/submissions/{version}/file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file as uploaded"}},
)
def submission_file(
    year: YearPath,
    department: DepartmentPath,
    version: VersionPath,
    _caller: DepartmentActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> Response:
    """The uploaded bytes, unchanged (their sha256 is the version's); always as a download."""
    departments.department_report(context, year, department, version, system)  # 404 for another's code
    return download(submit.uploaded_file(context, year, department, version, system))


@router.get("/rounds/{year}/departments/{department}/submissions/{version}/context")
def submission_context(
    year: YearPath,
    department: DepartmentPath,
    version: VersionPath,
    _caller: DepartmentActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> dict[str, Any]:
    """Every value of the version (unit × indicator × year) with its problems and the latest review's comment,
    and the conflicts: cells a district gave a value for too, both values and who gave them."""
    return departments.department_context(context, year, department, version, system)


@router.post(
    "/rounds/{year}/departments/{department}/submissions/{version}/review", response_model=SubmissionReport
)
def review(
    body: ReviewCreate,
    year: YearPath,
    department: DepartmentPath,
    version: VersionPath,
    principal: StaffDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> dict[str, Any]:
    """Accept a valid version or return a version with a comment (staff), overall or on cells (unit ×
    indicator × year); the latest review counts, as for a unit's version."""
    departments.department_report(context, year, department, version, system)  # 404 for an unknown department
    cells = [CellComment(c.indicator_code, c.year, c.comment, c.unit_code) for c in body.cells]
    return reviews.review(
        context, principal, year, department, version, body.decision, body.comment, system, cells
    )
