"""Indicator systems registered by version and content hash.

A version is stored as the checked system (``IndicatorSystem`` as JSON, units resolved), so it never depends on
files on the server again. A version that a round uses is frozen: registering other content under the same id
and version is refused; an unused version may still be replaced.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.problems import SystemDefinitionError
from scoring.system import IndicatorSystem, parse_system
from scoring.system.reading import DEFAULT_LIMITS
from service import audit
from service.auth import Principal
from service.errors import ServiceError, conflict, not_found
from service.settings import INDICATORS_DIR
from service.tables import RoundRow, SystemRow

MAX_SYSTEM_BYTES = DEFAULT_LIMITS.max_bytes


class SystemCatalog:
    """Parsed systems by content hash and registration time: under one content hash only the texts outside it
    (the English versions of definitions, sources …, scoring.system.load.TRANSLATIONS) may change, and a
    change is registered anew (:func:`register_system`), so the stored definition is read again."""

    def __init__(self) -> None:
        self._parsed: dict[tuple[str, datetime], IndicatorSystem] = {}
        self._lock = threading.Lock()

    def system(self, row: SystemRow) -> IndicatorSystem:
        """The checked system of a stored version (parsed once per registration)."""
        key = (row.content_hash, row.registered_at)
        with self._lock:
            found = self._parsed.get(key)
        if found is None:
            found = IndicatorSystem.model_validate_json(row.definition)
            with self._lock:
                self._parsed[key] = found
        return found


def check_system_upload(content: bytes, file_name: str) -> IndicatorSystem:
    """The checked system of an uploaded YAML file, or a 4xx problem.

    The files it names (``units:``, ``include:``) must be in the shipped ``indicators/`` folder and are read
    within the loader's limits (:mod:`scoring.system.reading`): an upload never makes the server read another
    file, block on a device, or spend unbounded time or memory, and no message shows a server path.
    """
    if len(content) > MAX_SYSTEM_BYTES:
        raise ServiceError(413, "too-large", f"a system file may have at most {MAX_SYSTEM_BYTES} bytes")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError(422, "invalid-system", "the system file must be UTF-8 text") from None
    try:
        parsed = parse_system(text, base_dir=INDICATORS_DIR, file=file_name, root=INDICATORS_DIR)
    except SystemDefinitionError as error:
        raise ServiceError(
            422, "invalid-system", "the system file has problems", list(error.problems)
        ) from None
    if len(parsed.id) > 200 or len(parsed.version) > 100:
        raise ServiceError(422, "invalid-system", "id: at most 200 characters; version: at most 100")
    return parsed


def register_system(
    session: Session, system: IndicatorSystem, principal: Principal, now: datetime
) -> tuple[SystemRow, bool]:
    """Store ``system`` unless the same content is there; returns the row and whether anything was written.

    The same content with other texts outside the content hash (English definitions, sources … added to a
    system already registered, even one a round uses) updates the stored definition: what is scored is the
    same, and the dashboard and the reports show the new texts."""
    existing = session.execute(
        select(SystemRow).where(SystemRow.system_id == system.id, SystemRow.version == system.version)
    ).scalar_one_or_none()
    definition = system.model_dump_json()
    if existing is not None:
        if existing.content_hash == system.content_hash:
            if existing.definition == definition:
                return existing, False
            existing.definition = definition
            existing.registered_at = now
            audit.record(
                session,
                principal,
                "system.texts",
                f"system:{system.id}@{system.version}",
                now,
                system.content_hash,
            )
            return existing, True
        if is_used(session, existing.id):
            raise conflict(
                "system-version-frozen",
                f"version {system.version} of {system.id} is used by a round and cannot change; "
                "register the new content under a new version",
            )
        existing.content_hash = system.content_hash
        existing.definition = definition
        existing.name = system.name
        existing.registered_at = now
        audit.record(
            session,
            principal,
            "system.replace",
            f"system:{system.id}@{system.version}",
            now,
            system.content_hash,
        )
        return existing, True
    row = SystemRow(
        system_id=system.id,
        version=system.version,
        name=system.name,
        content_hash=system.content_hash,
        definition=definition,
        registered_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal,
        "system.register",
        f"system:{system.id}@{system.version}",
        now,
        system.content_hash,
    )
    return row, True


def is_used(session: Session, system_pk: int) -> bool:
    """Whether a round uses the system version (then it is frozen)."""
    return (
        session.execute(select(RoundRow.id).where(RoundRow.system_pk == system_pk).limit(1)).first()
        is not None
    )


def find_system(session: Session, system_id: str, version: str) -> SystemRow:
    """A registered version, or 404."""
    row = session.execute(
        select(SystemRow).where(SystemRow.system_id == system_id, SystemRow.version == version)
    ).scalar_one_or_none()
    if row is None:
        raise not_found(f"indicator system {system_id} version {version}")
    return row


def summary(row: SystemRow, years: list[int]) -> dict[str, Any]:
    """What the list of systems shows of one version."""
    return {
        "id": row.system_id,
        "version": row.version,
        "name": row.name,
        "content_hash": row.content_hash,
        "registered_at": row.registered_at.isoformat(),
        "rounds": years,
        "frozen": bool(years),
    }


def list_systems(session: Session) -> list[dict[str, Any]]:
    """Every registered version with the years of the rounds using it."""
    rows = session.execute(select(SystemRow).order_by(SystemRow.system_id, SystemRow.id)).scalars().all()
    years: dict[int, list[int]] = {}
    for system_pk, year in session.execute(select(RoundRow.system_pk, RoundRow.year).order_by(RoundRow.year)):
        years.setdefault(system_pk, []).append(year)
    return [summary(row, years.get(row.id, [])) for row in rows]


def system_detail(session: Session, catalog: SystemCatalog, system_id: str, version: str) -> dict[str, Any]:
    """A version with its whole definition: tree, weights, targets, methods, units."""
    row = find_system(session, system_id, version)
    years = list(session.execute(select(RoundRow.year).where(RoundRow.system_pk == row.id)).scalars())
    system = catalog.system(row)
    return summary(row, sorted(years)) | {
        "definition": system.model_dump(mode="json", exclude={"content_hash"})
    }
