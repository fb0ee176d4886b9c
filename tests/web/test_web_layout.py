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


# --------------------------------------------------------------------------------------------- chart labels

DIMENSION_LABELS = """() => {
  const el = document.querySelector('[data-chart="dimensions"]');
  const option = echarts.getInstanceByDom(el).getOption();
  const axis = [].concat(option.xAxis, option.yAxis).find((a) => a.type === 'category');
  const values = new Set(['0', '20', '40', '60', '80', '100']);
  const legend = new Set(option.series.map((s) => s.name));
  const lines = Array.from(el.querySelectorAll('svg text')).map((t) => t.textContent.trim())
    .filter((t) => t && !values.has(t) && !legend.has(t));
  return {lying: option.yAxis[0].type === 'category', overflow: axis.axisLabel.overflow, labels: axis.data, lines};
}"""


@pytest.mark.parametrize(("width", "lying"), [(PHONE, True), (1366, False)])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dimension_bar_labels_break_between_words_only(
    browser: Any, layout_site: Site, width: int, lying: bool, lang: str
) -> None:
    """The profile's dimension bars: on a phone they lie (names on the left, one line each here), on a desktop
    they stand; every label line the chart draws is a run of whole words of a dimension's name (a Chinese name
    whole), never a piece of a word (infrastr|ucture, 数字基|础设施)."""
    tab = open_tab(browser, layout_site, viewport={"width": width, "height": 900})
    try:
        tab.page.goto(f"/districts/370102?year={YEAR}&lang={lang}")
        tab.page.wait_for_selector('[data-chart="dimensions"][data-drawn="true"]')
        drawn = tab.page.evaluate(DIMENSION_LABELS)
        tab.guard.check()
    finally:
        tab.context.close()
    assert drawn["lying"] is lying
    assert drawn["overflow"] == "break"
    assert len(drawn["labels"]) == 5
    assert drawn["lines"], drawn
    pieces = [
        line for line in drawn["lines"] if not any(f" {line} " in f" {label} " for label in drawn["labels"])
    ]
    assert not pieces, f"label lines that cut a word: {pieces} (labels {drawn['labels']})"
    if lang == "zh":
        assert sorted(drawn["lines"]) == sorted(drawn["labels"])


STACKED = {  # page → the tables that read as one block per row on a phone
    "/": ["#top-title ~ .table-wrap table.ranking", "#rounds"],
    f"/rankings?year={YEAR}": ["#ranking"],
    f"/districts/370102?year={YEAR}": ["#attainment"],
    f"/compare?year={YEAR}&a=370102&b=370172": ["#compare-table"],
}
CUT_OFF = """(selector) => {
  const table = document.querySelector(selector);
  const cells = Array.from(table.querySelectorAll('tbody th, tbody td'));
  const right = Math.max(...cells.map((c) => c.getBoundingClientRect().right));
  const box = table.closest('.table-wrap') || table.parentElement;
  return {cells: cells.length, right, edge: box.getBoundingClientRect().right, scrolls: box.scrollWidth > box.clientWidth};
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ranking_and_attainment_rows_are_not_cut_off_at_390px(
    browser: Any, layout_site: Site, lang: str
) -> None:
    """The rankings, the home page's top ten and rounds, the profile's targets and the comparison show every cell of a row
    inside the phone's width (a block per row), not a table whose right columns are hidden in a scroll box."""
    tab = open_tab(browser, layout_site, viewport={"width": PHONE, "height": 844})
    try:
        for path, selectors in STACKED.items():
            tab.page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            for selector in selectors:
                found = tab.page.evaluate(CUT_OFF, selector)
                assert found["cells"] > 0, (path, selector)
                assert not found["scrolls"], (path, selector, found)
                assert found["right"] <= found["edge"] + 0.5, (path, selector, found)
        tab.guard.check()
    finally:
        tab.context.close()
