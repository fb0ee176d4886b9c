"""``/docs``: Swagger UI served from the app's own static files, under a content security policy.

FastAPI's built-in page loads Swagger UI from a CDN and starts it with an inline script; this one loads the
vendored ``swagger-ui-dist`` build (``service/web/static/vendor/swagger-ui``, from
``scripts/vendor-web-assets.sh``) and ``js/docs.js`` from ``/static``, so it works offline and runs no script
from anywhere else. Swagger UI sets some styles inline, hence ``'unsafe-inline'`` for styles only.
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

DOCS_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",  # the spec, and "Try it out" against this API
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)


def install_docs(app: FastAPI, path: str = "/docs") -> None:
    """Serve the API's Swagger UI at ``path`` (the app is made with ``docs_url=None``)."""

    @app.get(path, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        static = request.app.state.web.static
        title = escape(f"{request.app.title} — API")
        html = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">
<link rel="stylesheet" href="{static("vendor/swagger-ui/swagger-ui.css")}">
<script src="{static("vendor/swagger-ui/swagger-ui-bundle.js")}" defer></script>
<script src="{static("js/docs.js")}" defer></script>
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(request.app.openapi_url or "/openapi.json")}"></div>
</body>
</html>
"""
        return HTMLResponse(
            html, headers={"Content-Security-Policy": DOCS_POLICY, "Cache-Control": "no-cache"}
        )
