"""Yearly rounds: one year evaluated with one registered system version; open → closed → published.

Uploads are taken while a round is open; reviews go on while it is closed; publishing (``service.results``)
freezes its results. A round's system version is frozen from the moment the round exists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.auth import Principal
from service.db import Database
from service.errors import conflict, not_found
from service.submissions import round_for_update
from service.systems import find_system
from service.tables import RoundRow, SnapshotRow, SystemRow

OPEN, CLOSED, PUBLISHED = "open", "closed", "published"


def find_round(session: Session, year: int) -> RoundRow:
    """The round of ``year``, or 404."""
    found = session.execute(select(RoundRow).where(RoundRow.year == year)).scalar_one_or_none()
    if found is None:
        raise not_found(f"round {year}")
    return found


def round_info(session: Session, row: RoundRow) -> dict[str, Any]:
    """A round as the API shows it: year, status, system version, times, and the results' sha256 once published."""
    system = session.get(SystemRow, row.system_pk)
    assert system is not None
    sha256 = session.execute(select(SnapshotRow.sha256).where(SnapshotRow.round_id == row.id)).scalar()
    return {
        "year": row.year,
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
    }


def list_rounds(session: Session) -> list[dict[str, Any]]:
    """Every round, oldest first."""
    rows = session.execute(select(RoundRow).order_by(RoundRow.year)).scalars().all()
    return [round_info(session, row) for row in rows]


def open_round(
    db: Database, year: int, system_id: str, version: str, principal: Principal, now: datetime
) -> dict[str, Any]:
    """Open the round of ``year`` on a registered system version (one round per year)."""
    try:
        with db.write() as session:
            system = find_system(session, system_id, version)
            if session.execute(select(RoundRow.id).where(RoundRow.year == year)).first() is not None:
                raise conflict("round-exists", f"round {year} exists")
            row = RoundRow(year=year, system_pk=system.id, status=OPEN, opened_at=now)
            session.add(row)
            session.flush()
            audit.record(
                session,
                principal,
                "round.open",
                f"round:{year}",
                now,
                system.content_hash,
                system=system_id,
                version=version,
            )
            return round_info(session, row)
    except IntegrityError:
        raise conflict("round-exists", f"round {year} exists") from None


def close_round(db: Database, year: int, principal: Principal, now: datetime) -> dict[str, Any]:
    """Stop taking uploads; on PostgreSQL this waits for uploads in flight (they hold a share lock)."""
    with db.write() as session:
        row = round_for_update(session, db, year, exclusive=True)
        if row.status != OPEN:
            raise conflict("round-not-open", f"round {year} is {row.status}")
        row.status = CLOSED
        row.closed_at = now
        audit.record(session, principal, "round.close", f"round:{year}", now)
        session.flush()
        return round_info(session, row)
