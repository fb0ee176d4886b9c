"""The department page in a real browser (chromium through Playwright), on SQLite and PostgreSQL: a department
officer signs in, downloads the blank department sheet, fills it for all 14 districts and uploads it; a table
with an indicator it does not supply is refused naming the cell, in Chinese and in English; a reviewer finds the
department among the round's submissions and accepts its version. Screenshots at 1366 and 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from service.auth import Role
from service.settings import INDICATORS_DIR
from tests.service.support import YEAR, running_office, serving, settings_factory
from tests.web.conftest import Site, open_tab
from tests.web.support import screenshot, sign_in
from tests.web.support import token as new_token

SMART = "jinan-smart-city"
TELECOM = "SD-TXGLJ-JN"


@pytest.fixture(params=["sqlite", "postgresql"])
def smart_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The smart-city system's 2024 round, open, served on 127.0.0.1 (on each database)."""
    if request.param == "postgresql" and not request.getfixturevalue("postgres_ok"):
        pytest.skip("PostgreSQL is not reachable")
    with (
        settings_factory(str(request.param), tmp_path_factory.mktemp("departments")) as make,
        running_office(make(systems=[INDICATORS_DIR / "jinan_smart_city.yaml"])) as office,
    ):
        opened = office.client.post(
            "/rounds", json={"year": YEAR, "system_id": SMART, "version": "2025.1"}, headers=office.admin
        )
        assert opened.status_code == 201, opened.text
        with serving(office.app) as base_url:
            yield Site(office, base_url)


def _token(site: Site, role: Role, department: str | None = None) -> str:
    if department is None:
        return new_token(site.office.context, role)
    return site.office.department(department)["Authorization"].removeprefix("Bearer ")


def test_a_department_uploads_its_sheet_and_a_reviewer_accepts_it(
    browser: Any, smart_site: Site, tmp_path: Path
) -> None:
    tab = open_tab(browser, smart_site, viewport={"width": 1366, "height": 900})
    page = tab.page
    try:
        sign_in(page, _token(smart_site, Role.DEPARTMENT, TELECOM))
        page.get_by_role("link", name="部门报送").click()
        page.wait_for_load_state()
        assert "省通信管理局济南分局" in page.locator("h1").inner_text()
        assert page.locator("#supplied li").count() == 2
        with page.expect_download() as caught:
            page.locator("#sheet-download").click()
        sheet = tmp_path / "sheet.xlsx"
        caught.value.save_as(sheet)
        workbook = openpyxl.load_workbook(sheet)
        rows = list(workbook["部门填报"].iter_rows(min_row=6))
        assert len(rows) == 14 * 2 * 3
        for i, row in enumerate(rows):
            row[7].value = 70 + i % 25
        workbook.save(sheet)
        screenshot(page, "department-1366-zh")

        # a table naming an indicator the department does not supply: refused, the cell named
        wrong = tmp_path / "wrong.csv"
        wrong.write_text("unit_code,indicator_code,year,value\n370102,SC-A1-01,2024,50\n", encoding="utf-8")
        page.set_input_files("#file", str(wrong))
        page.locator("#upload-form button[type=submit]").click()
        page.wait_for_load_state()
        assert "未通过校验" in page.locator("#outcome").inner_text()
        problems = page.locator("#result").inner_text()
        assert "SC-A1-01 不由省通信管理局济南分局提供" in problems and "D2" in problems
        page.goto(page.url.split("#")[0] + "&lang=en")
        english = page.locator("#result").inner_text()
        assert "SC-A1-01 is not supplied by Shandong Communications Administration (Jinan branch)" in english
        screenshot(page, "department-1366-en-refused")
        refused_url = page.url
    finally:
        tab.context.close()
    tab.guard.check()

    # on a phone, in both languages: nothing wider than the screen
    phone = open_tab(browser, smart_site, viewport={"width": 390, "height": 844})  # plain: no zooming out
    try:
        sign_in(phone.page, _token(smart_site, Role.DEPARTMENT, TELECOM))
        for lang in ("zh", "en"):
            phone.page.goto(refused_url.replace("lang=en", f"lang={lang}"))
            overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (lang, overflow)
            screenshot(phone.page, f"department-390-{lang}")
    finally:
        phone.context.close()
    phone.guard.check()

    tab = open_tab(browser, smart_site, viewport={"width": 1366, "height": 900})
    page = tab.page
    try:
        sign_in(page, _token(smart_site, Role.DEPARTMENT, TELECOM))
        page.goto(f"/department?year={YEAR}&system={SMART}")
        # the filled sheet: accepted by the checks
        page.set_input_files("#file", str(sheet))
        page.locator("#upload-form button[type=submit]").click()
        page.wait_for_load_state()
        assert "校验通过" in page.locator("#outcome").inner_text()
        assert page.locator("#history tbody tr").count() == 2
        screenshot(page, "department-1366-zh-uploaded")
    finally:
        tab.context.close()
    tab.guard.check()

    # the reviewer finds the department among the round's submissions and accepts it
    tab = open_tab(browser, smart_site, viewport={"width": 1366, "height": 900})
    page = tab.page
    try:
        sign_in(page, _token(smart_site, Role.REVIEWER))
        page.goto(f"/review?year={YEAR}&system={SMART}")
        row = page.locator("#departments tbody tr", has_text="省通信管理局济南分局")
        assert row.count() == 1 and "第 2 版" in row.inner_text()
        row.get_by_role("link").click()
        page.wait_for_load_state()
        assert page.locator("#values tbody tr").count() == 14 * 2 * 3
        page.check("input[name=decision][value=accept]")
        page.locator("#review-form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("#review-done").count() == 1
        assert "已接受" in page.locator("#departments tbody tr", has_text="省通信管理局济南分局").inner_text()
        screenshot(page, "department-review-1366-zh")
    finally:
        tab.context.close()
    tab.guard.check()


def test_the_english_department_page_names_the_department_in_english_at_390px(
    browser: Any, smart_site: Site
) -> None:
    """The header and the heading name the officer's department as the unit list gives it in English, the
    department's code kept whole (SD-TXGLJ-JN, not broken at a hyphen), and nothing scrolls sideways."""
    tab = open_tab(browser, smart_site, viewport={"width": 390, "height": 844})
    page = tab.page
    try:
        sign_in(page, _token(smart_site, Role.DEPARTMENT, TELECOM))
        page.goto(f"/department?year={YEAR}&system={SMART}&lang=en")
        who = page.locator(".who").inner_text()
        assert "Shandong Communications Administration (Jinan branch)" in who and "省通信" not in who
        assert page.locator("h1 .nowrap").inner_text() == " (SD-TXGLJ-JN)"
        assert page.evaluate("document.querySelector('h1 .nowrap').getClientRects().length") == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "department-390-en-header")
        tab.guard.check()
    finally:
        tab.context.close()
