"""The service's report without the CJK font (issue 16 item 6): written without charts after a logged warning,
never a 500 — the engine and the service run without the font, only the charts need it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from scoring.report import fonts
from tests.service.support import YEAR, Office


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The font lookup pointed at nothing: no such family in matplotlib's list, nothing from fontconfig."""
    monkeypatch.setattr(fonts, "CJK_FAMILIES", ("No Such CJK Font",))
    monkeypatch.setattr(fonts, "_fontconfig_files", lambda: [])
    fonts.cjk_font.cache_clear()
    yield
    fonts.cjk_font.cache_clear()


def test_the_report_is_served_without_charts_when_the_font_is_missing(
    no_cjk_font: None, office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    office.publish_all_forms()
    with caplog.at_level(logging.WARNING, logger="service.usecases.read"):
        html = office.client.get(f"/rounds/{YEAR}/report.html")
    assert html.status_code == 200 and "综合" in html.text
    assert "data:image/png" not in html.text
    assert any("without charts" in record.getMessage() for record in caplog.records)
    assert office.client.get(f"/rounds/{YEAR}/report.docx").status_code == 200
