"""Bearer tokens and roles.

A token is ``dgs_`` + 32 random bytes (url-safe base64); the database keeps only its sha256, so a leaked
database gives no usable token. Roles:

- ``admin``: everything — systems, rounds (open, close, publish), tokens, the audit log;
- ``reviewer``: every submission, reviews, previews of unpublished results;
- ``district``: bound to one unit code: its blank form, its uploads and its own submission history;
- ``public`` (no token): published results only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.tables import TokenRow

TOKEN_PREFIX = "dgs_"


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    DISTRICT = "district"
    PUBLIC = "public"


@dataclass(frozen=True)
class Principal:
    """Who is asking: the token's id (None for the public), role and, for a district, its unit."""

    role: Role
    token_id: int | None = None
    unit_code: str | None = None
    name: str | None = None  # how the audit log names an actor without a token (the CLI, start-up)

    @property
    def is_staff(self) -> bool:
        """Admins and reviewers: they see every unit's submissions and unpublished results."""
        return self.role in (Role.ADMIN, Role.REVIEWER)

    def may_act_for(self, unit_code: str) -> bool:
        """Whether this principal may upload for, and read the submissions of, ``unit_code``."""
        return self.is_staff or (self.role is Role.DISTRICT and self.unit_code == unit_code)

    @property
    def label(self) -> str:
        """How the audit log names the actor."""
        if self.token_id is None:
            return self.name or str(self.role)
        unit = f":{self.unit_code}" if self.unit_code else ""
        return f"token:{self.token_id}:{self.role}{unit}"


PUBLIC = Principal(Role.PUBLIC)
CLI = Principal(Role.ADMIN, name="cli")  # the command line acts as an admin without a token
STARTUP = Principal(Role.ADMIN, name="startup")  # systems registered from the settings when the app starts


def hash_token(token: str) -> str:
    """The sha256 of a token's text, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token text."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def issue_token(
    session: Session, role: Role, unit_code: str | None, label: str | None, now: datetime
) -> tuple[TokenRow, str]:
    """Store a new token's hash; returns the row and the token text, which is not stored anywhere."""
    if role is Role.PUBLIC:
        raise ValueError("the public role needs no token")
    if (role is Role.DISTRICT) != (unit_code is not None):
        raise ValueError("a district token needs --unit, and only a district token takes one")
    token = new_token()
    row = TokenRow(
        token_hash=hash_token(token), role=str(role), unit_code=unit_code, label=label, created_at=now
    )
    session.add(row)
    session.flush()
    return row, token


def find_principal(session: Session, token: str) -> Principal | None:
    """The principal of a token, or None when the token is unknown or revoked."""
    row = session.execute(
        select(TokenRow).where(TokenRow.token_hash == hash_token(token), TokenRow.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None:
        return None
    return Principal(Role(row.role), row.id, row.unit_code)
