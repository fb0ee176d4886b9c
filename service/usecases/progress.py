"""The round's progress (填报进度): per unit what is submitted, accepted, returned or missing, with the evidence
its latest version still lacks, as the review page shows it and as the 进度表 workbook exports it."""

from __future__ import annotations

from typing import Any

from service import evidence
from service.context import ServiceContext
from service.progress import progress_workbook
from service.rounds import find_round
from service.submissions import find_submission
from service.usecases import departments, review
from service.usecases.rounds import round_with_system
from service.usecases.submit import XLSX, Download

MISSING = "missing"  # nothing uploaded yet (the other states are a version's: rejected, pending, returned, accepted)
STATES = ("missing", "rejected", "pending", "returned", "accepted")


def round_progress(context: ServiceContext, year: int, system: str | None = None) -> dict[str, Any]:
    """Per unit of the round's system: its state (``missing`` or its latest version's status), the latest
    version, the version results use, the evidence the latest version lacks, timeliness and the latest review's
    comment; with the count of units in each state. The same per department that supplies the system (with the
    indicators it supplies) and their counts."""
    found = round_with_system(context, year, system)
    units = review.round_overview(context, year, found.system_id)
    rows = []
    with context.db.read() as session:
        round_row = find_round(session, year, found.system_id)
        for unit in units:
            latest = unit["latest"]
            missing: list[str] = []
            if latest is not None:
                row = find_submission(session, round_row, unit["unit_code"], int(latest["version"]))
                missing = evidence.missing_of(session, found.system, year, row)
            rows.append(
                {
                    "unit_code": unit["unit_code"],
                    "unit_name": found.system.unit_names.get(unit["unit_code"], unit["unit_code"]),
                    "state": latest["status"] if latest else MISSING,
                    "versions": unit["versions"],
                    "latest_version": latest["version"] if latest else None,
                    "uploaded_at": latest["uploaded_at"] if latest else None,
                    "errors": latest["errors"] if latest else None,
                    "warnings": latest["warnings"] if latest else None,
                    "used_version": unit["used_version"],
                    "evidence_missing": missing,
                    "timeliness": unit["timeliness"],
                    "comment": ((latest or {}).get("review") or {}).get("comment"),
                }
            )
    counts = {state: sum(1 for r in rows if r["state"] == state) for state in STATES}
    suppliers = [
        {
            "department_code": found_department["department_code"],
            "name": found_department["name"],
            "name_en": found_department.get("name_en"),
            "indicators": found_department["indicators"],
            "state": latest["status"] if latest else MISSING,
            "versions": found_department["versions"],
            "latest_version": latest["version"] if latest else None,
            "uploaded_at": latest["uploaded_at"] if latest else None,
            "errors": latest["errors"] if latest else None,
            "warnings": latest["warnings"] if latest else None,
            "used_version": found_department["used_version"],
            "timeliness": found_department["timeliness"],
            "comment": ((latest or {}).get("review") or {}).get("comment"),
        }
        for found_department in departments.department_overview(context, year, found.system_id)
        for latest in [found_department["latest"]]
    ]
    return {
        "year": year,
        "system": {"id": found.system_id, "name": found.system.name, "version": found.system.version},
        "status": found.status,
        "deadline": found.info.get("deadline"),
        "generated_at": context.now().isoformat(),
        "counts": counts,
        "units": rows,
        "department_counts": {state: sum(1 for d in suppliers if d["state"] == state) for state in STATES},
        "departments": suppliers,
    }


def progress_download(
    context: ServiceContext, year: int, system: str | None = None, lang: str = "zh"
) -> Download:
    """The 进度表: :func:`round_progress` as an xlsx workbook ready to print (``service.progress``)."""
    progress = round_progress(context, year, system)
    content = progress_workbook(progress, lang)
    name = (
        f"{progress['system']['id']}_{year}_填报进度表.xlsx"
        if lang == "zh"
        else (f"{progress['system']['id']}_{year}_progress.xlsx")
    )
    return Download(content, name, XLSX)
