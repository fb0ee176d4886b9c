"""Helpers of the dashboard tests: a real uvicorn server on 127.0.0.1, Debian's chromium driven by Playwright
with a guard that fails a test on any request to another host or any console error, and district forms with
bad cells."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl

from service.auth import Role
from service.context import ServiceContext
from tests.service.support import bearer, jinan_forms

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"  # git-ignored (tests/web/.gitignore); rewritten by every run
AXE = HERE / "vendor" / "axe.min.js"
CHROMIUM = Path(os.environ.get("DIGISCORE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FORM_SHEET = "数据填报"


def token(context: ServiceContext, role: Role, unit: str | None = None) -> str:
    """A fresh token's text (what the evaluation office hands out)."""
    return bearer(context, role, unit)["Authorization"].removeprefix("Bearer ")


@dataclass
class Guard:
    """What a page did that a test must not allow: requests to other hosts, console errors, page errors."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def route(self, route: Any) -> None:
        """Let requests to the test server through; abort and record any other."""
        url = route.request.url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" == self.origin:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def on_page_error(self, error: Any) -> None:
        self.console_errors.append(f"uncaught: {error}")

    def check(self) -> None:
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


def watch(context: Any, base_url: str) -> Guard:
    """Put a :class:`Guard` on every page of a browser context (routes; console and page errors)."""
    guard = Guard(base_url)
    context.route("**/*", guard.route)
    context.on("console", guard.on_console)
    context.on("weberror", lambda error: guard.on_page_error(error.error))
    return guard


def sign_in(page: Any, text: str) -> None:
    """Sign in through the form, as a person would (type the token, press Enter)."""
    page.goto("/signin")
    page.fill("#token", text)
    page.press("#token", "Enter")
    page.wait_for_load_state()


def screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    """Save a screenshot under ``tests/web/screenshots/``."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def loaded_bytes(page: Any) -> dict[str, int]:
    """Every resource the page loaded (the document included) → its decoded size in bytes."""
    entries: list[dict[str, Any]] = page.evaluate(
        """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
                 .map(e => ({name: e.name, size: e.decodedBodySize}))"""
    )
    return {e["name"]: int(e["size"]) for e in entries}


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page (colour contrast among them)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {
               runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
               resultTypes: ['violations']})"""
    )
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
            "summary": [n.get("failureSummary", "") for n in v["nodes"]][:2],
        }
        for v in result["violations"]
    ]


# --------------------------------------------------------------------------------------------- forms


def form_bytes(unit: str) -> bytes:
    """The shipped sample form of ``unit`` (filled in, years 2022–2024)."""
    return jinan_forms()[unit].read_bytes()


def spoiled_form(unit: str, cells: dict[str, str | float]) -> bytes:
    """The unit's sample form with some cells of the data sheet overwritten (openpyxl keeps the layout)."""
    workbook = openpyxl.load_workbook(io.BytesIO(form_bytes(unit)))
    sheet = workbook[FORM_SHEET]
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
