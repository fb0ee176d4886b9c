"""Indicator systems: list, detail, and registering a new version (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile

from service.access import AdminDep
from service.context import ContextDep
from service.schemas import PROBLEM_RESPONSES
from service.usecases import systems as usecases

router = APIRouter(tags=["systems"], responses=PROBLEM_RESPONSES)


@router.get("/systems")
def systems(context: ContextDep) -> list[dict[str, Any]]:
    """Every registered system version, with the years of the rounds that use it (those are frozen)."""
    return usecases.list_systems(context)


@router.get("/systems/{system_id}/{version}")
def system(system_id: str, version: str, context: ContextDep) -> dict[str, Any]:
    """One version with its full definition: tree, weights, targets, methods, units."""
    return usecases.system_detail(context, system_id, version)


@router.post("/systems", status_code=201)
def register(
    file: Annotated[
        UploadFile,
        File(
            description="an indicator-system YAML file; `units:` inline or a file of indicators/ (units/x.yaml)"
        ),
    ],
    principal: AdminDep,
    context: ContextDep,
) -> dict[str, Any]:
    """Register a system version (admin). The same content again is a no-op; other content under a version a
    round uses is refused (409)."""
    return usecases.register(context, principal, file.file, file.filename)
