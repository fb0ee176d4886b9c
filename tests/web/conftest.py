"""Fixtures of the dashboard tests: a published Jinan round (2024) and an open one (2023) behind a real uvicorn
server on 127.0.0.1, and Debian's chromium driven by Playwright.

The browser tests are skipped, with the reason, only when chromium is absent (``scripts/install-system-deps.sh``
installs it; ``DIGISCORE_CHROMIUM`` points elsewhere). Every browser page is watched: a request to any host but
the test server, or an error on the console, fails the test.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# the repository root on the path, as in tests/service (there tests/web would otherwise shadow nothing, but
# tests/service would pass for the service package)
sys.path.append(str(Path(__file__).resolve().parents[2]))


from tests.service.support import Office, postgres_available, running_office, serving, settings_factory
from tests.web.support import CHROMIUM, CHROMIUM_ARGS, Guard, watch

UPLOAD_YEAR = 2023  # open for uploads in the browser tests (the sample forms hold 2022–2024)


@pytest.fixture(scope="session")
def postgres_ok() -> bool:
    """Whether the test PostgreSQL answers (the page tests run on it too; without it they are skipped)."""
    return postgres_available()


@dataclass
class Site:
    """The office (app, API client, tokens) and the base URL of its uvicorn server."""

    office: Office
    base_url: str


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Round 2024 published with every sample form; round 2023 open; served on 127.0.0.1."""
    with (
        settings_factory("sqlite", tmp_path_factory.mktemp("web")) as make,
        running_office(make()) as office,
    ):
        office.publish_all_forms()
        office.open_round(UPLOAD_YEAR)
        with serving(office.app) as base_url:
            yield Site(office, base_url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright (never a browser Playwright downloads)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"no chromium at {CHROMIUM}: run scripts/install-system-deps.sh (or set DIGISCORE_CHROMIUM)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A browser page on the test server, and the guard watching it."""

    page: Any
    guard: Guard
    context: Any


def open_tab(browser: Any, site: Site, **options: Any) -> Tab:
    """A fresh browser context (no cookies) on the site, Chinese locale, desktop size unless told."""
    settings: dict[str, Any] = {
        "base_url": site.base_url,
        "locale": "zh-CN",
        "viewport": {"width": 1280, "height": 900},
    }
    context = browser.new_context(**(settings | options))
    context.set_default_timeout(15_000)
    guard = watch(context, site.base_url)
    return Tab(context.new_page(), guard, context)


@pytest.fixture
def tab(browser: Any, site: Site) -> Iterator[Tab]:
    """A page for one test; after it, no foreign request and no console error may have happened."""
    opened = open_tab(browser, site)
    yield opened
    try:
        opened.guard.check()
    finally:
        opened.context.close()


@pytest.fixture(scope="session")
def postgres_site(tmp_path_factory: pytest.TempPathFactory, postgres_ok: bool) -> Iterator[Site]:
    """The same site as :func:`site`, on PostgreSQL (a schema of its own); skipped when PostgreSQL is absent."""
    if not postgres_ok:
        pytest.skip("PostgreSQL is not reachable")
    with (
        settings_factory("postgresql", tmp_path_factory.mktemp("web-postgres")) as make,
        running_office(make()) as office,
    ):
        office.publish_all_forms()
        office.open_round(UPLOAD_YEAR)
        with serving(office.app) as base_url:
            yield Site(office, base_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_site(request: pytest.FixtureRequest) -> Site:
    """:func:`site` on each database, for the browser flows that write (rounds, uploads, reviews)."""
    found: Site = request.getfixturevalue("site" if request.param == "sqlite" else "postgres_site")
    return found


@pytest.fixture
def db_tab(browser: Any, db_site: Site) -> Iterator[Tab]:
    """:func:`tab` on :func:`db_site`."""
    opened = open_tab(browser, db_site)
    yield opened
    try:
        opened.guard.check()
    finally:
        opened.context.close()
