"""Issue 12's "done when", in a real browser (chromium through Playwright), on SQLite and PostgreSQL: the office
opens 2024 for the district, smart-city and digital-government systems and the composite on the admin page; a
department uploads one table for all 14 districts on its page; a district uploads its form with a remark (备注) and
attaches a PDF of evidence beside each indicator that requires one, after a hostile file is refused; a reviewer sees
the remark, downloads the evidence and accepts. The other districts and departments submit through the API (the
same use cases); the three rounds and then the composite publish, and the composite's published scores equal the
CLI's ``score`` of the same accepted data. Screenshots of the upload and review pages at 1366 and 390 px, in
Chinese and English."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from scoring.system import load_system
from service.auth import Role
from service.settings import INDICATORS_DIR
from tests import evidence_files
from tests.service.support import REPO, YEAR, jinan_forms, running_office, serving, settings_factory
from tests.service.test_rounds_per_system import (
    COMPOSITE,
    GOV,
    JINAN_ID,
    LONG_TABLES,
    SMART,
    SYSTEM_FILES,
    _department_upload_and_accept,
    _indicator_table,
    _unit_table,
    _upload_and_accept,
)
from tests.web.conftest import Site, open_tab
from tests.web.support import screenshot, sign_in
from tests.web.support import token as new_token

UNIT = "370102"
GOV_FORM = REPO / "sample_inputs" / "jinan_digital_government" / "forms" / "370102_历下区.xlsx"
REMARK = "2024 年新增 3 个街道便民服务中心自助终端，见终端清单（佐证材料）"
SERVICES = "JN-ZWFW"  # 市政务服务中心: supplies four digital-government indicators for every district


@pytest.fixture(params=["sqlite", "postgresql"])
def cycle_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The four Jinan systems registered, no round yet, served on 127.0.0.1 (on each database)."""
    if request.param == "postgresql" and not request.getfixturevalue("postgres_ok"):
        pytest.skip("PostgreSQL is not reachable")
    systems = [INDICATORS_DIR / name for name in SYSTEM_FILES.values()]
    with (
        settings_factory(str(request.param), tmp_path_factory.mktemp("cycle")) as make,
        running_office(make(systems=systems)) as office,
        serving(office.app) as base_url,
    ):
        yield Site(office, base_url)


def _form_with_remark(path: Path) -> Path:
    """The district's digital-government form with a remark in the 备注 cell of DG-C-02 (row 20; the column found
    by its header, as the form's descriptive columns come before it)."""
    workbook = openpyxl.load_workbook(GOV_FORM)
    sheet = workbook["数据填报"]
    assert sheet["A20"].value == "DG-C-02"
    header = next(row for row in sheet.iter_rows(min_row=1, max_row=20) if row[0].value == "指标编码")
    remark_column = next(cell.column_letter for cell in header if cell.value == "备注")
    sheet[f"{remark_column}20"] = REMARK
    workbook.save(path)
    return path


def _open_rounds(page: Any) -> None:
    """The admin opens 2024 for each system on the admin page (and confirms)."""
    for system in SYSTEM_FILES:
        page.goto("/admin")
        form = page.locator("form[action='/admin/open']")
        form.locator("input[name=year]").fill(str(YEAR))
        form.locator("select[name=system]").select_option(f"{system}@2025.1")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        page.locator("#confirm-form button[type=submit]").click()
        page.wait_for_load_state()


def _department_uploads_in_the_browser(browser: Any, site: Site, tmp_path: Path) -> None:
    """市政务服务中心 uploads its four indicators for all 14 districts as one table on its page."""
    loaded = load_system(INDICATORS_DIR / SYSTEM_FILES[GOV])
    codes = {node.code for node in loaded.supplied_by(SERVICES)}
    table = tmp_path / "市政务服务中心_2024.csv"
    table.write_bytes(_indicator_table(LONG_TABLES[GOV], codes))
    with table.open(encoding="utf-8") as handle:
        assert len({row["unit_code"] for row in csv.DictReader(handle)}) == 14
    tab = open_tab(browser, site, viewport={"width": 1366, "height": 900})
    try:
        sign_in(tab.page, site.office.department(SERVICES)["Authorization"].removeprefix("Bearer "))
        tab.page.goto(f"/department?year={YEAR}&system={GOV}")
        tab.page.set_input_files("#file", str(table))
        tab.page.locator("#upload-form button[type=submit]").click()
        tab.page.wait_for_load_state()
        assert "校验通过" in tab.page.locator("#outcome").inner_text()
    finally:
        tab.context.close()
    tab.guard.check()


def _district_uploads_with_remark_and_evidence(browser: Any, site: Site, tmp_path: Path) -> bytes:
    """历下区 uploads its form with a remark, is refused an executable named .png, attaches a PDF beside each
    indicator requiring evidence; returns the PDF's bytes."""
    form = _form_with_remark(tmp_path / GOV_FORM.name)
    pdf = tmp_path / "自助终端清单.pdf"
    pdf.write_bytes(evidence_files.pdf("terminals of Lixia"))
    fake = tmp_path / "终端照片.png"
    fake.write_bytes(evidence_files.executable())
    tab = open_tab(browser, site, viewport={"width": 1366, "height": 900})
    page = tab.page
    try:
        sign_in(page, new_token(site.office.context, Role.DISTRICT, UNIT))
        page.goto(f"/upload?year={YEAR}&system={GOV}")
        page.set_input_files("#file", str(form))
        page.locator("#upload-form button[type=submit]").click()
        page.wait_for_load_state()
        assert "校验通过" in page.locator("#outcome").inner_text()
        assert REMARK in page.locator("#remarks").inner_text()
        # the two self-reported indicators require evidence: marked, and listed as missing
        assert page.locator("#evidence-missing").count() == 1
        assert page.locator("#evidence-table .evidence-lacking").count() == 2
        # a hostile file is refused with why; nothing is attached
        row = page.locator("#evidence-DG-C-02")
        row.locator("input[type=file]").set_input_files(str(fake))
        row.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "可执行程序" in page.locator("#evidence-error").inner_text()
        assert page.locator("#evidence-table .evidence-link").count() == 0
        # the page came back with the refusal's status (422), which chromium logs as a failed load: expected
        expected = "the server responded with a status of 422"
        assert any(expected in error for error in tab.guard.console_errors)
        tab.guard.console_errors = [error for error in tab.guard.console_errors if expected not in error]
        # a file over the evidence limit is stopped in the browser, before it is sent
        big = tmp_path / "扫描件.pdf"
        big.write_bytes(evidence_files.pdf() + b" " * site.office.context.settings.max_evidence_bytes)
        row = page.locator("#evidence-DG-D-03")
        row.locator("input[type=file]").set_input_files(str(big))
        row.locator("button[type=submit]").click()
        assert "DG-D-03" in page.locator("#evidence-client-error").inner_text()
        assert page.locator("#evidence-client-error").is_visible()
        for code in ("DG-C-02", "DG-D-03"):
            row = page.locator(f"#evidence-{code}")
            row.locator("input[type=file]").set_input_files(str(pdf))
            row.locator("button[type=submit]").click()
            page.wait_for_load_state()
            assert page.locator("#evidence-done").count() == 1
        assert page.locator("#evidence-missing").count() == 0
        assert page.locator("#evidence-table .evidence-link").count() == 2
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for lang in ("zh", "en"):
                page.goto(f"/upload?year={YEAR}&system={GOV}&lang={lang}#evidence")
                screenshot(page, f"evidence-upload-{width}-{lang}")
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, (width, lang, overflow)
        page.goto(f"/upload?year={YEAR}&system={GOV}&lang=zh")
    finally:
        tab.context.close()
    tab.guard.check()
    return pdf.read_bytes()


def _reviewer_sees_remark_downloads_evidence_and_accepts(browser: Any, site: Site, pdf: bytes) -> None:
    tab = open_tab(browser, site, viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = tab.page
    try:
        sign_in(page, new_token(site.office.context, Role.REVIEWER))
        page.goto(f"/review?year={YEAR}&system={GOV}")
        page.locator("#overview tbody tr", has_text=UNIT).get_by_role("link").click()
        page.wait_for_load_state()
        assert REMARK in page.locator("#remarks").inner_text()
        assert REMARK in page.locator("#values").inner_text()  # beside its value too
        links = page.locator("#evidence-table .evidence-link")
        assert links.count() == 2
        with page.expect_download() as caught:
            links.first.click()
        download = caught.value
        saved = Path(download.path())
        assert download.suggested_filename == "自助终端清单.pdf"
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == hashlib.sha256(pdf).hexdigest()
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for lang in ("zh", "en"):
                page.goto(f"/review?year={YEAR}&system={GOV}&unit={UNIT}&lang={lang}#decision")
                screenshot(page, f"evidence-review-{width}-{lang}")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"/review?year={YEAR}&system={GOV}&unit={UNIT}&lang=zh#decision")
        page.check("input[name=decision][value=accept]")
        page.locator("#review-form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("#review-done").count() == 1
        assert "已接受" in page.locator("#overview tbody tr", has_text=UNIT).inner_text()
    finally:
        tab.context.close()
    tab.guard.check()


def _cli_composite_scores(tmp_path: Path) -> dict[str, float]:
    """The CLI's ``score`` of the composite over the shipped long tables (the forms' and tables' values)."""
    out = tmp_path / "scores.csv"
    files = [str(REPO / "sample_inputs" / "jinan" / "long_table.csv")] + [
        str(p) for p in LONG_TABLES.values()
    ]
    composite = str(INDICATORS_DIR / SYSTEM_FILES[COMPOSITE])
    command = [sys.executable, "-m", "scoring.cli", "score", "--system", composite, "--year", str(YEAR)]
    subprocess.run([*command, "--out", str(out), *files], check=True, capture_output=True)
    with out.open(encoding="utf-8-sig") as handle:
        return {
            row["unit_code"]: float(row["score"])
            for row in csv.DictReader(handle)
            if row["node_code"] == "INDEX" and str(row.get("year", YEAR)) == str(YEAR)
        }


def test_the_annual_cycle_in_the_browser(browser: Any, cycle_site: Site, tmp_path: Path) -> None:
    office = cycle_site.office
    admin = open_tab(browser, cycle_site, viewport={"width": 1366, "height": 900})
    try:
        sign_in(admin.page, new_token(office.context, Role.ADMIN))
        _open_rounds(admin.page)
    finally:
        admin.context.close()
    admin.guard.check()
    rounds = {r["system_id"]: r["status"] for r in office.client.get("/rounds").json()}
    assert rounds == {system: "open" for system in SYSTEM_FILES}

    _department_uploads_in_the_browser(browser, cycle_site, tmp_path)
    pdf = _district_uploads_with_remark_and_evidence(browser, cycle_site, tmp_path)
    _reviewer_sees_remark_downloads_evidence_and_accepts(browser, cycle_site, pdf)
    gov = office.client.get(f"/rounds/{YEAR}/departments?system={GOV}", headers=office.reviewer).json()
    services = next(d for d in gov if d["department_code"] == SERVICES)
    accepted = office.client.post(
        f"/rounds/{YEAR}/departments/{SERVICES}/submissions/{services['latest']['version']}/review?system={GOV}",
        json={"decision": "accept"},
        headers=office.reviewer,
    )
    assert accepted.status_code == 200, accepted.text

    # every other district and department through the API (the same use cases as the pages)
    for unit, path in jinan_forms().items():
        _upload_and_accept(office, JINAN_ID, unit, path.name, path.read_bytes())
        for system, table in LONG_TABLES.items():
            if not (system == GOV and unit == UNIT):
                _upload_and_accept(office, system, unit, f"{unit}.csv", _unit_table(table, unit))
    for system, table in LONG_TABLES.items():
        loaded = load_system(INDICATORS_DIR / SYSTEM_FILES[system])
        for department in loaded.departments:
            if system == GOV and department.code == SERVICES:
                continue
            codes = {node.code for node in loaded.supplied_by(department.code)}
            _department_upload_and_accept(office, system, department.code, _indicator_table(table, codes))
    progress = office.client.get(f"/rounds/{YEAR}/progress?system={GOV}", headers=office.reviewer).json()
    assert progress["counts"]["accepted"] == 14 and progress["counts"]["missing"] == 0
    assert progress["department_counts"]["accepted"] == len(progress["departments"]) == 2

    # the three rounds, then the composite
    for system in (JINAN_ID, SMART, GOV, COMPOSITE):
        query = f"?system={system}"
        assert office.client.post(f"/rounds/{YEAR}/close{query}", headers=office.admin).status_code == 200
        published = office.client.post(f"/rounds/{YEAR}/publish{query}", headers=office.admin)
        assert published.status_code == 200, published.text
        assert published.json()["missing_units"] == []
    ranking = office.client.get(f"/rounds/{YEAR}/rankings?system={COMPOSITE}&limit=100").json()
    served = {item["unit_code"]: item["score"] for item in ranking["items"]}
    cli = _cli_composite_scores(tmp_path)
    assert served.keys() == cli.keys() and len(cli) == 14
    assert all(served[unit] == pytest.approx(cli[unit], abs=1e-9) for unit in cli)
    # the remark went into the published data, and changed no score
    document = office.client.get(f"/rounds/{YEAR}/results?system={GOV}").json()
    assert REMARK in json.dumps(document, ensure_ascii=False)
