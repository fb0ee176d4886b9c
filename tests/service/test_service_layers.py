"""The service's shape: who may call a route is declared by its dependencies (``service.access``,
``service.web.guards``), never checked in its body, and the dashboard never reads tables itself."""

from __future__ import annotations

import ast
from pathlib import Path

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from service.routes import admin, results, rounds, submissions, systems
from service.web import routes as web_routes

SERVICE = Path(__file__).resolve().parents[2] / "service"

# route → the guard its dependencies must include (every route that needs more than the public)
GUARDED = {
    ("POST", "/rounds"): "require_admin",
    ("POST", "/rounds/{year}/close"): "require_admin",
    ("POST", "/rounds/{year}/publish"): "require_admin",
    ("POST", "/rounds/{year}/cancel"): "require_admin",
    ("POST", "/rounds/{year}/reopen"): "require_admin",
    ("GET", "/rounds/{year}/publication"): "require_admin",
    ("GET", "/rounds/{year}/results/verification"): "require_admin_or_reviewer",
    ("GET", "/rounds/{year}/submissions"): "require_admin_or_reviewer",
    ("GET", "/rounds/{year}/units/{unit}/form"): "unit_actor",
    ("POST", "/rounds/{year}/units/{unit}/submissions"): "unit_actor",
    ("GET", "/rounds/{year}/units/{unit}/submissions"): "unit_actor",
    ("GET", "/rounds/{year}/units/{unit}/submissions/{version}"): "unit_actor",
    ("GET", "/rounds/{year}/units/{unit}/submissions/{version}/file"): "unit_actor",
    ("POST", "/rounds/{year}/units/{unit}/submissions/{version}/review"): "require_admin_or_reviewer",
    ("POST", "/tokens"): "require_admin",
    ("POST", "/tokens/{token_id}/revoke"): "require_admin",
    ("GET", "/audit"): "require_admin",
    ("POST", "/systems"): "require_admin",
    ("GET", "/upload"): "page_for_district_or_admin_or_reviewer",
    ("POST", "/upload"): "unit_post",
    ("GET", "/upload/form"): "unit_query",
    ("GET", "/upload/file"): "unit_query",
    ("GET", "/review"): "page_for_admin_or_reviewer",
    ("POST", "/review"): "post_by_admin_or_reviewer",
    ("GET", "/admin"): "page_for_admin",
    ("POST", "/admin/open"): "post_by_admin",
    ("POST", "/admin/close"): "post_by_admin",
    ("POST", "/admin/publish"): "post_by_admin",
    ("POST", "/admin/cancel"): "post_by_admin",
    ("POST", "/admin/reopen"): "post_by_admin",
}


def _calls(dependant: Dependant) -> set[str]:
    names = set()
    for sub in dependant.dependencies:
        if sub.call is not None:
            names.add(getattr(sub.call, "__name__", ""))
        names |= _calls(sub)
    return names


def test_every_guarded_route_declares_its_guard() -> None:
    routers = [module.router for module in (admin, results, rounds, submissions, systems, web_routes)]
    routes = {
        (method, route.path): _calls(route.dependant)
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    for key, guard in GUARDED.items():
        assert key in routes, key
        assert guard in routes[key], (key, routes[key])
    # the guards of the form posts check the CSRF token first
    for key in [
        k for k in GUARDED if k[0] == "POST" and not k[1].startswith(("/rounds", "/tokens", "/systems"))
    ]:
        assert "posted" in routes[key], key


def _called_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def test_no_handler_checks_roles_in_its_body() -> None:
    checks = {"check_role", "check_unit", "require_signed_in", "check_csrf"}
    for path in [*sorted((SERVICE / "routes").glob("*.py")), SERVICE / "web" / "routes.py"]:
        assert not (_called_names(path) & checks), path


def test_the_dashboard_never_reads_tables() -> None:
    for path in sorted((SERVICE / "web").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.name if isinstance(node, ast.Import) else (node.module or "")
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not {m for m in imported if m.startswith(("sqlalchemy", "service.tables", "service.db"))}, path
        called = _called_names(path)
        assert "select" not in called and "execute" not in called, path
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert "db" not in attributes, path  # no context.db.read() / write(): the use cases open sessions
