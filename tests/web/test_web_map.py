"""The dashboard's map (rankings page) and ``GET /rounds/{year}/map``, in a real browser against a real server.

The site serves the shipped Jinan system with its unit list pointing at boundaries made up for the test (one
square per district on a grid, 商河县 left out; 高新区 with a point, 起步区 without): the map is drawn from the
served GeoJSON, the functional zone is a marked point, and every unit not drawn as a boundary is listed beside
the map with the reason. No foreign request and no console error may happen (the guard), and axe finds nothing.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.settings import INDICATORS_DIR
from tests.service.support import YEAR, running_office, serving, settings_factory
from tests.web.conftest import Site, Tab, open_tab
from tests.web.support import run_axe, screenshot

LEFT_OUT = "370126"  # 商河县
DISTRICTS = [
    "370102", "370103", "370104", "370105", "370112", "370113",
    "370114", "370115", "370116", "370117", "370124",
]  # fmt: skip


def mapped_systems(folder: Path) -> Path:
    """A copy of the shipped systems whose Jinan unit list names a grid of made-up district squares."""
    shutil.copytree(INDICATORS_DIR, folder, dirs_exist_ok=True)
    features = []
    for i, code in enumerate(DISTRICTS):
        x, y = 116.8 + (i % 4) * 0.2, 36.4 + (i // 4) * 0.2
        ring = [[x, y], [x + 0.2, y], [x + 0.2, y + 0.2], [x, y + 0.2], [x, y]]
        geometry = {"type": "Polygon", "coordinates": [ring]}
        features.append({"type": "Feature", "properties": {"code": code}, "geometry": geometry})
    (folder / "units" / "grid.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    units = (folder / "units" / "jinan.yaml").read_text(encoding="utf-8")
    units = units.replace(
        "units:\n", "geometry: grid.geojson\ngeometry_source: 测试用网格（自制）\nunits:\n", 1
    )
    units = units.replace(
        '  - code: "370171"\n    name: 高新区\n',
        '  - code: "370171"\n    name: 高新区\n    point: [117.1, 36.5]\n',
    )
    (folder / "units" / "jinan.yaml").write_text(units, encoding="utf-8")
    return folder / "jinan_district_digital.yaml"


@pytest.fixture(scope="module")
def map_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    system = mapped_systems(tmp_path_factory.mktemp("systems"))
    with (
        settings_factory("sqlite", tmp_path_factory.mktemp("web-map")) as make,
        running_office(make(systems=[system])) as office,
    ):
        office.publish_all_forms()
        with serving(office.app) as base_url:
            yield Site(office, base_url)


@pytest.fixture
def map_tab(browser: Any, map_site: Site) -> Iterator[Tab]:
    opened = open_tab(browser, map_site, viewport={"width": 1366, "height": 900})
    yield opened
    try:
        opened.guard.check()
    finally:
        opened.context.close()


def test_the_api_serves_boundaries_points_and_the_units_it_cannot_draw(map_site: Site) -> None:
    response = map_site.office.client.get(f"/rounds/{YEAR}/map")
    assert response.status_code == 200
    document = response.json()
    assert document["source"] == "测试用网格（自制）"
    assert [f["properties"]["code"] for f in document["geojson"]["features"]] == DISTRICTS
    assert document["points"] == [{"code": "370171", "name": "高新区", "lon": 117.1, "lat": 36.5}]
    assert [(u["code"], u["reason"]) for u in document["unlisted"]] == [
        (LEFT_OUT, "not_in_file"),
        ("370171", "point"),
        ("370172", "not_in_file"),
    ]
    # the scores are the ranking's: every unit, drawn or not
    ranking = map_site.office.client.get(f"/rounds/{YEAR}/rankings", params={"limit": 100}).json()
    expected = {r["unit_code"]: r["score"] for r in ranking["items"]}
    assert {s["code"]: s["score"] for s in document["scores"]} == expected
    dimension = map_site.office.client.get(f"/rounds/{YEAR}/map", params={"node": "A"}).json()
    assert dimension["node"]["code"] == "A"
    assert map_site.office.client.get(f"/rounds/{YEAR}/map", params={"node": "NOPE"}).status_code == 404


def test_the_rankings_page_draws_the_map_and_lists_the_rest(map_tab: Tab) -> None:
    page = map_tab.page
    page.goto(f"/rankings?year={YEAR}")
    page.wait_for_function("() => document.querySelector('[data-chart=map]').dataset.drawn === 'true'")
    # one path per district (and more for the colour scale), one diamond, the names as text
    svg = page.locator("[data-chart=map] svg")
    assert svg.locator("path").count() >= len(DISTRICTS)
    texts = svg.locator("text").all_text_contents()
    assert "历下区" in texts and "高新区" in texts
    listed = page.locator(".map-unlisted tbody th").all_inner_texts()
    assert listed == ["商河县", "高新区", "起步区"]
    assert "边界来源：测试用网格（自制）" in page.locator(".map-panel").inner_text()
    screenshot(page, "map-1366-zh")
    page.select_option("select[name=node]", "A")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_function("() => document.querySelector('[data-chart=map]').dataset.drawn === 'true'")
    assert page.locator("#map-title").inner_text().endswith("得分地图")


def test_the_map_in_english_and_on_a_phone(browser: Any, map_site: Site) -> None:
    for width, lang in ((1366, "en"), (390, "zh"), (390, "en")):
        opened = open_tab(browser, map_site, viewport={"width": width, "height": 900})
        try:
            page = opened.page
            page.goto(f"/rankings?year={YEAR}&lang={lang}")
            page.wait_for_function(
                "() => document.querySelector('[data-chart=map]').dataset.drawn === 'true'"
            )
            # the panel and the drawn map fit the window
            right = page.evaluate(
                """() => ['.map-panel', '[data-chart=map] svg', '.map-unlisted table']
                       .map(s => document.querySelector(s).getBoundingClientRect().right)"""
            )
            assert max(right) <= width, (width, right)
            if lang == "en":
                assert "Units not drawn as boundaries" in page.locator(".map-panel").inner_text()
            texts = page.locator("[data-chart=map] svg text").all_text_contents()
            if width == 1366:
                # the boundaries and the diamond are labelled with the system's English names, every label
                # inside the map
                assert "Lixia District" in texts and "Hi-tech Zone" in texts
                assert not any("历下区" in text or "高新区" in text for text in texts)
                inside = page.evaluate(
                    """() => { const box = document.querySelector('[data-chart=map]').getBoundingClientRect();
                         return Array.from(document.querySelectorAll('[data-chart=map] svg text')).every((t) => {
                           const r = t.getBoundingClientRect();
                           return r.left >= box.left - 1 && r.right <= box.right + 1; }); }"""
                )
                assert inside
            else:
                # on a phone the regions are too narrow for their names: none is drawn (cut at the map's
                # edges); a tapped region shows its name and score in the tooltip
                assert not any("District" in text or "区" in text for text in texts), texts
            page.locator(".map-panel").scroll_into_view_if_needed()
            screenshot(page, f"map-{width}-{lang}", full_page=False)
            opened.guard.check()
        finally:
            opened.context.close()


def test_the_map_page_passes_wcag_aa_checks(browser: Any, map_site: Site) -> None:
    checked = open_tab(browser, map_site, bypass_csp=True)
    try:
        page = checked.page
        for path in (f"/rankings?year={YEAR}", f"/rankings?year={YEAR}&lang=en&node=A"):
            page.goto(path)
            page.wait_for_function(
                "() => document.querySelector('[data-chart=map]').dataset.drawn === 'true'"
            )
            assert run_axe(page) == [], path
        checked.guard.check()
    finally:
        checked.context.close()
