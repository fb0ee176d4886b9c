"""Yearly rounds: one year evaluated with one registered system version; open → closed → published.

Uploads are taken while a round is open; reviews go on while it is closed; publishing (``service.results``)
freezes its results. A round's system version is frozen from the moment the round exists. A closed round may be
reopened before it is published; a round without any submission may be cancelled (opened by mistake), after
which its year may be opened again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.problems import Problem, Severity
from service import audit
from service.auth import Principal
from service.db import Database
from service.errors import ServiceError, conflict, not_found
from service.submissions import round_for_update, round_query
from service.systems import find_system
from service.tables import LateUploadRow, RoundRow, SnapshotRow, SubmissionRow, SystemRow

OPEN, CLOSED, PUBLISHED, CANCELLED = "open", "closed", "published", "cancelled"


def find_round(session: Session, year: int, system: str) -> RoundRow:
    """The round of ``system`` in ``year``, or 404."""
    found = session.execute(round_query(year, system)).scalar_one_or_none()
    if found is None:
        raise not_found(f"round {year} of system {system}")
    return found


def resolve_system(session: Session, year: int, system: str | None, default: str) -> str:
    """The system a round URL of ``year`` means: ``system`` when it names one; else the default system, unless
    that has no round in ``year`` while exactly one other system has (cancelled rounds aside: then exactly one
    round at all) — that round, so that links to a year made when a year had one round keep working."""
    if system:
        return system
    rows = session.execute(select(RoundRow.system_id, RoundRow.status).where(RoundRow.year == year)).all()
    systems = {row.system_id for row in rows}
    if default in systems or not systems:
        return default
    live = {row.system_id for row in rows if row.status != CANCELLED}
    only = live if live else systems
    return next(iter(only)) if len(only) == 1 else default


def round_info(session: Session, row: RoundRow) -> dict[str, Any]:
    """A round as the API shows it: year, status, system version, times, its deadline, and once published the
    sha256 and version number of its current results (above 1 once corrected)."""
    system = session.get(SystemRow, row.system_pk)
    assert system is not None
    current = session.execute(
        select(SnapshotRow.sha256, SnapshotRow.version)
        .where(SnapshotRow.round_id == row.id)
        .order_by(SnapshotRow.version.desc())
        .limit(1)
    ).first()
    sha256, results_version = current if current is not None else (None, None)
    return {
        "year": row.year,
        "system_id": row.system_id,
        "status": row.status,
        "system": {
            "id": system.system_id,
            "version": system.version,
            "name": system.name,
            "content_hash": system.content_hash,
        },
        "opened_at": row.opened_at.isoformat(),
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "results_sha256": sha256,
        "results_version": results_version,
        "deadline": row.deadline.isoformat() if row.deadline else None,
    }


def list_rounds(session: Session, system: str | None = None) -> list[dict[str, Any]]:
    """Every round (of ``system`` if given), oldest first, by system id within a year."""
    query = select(RoundRow).order_by(RoundRow.year, RoundRow.system_id)
    if system is not None:
        query = query.where(RoundRow.system_id == system)
    rows = session.execute(query).scalars().all()
    return [round_info(session, row) for row in rows]


def open_round(
    db: Database, year: int, system_id: str, version: str, principal: Principal, now: datetime
) -> dict[str, Any]:
    """Open the round of ``year`` on a registered system version (one round per system and year; a cancelled
    round may be opened again, on any version of its system: it never held a submission)."""
    try:
        with db.write() as session:
            system = find_system(session, system_id, version)
            row = session.execute(round_query(year, system_id)).scalar_one_or_none()
            if row is not None and row.status != CANCELLED:
                raise conflict("round-exists", f"round {year} of system {system_id} exists")
            if row is None:
                row = RoundRow(
                    year=year, system_id=system_id, system_pk=system.id, status=OPEN, opened_at=now
                )
                session.add(row)
            else:
                row.system_pk, row.status, row.opened_at, row.closed_at = system.id, OPEN, now, None
            session.flush()
            audit.record(
                session,
                principal,
                "round.open",
                audit.round_target(year, system_id),
                now,
                system.content_hash,
                system=system_id,
                version=version,
            )
            return round_info(session, row)
    except IntegrityError:
        raise conflict("round-exists", f"round {year} of system {system_id} exists") from None


def submission_count(session: Session, row: RoundRow) -> int:
    """How many uploads (every version of every unit) the round holds."""
    return int(
        session.execute(
            select(func.count()).select_from(SubmissionRow).where(SubmissionRow.round_id == row.id)
        ).scalar_one()
    )


def submission_counts(session: Session) -> dict[tuple[int, str], int]:
    """(year, system id) → how many uploads its round holds (rounds without any are absent)."""
    rows = session.execute(
        select(RoundRow.year, RoundRow.system_id, func.count(SubmissionRow.id))
        .join(SubmissionRow, SubmissionRow.round_id == RoundRow.id)
        .group_by(RoundRow.year, RoundRow.system_id)
    ).all()
    return {(int(year), str(system)): int(count) for year, system, count in rows}


def cancellable(session: Session, row: RoundRow) -> None:
    """Raise unless the round may be cancelled: open or closed, and without a single submission."""
    if row.status not in (OPEN, CLOSED):
        raise conflict("round-not-cancellable", f"round {row.year} is {row.status}")
    count = submission_count(session, row)
    if count:
        problem = Problem(
            "round.has_submissions", Severity.ERROR, year=row.year, params={"year": row.year, "count": count}
        )
        raise ServiceError(409, "round-has-submissions", problem.message_en, [problem])


def cancel_round(
    db: Database, year: int, system: str, principal: Principal, now: datetime, reason: str | None
) -> dict[str, Any]:
    """Cancel a round opened by mistake (no submission yet): it stays listed, as cancelled, takes no upload
    and is nobody's default year. The exclusive lock waits for uploads in flight (they hold a share lock)."""
    with db.write() as session:
        row = round_for_update(session, db, year, system, exclusive=True)
        cancellable(session, row)
        previous = row.status
        row.status = CANCELLED
        audit.record(
            session,
            principal,
            "round.cancel",
            audit.round_target(year, system),
            now,
            was=previous,
            reason=reason,
        )
        session.flush()
        return round_info(session, row)


def reopen_round(
    db: Database, year: int, system: str, principal: Principal, now: datetime, reason: str
) -> dict[str, Any]:
    """Take uploads again in a closed round that is not published yet (the reason goes to the audit log)."""
    with db.write() as session:
        row = round_for_update(session, db, year, system, exclusive=True)
        if row.status != CLOSED:
            raise conflict(
                "round-not-reopenable", f"round {year} is {row.status}; only a closed round reopens"
            )
        closed_at = row.closed_at
        row.status = OPEN
        row.closed_at = None
        audit.record(
            session,
            principal,
            "round.reopen",
            audit.round_target(year, system),
            now,
            reason=reason,
            closed_at=closed_at,
        )
        session.flush()
        return round_info(session, row)


def close_round(db: Database, year: int, system: str, principal: Principal, now: datetime) -> dict[str, Any]:
    """Stop taking uploads; on PostgreSQL this waits for uploads in flight (they hold a share lock)."""
    with db.write() as session:
        row = round_for_update(session, db, year, system, exclusive=True)
        if row.status != OPEN:
            raise conflict("round-not-open", f"round {year} is {row.status}")
        row.status = CLOSED
        row.closed_at = now
        audit.record(session, principal, "round.close", audit.round_target(year, system), now)
        session.flush()
        return round_info(session, row)


def set_deadline(
    db: Database, year: int, system: str, deadline: datetime | None, principal: Principal, now: datetime
) -> dict[str, Any]:
    """Set (or, with None, remove) the deadline of an open or closed round; audited with the one before."""
    with db.write() as session:
        row = round_for_update(session, db, year, system, exclusive=True)
        if row.status not in (OPEN, CLOSED):
            raise conflict("round-not-open", f"round {year} is {row.status}: its deadline is history")
        before = row.deadline
        row.deadline = deadline
        audit.record(
            session,
            principal,
            "round.deadline",
            audit.round_target(year, system),
            now,
            deadline=deadline.isoformat() if deadline else None,
            was=before.isoformat() if before else None,
        )
        session.flush()
        return round_info(session, row)


def allow_late_upload(
    db: Database,
    year: int,
    system: str,
    unit_code: str,
    until: datetime,
    reason: str,
    principal: Principal,
    now: datetime,
) -> dict[str, Any]:
    """Let one unit upload after the deadline, or into the published round to correct it, until ``until``
    (the newest leave of a unit counts: an earlier ``until`` withdraws it); audited with the reason."""
    with db.write() as session:
        row = round_for_update(session, db, year, system, exclusive=False)
        if row.status not in (OPEN, CLOSED, PUBLISHED):
            raise conflict("round-not-open", f"round {year} is {row.status}")
        leave = LateUploadRow(
            round_id=row.id,
            unit_code=unit_code,
            until=until,
            reason=reason,
            granted_by=principal.token_id,
            granted_at=now,
        )
        session.add(leave)
        audit.record(
            session,
            principal,
            "submission.allow_late",
            f"{audit.round_target(year, system)}/unit:{unit_code}",
            now,
            until=until.isoformat(),
            reason=reason,
        )
        session.flush()
        return {
            "year": year,
            "system_id": system,
            "unit_code": unit_code,
            "until": leave.until.isoformat(),
            "reason": reason,
            "granted_at": leave.granted_at.isoformat(),
        }
