"""Tokens and the audit log (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from service.access import AdminDep
from service.context import ContextDep
from service.schemas import PROBLEM_RESPONSES, TokenCreate, TokenOut
from service.usecases import tokens

router = APIRouter(tags=["admin"], responses=PROBLEM_RESPONSES)


@router.post("/tokens", status_code=201, response_model=TokenOut)
def create_token(body: TokenCreate, principal: AdminDep, context: ContextDep) -> dict[str, Any]:
    """Issue a token (admin); its text is in this response only — the database keeps its sha256."""
    department = getattr(body, "department_code", None)
    return tokens.create_token(
        context, principal, body.role, body.unit_code, body.label, body.days, department_code=department
    )


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut)
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], principal: AdminDep, context: ContextDep
) -> dict[str, Any]:
    """Revoke a token (admin): it stops working at once, in every worker."""
    return tokens.revoke_token(context, principal, token_id)


@router.get("/audit")
def audit_log(
    _caller: AdminDep,
    context: ContextDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The audit log, newest first (admin)."""
    return tokens.audit_log(context, offset, limit)
