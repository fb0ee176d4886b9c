"""Indicator-system use cases: the registered versions, one version's definition, registering an uploaded one."""

from __future__ import annotations

from typing import IO, Any

from service import systems as storage
from service.auth import Principal
from service.context import ServiceContext


def list_systems(context: ServiceContext) -> list[dict[str, Any]]:
    """Every registered system version, with the years of the rounds that use it (those are frozen)."""
    with context.db.read() as session:
        return storage.list_systems(session)


def system_detail(context: ServiceContext, system_id: str, version: str) -> dict[str, Any]:
    """One version with its full definition; 404 if it is not registered."""
    with context.db.read() as session:
        return storage.system_detail(session, context.catalog, system_id, version)


def register(
    context: ServiceContext, principal: Principal, stream: IO[bytes], file_name: str | None
) -> dict[str, Any]:
    """Register an uploaded system file (checked by :func:`service.systems.check_system_upload`: 413 / 422 with
    its problems); the same content again is a no-op, other content under a version a round uses is 409."""
    content = stream.read(storage.MAX_SYSTEM_BYTES + 1)
    parsed = storage.check_system_upload(content, file_name or "system.yaml")
    with context.db.write() as session:
        row, _ = storage.register_system(session, parsed, principal, context.now())
        return storage.system_detail(session, context.catalog, row.system_id, row.version)
