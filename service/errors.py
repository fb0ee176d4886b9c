"""Errors as ``application/problem+json`` (RFC 9457), with the engine's per-cell problems where they apply.

Every error response has ``type`` (a URN naming the kind of problem), ``title``, ``status`` and ``detail``;
validation failures add ``problems``: one :meth:`scoring.problems.Problem.to_dict` per cell or file problem.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from scoring.problems import DigiscoreError, Problem

PROBLEM_JSON = "application/problem+json"
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
        return problem_response(
            request, error.status_code, "about:blank", str(error.detail), headers=error.headers
        )

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

    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
        return problem_response(request, 500, "about:blank", "internal error; it has been logged")

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(DigiscoreError, on_engine_error)
    app.add_exception_handler(OperationalError, on_database_down)
    app.add_exception_handler(Exception, on_unexpected)
