"""Evidence files (佐证材料) of a submission version: attach one to an indicator, list them, download one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, UploadFile
from fastapi.responses import JSONResponse, Response

from service.access import UnitActorDep
from service.context import ContextDep
from service.errors import PROBLEM_JSON
from service.routes.submissions import UnitPath, VersionPath, YearPath, download
from service.schemas import PROBLEM_RESPONSES, EvidenceList, EvidenceOut, ProblemOut, SystemQuery
from service.uploads import OneFilePart
from service.usecases import evidence

router = APIRouter(tags=["evidence"], responses=PROBLEM_RESPONSES)
IndicatorPath = Annotated[
    str, Path(pattern=r"^[^\s!/]{1,100}$", description="the indicator's code in the round's system")
]
EvidencePath = Annotated[int, Path(ge=1, le=2**31 - 1, description="the evidence file's id")]
BASE = "/rounds/{year}/units/{unit}/submissions/{version}/evidence"


@router.post(
    BASE + "/{indicator}",
    status_code=201,
    dependencies=[OneFilePart],
    response_model=EvidenceOut,
    responses={
        200: {"model": EvidenceOut, "description": "the same bytes were already attached to the indicator"},
        409: {
            "model": ProblemOut,
            "content": {PROBLEM_JSON: {}},
            "description": "the version takes no evidence now (not the latest, already reviewed, round not "
            "taking the unit's uploads) or the indicator has the most files allowed",
        },
        413: {"model": ProblemOut, "content": {PROBLEM_JSON: {}}, "description": "over the size limit"},
        422: {
            "model": ProblemOut,
            "content": {PROBLEM_JSON: {}},
            "description": "refused from its bytes (type, executable, zip bomb, macros, XML entities, "
            "empty…); nothing stored",
        },
    },
)
def attach(
    year: YearPath,
    unit: UnitPath,
    version: VersionPath,
    indicator: IndicatorPath,
    file: Annotated[UploadFile, File(description="a PDF, PNG, JPEG, .xlsx or .docx file")],
    principal: UnitActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> Any:
    """Attach an evidence file (佐证材料) to an indicator of the unit's latest version while it awaits review.
    Its type is read from its bytes, never from its name or the declared type; a file refused by the checks is
    not stored and nothing stored changes. 201 with the file; 200 when the same bytes were already attached
    to the indicator."""
    attached = evidence.attach_evidence(
        context, principal, year, unit, version, indicator, file.file, file.filename, system
    )
    location = (
        f"/rounds/{year}/units/{unit}/submissions/{version}/evidence/file/{attached.evidence['id']}"
        + (f"?system={system}" if system else "")
    )
    return JSONResponse(
        attached.evidence, status_code=201 if attached.created else 200, headers={"Location": location}
    )


@router.get(BASE, response_model=EvidenceList)
def listing(
    year: YearPath,
    unit: UnitPath,
    version: VersionPath,
    _caller: UnitActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> dict[str, Any]:
    """The version's evidence files (with those attached to the unit's earlier versions), the indicators whose
    system requires evidence and those of them the version still lacks."""
    return evidence.version_evidence(context, year, unit, version, system)


@router.get(
    BASE + "/file/{evidence_id}",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}},
            "description": "the file as attached (always a download)",
        }
    },
)
def evidence_file(
    year: YearPath,
    unit: UnitPath,
    version: VersionPath,
    evidence_id: EvidencePath,
    _caller: UnitActorDep,
    context: ContextDep,
    system: SystemQuery = None,
) -> Response:
    """An evidence file's bytes, unchanged (the ETag is their sha256), always as a download, never rendered:
    for the unit's district and staff only."""
    return download(evidence.evidence_file(context, year, unit, version, evidence_id, system))
