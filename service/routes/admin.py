"""Tokens and the audit log (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from service import audit
from service.auth import Role, issue_token, revoke, token_expiry
from service.context import ContextDep, PrincipalDep, require_role
from service.errors import ServiceError, not_found
from service.schemas import PROBLEM_RESPONSES, TokenCreate, TokenOut
from service.tables import TokenRow

router = APIRouter(tags=["admin"], responses=PROBLEM_RESPONSES)


@router.post("/tokens", status_code=201, response_model=TokenOut)
def create_token(
    body: TokenCreate,
    principal: PrincipalDep,
    context: ContextDep,
) -> dict[str, Any]:
    """Issue a token (admin); its text is in this response only — the database keeps its sha256."""
    require_role(principal, Role.ADMIN)
    now = context.now()
    try:
        days = context.settings.token_days if body.days is None else body.days
        expires_at = token_expiry(now, days)
        with context.db.write() as session:
            row, token = issue_token(session, Role(body.role), body.unit_code, body.label, now, expires_at)
            audit.record(
                session,
                principal,
                "token.create",
                f"token:{row.id}",
                now,
                row.token_hash,
                role=body.role,
                unit=body.unit_code,
                expires_at=expires_at,
            )
            return token_out(row) | {"token": token}
    except ValueError as error:
        raise ServiceError(422, "invalid-request", str(error)) from None


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut)
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    principal: PrincipalDep,
    context: ContextDep,
) -> dict[str, Any]:
    """Revoke a token (admin): it stops working at once, in every worker."""
    require_role(principal, Role.ADMIN)
    now = context.now()
    with context.db.write() as session:
        row = revoke(session, token_id, principal, now)
        if row is None:
            raise not_found(f"token {token_id}")
        return token_out(row)


def token_out(row: TokenRow) -> dict[str, Any]:
    """A token as the API shows it (never its text, which only its creation answers with)."""
    return {
        "id": row.id,
        "role": row.role,
        "unit_code": row.unit_code,
        "label": row.label,
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
    }


@router.get("/audit")
def audit_log(
    principal: PrincipalDep,
    context: ContextDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The audit log, newest first (admin)."""
    require_role(principal, Role.ADMIN)
    with context.db.read() as session:
        total, items = audit.entries(session, offset, limit)
    return {"total": total, "offset": offset, "limit": limit, "items": items}
