"""Review use cases: the submissions of a round and of a unit, one version's validation report, and a
reviewer's decision."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from scoring.data import STATUS_MISSING, STATUS_NOT_APPLICABLE, STATUS_UNAVAILABLE, Dataset
from scoring.io.form import UNAVAILABLE_TEXT
from scoring.pipeline.derive import derived_parts
from service import evidence
from service import submissions as storage
from service.auth import Principal
from service.context import ServiceContext
from service.departments import conflicts as department_conflicts
from service.rounds import find_round
from service.tables import SubmissionRow
from service.usecases.rounds import round_with_system, system_of
from service.usecases.submit import XLSX, Download, form_bytes, form_years


def round_overview(context: ServiceContext, year: int, system: str | None = None) -> list[dict[str, Any]]:
    """Per unit of the round's system: versions uploaded, the latest, the version results use, and against the
    round's deadline: on time, late, missing or still due."""
    found = round_with_system(context, year, system)
    with context.db.read() as session:
        round_row = find_round(session, year, found.system_id)
        return storage.overview(session, round_row, found.system.unit_codes, context.now())


def unit_history(
    context: ServiceContext, year: int, unit: str, system: str | None = None
) -> list[dict[str, Any]]:
    """Every version the unit uploaded in the round, oldest first, with its status and review."""
    chosen = system_of(context, year, system)
    with context.db.read() as session:
        return storage.history(session, find_round(session, year, chosen), unit)


def submission_report(
    context: ServiceContext, year: int, unit: str, version: int, system: str | None = None
) -> dict[str, Any]:
    """One version with its validation report (every problem); 404 if there is no such version."""
    chosen = system_of(context, year, system)
    with context.db.read() as session:
        round_row = find_round(session, year, chosen)
        return storage.detail(session, round_row, storage.find_submission(session, round_row, unit, version))


@dataclass
class UnitSubmissions:
    """A unit's versions (oldest first) and the one a page shows: the one asked for, else the latest."""

    versions: list[dict[str, Any]]
    shown: dict[str, Any] | None


def unit_submissions(
    context: ServiceContext, year: int, unit: str, version: int | None, system: str | None = None
) -> UnitSubmissions:
    """The unit's history and the report of the version asked for (else the latest; None before any upload)."""
    chosen = system_of(context, year, system)
    with context.db.read() as session:
        round_row = find_round(session, year, chosen)
        versions = storage.history(session, round_row, unit)
        number = version or (versions[-1]["version"] if versions else None)
        shown = None
        if number is not None:
            shown = storage.detail(
                session, round_row, storage.find_submission(session, round_row, unit, number)
            )
        return UnitSubmissions(versions, shown)


def review(
    context: ServiceContext,
    principal: Principal,
    year: int,
    unit: str,
    version: int,
    decision: str,
    comment: str | None,
    system: str | None = None,
    cells: list[storage.CellComment] | None = None,
    accept_unavailable: bool = False,
) -> dict[str, Any]:
    """Accept a valid version, or return any version with a comment, overall or per cell (indicator × year);
    the latest review counts. Accepting a version that declares values unavailable needs
    ``accept_unavailable`` (the reviewer accepts their reasons). The versions a published round was published
    from are final; a version lacking evidence its system requires cannot be accepted (409
    ``evidence-missing``, naming the indicators)."""
    found = round_with_system(context, year, system)

    def evidence_complete(session: Session, row: SubmissionRow) -> None:
        if row.unit_code in found.system.unit_names:  # a unit's version (a department's carries no evidence)
            evidence.require_complete(session, found.system, year, row)

    return storage.review_submission(
        context.db,
        year,
        found.system_id,
        unit,
        version,
        decision,
        comment,
        principal,
        context.now(),
        cells,
        before_accept=evidence_complete,
        accept_unavailable=accept_unavailable,
    )


def _cell(location: str) -> str:
    """``sheet!cell`` of a value's location (the file name left out: the page names the version's file)."""
    parts = location.split("!")
    return "!".join(parts[-2:]) if len(parts) >= 2 else location


def value_context(
    context: ServiceContext, year: int, unit: str, version: int, system: str | None = None
) -> dict[str, Any]:
    """Every value of a version beside the unit's last accepted value of that indicator (the same year when an
    earlier round holds it, else its newest earlier year) and, for the round's year, the median of the other
    units accepted in the round; with the warnings and errors found on the value and the comment the latest
    review made on its cell. Rows in the system's indicator order, then by year. ``derived``: each derived
    indicator the version's parts give, per year, with its formula and parts (code, name, unit, value, cell)
    and, when it cannot be computed, the problems saying why."""
    found = round_with_system(context, year, system)
    with context.db.read() as session:
        round_row = find_round(session, year, found.system_id)
        row = storage.find_submission(session, round_row, unit, version)
        references = storage.reference_values(session, round_row, unit)
        review = storage.latest_review(session, row.id)
        cells = storage.review_cells(session, review.id) if review is not None else []
        values = storage.values_from_json(unit, row.values_json)
        problems = json.loads(row.problems_json)
        found_conflicts = department_conflicts(session, round_row, found.system, district_row=row)
    order = {code: i for i, code in enumerate(found.system.indicator_codes)}
    medians = references.others.groupby("indicator_code")["value"].agg(["median", "count"])
    last = references.last.dropna(subset=["value"]).sort_values(["indicator_code", "year"])
    same_year = {(str(c), int(y)): float(v) for c, y, v in last.itertuples(index=False)}
    newest = last.groupby("indicator_code").tail(1)
    newest_of = {str(c): (int(y), float(v)) for c, y, v in newest.itertuples(index=False)}
    flagged: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for problem in problems:
        if problem.get("indicator") and problem.get("year") is not None:
            flagged.setdefault((problem["indicator"], int(problem["year"])), []).append(problem)
    comments = {(c["indicator_code"], c["year"]): c["comment"] for c in cells}
    rows = []
    frame = values.assign(order=values["indicator_code"].map(order)).sort_values(["order", "year"])
    for code, value_year, value, status, location, remark in frame[
        ["indicator_code", "year", "value", "status", "location", "remark"]
    ].itertuples(index=False):
        key = (str(code), int(value_year))
        last_year: int | None
        last_value: float | None
        if key in same_year and value_year < year:
            last_year, last_value = key[1], same_year[key]
        else:
            last_year, last_value = newest_of.get(key[0], (None, None))
        median = medians.loc[key[0]] if value_year == year and key[0] in medians.index else None
        rows.append(
            {
                "indicator_code": key[0],
                "year": key[1],
                "value": None if pd.isna(value) else float(value),
                "status": str(status),
                "cell": _cell(str(location)),
                "last_year": last_year,
                "last_value": last_value,
                "median": None if median is None else float(median["median"]),
                "median_of": 0 if median is None else int(median["count"]),
                "problems": flagged.get(key, []),
                "comment": comments.get(key),
                "remark": str(remark),
            }
        )
    # derived indicators computed from this version's parts: the value, the formula and each part with its cell
    derived = derived_parts(found.system, Dataset.from_long(values))
    for entry in derived:
        for part in entry["parts"]:
            part["cell"] = _cell(part.pop("location")) if part["location"] else ""
    return {
        "year": year,
        "unit_code": unit,
        "version": version,
        "values": rows,
        "derived": [entry for entry in derived if entry["unit_code"] == unit],
        # cells a department supplies that this version gave a value for too: both values (the department's
        # is scored)
        "conflicts": found_conflicts,
    }


def annotated_form(
    context: ServiceContext, year: int, unit: str, version: int, system: str | None = None
) -> Download:
    """The unit's form for the round filled with a version's values, every cell its latest review commented
    on marked and carrying the comment: what a district gets back with a return."""
    from scoring.io.template import FormFill

    found = round_with_system(context, year, system)
    found.known_unit(unit)
    with context.db.read() as session:
        row = storage.find_submission(session, find_round(session, year, found.system_id), unit, version)
        review = storage.latest_review(session, row.id)
        cells = storage.review_cells(session, review.id) if review is not None else []
        values = storage.values_from_json(unit, row.values_json)
    present = values[values["status"] != STATUS_MISSING]
    filled: dict[tuple[str, int], float | str | None] = {
        (str(c), int(y)): (
            None if s == STATUS_NOT_APPLICABLE else UNAVAILABLE_TEXT if s == STATUS_UNAVAILABLE else float(v)
        )
        for c, y, v, s in present[["indicator_code", "year", "value", "status"]].itertuples(index=False)
    }
    comments = {(c["indicator_code"], int(c["year"])): c["comment"] for c in cells}
    # the district's 备注 go back with the form (a form's remark is its row's: one per indicator)
    remarks = {str(c): str(r) for c, r in values[["indicator_code", "remark"]].itertuples(index=False) if r}
    # the years of the version's own form (so that its cells are where the district typed them)
    years = sorted({int(y) for y in values["year"]}) or form_years(year)
    fill = FormFill(values=filled, comments=comments, remarks=remarks)
    content = form_bytes(found.system, unit, years, fill)
    name = f"{unit}_{found.system.unit_names[unit]}_{year}_v{version}_审核意见.xlsx"
    return Download(content, name, XLSX)
