"""Who holds a token: the dashboard's sign-in form and its session cookie ask here (the API's bearer header is
read by ``service.context.get_principal``)."""

from __future__ import annotations

from service.auth import Principal, find_principal
from service.context import ServiceContext


def principal_of(context: ServiceContext, token: str) -> Principal | None:
    """The principal of a token, or None when it is empty, unknown, revoked or expired (at the app's clock)."""
    if not token:
        return None
    with context.db.read() as session:
        return find_principal(session, token, context.now())
