"""The round's progress (填报进度): per unit what is submitted, accepted, returned or missing, as JSON or as the
进度表 workbook."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from service.access import StaffDep
from service.context import ContextDep
from service.routes.submissions import YearPath, download
from service.schemas import PROBLEM_RESPONSES, SystemQuery
from service.usecases import progress
from service.usecases.submit import XLSX

router = APIRouter(tags=["submissions"], responses=PROBLEM_RESPONSES)


@router.get("/rounds/{year}/progress")
def round_progress(
    year: YearPath, _caller: StaffDep, context: ContextDep, system: SystemQuery = None
) -> dict[str, Any]:
    """Per unit of the round's system (staff): `state` — `missing` (nothing uploaded), or the latest version's
    `rejected`, `pending`, `returned`, `accepted` — the latest version, the version results use, the evidence the
    latest version still lacks, timeliness and the review comment; `counts` per state."""
    return progress.round_progress(context, year, system)


@router.get(
    "/rounds/{year}/progress.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "the 进度表 workbook, set up to print"}},
)
def progress_workbook(
    year: YearPath,
    _caller: StaffDep,
    context: ContextDep,
    system: SystemQuery = None,
    lang: Annotated[Literal["zh", "en"], Query(description="the workbook's language")] = "zh",
) -> Response:
    """The 进度表 (staff): the progress as an xlsx workbook — title, counts, one row per unit, the state
    coloured; A4 landscape, fit to the page width, the header row repeated on every printed page."""
    return download(progress.progress_download(context, year, system, lang))
