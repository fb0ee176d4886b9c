"""What every request handler needs — settings, database, caches, the clock — and who is asking.

One :class:`ServiceContext` per app (``app.state.context``), built by the factory; nothing lives in module globals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from service.auth import PUBLIC, Principal, TokenCheck, check_token
from service.db import Database
from service.errors import ServiceError
from service.ratelimit import count_failure, refuse_if_blocked
from service.results import ResultsCache
from service.settings import Settings
from service.systems import SystemCatalog


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


@dataclass
class ServiceContext:
    """The app's state: one per ``create_app`` call."""

    settings: Settings
    db: Database
    catalog: SystemCatalog
    results: ResultsCache
    clock: Callable[[], datetime] = utc_now
    default_system: str = ""  # the system `/rounds/{year}` means (docs/service.md, "Rounds per system")

    def now(self) -> datetime:
        return self.clock()


def get_context(request: Request) -> ServiceContext:
    """The app's context, for ``Depends``."""
    context: ServiceContext = request.app.state.context
    return context


# shows the "Authorize" button in /docs; the header itself is read below, so that a wrong one is an error
bearer_scheme = HTTPBearer(auto_error=False, description="an API token: `Authorization: Bearer dgs_…`")


def unauthorized(detail: str) -> ServiceError:
    """401 with ``WWW-Authenticate: Bearer``."""
    return ServiceError(401, "unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


async def get_principal(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> Principal:
    """The caller: the public without a header (no database call), else the token's principal, else 401."""
    header = request.headers.get("authorization")
    if not header:
        return PUBLIC
    refuse_if_blocked(request)  # 429 after too many failed tokens from this address (service.ratelimit)
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        count_failure(request)
        raise unauthorized("use the header 'Authorization: Bearer <token>'")
    if len(token) > 200:
        count_failure(request)
        raise unauthorized("unknown or revoked token")
    context = get_context(request)

    def lookup() -> TokenCheck:
        with context.db.read() as session:
            return check_token(session, token, context.now())

    checked = await run_in_threadpool(lookup)
    if checked.principal is None:
        count_failure(request)
        raise unauthorized(checked.detail)
    return checked.principal


ContextDep = Annotated[ServiceContext, Depends(get_context)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
