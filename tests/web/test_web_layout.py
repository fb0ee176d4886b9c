"""Every dashboard page at a phone's width in a plain 390 px viewport (no device emulation, which would let the
page zoom out and hide a sideways scroll), in Chinese and in English, with an upload that has problems so the
upload page shows its message column.

The site is this module's own (a published 2024 round, an open 2023 round and one spoiled upload), so the
upload leaves the session's shared site alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scoring.system import load_system
from scoring.system.measures import measure_en
from service.auth import Role
from tests.service.support import YEAR, running_office, serving, settings_factory
from tests.web.conftest import UPLOAD_YEAR, Site, open_tab
from tests.web.support import FORM_SHEET, screenshot, sign_in, spoiled_form, token

ROOT = Path(__file__).resolve().parents[2]

PHONE = 390
SPOILED_UNIT = "370172"  # 起步区
SPOILED_FILE = "起步区填报表.xlsx"
PUBLIC_PAGES = [
    "/",
    f"/rankings?year={YEAR}",
    f"/districts/370102?year={YEAR}",
    f"/compare?year={YEAR}",
    f"/uncertainty?year={YEAR}",
    f"/analysis?year={YEAR}",
    f"/rankings/versions?year={YEAR}",
    "/signin",
]
SIGNED_IN_PAGES = {
    Role.DISTRICT: [f"/upload?year={UPLOAD_YEAR}&unit={SPOILED_UNIT}"],
    Role.REVIEWER: [f"/review?year={UPLOAD_YEAR}", f"/review?year={UPLOAD_YEAR}&unit={SPOILED_UNIT}"],
    Role.ADMIN: ["/admin"],
}


@pytest.fixture(scope="module")
def layout_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The session site's rounds, plus a spoiled upload of 起步区 (a unit with a unit text, a blank required
    value, values out of range) for 2023."""
    with (
        settings_factory("sqlite", tmp_path_factory.mktemp("web-layout")) as make,
        running_office(make()) as office,
    ):
        office.publish_all_forms()
        office.open_round(UPLOAD_YEAR)
        spoiled = spoiled_form(SPOILED_UNIT, {"H9": "12个", "H10": "", "H11": -5, "H12": "1,234"})
        response = office.upload(SPOILED_UNIT, SPOILED_FILE, spoiled, UPLOAD_YEAR)
        assert response.status_code == 422, response.text
        with serving(office.app) as base_url:
            yield Site(office, base_url)


def _pages(site: Site) -> list[tuple[str | None, str]]:
    """(the token to sign in with or None, path) for every page."""
    context = site.office.context
    pages: list[tuple[str | None, str]] = [(None, path) for path in PUBLIC_PAGES]
    for role, paths in SIGNED_IN_PAGES.items():
        text = token(context, role, SPOILED_UNIT if role is Role.DISTRICT else None)
        pages.extend((text, path) for path in paths)
    return pages


def test_no_page_scrolls_sideways_at_390px(browser: Any, layout_site: Site) -> None:
    overflowing = []
    signed_in_as: str | None = None
    tab = open_tab(browser, layout_site, viewport={"width": PHONE, "height": 844})
    try:
        page = tab.page
        for who, path in _pages(layout_site):
            if who != signed_in_as:
                page.context.clear_cookies()
                if who is not None:
                    sign_in(page, who)
                signed_in_as = who
            for lang in ("zh", "en"):
                page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
                page.wait_for_load_state("networkidle")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE:
                    overflowing.append(f"{path} ({lang}): {width}px")
                name = path.strip("/").split("?")[0].replace("/", "-") or "home"
                screenshot(page, f"phone-{name}-{lang}")
        # the upload page shows the spoiled version's problems, message column included
        page.goto(f"/upload?year={UPLOAD_YEAR}&unit={SPOILED_UNIT}&lang=zh")
        assert page.locator("text=12个").count() >= 1
        tab.guard.check()
    finally:
        tab.context.close()
    assert not overflowing, f"pages wider than {PHONE}px: {overflowing}"


# --------------------------------------------------------------------------------------------- English mode

CJK_OR_FULL_WIDTH = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
PAGE_TEXT = """() => {
  // the remarks a district typed are its own words (data), shown as written
  const typed = Array.from(document.querySelectorAll('#remarks tbody td:last-child, .flags .muted'))
    .map((e) => e.innerText);
  let body = document.body.innerText;
  typed.forEach((t) => { body = body.split(t).join(' '); });
  const texts = [document.title, body];
  document.querySelectorAll('svg text, option, [aria-label], [title]').forEach((e) => {
    texts.push(e.textContent || '', e.getAttribute('aria-label') || '', e.getAttribute('title') || '');
  });
  const data = document.getElementById('chart-data');
  const walk = (v) => { if (typeof v === 'string') { texts.push(v); } else if (v && typeof v === 'object') {
    Object.values(v).forEach(walk); } };
  if (data) { walk(JSON.parse(data.textContent)); }
  return texts.join('\\n');
}"""


def _data_names() -> list[str]:
    """What may stay Chinese in English: the names the system file gives only in Chinese (units, their groups,
    tiers, nodes and the system without ``name_en`` / ``group_en``), measurement units without an English one
    (the catalogue's or ``unit_en``), the form's sheet name, a
    file's name, a value a district typed and the language switch. A name the system gives in English too is
    not here: shown in Chinese on an English page it is a fault."""
    system = load_system(ROOT / "indicators" / "jinan_district_digital.yaml")
    names = {FORM_SHEET, SPOILED_FILE, "中文", "12个"}
    if not system.name_en:
        names.add(system.name)
    names |= {unit.name for unit in system.units if not unit.name_en}
    names |= {unit.group for unit in system.units if unit.group and not unit.group_en}
    tiers = system.tiers if isinstance(system.tiers, list) else []
    names |= {tier.name for tier in tiers if not tier.name_en}
    nodes = [*system.nodes.values(), *system.collected]  # the tree and the parts of derived indicators
    names |= {node.name for node in nodes if not node.name_en}
    # a unit of measurement the catalogue (scoring.system.measures) knows is printed in English
    names |= {node.unit for node in nodes if node.unit and measure_en(node.unit, node.unit_en) == node.unit}
    names.discard(system.composite.name)  # 综合指数 has a generic English name (Composite index)
    return sorted(names, key=len, reverse=True)


def test_english_pages_hold_no_chinese_ui_text(browser: Any, layout_site: Site) -> None:
    names = _data_names()
    found: dict[str, list[str]] = {}
    signed_in_as: str | None = None
    tab = open_tab(browser, layout_site, viewport={"width": 1366, "height": 900})
    try:
        page = tab.page
        for who, path in _pages(layout_site):
            if who != signed_in_as:
                page.context.clear_cookies()
                if who is not None:
                    sign_in(page, who)
                signed_in_as = who
            page.goto(f"{path}{'&' if '?' in path else '?'}lang=en")
            page.wait_for_load_state("networkidle")
            text = page.evaluate(PAGE_TEXT)
            for name in names:
                text = text.replace(name, " ")
            left = sorted(set(CJK_OR_FULL_WIDTH.findall(text)))
            if left:
                found[path] = left
            name = path.strip("/").split("?")[0].replace("/", "-") or "home"
            screenshot(page, f"english-{name}")
        tab.guard.check()
    finally:
        tab.context.close()
    assert not found, f"Chinese or full-width text in English pages: {found}"


def test_the_jinan_system_gives_english_names_so_the_english_pages_are_checked_for_them() -> None:
    """The check above is only as strict as the names it may not skip: the shipped Jinan system names its units,
    groups, tiers, nodes and itself in English, so none of those is whitelisted."""
    system = load_system(ROOT / "indicators" / "jinan_district_digital.yaml")
    allowed = set(_data_names())
    english = {system.name, *(u.name for u in system.units), *(u.group for u in system.units if u.group)}
    english |= {tier.name for tier in (system.tiers if isinstance(system.tiers, list) else [])}
    assert not english & allowed
