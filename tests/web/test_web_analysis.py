"""The analysis page (issue 14: 协同发展, 障碍因子, 区域差异, 分类评价) and the ranking's class filter, in
chromium: every chart drawn, the tables complete, no console error (the tab's guard), axe clean in Chinese and
English, no sideways scrolling on a phone. Screenshots at 1366 and 390 px in ``tests/web/screenshots/``."""

from __future__ import annotations

from typing import Any

from tests.service.support import YEAR
from tests.web.conftest import Site, Tab, open_tab
from tests.web.support import run_axe, screenshot
from tests.web.test_web_browser import drawn_charts

CHARTS = {"coordination", "obstacles", "inequality", "density"}


def test_analysis_page_draws_its_charts_and_tables(tab: Tab) -> None:
    page = tab.page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/analysis?year={YEAR}")
    shapes = drawn_charts(page)
    assert set(shapes) == CHARTS and all(n > 5 for n in shapes.values()), shapes
    assert page.locator("#coordination-table tbody tr").count() == 14
    assert page.locator("#obstacles-table tbody tr").count() == 14
    assert page.locator("#top-obstacles-table tbody tr").count() == 14
    assert page.locator("#disparity-table tbody tr").count() == 3  # 2022–2024
    assert page.locator("#classes-table tbody tr").count() == 14
    assert "优质协调" in page.locator("#coordination-table").inner_text()
    screenshot(page, "analysis-1366-zh")
    page.goto(f"/analysis?year={YEAR}&lang=en")
    shapes = drawn_charts(page)
    assert set(shapes) == CHARTS
    assert "coordination" in page.locator("#coordination-table").inner_text()
    screenshot(page, "analysis-1366-en")


def test_analysis_page_on_a_phone(browser: Any, site: Site) -> None:
    phone = open_tab(browser, site, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = phone.page
        for lang in ("zh", "en"):
            page.goto(f"/analysis?year={YEAR}&lang={lang}")
            assert set(drawn_charts(page)) == CHARTS
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"the analysis page scrolls sideways by {overflow}px"
            screenshot(page, f"analysis-390-{lang}")
        page.goto("/analysis?lang=zh")  # back to Chinese for the other tests of this browser
        phone.guard.check()
    finally:
        phone.context.close()


def test_analysis_page_passes_wcag_aa_checks(browser: Any, site: Site) -> None:
    checked = open_tab(browser, site, bypass_csp=True)
    try:
        page = checked.page
        found = {}
        for lang in ("zh", "en"):
            page.goto(f"/analysis?year={YEAR}&lang={lang}")
            drawn_charts(page)
            found[lang] = run_axe(page)
        page.goto(f"/rankings?year={YEAR}&group=县&lang=zh")
        found["rankings by class"] = run_axe(page)
        violations = {k: v for k, v in found.items() if v}
        assert not violations, violations
        checked.guard.check()
    finally:
        checked.context.close()


def test_ranking_filtered_by_class_shows_the_rank_within_it(tab: Tab) -> None:
    page = tab.page
    page.goto(f"/rankings?year={YEAR}")
    page.select_option("select[name=group]", "县")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**group=**")
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 2  # 平阴县, 商河县
    assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(2)] == ["1", "2"]
    assert {rows.nth(i).locator("th").inner_text() for i in range(2)} == {"平阴县", "商河县"}
    screenshot(page, "rankings-by-class")
