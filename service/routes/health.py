"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.context import ContextDep
from service.errors import PROBLEM_JSON, problem_document

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process answers (liveness)."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "database unreachable or schema not current"}})
def ready(context: ContextDep) -> Any:
    """The database answers and its schema is at the newest migration (readiness)."""
    try:
        current = context.db.schema_is_current()
    except Exception as error:  # any failure to reach the database means: not ready
        current = False
        detail = f"database unreachable: {type(error).__name__}"
    else:
        detail = "database schema is not at the newest migration"
    if current:
        return {"status": "ready", "database": "sqlite" if context.db.is_sqlite else "postgresql"}
    body = problem_document(503, "not-ready", detail, "/ready")
    return JSONResponse(body, status_code=503, media_type=PROBLEM_JSON)
