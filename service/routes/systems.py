"""Indicator systems: list, detail, and registering a new version (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile

from service.auth import Role
from service.context import ContextDep, PrincipalDep, require_role
from service.schemas import PROBLEM_RESPONSES
from service.systems import (
    MAX_SYSTEM_BYTES,
    check_system_upload,
    list_systems,
    register_system,
    system_detail,
)

router = APIRouter(tags=["systems"], responses=PROBLEM_RESPONSES)


@router.get("/systems")
def systems(context: ContextDep) -> list[dict[str, Any]]:
    """Every registered system version, with the years of the rounds that use it (those are frozen)."""
    with context.db.read() as session:
        return list_systems(session)


@router.get("/systems/{system_id}/{version}")
def system(system_id: str, version: str, context: ContextDep) -> dict[str, Any]:
    """One version with its full definition: tree, weights, targets, methods, units."""
    with context.db.read() as session:
        return system_detail(session, context.catalog, system_id, version)


@router.post("/systems", status_code=201)
def register(
    file: Annotated[
        UploadFile,
        File(
            description="an indicator-system YAML file; `units:` inline or a file of indicators/ (units/x.yaml)"
        ),
    ],
    principal: PrincipalDep,
    context: ContextDep,
) -> dict[str, Any]:
    """Register a system version (admin). The same content again is a no-op; other content under a version a
    round uses is refused (409)."""
    require_role(principal, Role.ADMIN)
    content = file.file.read(MAX_SYSTEM_BYTES + 1)
    parsed = check_system_upload(content, file.filename or "system.yaml")
    with context.db.write() as session:
        row, _ = register_system(session, parsed, principal, context.now())
        return system_detail(session, context.catalog, row.system_id, row.version)
