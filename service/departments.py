"""Departments' uploads (部门报表) and the conflicts between a department's values and a district's.

A department (``provider:`` in the system file) uploads a long or wide table of the indicators it supplies, for
any of the system's units; the upload is validated by the same readers and safety checks as a district's
(:func:`service.submissions.parse_upload`) and stored, versioned, reviewed and audited the same way, under the
department's code (``submissions.kind`` = department). Its accepted values are scored with the districts': a
district's own values never hold a department's indicator (:func:`service.submissions.not_supplied_by_departments`
sets them aside as warnings), so the provider wins. When a district gave a value of a cell a department
supplies, the reviewer sees both (:func:`conflicts`).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.data import STATUS_MISSING
from scoring.io import form
from scoring.io.isolate import read_upload
from scoring.io.safety import UploadLimits
from scoring.problems import Location, Problem, Severity, SubmissionError
from scoring.system import IndicatorSystem
from service.submissions import (
    _LIST_COLUMNS,
    DEPARTMENT_VALUE,
    OUTCOME_INVALID,
    OUTCOME_UNUSABLE,
    OUTCOME_VALID,
    STATUS_ACCEPTED,
    VALUE_COLUMNS,
    ParsedUpload,
    _review_states,
    accepted_inputs,
    status_of,
    values_from_json,
    versions_overview,
)
from service.tables import KIND_DEPARTMENT, KIND_DISTRICT, RoundRow, SubmissionRow

log = logging.getLogger("digiscore.service")


def parse_department_upload(
    content: bytes, file_name: str, department: str, year: int, system: IndicatorSystem, limits: UploadLimits
) -> ParsedUpload:
    """Validate a department's upload for the round of ``year``; never raises on bad input.

    A long or wide table (xlsx or csv) of the indicators ``department`` supplies, for any of the system's
    units: a row of another indicator is an error at its cell (``submission.not_department_indicator``), a
    unit outside the system an error at its unit cell (the readers' ``data.unknown_unit``), a district form an
    error (``submission.department_layout``)."""
    empty = pd.DataFrame(columns=["unit_code", *VALUE_COLUMNS])
    try:
        dataset = read_upload(content, file_name, system, limits)
    except SubmissionError as error:
        return ParsedUpload(OUTCOME_UNUSABLE, empty, list(error.problems))
    except Exception as error:  # a parser meeting hostile input it did not foresee: still the file's fault
        log.warning("reader failed on %s: %s", file_name, type(error).__name__)
        problem = Problem(
            "file.unreadable", location=Location(file=file_name), params={"detail": type(error).__name__}
        )
        return ParsedUpload(OUTCOME_UNUSABLE, empty, [problem])
    values = dataset.values
    problems = [p for p in dataset.problems if p.code != DEPARTMENT_VALUE]
    on_form = any(p.location.sheet == form.DATA_SHEET for p in dataset.problems) or bool(
        values["location"].str.contains(f"!{form.DATA_SHEET}!", regex=False).any()
    )
    if on_form:
        problems.insert(0, Problem("submission.department_layout", location=Location(file=file_name)))
    supplied = {node.code for node in system.supplied_by(department)}
    name = system.department_names.get(department, department)
    listed = "、".join(node.code for node in system.supplied_by(department))
    mine = values["indicator_code"].isin(list(supplied)).to_numpy()
    others = values[~mine]
    problems += [
        Problem(
            "submission.not_department_indicator",
            location=Location.parse(str(location)),
            unit=str(unit),
            indicator=str(code),
            year=int(row_year),
            params={
                "indicator": code,
                "department": department,
                "department_name": name,
                "department_name_en": system.department_names_en.get(department, department),
                "supplied": listed,
            },
        )
        for (code, location), (unit, row_year) in _first_per_indicator(others)
    ]
    kept = values[mine]
    if not (kept["year"].eq(year) & kept["status"].ne(STATUS_MISSING)).any():
        problems.append(
            Problem("data.no_values", location=Location(file=file_name), year=year, params={"year": year})
        )
    outcome = OUTCOME_INVALID if any(p.severity is Severity.ERROR for p in problems) else OUTCOME_VALID
    return ParsedUpload(outcome, kept[["unit_code", *VALUE_COLUMNS]].reset_index(drop=True), problems)


def _first_per_indicator(values: pd.DataFrame) -> list[tuple[tuple[str, str], tuple[str, int]]]:
    """Each row of an indicator the department does not supply, at most the first 20 of each indicator (a
    whole district form would otherwise list hundreds)."""
    head = values.groupby("indicator_code", sort=False).head(20)
    return [
        ((str(code), str(location)), (str(unit), int(year)))
        for unit, code, year, location in head[
            ["unit_code", "indicator_code", "year", "location"]
        ].itertuples(index=False)
    ]


def last_accepted(session: Session, round_row: RoundRow, department: str) -> pd.DataFrame:
    """The department's accepted values (``unit_code, indicator_code, year, value``) in the newest of the three
    earlier rounds of the same system that has an accepted version of it, of the years before this round's;
    empty when none."""
    earlier = session.execute(
        select(RoundRow)
        .where(
            RoundRow.year < round_row.year,
            RoundRow.system_id == round_row.system_id,
            RoundRow.status != "cancelled",
        )
        .order_by(RoundRow.year.desc())
        .limit(3)
    ).scalars()
    for earlier_round in earlier:
        counted = _counting(session, earlier_round, KIND_DEPARTMENT).get(department)
        if counted is not None and counted.id in {r.id for r in accepted_inputs(session, earlier_round)}:
            values = values_from_json(department, counted.values_json)
            values = values[values["year"] < round_row.year]
            return values[["unit_code", "indicator_code", "year", "value"]].reset_index(drop=True)
    return pd.DataFrame({"unit_code": [], "indicator_code": [], "year": [], "value": []})


def department_overview(
    session: Session, round_row: RoundRow, system: IndicatorSystem, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per department that supplies the round's system: its name, the indicators it supplies, versions, the
    latest, the version results use, when it first uploaded and how that stands against the deadline (as
    :func:`service.submissions.overview` does for units)."""
    rows = session.execute(
        select(*_LIST_COLUMNS)
        .where(SubmissionRow.round_id == round_row.id, SubmissionRow.kind == KIND_DEPARTMENT)
        .order_by(SubmissionRow.version)
    ).all()
    reviews = _review_states(session, [row.id for row in rows])
    by_code: dict[str, list[Any]] = {}
    for row in rows:
        by_code.setdefault(row.unit_code, []).append(row)
    out = []
    for department in system.departments:
        out.append(
            {
                "department_code": department.code,
                "name": department.name,
                "name_en": department.name_en,
                "indicators": [node.code for node in system.supplied_by(department.code)],
                **versions_overview(by_code.get(department.code, []), reviews, round_row, now),
            }
        )
    return out


def _counting(session: Session, round_row: RoundRow, kind: str) -> dict[str, SubmissionRow]:
    """Per submitter of ``kind``, the version that counts for a reviewer's comparison: the latest accepted,
    else the latest valid one."""
    rows = session.execute(
        select(*_LIST_COLUMNS).where(
            SubmissionRow.round_id == round_row.id,
            SubmissionRow.kind == kind,
            SubmissionRow.outcome == OUTCOME_VALID,
        )
    ).all()
    reviews = _review_states(session, [row.id for row in rows])
    chosen: dict[str, tuple[bool, int, int]] = {}
    for row in rows:
        rank = (status_of(row, reviews.get(row.id)) == STATUS_ACCEPTED, row.version, row.id)
        if row.unit_code not in chosen or rank > chosen[row.unit_code]:
            chosen[row.unit_code] = rank
    ids = [rank[2] for rank in chosen.values()]
    if not ids:
        return {}
    found = session.execute(select(SubmissionRow).where(SubmissionRow.id.in_(ids))).scalars()
    return {row.unit_code: row for row in found}


def conflicts(
    session: Session,
    round_row: RoundRow,
    system: IndicatorSystem,
    unit: str | None = None,
    department: str | None = None,
    district_row: SubmissionRow | None = None,
) -> list[dict[str, Any]]:
    """The cells a department supplies for which a district gave a value too (its latest valid version, the
    accepted one first): both values, who gave them, where, and whether they differ. The department's value
    is the one scored (the provider wins); a district's is only shown. Only ``unit``'s, or only
    ``department``'s cells, when given (``district_row``: that version of a unit's instead of its latest); in
    the system's indicator order, then unit and year."""
    if district_row is not None:
        districts = {district_row.unit_code: district_row}
    else:
        districts = _counting(session, round_row, KIND_DISTRICT)
    given: list[dict[str, Any]] = []
    for code, row in sorted(districts.items()):
        if unit is not None and code != unit:
            continue
        for indicator, value_year, value, location, provider in json.loads(row.values_json).get(
            "set_aside", []
        ):
            if department is not None and provider != department:
                continue
            given.append(
                {
                    "unit_code": code,
                    "indicator_code": indicator,
                    "year": int(value_year),
                    "department_code": provider,
                    "department_name": system.department_names.get(provider, provider),
                    "district": {"value": value, "version": row.version, "location": location},
                }
            )
    if not given:
        return []
    departments = _counting(session, round_row, KIND_DEPARTMENT)
    supplied: dict[tuple[str, str, int], dict[str, Any]] = {}
    for code in {entry["department_code"] for entry in given}:
        counted = departments.get(code)
        if counted is None:
            continue
        values = values_from_json(code, counted.values_json)
        for value_unit, indicator, value_year, value, status, location in values[
            ["unit_code", "indicator_code", "year", "value", "status", "location"]
        ].itertuples(index=False):
            supplied[(str(value_unit), str(indicator), int(value_year))] = {
                "value": None if status == STATUS_MISSING or value != value else float(value),
                "status": str(status),
                "version": counted.version,
                "location": str(location),
            }
    order = {code: i for i, code in enumerate(system.collected_codes)}
    out = []
    for entry in given:
        theirs = supplied.get((entry["unit_code"], entry["indicator_code"], entry["year"]))
        entry["department"] = theirs
        entry["differs"] = theirs is None or _text(theirs) != entry["district"]["value"]
        out.append(entry)
    return sorted(out, key=lambda e: (order.get(e["indicator_code"], 0), e["unit_code"], e["year"]))


def _text(value: dict[str, Any]) -> str:
    """A department's value as the district's is written (the district's is kept as text)."""
    if value["status"] == "not_applicable":
        return form.NOT_APPLICABLE_TEXT
    if value["value"] is None:
        return ""
    return form.format_number(float(value["value"]))
