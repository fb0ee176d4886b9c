"""Security headers on every response: the API's JSON, files, the HTML report, the docs and the dashboard.

A response that sets one of these headers itself keeps its own value: the dashboard's pages send their own
policy (``service.web.security.CONTENT_SECURITY_POLICY``: scripts and styles from /static only) and ``/docs``
one that lets Swagger UI run from /static (``service.docs``). Everything else gets :data:`DEFAULT_POLICY`:
nothing may load but inline styles and ``data:`` images — exactly what the HTML report
(``/rounds/{year}/report.html``: one file, its CSS inline, its charts as data: PNGs, no script) needs — and no
page may frame it, so a hostile site can neither run script in our origin through it nor overlay it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": DEFAULT_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` that a response has not set itself."""

    def __init__(self, app: ASGIApp, headers: dict[str, str] | None = None):
        self.app = app
        self.headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in (headers or SECURITY_HEADERS).items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                missing = [(name, value) for name, value in self.headers if name not in present]
                if missing:
                    message = {**message, "headers": list(message.get("headers", [])) + missing}
            await send(message)

        await self.app(scope, receive, send_with_headers)
