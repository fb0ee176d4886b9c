"""Indicator systems: list, detail, and registering a new version (admin)."""

from __future__ import annotations

import re
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, File, UploadFile

from scoring.problems import SystemDefinitionError
from scoring.system import parse_system
from service.auth import Role
from service.context import ContextDep, PrincipalDep, require_role
from service.errors import ServiceError
from service.schemas import PROBLEM_RESPONSES
from service.settings import INDICATORS_DIR
from service.systems import list_systems, register_system, system_detail

router = APIRouter(tags=["systems"], responses=PROBLEM_RESPONSES)
MAX_SYSTEM_BYTES = 1024 * 1024


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
        File(description="an indicator-system YAML file; `units:` inline or a file in indicators/units"),
    ],
    principal: PrincipalDep,
    context: ContextDep,
) -> dict[str, Any]:
    """Register a system version (admin). The same content again is a no-op; other content under a version a
    round uses is refused (409)."""
    require_role(principal, Role.ADMIN)
    content = file.file.read(MAX_SYSTEM_BYTES + 1)
    if len(content) > MAX_SYSTEM_BYTES:
        raise ServiceError(413, "too-large", f"a system file may have at most {MAX_SYSTEM_BYTES} bytes")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError(422, "invalid-system", "the system file must be UTF-8 text") from None
    _refuse_unit_paths_outside(text)
    try:
        parsed = parse_system(text, base_dir=INDICATORS_DIR, file=file.filename or "system.yaml")
    except SystemDefinitionError as error:
        raise ServiceError(
            422, "invalid-system", "the system file has problems", list(error.problems)
        ) from None
    if len(parsed.id) > 200 or len(parsed.version) > 100:
        raise ServiceError(422, "invalid-system", "id: at most 200 characters; version: at most 100")
    with context.db.write() as session:
        row, _ = register_system(session, parsed, principal, context.now())
        return system_detail(session, context.catalog, row.system_id, row.version)


def _refuse_unit_paths_outside(text: str) -> None:
    """A unit list given by path must be a file of indicators/units: an upload may not make us read other files."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return  # parse_system reports it
    units = document.get("units") if isinstance(document, dict) else None
    if isinstance(units, str) and not re.fullmatch(r"units/[A-Za-z0-9_\-]+\.ya?ml", units.strip()):
        raise ServiceError(
            422,
            "invalid-system",
            "units: give the list inline or as units/<name>.yaml (a file in indicators/units)",
        )
