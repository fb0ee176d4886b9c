"""The app factory: ``create_app(settings)`` builds one independent app (database, migrations, caches, routes).

``digiscore serve`` runs it with uvicorn; several workers use ``uvicorn --factory service.app:app_from_env``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import scoring
from scoring.problems import DigiscoreError, Problem
from scoring.system import load_system
from service import systems
from service.auth import STARTUP
from service.context import ServiceContext, utc_now
from service.db import Database
from service.docs import install_docs
from service.errors import PROBLEM_JSON, ServiceError, install_error_handlers, problem_document
from service.headers import SecurityHeaders
from service.openapi import install_openapi
from service.ratelimit import FailureLimiter
from service.results import ResultsCache
from service.routes import admin, analysis, departments, health, results, rounds, submissions
from service.routes import evidence as evidence_routes
from service.routes import progress as progress_routes
from service.routes import systems as system_routes
from service.settings import Settings
from service.web import install as install_web

log = logging.getLogger("digiscore.service")

MULTIPART_OVERHEAD = 64 * 1024  # headers and boundaries around the file part of an upload

DESCRIPTION = """
Yearly evaluation rounds of district digital development (区县数字化发展水平评价): districts upload their Excel
forms, the evaluation office reviews and publishes, and anyone reads the published rankings and profiles.

Authenticate with `Authorization: Bearer <token>` (`digiscore token create`). Errors are
`application/problem+json` (RFC 9457); validation failures list every problem with its cell.
"""


def create_app(settings: Settings | None = None, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """An app on the settings' database: migrated, with the configured systems registered."""
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.sqlalchemy_url, settings.database_schema)
    if settings.migrate_on_start:
        database.migrate()
    context = ServiceContext(
        settings=settings,
        db=database,
        catalog=systems.SystemCatalog(),
        results=ResultsCache(settings.cached_snapshots, settings.cached_pages),
        clock=clock or utc_now,
    )
    configured = register_configured_systems(context)
    context.default_system = settings.default_system or (configured[0] if configured else "")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.dispose()

    app = FastAPI(
        title="digiscore",
        version=scoring.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from the app's own files: service.docs
        redoc_url=None,
    )
    app.state.context = context
    app.state.secret_key = settings.server_secret()  # form tokens (service.web.security)
    app.state.auth_failures = FailureLimiter(settings.auth_failures_per_minute)  # service.ratelimit
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        max_body=settings.max_upload_bytes + MULTIPART_OVERHEAD,
        # an evidence file (佐证材料) has a limit of its own: the API's …/evidence/{indicator}, the page's post
        by_path=[(EVIDENCE_PATHS, settings.max_evidence_bytes + MULTIPART_OVERHEAD)],
    )
    app.add_middleware(SecurityHeaders)  # outermost: every answer, a 413 included, gets the headers
    for router in (
        health.router,
        system_routes.router,
        rounds.router,
        submissions.router,
        departments.router,
        evidence_routes.router,
        progress_routes.router,
        results.router,
        analysis.router,
        admin.router,
    ):
        app.include_router(router)
    install_web(app)  # the dashboard's pages at / and its static files (docs/web.md)
    install_docs(app)  # Swagger UI at /docs, from those static files
    install_openapi(app)
    return app


def app_from_env() -> FastAPI:
    """The app from ``DIGISCORE_*`` environment variables (for ``uvicorn --factory``)."""
    return create_app(Settings())


def register_configured_systems(context: ServiceContext) -> list[str]:
    """Register the systems named in the settings; a changed file under a frozen version is logged, not used.
    Returns the ids of the systems read, in the settings' order (the first is the default system)."""
    ids = []
    for path in context.settings.systems:
        try:
            system = load_system(path)
            ids.append(system.id)
            for attempt in range(
                2
            ):  # a second worker starting at once may register it first: then it is there
                try:
                    with context.db.write() as session:
                        systems.register_system(session, system, STARTUP, context.now())
                    break
                except IntegrityError:
                    if attempt:
                        raise
        except (DigiscoreError, ServiceError) as error:
            log.error("indicator system %s not registered: %s", path, error)
    return ids


EVIDENCE_PATHS = re.compile(
    r"^(?:/rounds/[^/]+/units/[^/]+/submissions/[^/]+/evidence/[^/]+|/upload/evidence)$"
)


class BodySizeLimit:
    """Refuse request bodies over ``max_body`` bytes with 413, before they are spooled: by Content-Length when
    the client sends one, else by counting while the body streams in. ``by_path`` gives paths matching a
    pattern a limit of their own (the first that matches)."""

    def __init__(self, app: ASGIApp, max_body: int, by_path: list[tuple[re.Pattern[str], int]] | None = None):
        self.app = app
        self.max_body = max_body
        self.by_path = by_path or []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = next((size for pattern, size in self.by_path if pattern.match(scope["path"])), self.max_body)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        state = {"received": 0, "too_large": False, "started": False}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["too_large"] = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if state["too_large"]:
                return  # whatever the app answers to the cut-off body, the answer is 413
            state["started"] = True
            await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if state["too_large"] and not state["started"]:
            await self._refuse(scope, send, limit)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        problem = Problem("request.too_large", params={"limit": limit})
        body = json.dumps(
            problem_document(413, "too-large", problem.message_en, scope["path"], [problem])
        ).encode()
        headers: list[Any] = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    """Raised inside ``receive`` to stop reading a body over the limit."""
