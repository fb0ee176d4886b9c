"""Sign-in cookie, CSRF protection and the security headers of the dashboard's pages.

Signing in stores the service's own bearer token in an ``HttpOnly`` cookie (``SameSite=Lax``, ``Secure`` over
https), so page scripts never see it. The cookie is read by the dashboard's routes only: the JSON API reads the
``Authorization`` header and ignores cookies, so a page that another site opens cannot use the cookie to call
the API.

Form posts are protected by a form token bound to the browser and to its sign-in: a random seed lives in its
own cookie (``HttpOnly``, ``SameSite=Strict``), and every form carries, as a hidden field,
``HMAC-SHA256(server secret, seed | sha256 of the session cookie's token)``. A post is refused unless the field
equals what the cookies it arrives with give (compared in constant time). Another site can make a browser send
the cookies but can neither read them nor compute the HMAC without the server's secret; and a form token is
worth nothing with another seed or another sign-in (signing in or out changes it), so one leaked from a page
cannot be replayed under someone else's session. A post whose ``Origin`` (or, without one, ``Referer``) names
another host is refused too. Signing in gives a fresh seed (no fixation).

The secret is ``DIGISCORE_SECRET_KEY``, or else a random one kept in ``<data dir>/secret_key`` (made on first
start; workers on one machine share it) — see :meth:`service.settings.Settings.server_secret`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from starlette.responses import Response

from service.auth import hash_token

SESSION_COOKIE = "dgs_session"
CSRF_COOKIE = "dgs_csrf"
LANG_COOKIE = "dgs_lang"
CSRF_FIELD = "csrf_token"
MAX_TOKEN_LENGTH = 200  # as the API: longer is never a token
_CSRF_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{32,64}$")
LANG_MAX_AGE = 365 * 24 * 3600

# script-src 'self' only: no inline script runs (page data travels in <script type="application/json">, which
# is never executed). Inline styles stay allowed because the chart library positions its tooltip with them.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages carry a user's data and a form token: never cached
}


class CsrfError(Exception):
    """A form post without a matching CSRF token, or from another origin."""


def new_csrf_token() -> str:
    """A fresh random form token (43 url-safe characters)."""
    return secrets.token_urlsafe(32)


def csrf_cookie(request: Request) -> str | None:
    """The form token the browser holds, if it is well formed."""
    value = request.cookies.get(CSRF_COOKIE)
    return value if value and _CSRF_SHAPE.match(value) else None


def session_binding(request: Request) -> str:
    """What a form token is bound to besides the seed: the sha256 of the sign-in cookie's token ("" when
    signed out)."""
    token = session_token(request)
    return hash_token(token) if token else ""


def form_token(secret: bytes, seed: str, binding: str) -> str:
    """The hidden field of a form: the HMAC of the browser's seed and its sign-in, url-safe (43 characters)."""
    mac = hmac.new(secret, f"{seed}|{binding}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def server_secret(request: Request) -> bytes:
    """The app's secret (``app.state.secret_key``, set by the app factory)."""
    secret: bytes = request.app.state.secret_key
    return secret


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a post unless its form token is the one its cookies (seed and sign-in) give, and it comes from
    this site."""
    seed = csrf_cookie(request)
    if not seed or not submitted:
        raise CsrfError("the form token is missing")
    expected = form_token(server_secret(request), seed, session_binding(request))
    if not hmac.compare_digest(expected.encode(), submitted.encode("utf-8", "surrogatepass")):
        raise CsrfError("the form token does not match this browser's session")
    if not same_origin(request):
        raise CsrfError("the post comes from another site")


def same_origin(request: Request) -> bool:
    """Whether the post's ``Origin`` (or ``Referer``) names this host; a request with neither passes (old
    browsers, privacy settings) since the token check already holds."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return True
    if source == "null":  # an opaque origin (a sandboxed frame, a data: page): never ours
        return False
    host = request.headers.get("host", "")
    return urlsplit(source).netloc.lower() == host.lower()


def session_token(request: Request) -> str | None:
    """The bearer token in the sign-in cookie, if it has a token's shape."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value or len(value) > MAX_TOKEN_LENGTH:
        return None
    return value


def is_https(request: Request) -> bool:
    """Whether the browser talks https to us (uvicorn puts a trusted proxy's scheme into the request)."""
    return request.url.scheme == "https"


def set_session(response: Response, request: Request, token: str) -> None:
    """Keep the bearer token in an HttpOnly cookie for this browser session."""
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=is_https(request), path="/"
    )


def clear_session(response: Response, request: Request) -> None:
    """Forget the sign-in."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request))


def set_csrf(response: Response, request: Request, token: str) -> None:
    """Give the browser the form token (it lives as long as the browser session)."""
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=is_https(request), path="/"
    )


def set_lang(response: Response, request: Request, lang: str) -> None:
    """Remember the chosen language for a year."""
    response.set_cookie(
        LANG_COOKIE, lang, max_age=LANG_MAX_AGE, samesite="lax", secure=is_https(request), path="/"
    )


def safe_next(target: str | None, default: str) -> str:
    """A local path to go to after signing in; anything else (another host, ``//host``, a scheme) → default."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target
