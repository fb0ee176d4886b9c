"""Bearer tokens and roles.

A token is ``dgs_`` + 32 random bytes (url-safe base64); the database keeps only its sha256, so a leaked
database gives no usable token. Roles:

- ``admin``: everything — systems, rounds (open, close, publish), tokens, the audit log;
- ``reviewer``: every submission, reviews, previews of unpublished results;
- ``district``: bound to one unit code: its blank form, its uploads and its own submission history;
- ``department``: bound to one department code (a 部门 that supplies indicators, ``provider:`` in the system
  file): its blank department sheet, its uploads (a long or wide table of its indicators for any unit) and its
  own submission history;
- ``public`` (no token): published results only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.tables import TokenRow
from service.text import refuse_control

TOKEN_PREFIX = "dgs_"


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    DISTRICT = "district"
    DEPARTMENT = "department"
    PUBLIC = "public"


@dataclass(frozen=True)
class Principal:
    """Who is asking: the token's id (None for the public), role and, for a district, its unit; for a
    department, its department."""

    role: Role
    token_id: int | None = None
    unit_code: str | None = None
    name: str | None = None  # how the audit log names an actor without a token (the CLI, start-up)
    department_code: str | None = None

    @property
    def is_staff(self) -> bool:
        """Admins and reviewers: they see every unit's submissions and unpublished results."""
        return self.role in (Role.ADMIN, Role.REVIEWER)

    def may_act_for(self, unit_code: str) -> bool:
        """Whether this principal may upload for, and read the submissions of, ``unit_code``."""
        return self.is_staff or (self.role is Role.DISTRICT and self.unit_code == unit_code)

    def may_supply_for(self, department: str) -> bool:
        """Whether this principal may upload for, and read the submissions of, ``department``."""
        return self.is_staff or (self.role is Role.DEPARTMENT and self.department_code == department)

    @property
    def label(self) -> str:
        """How the audit log names the actor."""
        if self.token_id is None:
            return self.name or str(self.role)
        bound = self.unit_code or self.department_code
        return f"token:{self.token_id}:{self.role}{f':{bound}' if bound else ''}"


PUBLIC = Principal(Role.PUBLIC)
CLI = Principal(Role.ADMIN, name="cli")  # the command line acts as an admin without a token
STARTUP = Principal(Role.ADMIN, name="startup")  # systems registered from the settings when the app starts


def hash_token(token: str) -> str:
    """The sha256 of a token's text, as stored (any text hashes: a malformed one simply matches nothing)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    """A fresh random token text."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def issue_token(
    session: Session,
    role: Role,
    unit_code: str | None,
    label: str | None,
    now: datetime,
    expires_at: datetime | None = None,
    department_code: str | None = None,
) -> tuple[TokenRow, str]:
    """Store a new token's hash; returns the row and the token text, which is not stored anywhere.

    ``expires_at`` None: the token never expires (tokens made before expiry existed are like that).
    A label with a control character is refused (ValueError), as :data:`service.text.CleanLine` does.
    """
    if role is Role.PUBLIC:
        raise ValueError("the public role needs no token")
    if (role is Role.DISTRICT) != (unit_code is not None):
        raise ValueError("a district token needs --unit, and only a district token takes one")
    if (role is Role.DEPARTMENT) != (department_code is not None):
        raise ValueError("a department token needs --department, and only a department token takes one")
    if department_code is not None:
        refuse_control(department_code)
    if label is not None:
        refuse_control(label)
    if expires_at is not None and expires_at <= now:
        raise ValueError("a token must expire after it is made")
    token = new_token()
    row = TokenRow(
        token_hash=hash_token(token),
        role=str(role),
        unit_code=unit_code,
        department_code=department_code,
        label=label,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row, token


def token_expiry(now: datetime, days: int | None) -> datetime | None:
    """When a token made at ``now`` for ``days`` days expires (None or 0 days: never)."""
    return now + timedelta(days=days) if days else None


@dataclass(frozen=True)
class TokenCheck:
    """What a presented token is: its principal, or why it is refused (``unknown``, ``revoked``,
    ``expired``) and, for an expired one, since when."""

    principal: Principal | None
    refusal: str | None = None
    expired_at: datetime | None = None

    @property
    def detail(self) -> str:
        """The 401's detail: says what to do."""
        if self.refusal == "expired" and self.expired_at is not None:
            return (
                f"the token expired at {self.expired_at.isoformat(timespec='seconds')}; "
                "ask an admin for a new one"
            )
        if self.refusal == "revoked":
            return "the token was revoked; ask an admin for a new one"
        return "unknown or revoked token"


def check_token(session: Session, token: str, now: datetime) -> TokenCheck:
    """Whether ``token`` is valid at ``now``: its principal, or the reason it is not."""
    row = session.execute(
        select(TokenRow).where(TokenRow.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if row is None:
        return TokenCheck(None, "unknown")
    if row.revoked_at is not None:
        return TokenCheck(None, "revoked")
    if row.expires_at is not None and row.expires_at <= now:
        return TokenCheck(None, "expired", row.expires_at)
    return TokenCheck(Principal(Role(row.role), row.id, row.unit_code, department_code=row.department_code))


def find_principal(session: Session, token: str, now: datetime | None = None) -> Principal | None:
    """The principal of a token, or None when the token is unknown, revoked or expired (at ``now``, by
    default the current time)."""
    return check_token(session, token, now or datetime.now(UTC)).principal


def revoke(session: Session, token_id: int, actor: Principal, now: datetime) -> TokenRow | None:
    """Revoke token ``token_id`` (audited; revoking twice changes nothing); None when there is no such token."""
    from service import audit  # audit imports this module

    row = session.execute(select(TokenRow).where(TokenRow.id == token_id)).scalar_one_or_none()
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, actor, "token.revoke", f"token:{row.id}", now, row.token_hash)
    return row
