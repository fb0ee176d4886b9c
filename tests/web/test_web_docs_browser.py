"""``/docs`` in a real browser: Swagger UI renders every operation from the app's own files under the page's
content security policy — no request leaves the test server and nothing is refused on the console (the
``tab`` guard fails the test otherwise: a CSP violation is a console error)."""

from __future__ import annotations

from tests.web.conftest import Tab


def test_swagger_ui_renders_offline_under_its_policy(tab: Tab) -> None:
    page = tab.page
    response = page.goto("/docs")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/rounds/{year}/units/{unit}/submissions" in p for p in paths) and len(paths) >= 25
    assert page.locator(".opblock").count() == len(paths)  # one block per operation, each drawn
