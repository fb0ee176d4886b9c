"""The dashboard's pages: rankings, district profiles, comparison, rank intervals (everyone, for published
rounds); uploads (district officers and staff), review (staff) and rounds (admins); sign-in and sign-out.

Every page calls the same use cases as the JSON API (``service.usecases``) and is rendered on the server from
what they return, shaped by ``service.web.views``; none is in the OpenAPI document. Who may see a page or send
a form is declared by its dependencies (``service.web.guards``). Errors become HTML pages in the reader's
language (:class:`WebRoute`), never problem JSON; a page that needs a signed-in user sends the browser to the
sign-in form and back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import StringConstraints
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from scoring.problems import DigiscoreError
from service import ratelimit
from service.auth import Role
from service.errors import ServiceError, not_found
from service.routes.submissions import download
from service.schemas import SYSTEM_PATTERN, UNIT_PATTERN, YEAR_MAX, YEAR_MIN
from service.text import CleanText
from service.uploads import KEY_PATTERN, OneFilePart
from service.usecases import analysis, departments, read, regional, submit
from service.usecases import evidence as evidence_cases
from service.usecases import progress as progress_cases
from service.usecases import review as reviews
from service.usecases import rounds as round_cases
from service.usecases.identity import principal_of
from service.usecases.rounds import RoundWithSystem
from service.web import security, views
from service.web.guards import (
    AdminPageDep,
    AdminPostDep,
    DepartmentPageDep,
    DepartmentPostDep,
    PostedDep,
    StaffPageDep,
    StaffPostDep,
    UnitPageDep,
    UnitPostDep,
    UploadDepartmentDep,
    UploadUnitDep,
)
from service.web.ui import SignInRequired, Web, WebDep, message, public_web
from service.web.views import PAGE_SIZES, RankingQuery


class WebRoute(APIRoute):
    """A page route: service errors, bad parameters and refused form posts become HTML pages (in the reader's
    language); a page that needs a signed-in user redirects to the sign-in form."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                web = public_web(request)
                return web.redirect("/signin?" + _query(next=web.here()))
            except security.CsrfError:
                return _error_page(public_web(request), 403, "csrf")
            except ServiceError as error:
                web = public_web(request)
                if error.status == 401:
                    return web.redirect("/signin?" + _query(next=web.here()))
                messages = [_problem_text(web, p.to_dict()) for p in error.problems or []]
                return _error_page(web, error.status, error.slug, messages)
            except RequestValidationError:
                return _error_page(public_web(request), 400, "invalid-request")
            except DigiscoreError as error:
                web = public_web(request)
                messages = [_problem_text(web, p.to_dict()) for p in error.problems]
                return _error_page(web, 422, "engine-error", messages)

        return guarded


router = APIRouter(route_class=WebRoute, include_in_schema=False)

YearQuery = Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX)]
UnitQuery = Annotated[str | None, Query(pattern=UNIT_PATTERN)]
UnitPathParam = Annotated[str, Path(pattern=UNIT_PATTERN)]
UnitRequired = Annotated[str, Query(pattern=UNIT_PATTERN)]
YearRequired = Annotated[int, Query(ge=YEAR_MIN, le=YEAR_MAX)]
NodeQuery = Annotated[str | None, Query(pattern=r"^[^\s!]{1,100}$")]
PageQuery = Annotated[int, Query(ge=1, le=1_000_000)]
YearField = Annotated[int, Form(ge=YEAR_MIN, le=YEAR_MAX)]
UnitField = Annotated[str, Form(pattern=UNIT_PATTERN)]
SystemQuery = Annotated[str | None, Query(pattern=SYSTEM_PATTERN)]
SystemField = Annotated[str | None, Form(pattern=SYSTEM_PATTERN)]


def _query(**params: object) -> str:
    """A query string of the parameters that have a value."""
    return urlencode({k: str(v) for k, v in params.items() if v is not None and v != ""})


def _problem_text(web: Web, problem: dict[str, Any]) -> str:
    where = problem.get("location") or ""
    return f"{where} {message(problem, web.lang)}".strip()


def _error_page(web: Web, status: int, slug: str, messages: list[str] | None = None) -> Response:
    t = web.t
    key = f"error.{slug}"
    text = t(key) if t.has(key) else t("error.other", status=status)
    return web.render("error.html", status=status, message=text, messages=messages or [], active="")


def _rounds_of(web: Web, system: str | None) -> list[dict[str, Any]]:
    """The rounds of the system the page shows (the one asked for, else ``choose_system``'s); the page's links
    and forms carry it from then on."""
    web.choice = round_cases.choose_system(web.context, system)
    return web.choice.rounds


def _empty(web: Web, title: str, active: str, message: str = "common.no_results") -> Response:
    """A page with nothing to show yet (no round, or none published)."""
    return web.render("empty.html", title=web.t(title), active=active, message=web.t(message))


# ---------------------------------------------------------------------------------------------- pages


@router.get("/")
def home(web: WebDep) -> Response:
    """The overview: every round of every system with its status and links, and the top of the newest published
    ranking of the default system (else of any system)."""
    all_rounds = round_cases.list_rounds(web.context)
    published = [r for r in all_rounds if r["status"] == "published"]
    top: dict[str, Any] | None = None
    if published:
        default = [r for r in published if r["system_id"] == web.context.default_system]
        newest = (default or published)[-1]
        year, system = int(newest["year"]), str(newest["system_id"])
        view = read.read_round(web.context, web.principal, year, system)
        page = views.ranking_page(view.results, RankingQuery(node=view.results.composite, size=10))
        top = {
            "year": year,
            "system_id": system,
            "system_name": view.system.name,
            "rows": page.rows,
            "tiers": views.tier_order(view.system, web.t),
        }
    shown = list(reversed(views.live_rounds(all_rounds)))
    return web.render("home.html", rounds=shown, top=top, active="home")


@router.get("/rankings")
def rankings(
    web: WebDep,
    year: YearQuery = None,
    node: NodeQuery = None,
    q: Annotated[str, Query(max_length=100)] = "",
    tier: Annotated[str, Query(max_length=100)] = "",
    group: Annotated[str, Query(max_length=100)] = "",
    sort: Literal["rank", "score", "score_change", "rank_change", "name", "code"] = "rank",
    order: Literal["asc", "desc"] = "asc",
    page: PageQuery = 1,
    size: Annotated[int, Query(ge=1, le=max(PAGE_SIZES))] = views.DEFAULT_PAGE_SIZE,
    system: SystemQuery = None,
) -> Response:
    """A ranking on the composite or any node: tier colours, change from last year; search, sort and pages
    on the server, so a round of 3 000 units renders one page of rows."""
    all_rounds = _rounds_of(web, system)
    years = views.visible_years(all_rounds, web.principal)
    year = year or views.default_year(all_rounds, web.principal)
    if year is None:
        return _empty(web, "nav.rankings", "rankings")
    view = read.read_round(web.context, web.principal, year, _system(web))
    chosen = view.results.node(node)
    size = min(PAGE_SIZES, key=lambda s: abs(s - size))
    groups = views.unit_groups(view.system)
    group = group if group in groups else ""
    query = RankingQuery(chosen, q.strip(), tier, group, sort, order, page, size)
    classes = None
    if group:  # ranks within the group: the 分类评价 of the API and the report (service.usecases.regional)
        found = regional.group_ranking(web.context, view, chosen)
        classes = {u["unit_code"]: u for u in found["units"]}
    ranking = views.ranking_page(view.results, query, classes)
    is_composite = chosen == view.results.composite
    panel = views.map_panel(view, chosen, web.t)
    return web.render(
        "rankings.html",
        map_panel=panel,
        charts={"map": panel["chart"]} if panel else {},
        active="rankings",
        view=view,
        years=years,
        query=query,
        ranking=ranking,
        node_name=views.node_name(view.system, chosen, view.results.nodes[chosen]["name"], web.t),
        nodes=views.node_options(view.system, view.results, web.t),
        tiers=views.tier_order(view.system, web.t),
        groups=groups,
        group_labels={
            u.group: web.t.pick(u.group, getattr(u, "group_en", None)) for u in view.system.units if u.group
        },
        is_composite=is_composite,
        sorts=views.SORTS,
        page_sizes=PAGE_SIZES,
    )


@router.get("/rankings/versions")
def result_versions(web: WebDep, year: YearRequired, system: SystemQuery = None) -> Response:
    """Every version of a published round's results, the current one first, each correction with its reason
    and its difference from the version before: who moved on the composite, by how much."""
    versions = list(reversed(round_cases.result_versions(web.context, year, system)))
    diffs = {
        v["version"]: round_cases.result_diff(web.context, year, v["version"], system) for v in versions[:-1]
    }
    return web.render("versions.html", active="rankings", year=year, versions=versions, diffs=diffs)


@router.get("/districts")
def choose_district(
    web: WebDep, year: YearQuery = None, unit: UnitQuery = None, system: SystemQuery = None
) -> Response:
    """The profile of the district chosen in a form, or of the signed-in officer's own district, or of the
    first-ranked one."""
    all_rounds = _rounds_of(web, system)
    year = year or views.default_year(all_rounds, web.principal)
    if year is None:
        return _empty(web, "nav.profile", "profile")
    view = read.read_round(web.context, web.principal, year, _system(web))
    chosen = unit or web.principal.unit_code
    if chosen not in view.results.by_unit:
        chosen = view.results.by_node[view.results.composite][0]["unit_code"]
    return web.redirect(f"/districts/{chosen}?" + _query(year=year, system=_system(web)))


@router.get("/districts/{unit}")
def district(
    web: WebDep, unit: UnitPathParam, year: YearQuery = None, system: SystemQuery = None
) -> Response:
    """A district's profile (一区一档): composite, rank and tier; radar against the city average; dimension
    bars; strengths and weaknesses; indicator contributions; target attainment; the trend over the years."""
    all_rounds = _rounds_of(web, system)
    year = year or views.default_year(all_rounds, web.principal)
    if year is None:
        raise not_found(f"results of unit {unit}")
    view = read.read_round(web.context, web.principal, year, _system(web))
    profile = views.profile_view(web.context, view, unit, web.t)
    return web.render(
        "profile.html",
        active="profile",
        view=view,
        unit=unit,
        years=views.visible_years(all_rounds, web.principal),
        units=views.units_of(view.results),
        p=profile,
        tiers=views.tier_order(view.system, web.t),
        charts=profile["charts"],
    )


@router.get("/compare")
def compare(
    web: WebDep,
    year: YearQuery = None,
    a: UnitQuery = None,
    b: UnitQuery = None,
    system: SystemQuery = None,
) -> Response:
    """Two districts side by side: dimension radar, differences, and every node's scores and ranks."""
    all_rounds = _rounds_of(web, system)
    year = year or views.default_year(all_rounds, web.principal)
    if year is None:
        return _empty(web, "nav.compare", "compare")
    view = read.read_round(web.context, web.principal, year, _system(web))
    ranked = [r["unit_code"] for r in view.results.by_node[view.results.composite]]
    first = a or (web.principal.unit_code if web.principal.unit_code in view.results.by_unit else ranked[0])
    second = b or next((u for u in ranked if u != first), first)
    comparison = views.compare_view(view, first, second, web.t)
    return web.render(
        "compare.html",
        active="compare",
        view=view,
        years=views.visible_years(all_rounds, web.principal),
        units=views.units_of(view.results),
        a=first,
        b=second,
        c=comparison,
        tiers=views.tier_order(view.system, web.t),
        charts=comparison["charts"],
    )


@router.get("/uncertainty")
def uncertainty(
    web: WebDep, year: YearQuery = None, page: PageQuery = 1, system: SystemQuery = None
) -> Response:
    """Rank intervals (5–95 %) and which assumption moves ranks most, under the one default design (the CLI's
    and the report's), computed on demand once per published round and worker."""
    all_rounds = _rounds_of(web, system)
    year = year or views.default_year(all_rounds, web.principal)
    if year is None:
        return _empty(web, "nav.uncertainty", "uncertainty")
    view = read.read_round(web.context, web.principal, year, _system(web))
    intervals = analysis.rank_intervals(web.context, view)
    rows = intervals.get("units", [])
    size = views.DEFAULT_PAGE_SIZE
    pages = max(1, -(-len(rows) // size))
    page = min(page, pages)
    shown = rows[(page - 1) * size : page * size]
    chart = {
        "kind": "interval",
        "categories": [r["unit_name"] for r in shown],
        "low": [r["rank_q05"] for r in shown],
        "high": [r["rank_q95"] for r in shown],
        "median": [r["median_rank"] for r in shown],
        "nominal": [r["nominal_rank"] for r in shown],
        "units": len(rows),
        "labels": {
            "interval": web.t("uncertainty.interval"),
            "median": web.t("uncertainty.median"),
            "nominal": web.t("uncertainty.nominal"),
        },
    }
    return web.render(
        "uncertainty.html",
        active="uncertainty",
        view=view,
        years=views.visible_years(all_rounds, web.principal),
        analysis=intervals,
        sensitivity=views.sensitivity_rows(intervals.get("sensitivity", []), web.lang),
        sensitivity_note=views.sensitivity_note(intervals.get("sensitivity", []), web.lang),
        rows=shown,
        flips=any("tier_flip" in r for r in rows),
        page=page,
        pages=pages,
        charts={"intervals": chart} if shown else {},
    )


# --------------------------------------------------------------------------------------------- upload


def _system(web: Web) -> str | None:
    """The system the page shows (``_rounds_of`` chose it)."""
    return web.choice.id if web.choice else None


def _submissions_round(
    web: Web, year: int | None, system: str | None
) -> tuple[list[dict[str, Any]], RoundWithSystem] | None:
    """The rounds of the page's system, and the one an upload or review page works on: the year asked for,
    else the newest open round, else the newest; None when the system has no round yet."""
    all_rounds = _rounds_of(web, system)
    year = year or views.default_upload_year(all_rounds)
    if year is None:
        return None
    return all_rounds, round_cases.round_with_system(web.context, year, _system(web))


def _shown(found: reviews.UnitSubmissions) -> dict[str, Any] | None:
    """The version a page shows, its problems in cell order."""
    if found.shown is None:
        return None
    return found.shown | {"problems": views.sorted_problems(found.shown["problems"])}


@router.get("/upload")
def upload_page(
    web: WebDep,
    asked: UploadUnitDep,
    year: YearQuery = None,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    error: Literal["no_file", "too_large"] | None = None,
    system: SystemQuery = None,
    evidence_done: Annotated[str | None, Query(pattern=r"^[^\s!/]{1,100}$")] = None,
) -> Response:
    """The officer's page: the blank form, the upload (pick or drop), the latest (or chosen) version's
    problems next to their cells, its evidence files per indicator (upload beside each, the required ones
    missing marked), and the history of the unit's versions with their reviews."""
    return _upload_view(web, asked, year, version, error, system, evidence_done=evidence_done)


def _upload_view(
    web: Web,
    asked: str | None,
    year: int | None,
    version: int | None,
    error: str | None,
    system: str | None,
    evidence_done: str | None = None,
    evidence_error: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The upload page (see :func:`upload_page`); ``evidence_error`` (the indicator and the messages) shows an
    evidence file refused, with the answer's ``status``."""
    chosen_round = _submissions_round(web, year, system)
    if chosen_round is None:
        return _empty(web, "upload.title", "upload", "upload.no_round")
    all_rounds, found = chosen_round
    year, evaluated = found.year, found.system
    chosen = asked or (evaluated.unit_codes[0] if evaluated.unit_codes else "")
    found.known_unit(chosen)
    submissions = reviews.unit_submissions(web.context, year, chosen, version, found.system_id)
    commented = []
    if submissions.shown is not None and (submissions.shown.get("review") or {}).get("cells"):
        shown_version = int(submissions.shown["version"])
        context_rows = reviews.value_context(web.context, year, chosen, shown_version, found.system_id)
        commented = [r for r in context_rows["values"] if r["comment"]]
    listed = None
    if submissions.shown is not None:
        shown_version = int(submissions.shown["version"])
        listed = evidence_cases.version_evidence(web.context, year, chosen, shown_version, found.system_id)
    latest = submissions.versions[-1] if submissions.versions else None
    attachable = (
        submissions.shown is not None
        and latest is not None
        and latest["version"] == submissions.shown["version"]
        and latest["status"] in ("pending", "rejected")
        and found.status == "open"
    )
    return web.render(
        "upload.html",
        status=status,
        evidence=views.evidence_rows(evaluated, listed, web.t),
        evidence_missing=(listed or {}).get("missing", []),
        evidence_attachable=attachable,
        evidence_done=evidence_done,
        evidence_error=evidence_error,
        max_evidence_bytes=web.context.settings.max_evidence_bytes,
        commented=commented,
        active="upload",
        rounds=views.upload_rounds(all_rounds),
        round=found.info,
        year=year,
        unit=chosen,
        unit_name=evaluated.unit_names[chosen],
        units=[{"code": u.code, "name": u.name} for u in evaluated.units],
        versions=list(reversed(submissions.versions)),
        shown=_shown(submissions),
        indicators=views.indicator_names(evaluated, web.t),
        error=error,
        max_bytes=web.context.settings.max_upload_bytes,
        upload_key=uuid.uuid4().hex,  # a double-sent form stores one version (the API's Idempotency-Key)
    )


@router.post("/upload", dependencies=[OneFilePart])
def upload(
    web: UnitPostDep,
    year: YearField,
    unit: UnitField,
    file: Annotated[UploadFile | None, File()] = None,
    upload_key: Annotated[str | None, Form(pattern=KEY_PATTERN)] = None,
    system: SystemField = None,
) -> Response:
    """Validate and store an upload as the unit's next version (the use case of ``POST …/submissions``),
    then show its problems on the upload page. The page's ``upload_key`` is the upload's idempotency key, so a
    form sent twice (a double click, a resend after a lost reply) stores one version."""
    back = "/upload?" + _query(year=year, unit=unit, system=system)
    if file is None or not file.filename:
        return web.redirect(back + "&error=no_file")
    try:
        stored = submit.submit_upload(
            web.context,
            web.principal,
            year,
            unit,
            file.file,
            file.filename,
            file.content_type,
            idempotency_key=upload_key,
            system=system,
        )
    except ServiceError as error:
        if error.slug != "too-large":
            raise
        return web.redirect(back + "&error=too_large")
    return web.redirect(back + f"&version={stored.version}#result")


@router.post("/upload/evidence", dependencies=[OneFilePart])
def upload_evidence(
    web: UnitPostDep,
    year: YearField,
    unit: UnitField,
    version: Annotated[int, Form(ge=1, le=1_000_000)],
    indicator: Annotated[str, Form(pattern=r"^[^\s!/]{1,100}$")],
    file: Annotated[UploadFile | None, File()] = None,
    system: SystemField = None,
) -> Response:
    """Attach an evidence file to an indicator of the version (the use case of ``POST …/evidence/{indicator}``),
    then back to the upload page; a refused file shows the page again with why, in the reader's language."""
    back = "/upload?" + _query(year=year, unit=unit, version=version, system=system)
    if file is None or not file.filename:
        return web.redirect(back + "&error=no_file")
    try:
        evidence_cases.attach_evidence(
            web.context, web.principal, year, unit, version, indicator, file.file, file.filename, system
        )
    except ServiceError as error:
        if error.status not in (409, 413, 422) or not error.problems:
            raise
        messages = [_problem_text(web, p.to_dict()) for p in error.problems]
        refused = {"indicator": indicator, "messages": messages}
        return _upload_view(
            web, unit, year, version, None, system, evidence_error=refused, status=error.status
        )
    return web.redirect(back + f"&evidence_done={indicator}#evidence")


@router.get("/upload/evidence")
def evidence_file(
    web: UnitPageDep,
    year: YearRequired,
    unit: UnitRequired,
    version: Annotated[int, Query(ge=1, le=1_000_000)],
    id: Annotated[int, Query(ge=1, le=2**31 - 1)],
    system: SystemQuery = None,
) -> Response:
    """An evidence file's bytes as attached (as the API's ``GET …/evidence/file/{id}``, with the sign-in
    cookie): the unit's district officer and staff."""
    return download(evidence_cases.evidence_file(web.context, year, unit, version, id, system))


@router.get("/upload/form")
def blank_form(
    web: UnitPageDep, year: YearRequired, unit: UnitRequired, system: SystemQuery = None
) -> Response:
    """The unit's blank form for the round (as the API's ``GET …/form``, with the sign-in cookie)."""
    return download(submit.blank_form(web.context, year, unit, system))


@router.get("/upload/annotated")
def annotated_form(
    web: UnitPageDep,
    year: YearRequired,
    unit: UnitRequired,
    version: Annotated[int, Query(ge=1, le=1_000_000)],
    system: SystemQuery = None,
) -> Response:
    """The form filled with a version's values and the reviewer's cell comments (as the API's
    ``GET …/annotated``, with the sign-in cookie)."""
    return download(reviews.annotated_form(web.context, year, unit, version, system))


@router.get("/upload/file")
def uploaded_file(
    web: UnitPageDep,
    year: YearRequired,
    unit: UnitRequired,
    version: Annotated[int, Query(ge=1, le=1_000_000)],
    system: SystemQuery = None,
) -> Response:
    """A version's bytes as uploaded (as the API's ``GET …/file``, with the sign-in cookie)."""
    return download(submit.uploaded_file(web.context, year, unit, version, system))


# --------------------------------------------------------------------------------------------- department


def _supplied_system(web: Web, department: str | None, system: str | None) -> str | None:
    """The system a department officer's page shows without ``?system=``: that of the newest round (not
    cancelled) whose system the department supplies; else the page's usual choice."""
    if system or department is None or web.principal.role is not Role.DEPARTMENT:
        return system
    rounds = [r for r in round_cases.list_rounds(web.context) if r["status"] != "cancelled"]
    for found in sorted(rounds, key=lambda r: (r["year"], r["opened_at"]), reverse=True):
        system_id = str(found["system_id"])
        if (
            department
            in round_cases.round_with_system(web.context, found["year"], system_id).system.department_names
        ):
            return system_id
    return system


@router.get("/department")
def department_page(
    web: WebDep,
    asked: UploadDepartmentDep,
    year: YearQuery = None,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    error: Literal["no_file", "too_large"] | None = None,
    system: SystemQuery = None,
) -> Response:
    """A department's page (部门报送): the blank department sheet, the upload of a long or wide table of the
    indicators it supplies for every district, the latest (or chosen) version's problems and its history."""
    chosen_round = _submissions_round(web, year, _supplied_system(web, asked, system))
    if chosen_round is None:
        return _empty(web, "department.title", "department", "upload.no_round")
    all_rounds, found = chosen_round
    year, evaluated = found.year, found.system
    codes = [d.code for d in evaluated.departments]
    chosen = asked or (codes[0] if codes else None)
    if chosen is None or chosen not in evaluated.department_names:
        return _empty(web, "department.title", "department", "department.none")
    submissions = reviews.unit_submissions(web.context, year, chosen, version, found.system_id)
    return web.render(
        "department.html",
        active="department",
        rounds=views.upload_rounds(all_rounds),
        round=found.info,
        year=year,
        department=chosen,
        department_name=next(
            web.t.pick(d.name, d.name_en) for d in evaluated.departments if d.code == chosen
        ),
        departments=[{"code": d.code, "name": web.t.pick(d.name, d.name_en)} for d in evaluated.departments],
        supplied=[
            {"code": n.code, "name": web.t.pick(n.name, n.name_en)} for n in evaluated.supplied_by(chosen)
        ],
        unit_count=len(evaluated.units),
        versions=list(reversed(submissions.versions)),
        shown=_shown(submissions),
        indicators=views.indicator_names(evaluated, web.t),
        error=error,
        max_bytes=web.context.settings.max_upload_bytes,
        upload_key=uuid.uuid4().hex,
    )


@router.post("/department", dependencies=[OneFilePart])
def department_upload(
    web: DepartmentPostDep,
    year: YearField,
    department: Annotated[str, Form(pattern=UNIT_PATTERN)],
    file: Annotated[UploadFile | None, File()] = None,
    upload_key: Annotated[str | None, Form(pattern=KEY_PATTERN)] = None,
    system: SystemField = None,
) -> Response:
    """Validate and store a department's table as its next version (the use case of ``POST
    …/departments/{d}/submissions``), then show its problems on the department page."""
    back = "/department?" + _query(year=year, department=department, system=system)
    if file is None or not file.filename:
        return web.redirect(back + "&error=no_file")
    try:
        stored = departments.submit_department_upload(
            web.context,
            web.principal,
            year,
            department,
            file.file,
            file.filename,
            file.content_type,
            idempotency_key=upload_key,
            system=system,
        )
    except ServiceError as error:
        if error.slug != "too-large":
            raise
        return web.redirect(back + "&error=too_large")
    return web.redirect(back + f"&version={stored.version}#result")


@router.get("/department/sheet")
def department_sheet(
    web: DepartmentPageDep,
    year: YearRequired,
    department: Annotated[str, Query(pattern=UNIT_PATTERN)],
    system: SystemQuery = None,
) -> Response:
    """The blank department sheet (as the API's ``GET …/departments/{d}/sheet``, with the sign-in cookie)."""
    return download(departments.department_sheet(web.context, year, department, system))


@router.get("/department/file")
def department_file(
    web: DepartmentPageDep,
    year: YearRequired,
    department: Annotated[str, Query(pattern=UNIT_PATTERN)],
    version: Annotated[int, Query(ge=1, le=1_000_000)],
    system: SystemQuery = None,
) -> Response:
    """A department's version as uploaded (as the API's ``GET …/file``, with the sign-in cookie)."""
    departments.department_report(web.context, year, department, version, system)
    return download(submit.uploaded_file(web.context, year, department, version, system))


# --------------------------------------------------------------------------------------------- review


ReviewProblem = Literal["comment_required", "cells_need_return", "unavailable_not_accepted"]


@router.get("/review")
def review_page(
    web: StaffPageDep,
    year: YearQuery = None,
    unit: UnitQuery = None,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    done: Literal["accept", "return"] | None = None,
    problem: ReviewProblem | None = None,
    decision: Literal["accept", "return"] | None = None,
    system: SystemQuery = None,
) -> Response:
    """Staff: every unit's submissions in the round, the units late or missing against the deadline; one
    version's values beside the unit's last accepted value and the median of the units accepted, its problems,
    and the accept / return form with a comment field per cell. A form sent back with an error keeps the
    reviewer's choice (``decision``)."""
    chosen_round = _submissions_round(web, year, system)
    if chosen_round is None:
        return _empty(web, "nav.review", "review", "upload.no_round")
    all_rounds, found = chosen_round
    year = found.year
    units = reviews.round_overview(web.context, year, found.system_id)
    supplying = [
        d | {"name": web.t.pick(d["name"], d["name_en"])}
        for d in departments.department_overview(web.context, year, found.system_id)
    ]
    names = found.system.unit_names | {d["department_code"]: d["name"] for d in supplying}
    progress = progress_cases.round_progress(web.context, year, found.system_id)
    shown = None
    values: list[dict[str, Any]] = []
    derived: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    is_department = unit is not None and unit in found.system.department_names
    listed: dict[str, Any] | None = None
    if unit is not None:
        found.known_submitter(unit)
        shown = _shown(reviews.unit_submissions(web.context, year, unit, version, found.system_id))
        if shown is not None:
            number = int(shown["version"])
            if is_department:
                seen = departments.department_context(web.context, year, unit, number, found.system_id)
            else:
                seen = reviews.value_context(web.context, year, unit, number, found.system_id)
                listed = evidence_cases.version_evidence(web.context, year, unit, number, found.system_id)
            values, conflicts = seen["values"], seen["conflicts"]
            for entry in conflicts:  # the department named in the page's language
                code = entry["department_code"]
                entry["department_name"] = web.t.pick(
                    entry["department_name"], found.system.department_names_en.get(code)
                )
            derived = seen.get("derived", [])
    return web.render(
        "review.html",
        evidence=listed,
        progress=progress,
        progress_of={row["unit_code"]: row for row in progress["units"]},
        active="review",
        rounds=views.upload_rounds(all_rounds),
        round=found.info,
        year=year,
        units=units,
        departments=supplying,
        is_department=is_department,
        conflicts=conflicts,
        late=views.late_units(units + supplying, names),
        names=names,
        unit=unit,
        shown=shown,
        values=values,
        derived=derived,
        indicators=views.indicator_names(found.system, web.t),
        done=done,
        problem=problem,
        decision=decision,
    )


@router.get("/review/progress.xlsx")
def progress_workbook(web: StaffPageDep, year: YearRequired, system: SystemQuery = None) -> Response:
    """The 进度表 of the round in the page's language (as the API's ``GET /rounds/{year}/progress.xlsx``)."""
    return download(progress_cases.progress_download(web.context, year, system, web.lang))


CellKeys = Annotated[
    list[Annotated[str, StringConstraints(pattern=r"^(?:[^\s|]{1,64}\|)?[^\s|]{1,100}\|\d{4}$")]] | None,
    Form(max_length=5000),
]
CellComments = Annotated[
    list[Annotated[CleanText, StringConstraints(max_length=2000)]] | None, Form(max_length=5000)
]


@router.post("/review")
def review(
    web: StaffPostDep,
    year: YearField,
    unit: UnitField,
    version: Annotated[int, Form(ge=1, le=1_000_000)],
    decision: Annotated[Literal["accept", "return"], Form()],
    comment: Annotated[CleanText, Form(max_length=4000)] = "",
    system: SystemField = None,
    cell_key: CellKeys = None,
    cell_comment: CellComments = None,
    accept_unavailable: Annotated[bool, Form()] = False,
) -> Response:
    """Record a reviewer's decision (the use case of ``POST …/review``): returning needs a comment, overall
    or on a cell; comments on cells go with a return. Sent back with an error, the page keeps the choice."""
    back = "/review?" + _query(year=year, unit=unit, version=version, system=system)
    text = comment.strip() or None
    cells = views.cell_comments(cell_key or [], cell_comment or [])
    if decision == "return" and text is None and not cells:
        return web.redirect(back + "&problem=comment_required&decision=return#decision")
    if decision == "accept" and cells:
        return web.redirect(back + "&problem=cells_need_return&decision=accept#decision")
    try:
        reviews.review(
            web.context,
            web.principal,
            year,
            unit,
            version,
            decision,
            text,
            system,
            cells,
            accept_unavailable=accept_unavailable,
        )
    except ServiceError as error:
        if error.slug != "unavailable-not-accepted":
            raise
        return web.redirect(back + "&problem=unavailable_not_accepted&decision=accept#decision")
    return web.redirect(back + f"&done={decision}")


# ---------------------------------------------------------------------------------------------- admin


AdminDone = Literal["open", "cancel", "close", "reopen", "publish", "deadline", "leave", "correct"]
ConfirmField = Annotated[bool, Form()]
ReasonField = Annotated[CleanText, Form(max_length=2000)]
MissingField = Annotated[
    list[Annotated[str, StringConstraints(pattern=UNIT_PATTERN)]] | None, Form(max_length=10_000)
]


@router.get("/admin")
def admin_page(
    web: AdminPageDep, done: AdminDone | None = None, year: YearQuery = None, system: SystemQuery = None
) -> Response:
    """Admins: the rounds of every system with their actions (cancel, close uploads, reopen, score and
    publish) and the form to open one."""
    admin = round_cases.admin_overview(web.context)
    years = {int(r["year"]) for r in admin.rounds if r["status"] != views.CANCELLED}
    suggested = max(years) + 1 if years else None
    return web.render(
        "admin.html",
        active="admin",
        admin=admin,
        done=done,
        done_year=year,
        done_system=system,
        suggested=suggested,
    )


def _confirm(web: Web, action: str, year: int, system: str | None, **shown: Any) -> Response:
    """The page that asks to confirm ``action`` on the round of ``system`` in ``year`` (the same form, sent
    again with ``confirm``)."""
    return web.render(
        "admin_confirm.html", active="admin", action=action, year=year, system_id=system, **shown
    )


@router.post("/admin/open")
def admin_open(
    web: AdminPostDep,
    year: YearField,
    system: Annotated[str, Form(max_length=300)],
    confirm: ConfirmField = False,
) -> Response:
    """Open the round of a year on a registered system version (``id@version``), once confirmed; a year more
    than one ahead is refused before the confirmation."""
    if not confirm:
        opening = round_cases.confirm_open_round(web.context, year, system)
        return _confirm(web, "open", year, None, opening=opening)
    opened = round_cases.open_round_on(web.context, web.principal, year, system)
    return web.redirect("/admin?" + _query(done="open", year=year, system=opened["system_id"]))


@router.post("/admin/cancel")
def admin_cancel(
    web: AdminPostDep,
    year: YearField,
    confirm: ConfirmField = False,
    reason: ReasonField = "",
    system: SystemField = None,
) -> Response:
    """Cancel a round that holds no submission, once confirmed."""
    if not confirm:
        found = round_cases.confirm_cancel_round(web.context, year, system)
        return _confirm(web, "cancel", year, found["system_id"], round=found)
    done = round_cases.cancel_round(web.context, web.principal, year, reason or None, system)
    return web.redirect("/admin?" + _query(done="cancel", year=year, system=done["system_id"]))


@router.post("/admin/close")
def admin_close(web: AdminPostDep, year: YearField, system: SystemField = None) -> Response:
    """Stop taking uploads."""
    done = round_cases.close_round(web.context, web.principal, year, system)
    return web.redirect("/admin?" + _query(done="close", year=year, system=done["system_id"]))


@router.post("/admin/reopen")
def admin_reopen(
    web: AdminPostDep,
    year: YearField,
    reason: Annotated[CleanText, Form(min_length=1, max_length=2000)],
    system: SystemField = None,
) -> Response:
    """Take uploads again in a closed, unpublished round (the reason is required and audited)."""
    done = round_cases.reopen_round(web.context, web.principal, year, reason, system)
    return web.redirect("/admin?" + _query(done="reopen", year=year, system=done["system_id"]))


@router.post("/admin/publish")
def admin_publish(
    web: AdminPostDep,
    year: YearField,
    confirm: ConfirmField = False,
    missing: MissingField = None,
    system: SystemField = None,
) -> Response:
    """Score the closed round and freeze its results, once the admin has seen and confirmed the units
    without an accepted version (the use case refuses if that list changed meanwhile)."""
    if not confirm:
        check = round_cases.publication_check(web.context, year, system)
        return _confirm(web, "publish", year, check["system_id"], check=check)
    done = round_cases.publish_round(web.context, web.principal, year, missing or [], system)
    return web.redirect("/admin?" + _query(done="publish", year=year, system=done["system_id"]))


@router.post("/admin/deadline")
def admin_deadline(
    web: AdminPostDep,
    year: YearField,
    deadline: Annotated[str, Form(max_length=40)] = "",
    system: SystemField = None,
) -> Response:
    """Set the deadline of an open or closed round (a local time in China time; empty removes it)."""
    done = round_cases.set_deadline(web.context, web.principal, year, views.china_time(deadline), system)
    return web.redirect("/admin?" + _query(done="deadline", year=year, system=done["system_id"]))


@router.post("/admin/leave")
def admin_leave(
    web: AdminPostDep,
    year: YearField,
    unit: UnitField,
    until: Annotated[str, Form(min_length=1, max_length=40)],
    reason: Annotated[CleanText, Form(min_length=1, max_length=2000)],
    system: SystemField = None,
) -> Response:
    """Give one unit leave to upload after the deadline, or into the published round to correct it, until a
    local time (China time); audited with the reason."""
    moment = views.china_time(until)
    if moment is None:
        raise ServiceError(422, "invalid-request", "until must be a date and time")
    done = round_cases.allow_late_upload(web.context, web.principal, year, unit, moment, reason, system)
    return web.redirect("/admin?" + _query(done="leave", year=year, system=done["system_id"]))


@router.post("/admin/correct")
def admin_correct(
    web: AdminPostDep,
    year: YearField,
    reason: Annotated[CleanText, Form(min_length=1, max_length=2000)],
    confirm: ConfirmField = False,
    missing: MissingField = None,
    system: SystemField = None,
) -> Response:
    """Publish a correction (更正) of a published round with its reason, once the admin has seen what changed
    (the inputs whose accepted version differs) and confirmed the units still without an accepted version."""
    if not confirm:
        check = round_cases.correction_check(web.context, year, system)
        return _confirm(web, "correct", year, check["system_id"], check=check, reason=reason)
    done = round_cases.correct_round(web.context, web.principal, year, reason, missing or [], system)
    return web.redirect("/admin?" + _query(done="correct", year=year, system=done["system_id"]))


# ----------------------------------------------------------------------------------------- signing in


def _home_of(web: Web) -> str:
    role = web.principal.role
    if role is Role.DISTRICT:
        return "/upload"
    if role is Role.DEPARTMENT:
        return "/department"
    if role is Role.REVIEWER:
        return "/review"
    if role is Role.ADMIN:
        return "/admin"
    return "/"


@router.get("/signin")
def signin_page(
    web: WebDep,
    next: Annotated[str, Query(max_length=2000)] = "",
    done: Literal["signed_out"] | None = None,
) -> Response:
    """The sign-in form: a token, kept in an HttpOnly cookie."""
    return web.render(
        "signin.html", active="signin", next=security.safe_next(next, ""), failed=False, done=done
    )


@router.post("/signin")
async def signin(
    web: PostedDep,
    token: Annotated[str, Form(max_length=security.MAX_TOKEN_LENGTH)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the token; on success keep it in the session cookie, renew the form token and go on."""
    wait = ratelimit.limiter_of(web.request).retry_after(ratelimit.client_address(web.request))
    if wait is not None:  # too many failed sign-ins from this address (service.ratelimit)
        refused = _error_page(web, 429, "too-many-failed-sign-ins")
        refused.headers["Retry-After"] = str(wait)
        return refused
    token = token.strip()
    principal = await run_in_threadpool(principal_of, web.context, token)
    if principal is None:
        ratelimit.count_failure(web.request)
        return web.render(
            "signin.html",
            status=401,
            active="signin",
            next=security.safe_next(next, ""),
            failed=True,
            done=None,
        )
    web.principal = principal
    web.csrf_seed, web.set_csrf = security.new_csrf_token(), True  # a fresh form token per sign-in
    response = web.redirect(security.safe_next(next, _home_of(web)))
    security.set_session(response, web.request, token)
    return response


@router.post("/signout")
def signout(web: PostedDep) -> Response:
    """Forget the sign-in cookie."""
    web.clear_session = True
    return web.redirect("/signin?done=signed_out")
