"""Evidence files (佐证材料) on the dashboard, on SQLite and PostgreSQL: the district's upload page lists every
indicator with an upload beside it and marks the required evidence still missing; a refused file shows the page
again with why, in the reader's language; the review page lists the files with download links, names what is
missing and offers only a return until it is there."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from service.auth import Role
from service.settings import INDICATORS_DIR
from tests import evidence_files as files
from tests.service.support import REPO, YEAR, Office, running_office, settings_factory
from tests.service.test_rounds_per_system import GOV, SYSTEM_FILES, _unit_table
from tests.web.test_web_pages import form_token, signed_in

UNIT = "370112"
QUERY = f"year={YEAR}&unit={UNIT}&system={GOV}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def office(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_ok: bool
) -> Iterator[Office]:
    """The four Jinan systems; the digital-government round of 2024 open."""
    if request.param == "postgresql" and not postgres_ok:
        pytest.skip("PostgreSQL not reachable")
    systems = [INDICATORS_DIR / name for name in SYSTEM_FILES.values()]
    with (
        settings_factory(str(request.param), tmp_path_factory.mktemp("evidence")) as make,
        running_office(make(systems=systems)) as office,
    ):
        opened = office.client.post(
            "/rounds", json={"year": YEAR, "system_id": GOV, "version": "2025.1"}, headers=office.admin
        )
        assert opened.status_code == 201
        yield office


def test_evidence_on_the_upload_and_review_pages(office: Office) -> None:
    district = signed_in(office, Role.DISTRICT, UNIT)
    table = _unit_table(REPO / "sample_inputs" / "jinan_digital_government" / "long_table.csv", UNIT)
    sent = district.post(
        "/upload",
        data={"year": str(YEAR), "unit": UNIT, "system": GOV, "csrf_token": form_token(district)},
        files={"file": ("gov.csv", table, "text/csv")},
    )
    assert sent.status_code == 303, sent.text
    page = district.get(f"/upload?{QUERY}").text
    # every collected indicator has its row and an upload beside it; the required ones missing are marked
    assert page.count('class="evidence-form"') == 14  # 18 indicators and DG-X, less the 5 departments supply
    assert 'id="evidence-missing"' in page and "DG-C-02" in page and "DG-D-03" in page
    assert page.count("evidence-lacking") == 2 and page.count("evidence-required") == 2
    # a hostile file: the page again, 422, the reason in Chinese; nothing attached
    refused = district.post(
        "/upload/evidence",
        data={
            "year": str(YEAR),
            "unit": UNIT,
            "system": GOV,
            "version": "1",
            "indicator": "DG-C-02",
            "csrf_token": form_token(district),
        },
        files={"file": ("terminals.png", files.executable(), "image/png")},
    )
    assert refused.status_code == 422
    assert 'id="evidence-error"' in refused.text and "可执行程序" in refused.text
    assert 'class="evidence-link"' not in refused.text
    # in English too
    district.cookies.set("dgs_lang", "en")
    english = district.post(
        "/upload/evidence",
        data={
            "year": str(YEAR),
            "unit": UNIT,
            "system": GOV,
            "version": "1",
            "indicator": "DG-C-02",
            "csrf_token": form_token(district),
        },
        files={"file": ("empty.pdf", b"", "application/pdf")},
    )
    assert (
        english.status_code == 422 and "The uploaded file is empty" in english.text
    )  # a sentence on the page
    district.cookies.set("dgs_lang", "zh")
    # a PDF is attached and listed with its download link
    made = district.post(
        "/upload/evidence",
        data={
            "year": str(YEAR),
            "unit": UNIT,
            "system": GOV,
            "version": "1",
            "indicator": "DG-C-02",
            "csrf_token": form_token(district),
        },
        files={"file": ("自助终端清单.pdf", files.pdf("terminals"), "application/pdf")},
    )
    assert made.status_code == 303 and made.headers["location"].endswith("evidence_done=DG-C-02#evidence")
    page = district.get(made.headers["location"]).text
    assert 'id="evidence-done"' in page and "自助终端清单.pdf" in page and page.count("evidence-lacking") == 1
    link = re.search(r'href="(/upload/evidence\?[^"]+)"', page)
    assert link is not None
    got = district.get(link.group(1).replace("&amp;", "&"))
    assert got.status_code == 200 and got.content == files.pdf("terminals")
    # the reviewer sees the file and the one still missing; accepting is not offered
    reviewer = signed_in(office, Role.REVIEWER)
    review = reviewer.get(f"/review?{QUERY}").text
    assert 'id="evidence-table"' in review and "自助终端清单.pdf" in review
    assert 'id="evidence-missing"' in review and "DG-D-03" in review
    assert re.search(r'value="accept"[^>]*disabled', review)
    assert reviewer.get(link.group(1).replace("&amp;", "&")).content == files.pdf("terminals")
    # another district may not download it
    other = signed_in(office, Role.DISTRICT, "370102")
    assert other.get(link.group(1).replace("&amp;", "&")).status_code == 403
