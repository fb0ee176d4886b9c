"""Deadlines and leave to upload late: who may upload into a round now, and which units are late or missing.

A round may have a deadline (``rounds.deadline``; none: uploads until the round closes). After it, an open round
takes an upload of a unit only while an admin's leave for that unit runs (``late_uploads``: until a time, with a
reason; the newest leave of a unit counts). The same leave lets a unit upload into a published round, to correct
it (``service.results.corrections``): nothing published changes until a correction is published.

Granting leave and setting the deadline are audited (``service.rounds``); an upload taken on leave says so in its
audit entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.problems import Problem, Severity
from service.errors import ServiceError, conflict
from service.tables import LateUploadRow, RoundRow

ON_TIME, LATE, MISSING, DUE = "on_time", "late", "missing", "due"


def leave_until(session: Session, round_row: RoundRow, unit_code: str) -> datetime | None:
    """Until when the unit's newest leave to upload late runs (None: it never had one)."""
    found: datetime | None = session.execute(
        select(LateUploadRow.until)
        .where(LateUploadRow.round_id == round_row.id, LateUploadRow.unit_code == unit_code)
        .order_by(LateUploadRow.granted_at.desc(), LateUploadRow.id.desc())
        .limit(1)
    ).scalar()
    return found


def upload_gate(session: Session, round_row: RoundRow, unit_code: str, now: datetime) -> dict[str, Any]:
    """Whether the unit may upload into the round now: {} when on time, ``{"late": True, "leave_until": …}``
    when only an admin's leave lets it; else 409 (``round-not-open``, ``deadline-passed``,
    ``round-published``)."""
    status, year = round_row.status, round_row.year
    if status == "open" and (round_row.deadline is None or now <= round_row.deadline):
        return {}
    if status not in ("open", "published"):
        raise conflict("round-not-open", f"round {year} is {status}: uploads are closed")
    until = leave_until(session, round_row, unit_code)
    if until is not None and now <= until:
        return {"late": True, "leave_until": until.isoformat()}
    if status == "published":
        problem = Problem(
            "round.published_upload", Severity.ERROR, year=year, params={"year": year, "unit": unit_code}
        )
        raise ServiceError(409, "round-published", problem.message_en, [problem])
    deadline = round_row.deadline
    assert deadline is not None
    problem = Problem(
        "round.deadline_passed",
        Severity.ERROR,
        year=year,
        unit=unit_code,
        params={"year": year, "unit": unit_code, "deadline": deadline.strftime("%Y-%m-%d %H:%M UTC")},
    )
    raise ServiceError(409, "deadline-passed", problem.message_en, [problem])


def timeliness(deadline: datetime | None, first_upload: datetime | None, now: datetime) -> str | None:
    """A unit against the deadline: on_time (first upload by it), late (after it), missing (none, deadline
    passed), due (none yet, deadline ahead); None without a deadline."""
    if deadline is None:
        return None
    if first_upload is not None:
        return ON_TIME if first_upload <= deadline else LATE
    return MISSING if now > deadline else DUE
