"""The audit log: every write records who did it, what, on which target, when, and the hash of what was written.

An entry is added in the same transaction as the write it records, so neither exists without the other.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.auth import Principal
from service.tables import AuditRow


def record(
    session: Session,
    principal: Principal,
    action: str,
    target: str,
    now: datetime,
    sha256: str | None = None,
    **detail: Any,
) -> None:
    """Add one audit entry to the session's transaction."""
    session.add(
        AuditRow(
            at=now,
            actor_token=principal.token_id,
            actor=principal.label,
            action=action,
            target=target,
            sha256=sha256,
            detail_json=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
        )
    )


def entries(session: Session, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """The newest entries first: (total count, one page)."""
    total = session.execute(select(func.count()).select_from(AuditRow)).scalar_one()
    rows = session.execute(
        select(AuditRow).order_by(AuditRow.id.desc()).offset(offset).limit(limit)
    ).scalars()
    return total, [
        {
            "id": row.id,
            "at": row.at.isoformat(),
            "actor": row.actor,
            "action": row.action,
            "target": row.target,
            "sha256": row.sha256,
            "detail": json.loads(row.detail_json),
        }
        for row in rows
    ]


def round_target(year: int, system: str) -> str:
    """The audit target of a round: its year and its system's id (``round:2024@jinan-smart-city``)."""
    return f"round:{year}@{system}"
