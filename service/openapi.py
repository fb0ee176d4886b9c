"""The OpenAPI document, completed where FastAPI cannot know: which operations take a token without needing
one, and the answers the middleware and the body parser give before any handler runs.

- **Security per operation.** Every route that reads a token declares the bearer scheme; FastAPI marks it as
  required. The public reads of published results (:data:`TOKEN_OPTIONAL`) take a token only to show staff
  previews, so they declare ``security: [{}, {"HTTPBearer": []}]`` (none, or a token). Operations without
  the scheme (health, systems, rounds) need no token at all.
- **400** (a body that cannot be parsed: broken JSON or multipart) and **413** (a body over the size limit,
  cut off by ``service.app.BodySizeLimit``) on every operation with a request body.
- **429** (too many failed tokens from the address, ``service.ratelimit``) on every operation that reads a
  token.

``tests/service/test_openapi_conformance.py`` calls every operation without a token and checks that it
answers 401 exactly when its declared security requires one.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

BEARER = "HTTPBearer"
TOKEN_OPTIONAL = {
    ("get", "/rounds/{year}/rankings"),
    ("get", "/rounds/{year}/units/{unit}/profile"),
    ("get", "/rounds/{year}/compare"),
    ("get", "/rounds/{year}/units/{unit}/whatif"),
    ("get", "/rounds/{year}/map"),
    ("get", "/rounds/{year}/report.{fmt}"),
    ("get", "/rounds/{year}/analysis/groups"),
    ("get", "/rounds/{year}/analysis/{kind}"),
}
PROBLEM = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemOut"}}}}
EXTRA_ANSWERS = {
    "400": "the body cannot be parsed (broken JSON or multipart)",
    "413": "the body is over the size limit",
    "429": "too many failed sign-ins from this address: wait `Retry-After` seconds",
}


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with security per operation and the 400 / 413 / 429 answers declared (in place)."""
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            answers = []
            if "requestBody" in operation:
                answers += ["400", "413"]
            security = operation.get("security")
            if security and any(BEARER in requirement for requirement in security):
                answers.append("429")
                if (method, path) in TOKEN_OPTIONAL:
                    operation["security"] = [{}, {BEARER: []}]
            for status in answers:
                responses.setdefault(status, {"description": EXTRA_ANSWERS[status]} | PROBLEM)
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the completed document at ``/openapi.json`` (built once per app)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    openapi_version=app.openapi_version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
