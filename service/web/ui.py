"""The per-app rendering set-up (templates, static asset URLs) and the per-request :class:`Web` that pages use:
language, signed-in principal, form token, rendering and redirects with the cookies they need.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
import markupsafe
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

from scoring.shipped import package_dir
from scoring.system.formula import formula_words
from scoring.system.measures import after_figure
from service import ratelimit
from service.auth import PUBLIC, Principal
from service.context import ServiceContext, get_context
from service.usecases.identity import principal_of
from service.usecases.rounds import SystemChoice, department_name, english_names, unit_name
from service.web import security
from service.web.i18n import DEFAULT_LANG, Lang, Translator, numbers_whole, parse_lang

WEB_DIR = package_dir("service.web")  # templates/ and static/ are package data of service.web
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
STATIC_PREFIX = "/static"
CHINA_TIME = timezone(timedelta(hours=8), "CST")  # Asia/Shanghai has had no daylight saving since 1991

# a data name printed on the page → the name to print instead (the system's English names on an English page)
_DATA_NAMES: ContextVar[dict[str, str] | None] = ContextVar("digiscore_data_names", default=None)


def in_language(value: Any, names: Mapping[str, str]) -> Any:
    """``value`` with every string that is a name in ``names`` (Chinese → English) replaced, through lists and
    dicts (a chart's data): the one place a page's data names turn English."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, dict):
        return {key: in_language(item, names) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [in_language(item, names) for item in value]
    return value


def _in_page_language(value: Any) -> Any:
    """Jinja's finalize: a name printed whole on an English page becomes the system's ``name_en`` (not a value
    marked ``|key``)."""
    names = _DATA_NAMES.get()
    if names and isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return names.get(value, value)
    return value


def measure_after_figure(unit: Any) -> str:
    """A unit of measurement printed after a figure in the page's language: on an English page the catalogue's
    English as a figure takes it (``408.8 (100 million yuan)``, ``33``, not ``33 number``), the Chinese as it is."""
    if not unit:
        return ""
    english = (_DATA_NAMES.get() or {}).get(str(unit))
    return after_figure(english) if english else str(unit)


def key(value: Any) -> markupsafe.Markup:
    """A name printed as the key a form sends back (an option's ``value``: the tier or group the system file
    names), escaped and kept as written in every language."""
    return markupsafe.escape(value)


@jinja2.pass_eval_context
def _tojson_in_page_language(
    eval_ctx: jinja2.nodes.EvalContext, value: Any, indent: int | None = None
) -> Any:
    """Jinja's ``tojson`` over the data with its names in the page's language (the charts' data)."""
    names = _DATA_NAMES.get()
    return jinja2.filters.do_tojson(eval_ctx, in_language(value, names) if names else value, indent)


class CachedStatic(StaticFiles):
    """Static files; a URL carrying the file's hash (``?v=…``) may be cached for a year, others revalidate."""

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        immutable = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


@dataclass
class WebUi:
    """What every page renders with: the template environment and the hashed URL of each static asset."""

    env: jinja2.Environment
    static_urls: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls) -> WebUi:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
            autoescape=True,
            finalize=_in_page_language,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters.update(
            num=num,
            signed=signed,
            pct=pct,
            dt=local_time,
            filesize=filesize,
            figure=figure,
            key=key,
            after_figure=measure_after_figure,
            formula_words=formula_words,
            message=message,
        )
        env.filters["tojson"] = _tojson_in_page_language
        urls = {}
        for path in sorted(STATIC_DIR.rglob("*")):
            if path.is_file():
                relative = path.relative_to(STATIC_DIR).as_posix()
                digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
                urls[relative] = f"{STATIC_PREFIX}/{relative}?v={digest}"
        return cls(env, urls)

    def static(self, relative: str) -> str:
        """The URL of a static asset, with its content hash (a missing asset is a programming error)."""
        return self.static_urls[relative]


# ------------------------------------------------------------------------------------------ formatting


def num(value: float | int | None, digits: int = 2) -> str:
    """A number with ``digits`` decimals; a dash for none."""
    if value is None:
        return "—"
    return f"{value:,.{digits}f}" if abs(value) >= 10_000 else f"{value:.{digits}f}"


def message(problem: Any, lang: str) -> str:
    """A problem's message in the page's language (a problem or its dict); in English as a sentence, its first
    letter capitalised ("Indicator DI-01 …": the catalogue's English starts lowercase to read inside the CLI's
    lines too)."""
    text = (
        problem["message_en" if lang == "en" else "message_zh"]
        if isinstance(problem, Mapping)
        else (problem.message_en if lang == "en" else problem.message_zh)
    )
    return str(text)[:1].upper() + str(text)[1:]


def figure(value: float | int | None, digits: int = 4) -> str:
    """A submitted figure as typed, up to ``digits`` decimals without trailing zeros (30.45, 1,150,000); a dash
    for none."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}" if abs(value) >= 10_000 else f"{value:.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def signed(value: float | int | None, digits: int = 2) -> str:
    """A change with its sign (+1.25, −0.50, 0.00); a dash for none."""
    if value is None:
        return "—"
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def pct(value: float | None, digits: int = 1) -> str:
    """A share (0.85) as a percentage (85.0%)."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def local_time(iso: str | None) -> str:
    """An ISO timestamp as Beijing time, to the minute."""
    if not iso:
        return "—"
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def filesize(size: int) -> str:
    """Bytes in KB or MB."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(size / 1024))} KB"


# ------------------------------------------------------------------------------------------- per request


class SignInRequired(Exception):
    """The page needs a signed-in user: go to the sign-in form and come back."""


@dataclass
class Web:
    """One page request: who asks, in which language, with which form token; renders and redirects."""

    request: Request
    context: ServiceContext
    ui: WebUi
    lang: Lang
    principal: Principal
    csrf_seed: str  # the value of the CSRF cookie (service.web.security)
    set_lang: bool = False
    set_csrf: bool = False
    clear_session: bool = False
    choice: SystemChoice | None = None  # the system the page shows (its links and forms carry it)
    _data_names: dict[str, str] | None = field(default=None, repr=False)

    @property
    def csrf(self) -> str:
        """The form token of this page's forms: bound to the seed and to the sign-in the browser will hold
        (none when this response clears a stale one)."""
        binding = "" if self.clear_session else security.session_binding(self.request)
        return security.form_token(security.server_secret(self.request), self.csrf_seed, binding)

    @property
    def t(self) -> Translator:
        """The page's translator (names put in its texts in the page's language)."""
        return Translator(self.lang, self.data_names)

    @property
    def data_names(self) -> dict[str, str]:
        """The names the registered systems give in English (Chinese → English) on an English page, else none;
        looked up once per request."""
        if self.lang != "en":
            return {}
        if self._data_names is None:
            self._data_names = {
                name: numbers_whole(english) for name, english in english_names(self.context).items()
            }
        return self._data_names

    @property
    def signed_in(self) -> bool:
        return self.principal.token_id is not None

    def require_signed_in(self) -> None:
        if not self.signed_in:
            raise SignInRequired

    def link(self, **changes: object) -> str:
        """This page's URL with some query parameters changed (None or '' removes one)."""
        params = dict(self.request.query_params)
        params.pop("lang", None)
        params.pop("done", None)
        for key, value in changes.items():
            if value is None or value == "":
                params.pop(key, None)
            else:
                params[key] = str(value)
        query = urlencode(params)
        return self.request.url.path + (f"?{query}" if query else "")

    def system_query(self) -> str:
        """``&system=<id>`` of the page's system, for the links a page makes (empty when none is chosen)."""
        return "&" + urlencode({"system": self.choice.id}) if self.choice else ""

    def lang_link(self) -> str:
        """This page in the other language."""
        other = "en" if self.lang == "zh" else "zh"
        params = dict(self.request.query_params) | {"lang": other}
        params.pop("done", None)
        return self.request.url.path + "?" + urlencode(params)

    def here(self) -> str:
        """This page's path and query (where signing in comes back to)."""
        query = self.request.url.query
        return self.request.url.path + (f"?{query}" if query else "")

    def who(self) -> str:
        """The signed-in role as the header shows it."""
        role = str(self.principal.role)
        if role == "district":
            code = self.principal.unit_code or ""
            return self.t("role.district", unit=self.unit_label(code))
        if role == "department":
            code = self.principal.department_code or ""
            name = department_name(self.context, code)
            return self.t("role.department", department=self.data_names.get(name, name) if name else code)
        return self.t(f"role.{role}")

    def unit_label(self, code: str) -> str:
        """A unit's name and code, e.g. 历下区（370102）, Lixia District (370102)."""
        name = unit_name(self.context, code)
        name = self.data_names.get(name, name) if name else name
        return f"{name}{self.t.paren(code)}" if name else code

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        """A page from ``template`` with the frame's values (web, t, static) and the security headers; on an
        English page every name printed (and every name in the charts' data) is the system's ``name_en`` /
        ``group_en`` where it gives one."""
        token = _DATA_NAMES.set(self.data_names)
        try:
            html = self._render(template, values)
        finally:
            _DATA_NAMES.reset(token)
        return self.finish(HTMLResponse(html, status_code=status))

    def _render(self, template: str, values: dict[str, Any]) -> str:
        return self.ui.env.get_template(template).render(
            web=self,
            t=self.t,
            static=self.ui.static,
            lang=self.lang,
            choice=self.choice,
            sq=self.system_query(),
            **values,
        )

    def redirect(self, url: str) -> Response:
        """303 See Other to a local URL (after a post, or to the sign-in form)."""
        return self.finish(RedirectResponse(url, status_code=303))

    def finish(self, response: Response) -> Response:
        """Add the cookies this request decided on and the page headers."""
        if self.set_csrf:
            security.set_csrf(response, self.request, self.csrf_seed)
        if self.set_lang:
            security.set_lang(response, self.request, self.lang)
        if self.clear_session:
            security.clear_session(response, self.request)
        response.headers.update(security.PAGE_HEADERS)
        return response


def web_for(request: Request) -> Web:
    """The request's :class:`Web`, made once: language from ``?lang=`` (remembered in a cookie) or the cookie,
    Chinese by default; the principal from the sign-in cookie; the form token from its cookie or a new one."""
    made: Web | None = getattr(request.state, "web", None)
    if made is not None:
        return made
    context = get_context(request)
    ui: WebUi = request.app.state.web
    asked = parse_lang(request.query_params.get("lang"))
    remembered = parse_lang(request.cookies.get(security.LANG_COOKIE))
    lang = asked or remembered or DEFAULT_LANG
    principal, stale = PUBLIC, False
    token = security.session_token(request)
    blocked = token is not None and ratelimit.limiter_of(request).retry_after(
        ratelimit.client_address(request)
    )
    if token is not None and not blocked:  # a blocked address is the public until its failures age out
        found = principal_of(context, token)
        principal, stale = (found, False) if found is not None else (PUBLIC, True)
        if stale:
            ratelimit.count_failure(request)  # a cookie is another way to try tokens
    csrf = security.csrf_cookie(request)
    web = Web(
        request=request,
        context=context,
        ui=ui,
        lang=lang,
        principal=principal,
        csrf_seed=csrf or security.new_csrf_token(),
        set_lang=asked is not None and asked != remembered,
        set_csrf=csrf is None,
        clear_session=stale,
    )
    request.state.web = web
    return web


def public_web(request: Request) -> Web:
    """A :class:`Web` without a database call (for error pages when the request's own is not made)."""
    made: Web | None = getattr(request.state, "web", None)
    if made is not None:
        return made
    lang = parse_lang(request.query_params.get("lang")) or parse_lang(
        request.cookies.get(security.LANG_COOKIE)
    )
    csrf = security.csrf_cookie(request)
    return Web(
        request=request,
        context=get_context(request),
        ui=request.app.state.web,
        lang=lang or DEFAULT_LANG,
        principal=PUBLIC,
        csrf_seed=csrf or security.new_csrf_token(),
        set_csrf=csrf is None,
    )


def get_web(request: Request) -> Web:
    """For ``Depends``: the request's :class:`Web` (the principal lookup runs in the threadpool)."""
    return web_for(request)


WebDep = Annotated[Web, Depends(get_web)]
