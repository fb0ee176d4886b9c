"""Admin use cases: issue and revoke tokens, read the audit log."""

from __future__ import annotations

from typing import Any

from service import audit
from service.auth import Principal, Role, issue_token, revoke, token_expiry
from service.context import ServiceContext
from service.errors import ServiceError, not_found
from service.tables import TokenRow


def token_out(row: TokenRow) -> dict[str, Any]:
    """A token as the API shows it (never its text, which only its creation answers with)."""
    return {
        "id": row.id,
        "role": row.role,
        "unit_code": row.unit_code,
        "department_code": row.department_code,
        "label": row.label,
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
    }


def create_token(
    context: ServiceContext,
    principal: Principal,
    role: str,
    unit_code: str | None,
    label: str | None,
    days: int | None,
    department_code: str | None = None,
) -> dict[str, Any]:
    """Issue a token valid for ``days`` (the settings' ``token_days`` by default); its text is in the outcome
    only — the database keeps its sha256. 422 for a district token without a unit, or a unit on another role;
    likewise for a department token and its department."""
    now = context.now()
    try:
        expires_at = token_expiry(now, context.settings.token_days if days is None else days)
        with context.db.write() as session:
            row, token = issue_token(
                session, Role(role), unit_code, label, now, expires_at, department_code=department_code
            )
            audit.record(
                session,
                principal,
                "token.create",
                f"token:{row.id}",
                now,
                row.token_hash,
                role=role,
                unit=unit_code,
                department=department_code,
                expires_at=expires_at,
            )
            return token_out(row) | {"token": token}
    except ValueError as error:
        raise ServiceError(422, "invalid-request", str(error)) from None


def revoke_token(context: ServiceContext, principal: Principal, token_id: int) -> dict[str, Any]:
    """Revoke a token: it stops working at once, in every worker (revoking twice changes nothing)."""
    with context.db.write() as session:
        row = revoke(session, token_id, principal, context.now())
        if row is None:
            raise not_found(f"token {token_id}")
        return token_out(row)


def audit_log(context: ServiceContext, offset: int, limit: int) -> dict[str, Any]:
    """A page of the audit log, newest first."""
    with context.db.read() as session:
        total, items = audit.entries(session, offset, limit)
    return {"total": total, "offset": offset, "limit": limit, "items": items}
