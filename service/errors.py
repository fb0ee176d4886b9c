"""Errors as ``application/problem+json`` (RFC 9457), with the engine's per-cell problems where they apply.

Every error response has ``type`` (a URN naming the kind of problem), ``title``, ``status`` and ``detail``;
validation failures add ``problems``: one :meth:`scoring.problems.Problem.to_dict` per cell or file problem.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scoring.problems import DigiscoreError, Problem

PROBLEM_JSON = "application/problem+json"
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
TYPE_PREFIX = "urn:digiscore:problem:"

log = logging.getLogger("digiscore.service")


class ServiceError(Exception):
    """An error the API answers with a problem document: status, a short slug naming its type, a detail."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        problems: list[Problem] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.problems = problems
        self.headers = headers
        self.extra = extra


def not_found(what: str) -> ServiceError:
    """404: ``what`` does not exist."""
    return ServiceError(404, "not-found", f"{what} not found")


def conflict(slug: str, detail: str) -> ServiceError:
    """409: the request does not fit the current state (``slug`` names which)."""
    return ServiceError(409, slug, detail)


def forbidden(detail: str = "this token may not do that") -> ServiceError:
    """403: the token is known but may not do this."""
    return ServiceError(403, "forbidden", detail)


def problem_document(
    status: int,
    slug: str,
    detail: str,
    instance: str,
    problems: list[Problem] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The RFC 9457 body; ``slug`` "about:blank" keeps the plain HTTP meaning of the status."""
    document: dict[str, Any] = {
        "type": "about:blank" if slug == "about:blank" else TYPE_PREFIX + slug,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if problems is not None:
        document["problems"] = [p.to_dict() for p in problems]
    document.update(extra)
    return document


def problem_response(
    request: Request,
    status: int,
    slug: str,
    detail: str,
    problems: list[Problem] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem document as the response, with ``instance`` the request path."""
    body = problem_document(status, slug, detail, request.url.path, problems, **extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Every error the app can give becomes a problem document; nothing shows a traceback."""

    async def on_service_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ServiceError)
        return problem_response(
            request, error.status, error.slug, error.detail, error.problems, error.headers, **error.extra
        )

    async def on_http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        headers = dict(error.headers or {})
        allowed = allowed_methods(request) if error.status_code == 405 else []
        if allowed:  # (static files answer their own 405)
            headers["Allow"] = ", ".join(allowed)
        return problem_response(request, error.status_code, "about:blank", str(error.detail), headers=headers)

    async def on_validation_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        errors = [
            {
                "loc": [str(part) for part in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": e.get("type"),
            }
            for e in error.errors()
        ]
        return problem_response(request, 422, "invalid-request", "the request is not valid", errors=errors)

    async def on_engine_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DigiscoreError)
        return problem_response(
            request, 422, "engine-error", "the engine could not use the input", list(error.problems)
        )

    async def on_database_down(request: Request, error: Exception) -> JSONResponse:
        log.error("database unavailable on %s %s: %r", request.method, request.url.path, error)
        return problem_response(
            request,
            503,
            "database-unavailable",
            "the database is unavailable; try again",
            headers={"Retry-After": "5"},
        )

    async def on_data_error(request: Request, error: Exception) -> JSONResponse:
        # a value the database cannot store or compare (what service.text does not already refuse): the
        # request's fault, never a 500; the message is logged without the statement's parameters
        log.warning(
            "database refused a value on %s %s: %s", request.method, request.url.path, type(error).__name__
        )
        return problem_response(
            request, 422, "invalid-text", "a value of the request cannot be stored by the database"
        )

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(DigiscoreError, on_engine_error)
    app.add_exception_handler(OperationalError, on_database_down)
    app.add_exception_handler(DataError, on_data_error)
    app.add_middleware(UnexpectedErrors)  # the innermost middleware: see its docstring


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on the request's path (for ``Allow`` on a 405: Starlette
    names only the methods of the first route that matched the path, while a path may have several)."""
    return [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]


class UnexpectedErrors:
    """Any other exception becomes a 500 problem document, logged with its type and stack only.

    An exception's text can quote what the request sent (``ValueError: invalid literal …``,
    ``UnicodeDecodeError`` holds the whole byte string), so neither the response nor the log shows it. Being
    a middleware (not an ``Exception`` handler, which Starlette re-raises to the server for a second, complete
    traceback) means the error ends here.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            stack = "".join(traceback.format_tb(error.__traceback__))
            log.error(
                "unexpected error on %s %s: %s\n%s",
                scope["method"],
                scope["path"],
                type(error).__name__,
                stack,
            )
            if started:
                return  # the answer is under way: nothing more can be said
            body = problem_document(500, "about:blank", "internal error; it has been logged", scope["path"])
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", PROBLEM_JSON.encode())],
                }
            )
            await send({"type": "http.response.body", "body": json.dumps(body).encode()})
