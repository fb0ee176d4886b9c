"""The rankings page of a round of 3 000 units: searched, sorted and paged on the server, so the browser gets
one page of rows. The timings are printed (``pytest -s``), not asserted (DESIGN.md: tests never assert on wall
time); docs/web.md records them."""

from __future__ import annotations

import hashlib
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from benchmarks.synthetic import synthetic_dataset, synthetic_system
from service import Settings, create_app
from service.auth import CLI
from service.results import publish
from service.rounds import close_round, open_round
from service.submissions import VALUE_COLUMNS, values_to_json
from service.systems import register_system
from service.tables import ReviewRow, RoundRow, SubmissionRow
from tests.service.support import serving
from tests.web.conftest import Site, open_tab
from tests.web.support import loaded_bytes, screenshot

UNITS = 3000
YEAR = 2024


def publish_synthetic_round(settings: Settings) -> None:
    """A published round of 3 000 units × 20 indicators × 2 years, stored straight in the database (one
    accepted version per unit, as if each had been uploaded and reviewed)."""
    app = create_app(settings)
    context = app.state.context
    now = datetime.now(UTC)
    system = synthetic_system(UNITS, 20, weighting="equal")
    with context.db.write() as session:
        register_system(session, system, CLI, now)
    open_round(context.db, YEAR, system.id, system.version, CLI, now)
    values = synthetic_dataset(system, (YEAR - 1, YEAR)).values
    with context.db.write() as session:
        round_id = session.execute(select(RoundRow.id).where(RoundRow.year == YEAR)).scalar_one()
        rows = []
        for unit, frame in values.groupby("unit_code", sort=True):
            text = values_to_json(frame[VALUE_COLUMNS].reset_index(drop=True))
            rows.append(
                SubmissionRow(
                    round_id=round_id,
                    unit_code=str(unit),
                    version=1,
                    file_name=f"{unit}.csv",
                    content_type="text/csv",
                    size=len(text),
                    sha256=hashlib.sha256(text.encode()).hexdigest(),
                    content=text.encode(),
                    outcome="valid",
                    values_json=text,
                    problems_json="[]",
                    error_count=0,
                    warning_count=0,
                    uploaded_at=now,
                )
            )
        session.add_all(rows)
        session.flush()
        session.add_all(ReviewRow(submission_id=r.id, decision="accept", reviewed_at=now) for r in rows)
    close_round(context.db, YEAR, system.id, CLI, now)
    publish(context.db, context.catalog, YEAR, system.id, CLI, now)
    context.db.dispose()


@pytest.fixture(scope="module")
def large_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("web-3000")), systems=[])
    publish_synthetic_round(settings)
    app = create_app(settings)
    with serving(app) as base_url:
        yield Site(office=None, base_url=base_url)  # type: ignore[arg-type]  # no tokens needed: all public


def timed_get(client: httpx.Client, path: str) -> tuple[float, str]:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text[:500]
    return elapsed, response.text


def test_rankings_of_3000_units_render_one_page(large_site: Site) -> None:
    with httpx.Client(base_url=large_site.base_url, timeout=60) as client:
        cold, html = timed_get(client, f"/rankings?year={YEAR}")  # decodes the snapshot once per worker
        assert "共 3000 个区县，显示第 1–50 个" in html
        assert html.count('<th scope="row"><a href="/districts/') == 50
        assert len(html) < 60_000  # one page of rows, whatever the number of units
        warm = {
            "page 1": f"/rankings?year={YEAR}",
            "page 37, 100 a page": f"/rankings?year={YEAR}&page=37&size=100",
            "sorted by score change": f"/rankings?year={YEAR}&sort=score_change&order=desc",
            "searched": f"/rankings?year={YEAR}&q=U29",
            "a dimension": f"/rankings?year={YEAR}&node=D3",
        }
        timings = {}
        for name, path in warm.items():
            timings[name] = statistics.median(timed_get(client, path)[0] for _ in range(5))
        _, searched = timed_get(client, f"/rankings?year={YEAR}&q=U2999")
        assert searched.count('<th scope="row">') == 1
    print(f"\nrankings of {UNITS} units: first request {cold * 1000:.0f} ms (decodes the snapshot); then")
    for name, seconds in timings.items():
        print(f"  {name:<24} {seconds * 1000:6.1f} ms (median of 5)")


def test_rankings_of_3000_units_in_the_browser(browser: Any, large_site: Site) -> None:
    tab = open_tab(browser, large_site)
    try:
        page = tab.page
        page.goto(f"/rankings?year={YEAR}")
        assert page.locator("#ranking tbody tr").count() == 50
        assert page.locator(".pager [aria-current=page]").inner_text() == "第 1 / 60 页"
        page.get_by_role("link", name="下一页").click()
        assert page.locator("#ranking tbody tr td.rank").first.inner_text() == "51"
        timing = page.evaluate(
            """() => { const n = performance.getEntriesByType('navigation')[0];
                       return {response: n.responseEnd - n.requestStart, load: n.loadEventEnd - n.startTime}; }"""
        )
        total = sum(loaded_bytes(page).values())
        print(
            f"\nbrowser, page 2 of 3000 units: response {timing['response']:.0f} ms, "
            f"load {timing['load']:.0f} ms, {total} bytes"
        )
        assert total < 100_000
        screenshot(page, "rankings-3000", full_page=False)
        tab.guard.check()
    finally:
        tab.context.close()
