"""``report.html`` is served with the security headers, and its policy (nothing but inline styles and data:
images) is enough for it: the page has no script and loads nothing from anywhere."""

from __future__ import annotations

import re

from service.headers import DEFAULT_POLICY
from tests.service.support import YEAR, Office


def test_report_html_is_served_under_a_policy_that_fits_it(published: Office) -> None:
    response = published.client.get(f"/rounds/{YEAR}/report.html")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == DEFAULT_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    html = response.text
    assert "<script" not in html.lower() and "<link" not in html.lower()
    sources = re.findall(r'\bsrc="([^"]*)"', html)
    assert sources and all(s.startswith("data:image/") for s in sources)  # every chart inline
    assert "<style>" in html  # the inline CSS the policy allows


def test_report_in_english_with_lang_en(published: Office) -> None:
    """``?lang=en`` serves the English edition (its own file name and cache entry); the default stays Chinese."""
    chinese = published.client.get(f"/rounds/{YEAR}/report.html")
    english = published.client.get(f"/rounds/{YEAR}/report.html?lang=en")
    assert english.status_code == 200
    assert '<html lang="en">' in english.text and '<html lang="zh-CN">' in chinese.text
    assert "Summary" in english.text and "摘要" not in english.text
    assert "_en.html" in english.headers["content-disposition"]
    assert published.client.get(f"/rounds/{YEAR}/report.html?lang=fr").status_code == 422
