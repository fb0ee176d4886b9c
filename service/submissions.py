"""Submissions: every upload of a unit's file becomes a new version, stored with its raw bytes and its outcome.

The flow of an upload: safety checks on the bytes (:mod:`scoring.io.safety`), then the engine's reader, then the
checks that only make sense for an upload (values for the unit the upload is for, and for the round's year) —
all outside any transaction. Then one short write transaction gives the upload the unit's next version number
and stores it, with an audit entry. Nothing is ever updated or deleted: a review is a row of its own.

Version numbers per (round, unit) are unique (constraint) and strictly increasing. On PostgreSQL the allocation
takes a transaction-level advisory lock on (round, unit), and a share lock on the round row so that closing a
round waits for uploads in flight; on SQLite the write session is serialized (``Database.write``). Should two
writers still collide, the unique constraint refuses the second, which retries with the next number.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from scoring.data import STATUS_MISSING, STATUS_NOT_APPLICABLE, STATUS_UNAVAILABLE, Dataset
from scoring.io.form import format_number
from scoring.io.isolate import read_upload
from scoring.io.layouts import department_value_problem
from scoring.io.safety import UploadLimits
from scoring.pipeline.derive import derivation_problems
from scoring.problems import Location, Problem, Severity, SubmissionError, problem_count
from scoring.system import IndicatorSystem
from service import audit
from service.auth import Principal
from service.db import Database
from service.deadlines import timeliness, upload_gate
from service.errors import ServiceError, conflict, not_found
from service.tables import KIND_DEPARTMENT, KIND_DISTRICT, ReviewCellRow, ReviewRow, RoundRow, SubmissionRow
from service.uploads import key_reused

log = logging.getLogger("digiscore.service")

OUTCOME_VALID = "valid"  # no error: can be accepted
OUTCOME_INVALID = "invalid"  # read, but some value or structure has an error
OUTCOME_UNUSABLE = "unusable"  # refused by the safety checks or not readable at all

STATUS_REJECTED = "rejected"
STATUS_PENDING = "pending"
STATUS_ACCEPTED = "accepted"
STATUS_RETURNED = "returned"

DECISIONS = {"accept": STATUS_ACCEPTED, "return": STATUS_RETURNED}
DEPARTMENT_VALUE = "submission.department_value"  # a district's value of a cell a department supplies
MAX_VERSION_ATTEMPTS = 20
VALUE_COLUMNS = ["indicator_code", "year", "value", "status", "location", "remark"]


@dataclass
class ParsedUpload:
    """What validation made of an upload: its outcome, the unit's values and every problem found."""

    outcome: str
    values: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def set_aside(self) -> list[list[Any]]:
        """The values given for cells a department supplies, not taken as the unit's (the provider wins):
        ``[indicator, year, value as written, location, department]`` each, kept for the reviewer."""
        return [
            [p.indicator, p.year, p.params["value"], str(p.location), p.params["department"]]
            for p in self.problems
            if p.code == DEPARTMENT_VALUE
        ]

    @property
    def errors(self) -> int:
        """How many problems are errors, those a capped list only counts included (``problems.more``)."""
        return problem_count(self.problems, Severity.ERROR)

    @property
    def warnings(self) -> int:
        """How many problems are warnings, counted as for errors."""
        return problem_count(self.problems, Severity.WARNING)


def parse_upload(
    content: bytes, file_name: str, unit_code: str, year: int, system: IndicatorSystem, limits: UploadLimits
) -> ParsedUpload:
    """Validate an upload for ``unit_code`` in the round of ``year``; never raises on bad input."""
    empty = pd.DataFrame(columns=VALUE_COLUMNS)
    try:
        # safety checks and readers in a worker process with a memory limit and a timeout (scoring.io.isolate)
        dataset = read_upload(content, file_name, system, limits)
    except SubmissionError as error:
        return ParsedUpload(OUTCOME_UNUSABLE, empty, list(error.problems))
    except Exception as error:  # a parser meeting hostile input it did not foresee: still the file's fault
        # the type only: an exception's text can quote the file's bytes (UnicodeDecodeError holds them all)
        log.warning("reader failed on %s: %s", file_name, type(error).__name__)
        problem = Problem(
            "file.unreadable",
            location=Location(file=file_name),
            params={
                "detail_zh": "文件已损坏，或不是有效的电子表格",
                "detail_en": "it is damaged or not a valid spreadsheet",
            },
        )
        return ParsedUpload(OUTCOME_UNUSABLE, empty, [problem])
    problems = (
        list(dataset.problems)
        + derivation_problems(system, dataset)  # a derived indicator its parts leave uncomputable
        + upload_problems(dataset, file_name, unit_code, year)
    )
    own = dataset.values[dataset.values["unit_code"] == unit_code]
    own, supplied = not_supplied_by_departments(own, system)
    problems += supplied
    own = own[VALUE_COLUMNS]
    outcome = OUTCOME_INVALID if any(p.severity is Severity.ERROR for p in problems) else OUTCOME_VALID
    return ParsedUpload(outcome, own.reset_index(drop=True), problems)


def not_supplied_by_departments(
    values: pd.DataFrame, system: IndicatorSystem
) -> tuple[pd.DataFrame, list[Problem]]:
    """A district's values without those of indicators a department supplies (the provider wins: they are not
    taken as the district's), and a warning for each such value given (``submission.department_value``: the
    reviewer sees it beside the department's value). A form's read-only rows are left out by its reader."""
    supplied = values["indicator_code"].isin(list(system.providers)).to_numpy()
    if not supplied.any():
        return values, []
    given = values[supplied & (values["status"] != STATUS_MISSING).to_numpy()]
    problems = [
        department_value_problem(
            Location.parse(str(location)),
            str(unit),
            str(code),
            int(year),
            "不适用" if status == STATUS_NOT_APPLICABLE else format_number(float(value)),
            system.providers[str(code)],
            system,
        )
        for unit, code, year, value, status, location in given[
            ["unit_code", "indicator_code", "year", "value", "status", "location"]
        ].itertuples(index=False)
    ]
    return values[~supplied], problems


def upload_problems(dataset: Dataset, file_name: str, unit_code: str, year: int) -> list[Problem]:
    """An upload must be for its own unit only, and give the round's year."""
    values = dataset.values
    problems = [
        Problem(
            "submission.other_unit",
            location=Location(file=file_name),
            unit=str(other),
            params={"unit": other, "expected": unit_code},
        )
        for other in sorted(set(values["unit_code"]) - {unit_code})
    ]
    own_year = (values["unit_code"] == unit_code) & (values["year"] == year)
    if not (own_year & (values["status"] != STATUS_MISSING)).any():
        problems.append(
            Problem(
                "data.no_values",
                location=Location(file=file_name),
                unit=unit_code,
                year=year,
                params={"year": year},
            )
        )
    return problems


def values_to_json(
    values: pd.DataFrame, with_units: bool = False, set_aside: list[list[Any]] | None = None
) -> str:
    """The unit's values as compact JSON rows ``[indicator, year, value, status, location, remark]`` (value
    null = none; remark "" = none); ``with_units``: each row starts with its unit code (a department's version,
    which covers many units).

    ``json`` writes a float by its shortest repr, which reads back to the same float: rescoring is exact.
    """
    columns = ["unit_code", *VALUE_COLUMNS] if with_units else VALUE_COLUMNS
    rows = [
        [
            *([str(row[0])] if with_units else []),
            str(code),
            int(year),
            None if value != value else float(value),
            str(status),
            str(location),
            str(remark),
        ]
        for row in values[columns].itertuples(index=False)
        for code, year, value, status, location, remark in [row[-6:]]
    ]
    document: dict[str, Any] = {"columns": columns, "rows": rows}
    if set_aside:  # values given for cells a department supplies (ParsedUpload.set_aside): shown, not scored
        document["set_aside"] = set_aside
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def values_from_json(unit_code: str, text: str) -> pd.DataFrame:
    """The inverse of :func:`values_to_json`, with the unit code put back (a department's rows carry their
    own). Values stored before remarks were kept (five columns) read with an empty remark."""
    stored = json.loads(text)
    frame = pd.DataFrame(stored["rows"], columns=stored.get("columns", VALUE_COLUMNS[:5]))
    if "remark" not in frame:
        frame["remark"] = ""
    units = frame["unit_code"].astype(str) if "unit_code" in frame else unit_code
    frame = frame[VALUE_COLUMNS]
    frame["value"] = frame["value"].astype(float)
    frame.insert(0, "unit_code", units)
    return frame


def dataset_of(inputs: list[tuple[str, str]]) -> Dataset:
    """One dataset from ``(unit_code, values_json)`` pairs, in unit order (so the result is reproducible)."""
    frames = [values_from_json(unit, text) for unit, text in sorted(inputs)]
    if not frames:
        return Dataset()
    table = pd.concat(frames, ignore_index=True)
    table["year"] = table["year"].astype(np.int64)
    return Dataset.from_long(table)


def round_query(year: int, system: str) -> Select[RoundRow]:
    """The query of the round of ``system`` in ``year`` (one at most: a unique constraint)."""
    return select(RoundRow).where(RoundRow.year == year, RoundRow.system_id == system)


def round_for_update(session: Session, db: Database, year: int, system: str, *, exclusive: bool) -> RoundRow:
    """The round of ``system`` in ``year``, locked on PostgreSQL: shared for uploads and reviews, exclusive for
    transitions."""
    query = round_query(year, system)
    if not db.is_sqlite:
        query = query.with_for_update(read=not exclusive)
    found = session.execute(query).scalar_one_or_none()
    if found is None:
        raise not_found(f"round {year} of system {system}")
    return found


def store_submission(
    db: Database,
    year: int,
    system: str,
    unit_code: str,
    file_name: str,
    content_type: str | None,
    content: bytes,
    parsed: ParsedUpload,
    principal: Principal,
    now: datetime,
    idempotency_key: str | None = None,
    kind: str = KIND_DISTRICT,
) -> SubmissionRow:
    """Store the upload as the unit's next version (retrying on a version collision); audited.

    With an ``idempotency_key`` that an earlier upload of the unit in the round carried, nothing is stored:
    the earlier version is returned when its bytes are the same, else 422 (:mod:`service.uploads`). A
    department's upload (``kind`` department) is stored the same way under the department's code in
    ``unit_code``, its values with their units.
    """
    digest = hashlib.sha256(content).hexdigest()
    department = kind == KIND_DEPARTMENT
    values_json = values_to_json(parsed.values, with_units=department, set_aside=parsed.set_aside)
    problems_json = json.dumps([p.to_dict() for p in parsed.problems], ensure_ascii=False)
    for attempt in range(MAX_VERSION_ATTEMPTS):
        try:
            with db.write() as session:
                round_row = round_for_update(session, db, year, system, exclusive=False)
                if not db.is_sqlite:
                    session.execute(
                        select(func.pg_advisory_xact_lock(round_row.id, func.hashtext(unit_code)))
                    )
                if idempotency_key is not None:  # under the unit's lock: a concurrent retry waits for us
                    earlier = _idempotent_earlier(session, round_row.id, unit_code, idempotency_key, digest)
                    if earlier is not None:
                        return earlier
                gate = upload_gate(session, round_row, unit_code, now)  # open and on time, or on leave
                latest = session.execute(
                    select(func.max(SubmissionRow.version)).where(
                        SubmissionRow.round_id == round_row.id, SubmissionRow.unit_code == unit_code
                    )
                ).scalar()
                row = SubmissionRow(
                    round_id=round_row.id,
                    unit_code=unit_code,
                    version=(latest or 0) + 1,
                    file_name=file_name,
                    content_type=content_type,
                    size=len(content),
                    sha256=digest,
                    content=content,
                    outcome=parsed.outcome,
                    values_json=values_json,
                    problems_json=problems_json,
                    error_count=parsed.errors,
                    warning_count=parsed.warnings,
                    uploaded_by=principal.token_id,
                    uploaded_at=now,
                    idempotency_key=idempotency_key,
                    kind=kind,
                )
                session.add(row)
                session.flush()
                audit.record(
                    session,
                    principal,
                    "submission.upload",
                    f"{audit.round_target(year, system)}/{submitter(kind, unit_code)}/v{row.version}",
                    now,
                    digest,
                    outcome=parsed.outcome,
                    size=len(content),
                    file_name=file_name,
                    **gate,
                )
            return row
        except IntegrityError:
            if attempt == MAX_VERSION_ATTEMPTS - 1:
                raise
            time.sleep(0.005 * (attempt + 1))  # another writer took this number: take the next one
    raise AssertionError("unreachable")


def submitter(kind: str, code: str) -> str:
    """How the audit log names who submitted: ``unit:370102`` or ``department:JN-TJJ``."""
    return f"{'department' if kind == KIND_DEPARTMENT else 'unit'}:{code}"


def _idempotent_earlier(
    session: Session, round_id: int, unit_code: str, key: str, digest: str
) -> SubmissionRow | None:
    """The version an earlier upload with this key stored (same bytes), None if none; 422 for other bytes."""
    earlier = session.execute(
        select(SubmissionRow)
        .where(
            SubmissionRow.round_id == round_id,
            SubmissionRow.unit_code == unit_code,
            SubmissionRow.idempotency_key == key,
        )
        .options(defer(SubmissionRow.content))
    ).scalar_one_or_none()
    if earlier is not None and earlier.sha256 != digest:
        raise key_reused(key)
    return earlier


def _review_states(session: Session, submission_ids: list[int]) -> dict[int, tuple[str, ReviewRow]]:
    """Each reviewed submission's latest review (by time, then id)."""
    if not submission_ids:
        return {}
    reviews = session.execute(
        select(ReviewRow)
        .where(ReviewRow.submission_id.in_(submission_ids))
        .order_by(ReviewRow.reviewed_at, ReviewRow.id)
    ).scalars()
    latest: dict[int, tuple[str, ReviewRow]] = {}
    for review in reviews:
        latest[review.submission_id] = (DECISIONS[review.decision], review)
    return latest


def status_of(row: Any, review: tuple[str, ReviewRow] | None) -> str:
    """rejected (has errors), pending (valid, not reviewed), or the latest review's accepted / returned."""
    if row.outcome != OUTCOME_VALID:
        return STATUS_REJECTED
    return review[0] if review else STATUS_PENDING


_LIST_COLUMNS = (
    SubmissionRow.id,
    SubmissionRow.unit_code,
    SubmissionRow.version,
    SubmissionRow.file_name,
    SubmissionRow.size,
    SubmissionRow.sha256,
    SubmissionRow.outcome,
    SubmissionRow.error_count,
    SubmissionRow.warning_count,
    SubmissionRow.uploaded_by,
    SubmissionRow.uploaded_at,
    SubmissionRow.kind,
)


def summary(row: Any, review: tuple[str, ReviewRow] | None, year: int) -> dict[str, Any]:
    """A version as history lists show it (no bytes, no values)."""
    out: dict[str, Any] = {
        "year": year,
        "unit_code": row.unit_code,
        "version": row.version,
        "file_name": row.file_name,
        "size": row.size,
        "sha256": row.sha256,
        "outcome": row.outcome,
        "status": status_of(row, review),
        "errors": row.error_count,
        "warnings": row.warning_count,
        "uploaded_by": row.uploaded_by,
        "uploaded_at": row.uploaded_at.isoformat(),
        "review": None,
    }
    if row.kind == KIND_DEPARTMENT:  # a district's version reads as it did before departments
        out["kind"] = KIND_DEPARTMENT
    if review is not None:
        decision = review[1]
        out["review"] = {
            "decision": decision.decision,
            "comment": decision.comment,
            "reviewer": decision.reviewer,
            "reviewed_at": decision.reviewed_at.isoformat(),
        }
    return out


def history(session: Session, round_row: RoundRow, unit_code: str) -> list[dict[str, Any]]:
    """Every version the unit uploaded in the round, oldest first."""
    rows = session.execute(
        select(*_LIST_COLUMNS)
        .where(SubmissionRow.round_id == round_row.id, SubmissionRow.unit_code == unit_code)
        .order_by(SubmissionRow.version)
    ).all()
    reviews = _review_states(session, [row.id for row in rows])
    return [summary(row, reviews.get(row.id), round_row.year) for row in rows]


def overview(
    session: Session, round_row: RoundRow, units: list[str], now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per unit of the system: how many versions, the latest one, the one results would use, when it first
    uploaded and, when the round has a deadline, whether that was on time (``service.deadlines.timeliness``)."""
    rows = session.execute(
        select(*_LIST_COLUMNS).where(SubmissionRow.round_id == round_row.id).order_by(SubmissionRow.version)
    ).all()
    reviews = _review_states(session, [row.id for row in rows])
    by_unit: dict[str, list[Any]] = {}
    for row in rows:
        by_unit.setdefault(row.unit_code, []).append(row)
    out = []
    for unit in units:
        out.append({"unit_code": unit, **versions_overview(by_unit.get(unit, []), reviews, round_row, now)})
    return out


def versions_overview(
    versions: list[SubmissionRow],
    reviews: dict[int, tuple[str, ReviewRow]],
    round_row: RoundRow,
    now: datetime | None,
) -> dict[str, Any]:
    """What the overview says of one submitter's versions (a unit's or a department's, oldest first): how many,
    the latest with its status, the version results use, when the first came and whether it was on time."""
    accepted = [r for r in versions if status_of(r, reviews.get(r.id)) == STATUS_ACCEPTED]
    return {
        "versions": len(versions),
        "latest": summary(versions[-1], reviews.get(versions[-1].id), round_row.year) if versions else None,
        "used_version": accepted[-1].version if accepted else None,
        "first_uploaded_at": versions[0].uploaded_at.isoformat() if versions else None,
        "timeliness": timeliness(
            round_row.deadline, versions[0].uploaded_at if versions else None, now or datetime.now(UTC)
        ),
    }


def find_submission(session: Session, round_row: RoundRow, unit_code: str, version: int) -> SubmissionRow:
    """A version of a unit's upload in a round, or 404."""
    row = session.execute(
        select(SubmissionRow).where(
            SubmissionRow.round_id == round_row.id,
            SubmissionRow.unit_code == unit_code,
            SubmissionRow.version == version,
        )
    ).scalar_one_or_none()
    if row is None:
        raise not_found(f"version {version} of unit {unit_code} in round {round_row.year}")
    return row


def detail(session: Session, round_row: RoundRow, row: SubmissionRow) -> dict[str, Any]:
    """A version with its validation report (every problem), the number of values read, and the cells its
    latest review commented on."""
    review = _review_states(session, [row.id]).get(row.id)
    values = values_from_json(row.unit_code, row.values_json)
    out = summary(row, review, round_row.year) | {
        "content_type": row.content_type,
        "values": len(values),
        "problems": json.loads(row.problems_json),
        "remarks": remarks_of(values, by_unit=row.kind == KIND_DEPARTMENT),
        "unavailable": unavailable_of(values),
    }
    if review is not None:
        out["review"]["cells"] = review_cells(session, review[1].id)
    return out


def remarks_of(values: pd.DataFrame, by_unit: bool = False) -> list[dict[str, Any]]:
    """The 备注 a version gave its values: one entry per indicator and text, with the years it covers and where
    it was written (a form's remark covers the indicator's row: every year); ``by_unit`` (a department's
    version): one per unit, indicator and text, naming the unit."""
    given = values[values["remark"] != ""]
    if given.empty:
        return []
    keys = ["unit_code", "indicator_code", "remark"] if by_unit else ["indicator_code", "remark"]
    grouped = given.groupby(keys, sort=False)
    return [
        ({"unit_code": str(key[0])} if by_unit else {})
        | {
            "indicator_code": str(key[-2]),
            "remark": str(key[-1]),
            "years": sorted(int(y) for y in group["year"]),
            "location": str(group["location"].iloc[0]),
        }
        for key, group in grouped
    ]


def unavailable_of(values: pd.DataFrame) -> list[dict[str, Any]]:
    """The values a version declares unavailable (数据缺失说明): indicator, year, reason (the value's 备注) and
    where it was written, in the order read. Accepting the version accepts these reasons."""
    declared = values[values["status"] == STATUS_UNAVAILABLE]
    return [
        {"indicator_code": str(code), "year": int(year), "reason": str(reason), "location": str(location)}
        for code, year, reason, location in declared[
            ["indicator_code", "year", "remark", "location"]
        ].itertuples(index=False)
    ]


def accepted_inputs(session: Session, round_row: RoundRow) -> list[SubmissionRow]:
    """Per unit, its latest accepted version: what the round's results are computed from (unit order)."""
    rows = session.execute(
        select(*_LIST_COLUMNS).where(
            SubmissionRow.round_id == round_row.id, SubmissionRow.outcome == OUTCOME_VALID
        )
    ).all()
    reviews = _review_states(session, [row.id for row in rows])
    chosen: dict[str, Any] = {}
    for row in rows:
        if status_of(row, reviews.get(row.id)) != STATUS_ACCEPTED:
            continue
        if row.unit_code not in chosen or row.version > chosen[row.unit_code].version:
            chosen[row.unit_code] = row
    ids = [chosen[unit].id for unit in sorted(chosen)]
    return load_inputs(session, ids)


def load_inputs(session: Session, ids: list[int]) -> list[SubmissionRow]:
    """Submission rows by id, in unit order (then round order: a composite's inputs come from several rounds),
    without their bytes."""
    if not ids:
        return []
    rows = session.execute(
        select(SubmissionRow).where(SubmissionRow.id.in_(ids)).options(defer(SubmissionRow.content))
    ).scalars()
    return sorted(rows, key=lambda r: (r.unit_code, r.round_id))


@dataclass(frozen=True)
class CellComment:
    """A reviewer's comment on one value of a version: its indicator and year (the cell is the value's) and,
    on a department's version, which covers many units, its unit."""

    indicator_code: str
    year: int
    comment: str
    unit_code: str | None = None


def _cell_rows(row: SubmissionRow, cells: list[CellComment]) -> list[ReviewCellRow]:
    """The cells commented on, each at the location its value was read from; 422 for a cell the version has
    no value of."""
    values = values_from_json(row.unit_code, row.values_json)
    department = row.kind == KIND_DEPARTMENT
    locations = {
        (str(unit) if department else None, str(code), int(year)): str(location)
        for unit, code, year, location in values[
            ["unit_code", "indicator_code", "year", "location"]
        ].itertuples(index=False)
    }
    out = []
    for cell in cells:
        unit = cell.unit_code if department else None
        location = locations.get((unit, cell.indicator_code, cell.year))
        if location is None:
            problem = Problem(
                "review.unknown_cell",
                unit=unit,
                indicator=cell.indicator_code,
                year=cell.year,
                params={"version": row.version, "indicator": cell.indicator_code, "year": cell.year},
            )
            raise ServiceError(422, "unknown-cell", problem.message_en, [problem])
        out.append(
            ReviewCellRow(
                indicator_code=cell.indicator_code,
                year=cell.year,
                location=location,
                comment=cell.comment,
                unit_code=unit,
            )
        )
    return out


def review_submission(
    db: Database,
    year: int,
    system: str,
    unit_code: str,
    version: int,
    decision: str,
    comment: str | None,
    principal: Principal,
    now: datetime,
    cells: list[CellComment] | None = None,
    before_accept: Callable[[Session, SubmissionRow], None] | None = None,
    accept_unavailable: bool = False,
) -> dict[str, Any]:
    """Accept a valid version, or return any version with a comment — overall, on cells (indicator × year), or
    both; a return without any comment is refused (422), as are cell comments on an accept. A version that
    declares values unavailable (数据缺失说明) is accepted only with ``accept_unavailable``: the reviewer accepts
    their reasons too, and the values then count as missing (409 ``unavailable-not-accepted`` otherwise, one
    problem per value). Once the round is published, the versions it was published from are final: only a
    version uploaded later (on an admin's leave, to correct the round) may be reviewed. ``before_accept`` may
    refuse an accept in the same transaction (required evidence: ``service.evidence.require_complete``)."""
    if decision not in DECISIONS:
        raise ServiceError(422, "invalid-request", "decision must be 'accept' or 'return'")
    cells = cells or []
    if decision == "return" and not comment and not cells:
        problem = Problem("review.return_needs_comment")
        raise ServiceError(422, "comment-required", problem.message_en, [problem])
    if decision == "accept" and cells:
        raise ServiceError(422, "invalid-request", "cell comments go with a return, not with an accept")
    with db.write() as session:
        round_row = round_for_update(session, db, year, system, exclusive=False)
        row = find_submission(session, round_row, unit_code, version)
        published_at = round_row.published_at
        if round_row.status == "published" and published_at is not None and row.uploaded_at <= published_at:
            raise conflict("round-published", f"round {year} is published: its submissions are final")
        if decision == "accept" and row.outcome != OUTCOME_VALID:
            raise conflict(
                "submission-not-valid",
                f"version {version} has {row.error_count} errors and cannot be accepted",
            )
        declared = unavailable_of(values_from_json(row.unit_code, row.values_json))
        if decision == "accept" and declared and not accept_unavailable:
            problems = [
                Problem(
                    "review.unavailable_not_accepted",
                    location=Location(cell=d["location"]),
                    unit=unit_code,
                    indicator=d["indicator_code"],
                    year=d["year"],
                    params={
                        "unit": unit_code,
                        "version": version,
                        "indicator": d["indicator_code"],
                        "year": d["year"],
                        "reason": d["reason"],
                    },
                )
                for d in declared
            ]
            raise ServiceError(409, "unavailable-not-accepted", problems[0].message_en, problems)
        if decision == "accept" and before_accept is not None:
            before_accept(session, row)
        cell_rows = _cell_rows(row, cells)
        review = ReviewRow(
            submission_id=row.id,
            decision=decision,
            comment=comment,
            reviewer=principal.token_id,
            reviewed_at=now,
        )
        session.add(review)
        session.flush()
        for cell_row in cell_rows:
            cell_row.review_id = review.id
            session.add(cell_row)
        audit.record(
            session,
            principal,
            f"submission.{decision}",
            f"{audit.round_target(year, system)}/{submitter(row.kind, unit_code)}/v{version}",
            now,
            row.sha256,
            comment=comment,
            cells=[
                {"indicator": c.indicator_code, "year": c.year, "location": c.location, "comment": c.comment}
                | ({"unit": c.unit_code} if c.unit_code is not None else {})
                for c in cell_rows
            ],
            **({"unavailable_accepted": declared} if decision == "accept" and declared else {}),
        )
        session.flush()
        return detail(session, round_row, row)


def latest_review(session: Session, submission_id: int) -> ReviewRow | None:
    """A version's latest review (the one that counts), None before any."""
    found = _review_states(session, [submission_id]).get(submission_id)
    return found[1] if found is not None else None


def review_cells(session: Session, review_id: int) -> list[dict[str, Any]]:
    """The cells a review commented on, in the order written."""
    rows = session.execute(
        select(ReviewCellRow).where(ReviewCellRow.review_id == review_id).order_by(ReviewCellRow.id)
    ).scalars()
    return [
        {"indicator_code": r.indicator_code, "year": r.year, "location": r.location, "comment": r.comment}
        | ({"unit_code": r.unit_code} if r.unit_code is not None else {})
        for r in rows
    ]


@dataclass
class References:
    """What an upload of a unit is compared with: the unit's last accepted values (``indicator_code, year,
    value``) and the values of ``year`` of the other units accepted in the round (``indicator_code, value``)."""

    last: pd.DataFrame
    others: pd.DataFrame


def reference_values(session: Session, round_row: RoundRow, unit_code: str) -> References:
    """The references of an upload in ``round_row`` for ``unit_code`` (``scoring.io.references``): the unit's
    accepted version in the newest earlier round of the same system that has one (its values of the years before this round's),
    and the latest accepted version of every other unit in this round. Only the three newest earlier rounds are
    looked at."""
    year = round_row.year
    others = [row for row in accepted_inputs(session, round_row) if row.unit_code != unit_code]
    other_values = dataset_of([(row.unit_code, row.values_json) for row in others]).values
    other_values = other_values[other_values["year"] == year][["indicator_code", "value"]]
    last = pd.DataFrame({"indicator_code": [], "year": [], "value": []})
    earlier = session.execute(
        select(RoundRow)
        .where(
            RoundRow.year < year, RoundRow.system_id == round_row.system_id, RoundRow.status != "cancelled"
        )
        .order_by(RoundRow.year.desc())
        .limit(3)  # the last few rounds: a unit absent longer has no "last value" worth comparing with
    ).scalars()
    for earlier_round in earlier:
        mine = [row for row in accepted_inputs(session, earlier_round) if row.unit_code == unit_code]
        if mine:
            values = values_from_json(unit_code, mine[0].values_json)
            last = values[values["year"] < year][["indicator_code", "year", "value"]]
            break
    return References(last.reset_index(drop=True), other_values.reset_index(drop=True))
