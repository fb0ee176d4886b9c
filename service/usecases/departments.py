"""Department use cases (部门): the blank department sheet, an upload (validated and stored as the department's
next version, whatever its outcome), its versions, a version's values beside the districts' conflicting ones,
and the round's departments. Reviews of a department's version go through :func:`service.usecases.review.review`
with the department's code."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import pandas as pd

from scoring.io.department_sheet import write_department_sheet
from scoring.io.references import reference_problems
from service import departments as storage
from service import submissions
from service.auth import Principal
from service.context import ServiceContext
from service.errors import ServiceError
from service.rounds import find_round
from service.submissions import OUTCOME_UNUSABLE, ParsedUpload
from service.tables import KIND_DEPARTMENT
from service.text import clean_content_type, clean_file_name
from service.usecases.rounds import RoundWithSystem, round_with_system
from service.usecases.submit import XLSX, Download, Submitted, form_years


def department_sheet(
    context: ServiceContext, year: int, department: str, system: str | None = None
) -> Download:
    """The blank department sheet (部门报表) for the round: every unit of the system × the indicators the
    department supplies, for the round's year and the two before it, with the district form's validation."""
    found = round_with_system(context, year, system)
    found.known_department(department)
    with tempfile.TemporaryDirectory(prefix="digiscore-sheet-") as directory:
        path = Path(directory) / "sheet.xlsx"
        write_department_sheet(found.system, department, path, form_years(year))
        content = path.read_bytes()
    name = found.system.department_names[department]
    return Download(content, f"{department}_{name}_{found.system_id}_{year}.xlsx", XLSX)


def submit_department_upload(
    context: ServiceContext,
    principal: Principal,
    year: int,
    department: str,
    stream: IO[bytes],
    file_name: str | None,
    content_type: str | None,
    idempotency_key: str | None = None,
    system: str | None = None,
) -> Submitted:
    """Validate a department's table for the open round of ``year`` and store it as the department's next
    version (404 for a department that supplies nothing in the round's system; 409 and 413 as for a unit's
    upload). The outcome says whether a reviewer can accept it; the problems name each refused cell."""
    found = round_with_system(context, year, system)
    found.known_department(department)
    found.require_uploads()
    found.require_upload(context, department)
    limit = context.settings.max_upload_bytes
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise ServiceError(413, "too-large", f"the file is larger than {limit} bytes")
    name = clean_file_name(file_name)
    parsed = storage.parse_department_upload(
        content, name, department, year, found.system, context.settings.upload_limits
    )
    parsed = with_reference_warnings(context, found, department, parsed)
    row = submissions.store_submission(
        context.db,
        year,
        found.system_id,
        department,
        name,
        clean_content_type(content_type),
        content,
        parsed,
        principal,
        context.now(),
        idempotency_key=idempotency_key,
        kind=KIND_DEPARTMENT,
    )
    with context.db.read() as session:
        report = submissions.detail(session, find_round(session, year, found.system_id), row)
    return DepartmentSubmitted(
        year, found.system_id, department, row.version, parsed.outcome, parsed.errors, parsed.problems, report
    )


def with_reference_warnings(
    context: ServiceContext, found: RoundWithSystem, department: str, parsed: ParsedUpload
) -> ParsedUpload:
    """The upload with the unit traps of ``scoring.io.references`` for each unit it covers: each unit's value of
    the round's year against the department's last accepted value of it (its accepted version in the newest
    earlier round of the system), else against the table's own earlier year (a 2024 value in 万元 beside 2023
    in 亿元). There is no median of other units: the department gives every unit's value itself, and the readers
    already compare the units' values of one indicator and year with each other."""
    if parsed.outcome == OUTCOME_UNUSABLE or parsed.values.empty:
        return parsed
    with context.db.read() as session:
        last = storage.last_accepted(session, find_round(session, found.year, found.system_id), department)
    no_others = pd.DataFrame({"indicator_code": [], "value": []})
    warnings = []
    for unit, values in parsed.values.groupby("unit_code", sort=False):
        unit_last = last[last["unit_code"] == unit][["indicator_code", "year", "value"]]
        warnings += reference_problems(found.system, str(unit), found.year, values, unit_last, no_others)
    return replace(parsed, problems=parsed.problems + warnings) if warnings else parsed


class DepartmentSubmitted(Submitted):
    """A department's upload stored as a version (its URL names the department)."""

    @property
    def location(self) -> str:
        return f"/rounds/{self.year}/departments/{self.unit}/submissions/{self.version}?system={self.system}"


def department_history(
    context: ServiceContext, year: int, department: str, system: str | None = None
) -> list[dict[str, Any]]:
    """Every version the department uploaded in the round, oldest first, with its status and review."""
    found = round_with_system(context, year, system)
    found.known_department(department)
    with context.db.read() as session:
        return submissions.history(session, find_round(session, year, found.system_id), department)


def department_report(
    context: ServiceContext, year: int, department: str, version: int, system: str | None = None
) -> dict[str, Any]:
    """One version of the department's with its validation report."""
    found = round_with_system(context, year, system)
    found.known_department(department)
    with context.db.read() as session:
        round_row = find_round(session, year, found.system_id)
        row = submissions.find_submission(session, round_row, department, version)
        return submissions.detail(session, round_row, row)


def department_context(
    context: ServiceContext, year: int, department: str, version: int, system: str | None = None
) -> dict[str, Any]:
    """Every value of a department's version (unit, indicator, year) with the problems found on it and the
    latest review's comment on its cell, and the cells a district also gave a value for (``conflicts``: both
    values and who gave them; the department's is scored)."""
    found = round_with_system(context, year, system)
    found.known_department(department)
    with context.db.read() as session:
        round_row = find_round(session, year, found.system_id)
        row = submissions.find_submission(session, round_row, department, version)
        review = submissions.latest_review(session, row.id)
        cells = submissions.review_cells(session, review.id) if review is not None else []
        values = submissions.values_from_json(department, row.values_json)
        problems = json.loads(row.problems_json)
        found_conflicts = storage.conflicts(session, round_row, found.system, department=department)
    flagged: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for problem in problems:
        if problem.get("unit") and problem.get("indicator") and problem.get("year") is not None:
            key = (problem["unit"], problem["indicator"], int(problem["year"]))
            flagged.setdefault(key, []).append(problem)
    comments = {(c.get("unit_code"), c["indicator_code"], c["year"]): c["comment"] for c in cells}
    order = {code: i for i, code in enumerate(found.system.collected_codes)}
    units = {code: i for i, code in enumerate(found.system.unit_codes)}
    frame = values.assign(
        order=values["indicator_code"].map(order), unit_order=values["unit_code"].map(units)
    ).sort_values(["order", "unit_order", "year"])
    rows = []
    for unit, code, value_year, value, status, location, remark in frame[
        ["unit_code", "indicator_code", "year", "value", "status", "location", "remark"]
    ].itertuples(index=False):
        key = (str(unit), str(code), int(value_year))
        rows.append(
            {
                "unit_code": key[0],
                "indicator_code": key[1],
                "year": key[2],
                "value": None if value != value else float(value),
                "status": str(status),
                "cell": "!".join(str(location).split("!")[-2:]),
                "problems": flagged.get(key, []),
                "comment": comments.get(key),
                "remark": str(remark),
            }
        )
    return {
        "year": year,
        "department_code": department,
        "version": version,
        "values": rows,
        "conflicts": found_conflicts,
    }


def department_overview(
    context: ServiceContext, year: int, system: str | None = None
) -> list[dict[str, Any]]:
    """Per department that supplies the round's system: versions, the latest, the version results use and,
    with a deadline, on time, late, missing or still due."""
    found = round_with_system(context, year, system)
    with context.db.read() as session:
        round_row = find_round(session, year, found.system_id)
        return storage.department_overview(session, round_row, found.system, context.now())


def unit_conflicts(
    context: ServiceContext, year: int, unit: str, system: str | None = None
) -> list[dict[str, Any]]:
    """The cells of ``unit`` a department supplies and the district gave a value for too (both values)."""
    found = round_with_system(context, year, system)
    with context.db.read() as session:
        return storage.conflicts(session, find_round(session, year, found.system_id), found.system, unit=unit)
