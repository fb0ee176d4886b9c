"""The dashboard's pages and forms over the ASGI test client, on SQLite and PostgreSQL: sign-in cookie, CSRF,
who sees what, server-side search/sort/paging, languages, errors as HTML, headers and static assets."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scoring.analysis.design import DEFAULT_UNCERTAINTY
from scoring.analysis.uncertainty import uncertainty_analysis
from scoring.io import read_data
from scoring.report.chapters.robustness import negative_note
from scoring.system import load_system
from service.auth import Role, hash_token
from service.settings import DEFAULT_SYSTEMS
from service.web import security, views
from service.web.i18n import TEXT
from service.web.ui import STATIC_DIR, figure, filesize, num, signed
from tests.service.support import YEAR, Office, jinan_forms, running_office, settings_factory
from tests.web.conftest import UPLOAD_YEAR
from tests.web.support import form_bytes, spoiled_form, token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def office(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_ok: bool
) -> Iterator[Office]:
    """2024 published with every sample form; 2023 open for uploads."""
    if request.param == "postgresql" and not postgres_ok:
        pytest.skip("PostgreSQL not reachable")
    with (
        settings_factory(str(request.param), tmp_path_factory.mktemp("pages")) as make,
        running_office(make()) as office,
    ):
        office.publish_all_forms()
        office.open_round(UPLOAD_YEAR)
        yield office


def browser_like(office: Office) -> TestClient:
    """A client with a cookie jar of its own, as one browser has."""
    return TestClient(office.app, base_url="http://testserver", follow_redirects=False)


def csrf_of(client: TestClient, path: str = "/signin") -> str:
    """Load a page (which sets the form-token cookie) and return the token its forms carry."""
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    assert form_token(client) == found.group(1)
    return found.group(1)


def form_token(client: TestClient) -> str:
    """The form token the client's cookies (seed and sign-in) call for: HMAC with the app's secret."""
    seed = client.cookies.get(security.CSRF_COOKIE)
    assert seed
    session = client.cookies.get(security.SESSION_COOKIE)
    binding = hash_token(session) if session else ""
    app = client.app
    return security.form_token(app.state.secret_key, seed, binding)  # type: ignore[attr-defined]


def signed_in(office: Office, role: Role, unit: str | None = None) -> TestClient:
    client = browser_like(office)
    response = client.post(
        "/signin", data={"token": token(office.context, role, unit), "csrf_token": csrf_of(client)}
    )
    assert response.status_code == 303, response.text
    return client


# --------------------------------------------------------------------------------------- every page


PUBLIC_PAGES = [
    "/",
    f"/rankings?year={YEAR}",
    f"/rankings?year={YEAR}&node=A&sort=score&order=asc",
    f"/rankings?year={YEAR}&node=DI-31",
    f"/districts/370102?year={YEAR}",
    f"/compare?year={YEAR}&a=370102&b=370103",
    f"/uncertainty?year={YEAR}",
    f"/rankings/versions?year={YEAR}",
    "/signin",
]
STAFF_PAGES = [
    f"/upload?year={UPLOAD_YEAR}&unit=370102",
    f"/review?year={UPLOAD_YEAR}",
    f"/review?year={UPLOAD_YEAR}&unit=370116",
    "/admin",
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_in_both_languages_with_its_headers(office: Office, lang: str) -> None:
    client = signed_in(office, Role.ADMIN)
    for path in PUBLIC_PAGES + STAFF_PAGES:
        response = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
        assert response.status_code == 200, (path, response.text[-800:])
        assert response.headers["content-type"].startswith("text/html")
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in response.text
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert "<script>" not in response.text  # no inline script: the policy would refuse it


def test_the_translation_table_is_complete() -> None:
    fields = string.Formatter()
    for key, (zh, en) in TEXT.items():
        assert zh and en, key
        assert {f for _, f, _, _ in fields.parse(zh) if f} == {f for _, f, _, _ in fields.parse(en) if f}, key


def test_english_is_remembered_in_a_cookie(office: Office) -> None:
    client = browser_like(office)
    first = client.get(f"/rankings?year={YEAR}&lang=en")
    assert "<h1>Rankings 2024</h1>" in first.text
    assert client.cookies.get(security.LANG_COOKIE) == "en"
    assert "<h1>Overview</h1>" in client.get("/").text
    assert "<h1>评价概览</h1>" in client.get("/?lang=zh").text


def test_the_profile_gives_each_indicators_definition_source_and_unit_in_the_pages_language(
    office: Office,
) -> None:
    """The Jinan system gives its definitions and sources in English too (``definition_en``, ``source_en``) and
    its units of measurement come from the catalogue (个/万人 → number per 10 000 persons): the English profile
    lists those, with no Chinese; the Chinese profile the file's Chinese."""
    client = browser_like(office)

    def definitions(lang: str) -> str:
        html = client.get(f"/districts/370102?year={YEAR}&lang={lang}").text
        return html.split('id="definitions"')[1].split("</details>")[0]

    english = definitions("en")
    assert "5G base stations in service at year end ÷ resident population at year end" in english  # DI-01
    assert "Bureau of Statistics (resident population at year end)" in english  # DI-01's source
    # (10 000 with a no-break space: a number is never broken across lines)
    assert "Unit: number per 10\u00a0000 persons" in english and "Unit: PFLOPS" in english  # DI-01, DI-03
    assert "Unit: cases" in english  # DI-31, 起
    assert not re.search(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]", english)
    chinese = definitions("zh")
    assert "年末已开通5G基站数 ÷ 年末常住人口（万人）" in chinese and "计量单位：个/万人" in chinese
    # the contributions table prints the raw value with its unit in the page's language too
    page = client.get(f"/districts/370102?year={YEAR}&lang=en").text
    # (a count per something after a figure: 38.52 per 10 000 persons, not 38.52 number per …)
    assert '<span class="muted">per 10\u00a0000 persons</span>' in page


# ------------------------------------------------------------------------------------- sign-in, CSRF


def test_signing_in_keeps_the_token_in_an_httponly_cookie(office: Office) -> None:
    client = browser_like(office)
    before = csrf_of(client)
    seed = client.cookies.get(security.CSRF_COOKIE)
    text = token(office.context, Role.DISTRICT, "370102")
    response = client.post("/signin", data={"token": text, "csrf_token": before})
    assert response.status_code == 303 and response.headers["location"] == "/upload"
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(f"{security.SESSION_COOKIE}="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Path=/" in session
    assert client.cookies.get(security.CSRF_COOKIE) != seed  # a fresh form token after signing in
    assert form_token(client) != before
    page = client.get("/upload")
    assert "区县填报员 · 历下区（370102）" in page.text

    # signing out forgets it
    out = client.post("/signout", data={"csrf_token": form_token(client)})
    assert out.headers["location"] == "/signin?done=signed_out"
    assert client.get("/upload").headers["location"] == "/signin?next=%2Fupload"


def test_a_wrong_token_does_not_sign_in(office: Office) -> None:
    client = browser_like(office)
    response = client.post("/signin", data={"token": "dgs_nope", "csrf_token": csrf_of(client)})
    assert response.status_code == 401
    assert "令牌无效或已被撤销" in response.text
    assert client.cookies.get(security.SESSION_COOKIE) is None


def test_posts_without_a_matching_form_token_are_refused(office: Office) -> None:
    client = signed_in(office, Role.DISTRICT, "370102")
    good = form_token(client)
    upload = {"file": ("f.xlsx", form_bytes("370102"), XLSX)}
    fields = {"year": str(UPLOAD_YEAR), "unit": "370102"}
    before = office.client.get(
        f"/rounds/{UPLOAD_YEAR}/units/370102/submissions", headers=office.district("370102")
    ).json()
    for data, headers in (
        (fields, {}),  # no token
        (fields | {"csrf_token": "x" * 43}, {}),  # another token
        (fields | {"csrf_token": good}, {"origin": "https://evil.example"}),  # the right token, another site
        (fields | {"csrf_token": good}, {"referer": "https://evil.example/page"}),
    ):
        refused = client.post("/upload", data=data, files=upload, headers=headers)
        assert refused.status_code == 403, refused.text
        assert "表单已过期或来自其他网站" in refused.text
    after = office.client.get(
        f"/rounds/{UPLOAD_YEAR}/units/370102/submissions", headers=office.district("370102")
    ).json()
    assert after == before  # nothing stored
    # a token from another browser does not work either
    other = browser_like(office)
    assert other.post("/signin", data={"token": "x", "csrf_token": good}).status_code == 403
    # and the sign-in cookie gives the JSON API nothing: it reads the Authorization header only
    assert client.get(f"/rounds/{UPLOAD_YEAR}/units/370102/submissions").status_code == 401


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/upload?year=2023", "/upload?year=2023"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
    ],
)
def test_only_local_paths_are_followed_after_signing_in(target: str, expected: str) -> None:
    assert security.safe_next(target, "/") == expected


# ----------------------------------------------------------------------------------------- who sees what


def test_a_district_officer_sees_only_its_own_unit(office: Office) -> None:
    assert office.upload_form("370103", UPLOAD_YEAR).status_code == 201
    client = signed_in(office, Role.DISTRICT, "370102")
    assert client.get("/upload").status_code == 200
    for path in (
        f"/upload?year={UPLOAD_YEAR}&unit=370103",
        f"/upload/file?year={UPLOAD_YEAR}&unit=370103&version=1",
        f"/upload/form?year={UPLOAD_YEAR}&unit=370103",
        f"/review?year={UPLOAD_YEAR}",
        "/admin",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "当前身份无权查看或操作此内容" in response.text
    own = client.get(f"/upload/form?year={UPLOAD_YEAR}&unit=370102")
    assert own.status_code == 200 and own.headers["content-type"] == XLSX

    reviewer = signed_in(office, Role.REVIEWER)
    assert reviewer.get(f"/upload?year={UPLOAD_YEAR}&unit=370103").status_code == 200
    assert reviewer.get(f"/upload/file?year={UPLOAD_YEAR}&unit=370103&version=1").content == form_bytes(
        "370103"
    )
    assert reviewer.get("/admin").status_code == 403


def test_pages_for_signed_in_users_send_the_public_to_the_sign_in_form(office: Office) -> None:
    client = browser_like(office)
    for path in ("/upload", f"/review?year={UPLOAD_YEAR}", "/admin"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/signin?next=")
    assert "请先登录" in client.get("/signin?next=/admin").text
    # the navigation shows the public pages only
    home = client.get("/").text
    assert 'href="/upload"' not in home and 'href="/admin"' not in home


def test_unpublished_results_are_for_staff_only(office: Office) -> None:
    public = browser_like(office).get(f"/rankings?year={UPLOAD_YEAR}")
    assert public.status_code == 409 and "该年度结果尚未发布" in public.text
    assert browser_like(office).get(f"/districts/370102?year={UPLOAD_YEAR}").status_code == 409
    assert office.upload_form("370124", UPLOAD_YEAR).status_code == 201
    latest = office.client.get(
        f"/rounds/{UPLOAD_YEAR}/units/370124/submissions", headers=office.reviewer
    ).json()[-1]["version"]
    accept = office.client.post(
        f"/rounds/{UPLOAD_YEAR}/units/370124/submissions/{latest}/review",
        json={"decision": "accept"},
        headers=office.reviewer,
    )
    assert accept.status_code == 200
    preview = signed_in(office, Role.REVIEWER).get(f"/rankings?year={UPLOAD_YEAR}")
    assert preview.status_code == 200
    assert "预览：2023 年度结果尚未发布" in preview.text
    assert "结果发布后可下载排名和年度报告" in preview.text


# --------------------------------------------------------------------------------------------- rankings


def rows_of(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/districts/(\d+)\?year=\d+[^"]*">', html)


def test_english_rankings_filter_by_the_tier_and_group_their_options_send(office: Office) -> None:
    """In English the tier and group options read in English (``name_en``, ``group_en``) but send the names the
    system file keys them by, so choosing one still filters."""
    client = browser_like(office)
    html = client.get(f"/rankings?year={YEAR}&lang=en").text
    assert '<option value="领先">Leading</option>' in html.replace(" selected", "")
    group = re.search(r'<option value="([^"]+)">Central districts', html)
    assert group and group.group(1) == "中心城区"
    ranking = office.client.get(f"/rounds/{YEAR}/rankings").json()["items"]
    leading = [r["unit_code"] for r in ranking if r["tier"] == "领先"]
    assert leading and rows_of(client.get(f"/rankings?year={YEAR}&tier=领先&lang=en").text) == leading
    central = rows_of(client.get(f"/rankings?year={YEAR}&group=中心城区&lang=en").text)
    assert central and "370102" in central and "370124" not in central  # 历下区 in, 平阴县 out


def test_rankings_search_sort_filter_and_page_on_the_server(office: Office) -> None:
    client = browser_like(office)
    ranking = office.client.get(f"/rounds/{YEAR}/rankings").json()["items"]
    by_rank = [r["unit_code"] for r in ranking]
    assert rows_of(client.get(f"/rankings?year={YEAR}").text) == by_rank
    assert rows_of(client.get(f"/rankings?year={YEAR}&sort=rank&order=desc").text) == by_rank[::-1]
    by_score = sorted(ranking, key=lambda r: r["score"])
    assert rows_of(client.get(f"/rankings?year={YEAR}&sort=score&order=asc").text) == [
        r["unit_code"] for r in by_score
    ]
    by_code = sorted(by_rank)
    assert rows_of(client.get(f"/rankings?year={YEAR}&sort=code").text) == by_code
    # pages of 25: 14 fit on one; size is snapped to the sizes offered
    page = client.get(f"/rankings?year={YEAR}&size=10").text
    assert len(rows_of(page)) == 14 and "共 14 个区县，显示第 1–14 个" in page
    # search by name or code, filter by tier
    assert rows_of(client.get(f"/rankings?year={YEAR}&q=历下").text) == ["370102"]
    assert rows_of(client.get(f"/rankings?year={YEAR}&q=3701").text) == by_rank
    leading = [r["unit_code"] for r in ranking if r["tier"] == "领先"]
    assert rows_of(client.get(f"/rankings?year={YEAR}&tier=领先").text) == leading
    assert "没有符合条件的区县" in client.get(f"/rankings?year={YEAR}&q=不存在").text
    # a page past the end shows the last one
    assert rows_of(client.get(f"/rankings?year={YEAR}&page=99").text) == by_rank
    # a dimension's ranking has no tiers
    dimension = client.get(f"/rankings?year={YEAR}&node=B").text
    dimension_api = office.client.get(f"/rounds/{YEAR}/rankings?node=B").json()["items"]
    assert rows_of(dimension) == [r["unit_code"] for r in dimension_api]
    assert 'class="tier ' not in dimension


def test_rankings_link_the_downloads_of_a_published_round(office: Office) -> None:
    html = browser_like(office).get(f"/rankings?year={YEAR}").text
    # the downloads name their system (every round URL does: docs/service.md, "Rounds per system")
    for fmt in ("docx", "xlsx", "html"):
        assert f'href="/rounds/{YEAR}/report.{fmt}?system=jinan-district-digital"' in html
    assert (
        f'href="/rounds/{YEAR}/rankings?node=INDEX&amp;format=csv&amp;system=jinan-district-digital"' in html
    )


def test_errors_are_pages_in_the_readers_language(office: Office) -> None:
    client = browser_like(office)
    missing = client.get(f"/districts/999999?year={YEAR}")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "找不到要查看的内容" in missing.text
    english = browser_like(office).get(f"/districts/999999?year={YEAR}&lang=en")
    assert "There is nothing here" in english.text
    assert client.get(f"/rankings?year={YEAR}&node=NOPE").status_code == 404
    bad = client.get("/rankings?sort=evil")
    assert bad.status_code == 400 and "请求的参数不正确" in bad.text
    assert client.get("/rankings?year=1800").status_code == 400
    assert client.get("/rankings?year=2031").status_code == 404


# ------------------------------------------------------------------------------------ upload and review


def test_upload_without_a_file_or_into_a_closed_round_says_why(office: Office) -> None:
    client = signed_in(office, Role.DISTRICT, "370115")
    csrf = form_token(client)
    empty = client.post(
        "/upload",
        data={"year": str(UPLOAD_YEAR), "unit": "370115", "csrf_token": csrf},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert empty.headers["location"] == f"/upload?year={UPLOAD_YEAR}&unit=370115&error=no_file"
    assert "请先选择要上传的文件" in client.get(empty.headers["location"]).text
    closed = client.post(
        "/upload",
        data={"year": str(YEAR), "unit": "370115", "csrf_token": csrf},
        files={"file": ("f.xlsx", form_bytes("370115"), XLSX)},
    )
    # a published round takes an upload only from a unit given leave to correct it (issue 13, corrections)
    assert closed.status_code == 409 and "该轮次已发布" in closed.text
    assert f"{YEAR} 年度结果已发布，370115 未获准为更正重新上传" in closed.text
    assert "填报已截止" in client.get(f"/upload?year={YEAR}").text


def test_a_returned_form_shows_the_reviewers_comment(office: Office) -> None:
    district = signed_in(office, Role.DISTRICT, "370116")
    sent = district.post(
        "/upload",
        data={
            "year": str(UPLOAD_YEAR),
            "unit": "370116",
            "csrf_token": form_token(district),
        },
        files={"file": ("370116.xlsx", spoiled_form("370116", {"H9": "abc"}), XLSX)},
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("#result")
    page = district.get(sent.headers["location"]).text
    assert "未通过校验：1 个错误" in page and "数据填报!</span><strong>H9</strong>" in page
    assert "DI-02</span> 千兆宽带用户占比" in page  # the indicator's name beside its code
    version = int(re.search(r"version=(\d+)", sent.headers["location"]).group(1))  # type: ignore[union-attr]

    reviewer = signed_in(office, Role.REVIEWER)
    form = reviewer.get(f"/review?year={UPLOAD_YEAR}&unit=370116").text
    assert 'value="accept" disabled' in form  # a version with errors can only be returned
    csrf = form_token(reviewer)
    fields = {"year": str(UPLOAD_YEAR), "unit": "370116", "version": str(version), "csrf_token": csrf}
    no_comment = reviewer.post("/review", data=fields | {"decision": "return"})
    assert "problem=comment_required" in no_comment.headers["location"]
    assert "退回时请填写审核意见" in reviewer.get(no_comment.headers["location"]).text
    accepted = reviewer.post("/review", data=fields | {"decision": "accept"})
    assert accepted.status_code == 409 and "此版本有错误，不能接受" in accepted.text
    returned = reviewer.post("/review", data=fields | {"decision": "return", "comment": "请改正 H9"})
    assert returned.headers["location"].endswith("&done=return")
    assert "已退回莱芜区第" in reviewer.get(returned.headers["location"]).text
    history = district.get("/upload").text
    assert "请改正 H9" in history and "未通过校验" in history


def test_submitted_figures_show_as_typed() -> None:
    # up to four decimals, trailing zeros dropped, thousands separated from 10 000 on
    assert [figure(v) for v in (30.45, 1_150_000.0, 0.342, 5.0, None, -0.00001, 2680.4312)] == [
        "30.45",
        "1,150,000",
        "0.342",
        "5",
        "—",
        "0",
        "2680.4312",
    ]


def test_a_cell_level_return_reaches_the_district_and_its_form(office: Office) -> None:
    unit = "370117"  # 钢城区: nothing else uploads it
    district = signed_in(office, Role.DISTRICT, unit)
    sent = district.post(
        "/upload",
        data={"year": str(UPLOAD_YEAR), "unit": unit, "csrf_token": form_token(district)},
        files={"file": (f"{unit}.xlsx", form_bytes(unit), XLSX)},
    )
    assert sent.status_code == 303
    reviewer = signed_in(office, Role.REVIEWER)
    page = reviewer.get(f"/review?year={UPLOAD_YEAR}&unit={unit}").text
    # every value beside its references: 2024 published, so the unit's 2023 value there is its last accepted
    assert 'id="values"' in page and "上次接受值（年份）" in page and "已接受区县中位数" in page
    assert page.count('name="cell_comment"') == page.count('name="cell_key"') > 30
    csrf = form_token(reviewer)
    fields = {"year": str(UPLOAD_YEAR), "unit": unit, "version": "1", "csrf_token": csrf}
    # a return without any comment goes back with the choice kept: never an accept by default
    bare = reviewer.post("/review", data=fields | {"decision": "return"})
    assert "problem=comment_required" in bare.headers["location"]
    again = reviewer.get(bare.headers["location"]).text
    assert re.search(r'value="return" checked', again) and not re.search(r'value="accept" checked', again)
    assert (
        office.client.get(
            f"/rounds/{UPLOAD_YEAR}/units/{unit}/submissions/1", headers=office.reviewer
        ).json()["status"]
        == "pending"
    )
    # cell comments with an accept are refused, the choice kept
    keys = ["DI-02|2023", "DI-03|2023"]
    mixed = reviewer.post(
        "/review", data=fields | {"decision": "accept", "cell_key": keys, "cell_comment": ["请核实", ""]}
    )
    assert "problem=cells_need_return" in mixed.headers["location"]
    assert re.search(r'value="accept" checked', reviewer.get(mixed.headers["location"]).text)
    returned = reviewer.post(
        "/review",
        data=fields
        | {"decision": "return", "cell_key": keys, "cell_comment": ["千兆宽带用户占比偏低，请核实", ""]},
    )
    assert returned.headers["location"].endswith("&done=return"), returned.text
    stored = office.client.get(
        f"/rounds/{UPLOAD_YEAR}/units/{unit}/submissions/1", headers=office.reviewer
    ).json()
    assert stored["status"] == "returned"
    assert [(c["indicator_code"], c["year"], c["comment"]) for c in stored["review"]["cells"]] == [
        ("DI-02", 2023, "千兆宽带用户占比偏低，请核实")
    ]
    # the district sees the comment beside its cell, no success box, and gets the form back with the comment
    mine = district.get(f"/upload?year={UPLOAD_YEAR}&unit={unit}").text
    assert 'id="cell-comments"' in mine and "千兆宽带用户占比偏低，请核实" in mine and "数据填报!H9" in mine
    assert "已被退回修改" in mine and "校验通过" not in mine.split('id="result"')[1].split("</section>")[0]
    annotated = district.get(f"/upload/annotated?year={UPLOAD_YEAR}&unit={unit}&version=1")
    assert annotated.status_code == 200 and annotated.headers["content-type"] == XLSX
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(annotated.content))["数据填报"]
    assert sheet["H9"].comment is not None and "千兆宽带用户占比偏低，请核实" in sheet["H9"].comment.text
    assert sheet["G9"].comment is None and isinstance(sheet["H9"].value, float)
    original = openpyxl.load_workbook(io.BytesIO(form_bytes(unit)))["数据填报"]
    assert sheet["H9"].value == pytest.approx(original["H9"].value)
    assert district.get(f"/upload/annotated?year={UPLOAD_YEAR}&unit=370102&version=1").status_code == 403


# ------------------------------------------------------------------------------------ assets, helpers


def test_static_assets_are_hashed_cached_and_licensed(office: Office) -> None:
    client = browser_like(office)
    html = client.get(f"/districts/370102?year={YEAR}").text
    url = re.search(r'src="(/static/vendor/echarts\.min\.js\?v=[0-9a-f]{12})"', html)
    assert url, "the profile page loads the vendored ECharts"
    script = client.get(url.group(1))
    assert script.status_code == 200
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert script.content.startswith(b"/*! Apache ECharts")
    assert len(script.content) < 700_000  # a partial build: the full echarts.min.js is 1.1 MB
    assert client.get("/static/css/app.css").headers["cache-control"] == "no-cache"
    for licence in ("LICENSE-echarts.txt", "NOTICE-echarts.txt", "LICENSE-zrender.txt", "LICENSE-tslib.txt"):
        assert (STATIC_DIR / "vendor" / licence).stat().st_size > 0
    assert "echarts" not in client.get(f"/rankings?year={YEAR}").text  # no chart, no chart library


def test_an_upload_through_the_page_is_stored_as_one_through_the_api(office: Office) -> None:
    """One upload flow: the same bytes sent by the page and by ``POST …/submissions`` become two versions that
    differ only in their number, time and token."""
    unit = "370113"
    content = spoiled_form(unit, {"H9": "abc", "H10": -5})
    api = office.upload(unit, "370113.xlsx", content, UPLOAD_YEAR)
    assert api.status_code == 422
    client = signed_in(office, Role.DISTRICT, unit)
    sent = client.post(
        "/upload",
        data={"year": str(UPLOAD_YEAR), "unit": unit, "csrf_token": csrf_of(client, "/upload")},
        files={"file": ("370113.xlsx", content, "application/octet-stream")},
    )
    assert sent.status_code == 303
    page_version = int(re.search(r"version=(\d+)", sent.headers["location"]).group(1))  # type: ignore[union-attr]
    api_version = api.json()["submission"]["version"]
    assert page_version == api_version + 1

    def stored(version: int) -> dict[str, Any]:
        path = f"/rounds/{UPLOAD_YEAR}/units/{unit}/submissions/{version}"
        report: dict[str, Any] = office.client.get(path, headers=office.district(unit)).json()
        return {k: v for k, v in report.items() if k not in ("version", "uploaded_at", "uploaded_by")}

    assert stored(page_version) == stored(api_version)
    assert stored(api_version)["errors"] == 2 and stored(api_version)["status"] == "rejected"


def test_the_uncertainty_page_lists_every_unit_with_its_interval(office: Office) -> None:
    html = browser_like(office).get(f"/uncertainty?year={YEAR}").text
    # the one default design: 1000 runs asked, seven assumptions vary on the district system (weights,
    # normalisation, aggregation, missing, treatment, goalposts, exclusion), so ceil(1000 / 9) = 112 base rows
    # of 9 runs = 1008 runs, seed 20250101
    assert "重复计算 1008 次（固定随机种子 20250101；" in html
    assert '<th scope="col" class="num">档次变动概率</th>' in html  # the district system has tiers
    assert len(re.findall(r'<td class="num" data-label="档次变动概率">\d+\.\d%</td>', html)) == 14
    assert len(re.findall(r'<th scope="row"><a href="/districts/', html)) == 14
    assert re.search(r"<td class=\"num\" data-label=\"5%–95% 名次区间\">\d+ – \d+</td>", html)
    # assumptions and their levels named as the report names them, never by their method codes
    assert (
        '<td data-label="备选取值">权重按比例重新分配、同组均值插补</td>' in html
        and "renormalise" not in html
    )
    english = browser_like(office).get(f"/uncertainty?year={YEAR}&lang=en").text
    assert '<td data-label="Levels">renormalised weights, group mean imputation</td>' in english


def test_the_uncertainty_page_shows_the_intervals_of_the_default_design(office: Office) -> None:
    """The dashboard's rank intervals are those the analysis gives with DEFAULT_UNCERTAINTY on the same forms
    (as the CLI's ``uncertainty`` reads them), to the last digit."""
    system = load_system(DEFAULT_SYSTEMS[0])
    dataset = read_data(list(jinan_forms().values()), system)
    design = DEFAULT_UNCERTAINTY
    expected = uncertainty_analysis(system, dataset, YEAR, design.generator(), design).units
    html = browser_like(office).get(f"/uncertainty?year={YEAR}").text
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, flags=re.S)
    assert found
    chart = json.loads(found.group(1))["intervals"]
    assert chart["units"] == len(expected) == 14
    shown = {
        name: (low, high, median)
        for name, low, high, median in zip(
            chart["categories"], chart["low"], chart["high"], chart["median"], strict=True
        )
    }
    for row in expected.itertuples():
        assert shown[row.unit_name] == (row.rank_q05, row.rank_q95, row.median_rank)


@pytest.mark.parametrize(
    ("value", "text"), [(1.234, "+1.23"), (-0.5, "−0.50"), (0.001, "0.00"), (None, "—"), (0, "0.00")]
)
def test_changes_are_shown_with_their_sign(value: Any, text: str) -> None:
    assert signed(value) == text


def test_the_robustness_page_prints_sensitivity_indices_as_the_report_does() -> None:
    """A sampled index below 0 (sampling error; the index itself is never negative) reads ≈0 with the report's
    note under the table, in the page's language; the others with the report's four decimals, most influential
    assumption first."""
    rows = [
        {
            "assumption": "goalposts",
            "levels": "as_set,stricter,looser",
            "first_order": -0.0052,
            "total_effect": 0.075,
        },
        {"assumption": "normalisation", "levels": "minmax", "first_order": 0.282, "total_effect": 0.588},
    ]
    shown = views.sensitivity_rows(rows, "en")
    assert [(r["assumption_label"], r["first_order_text"], r["total_effect_text"]) for r in shown] == [
        ("Normalisation", "0.2820", "0.5880"),
        ("Goalposts and targets", "≈0", "0.0750"),
    ]
    assert views.sensitivity_note(rows, "zh") == negative_note()  # the report's Chinese note
    english = views.sensitivity_note(rows, "en")
    assert english is not None and english.startswith('"≈0": the sampled estimate is slightly below 0')
    assert views.sensitivity_note(rows[1:], "en") is None


def test_a_unit_after_a_figure_reads_as_the_page_language_writes_it() -> None:
    """The review page's parts of a derived value: on an English page ``408.8 (100 million yuan)`` and ``33``
    (a count says nothing), never ``408.8 100 million yuan`` or ``33 number``; on a Chinese page as written."""
    from service.web import ui

    assert ui.measure_after_figure("亿元") == "亿元" and ui.measure_after_figure(None) == ""
    token = ui._DATA_NAMES.set({"亿元": "100 million yuan", "个": "number", "人": "persons"})
    try:
        assert ui.measure_after_figure("亿元") == "(100 million yuan)"
        assert ui.measure_after_figure("个") == ""
        assert ui.measure_after_figure("人") == "persons"
        assert ui.measure_after_figure("PFLOPS") == "PFLOPS"
    finally:
        ui._DATA_NAMES.reset(token)


def test_a_names_grouped_digits_are_never_broken_across_lines(office: Office) -> None:
    """English names carry their number whole: the space grouping 10 000 is non-breaking (on the page and in
    the charts' data), other spaces and numbers are left alone."""
    from service.web.i18n import Translator, numbers_whole

    assert numbers_whole("per 10 000 residents") == "per 10\u00a0000 residents"
    assert numbers_whole("1 234 567 in 2024 1000") == "1\u00a0234\u00a0567 in 2024 1000"
    assert Translator("en", {}).pick("每万人", "per 10 000 residents") == "per 10\u00a0000 residents"
    assert Translator("zh", {}).pick("每万人 10 000", "per 10 000 residents") == "每万人 10 000"
    page = browser_like(office).get(f"/districts/370102?year={YEAR}&lang=en").text
    assert "Public video streams aggregated per 10\u00a0000 residents" in page
    assert "per 10 000 residents" not in page.split('id="definitions"')[0]


def test_numbers_and_sizes_are_formatted_for_people() -> None:
    assert num(12345.678) == "12,345.68" and num(93.0385) == "93.04" and num(None) == "—"
    assert filesize(10 * 1024 * 1024) == "10 MB" and filesize(12_000) == "12 KB"


def test_a_forms_remarks_show_on_the_upload_and_review_pages(office: Office) -> None:
    remark = "2024 年为快报数（统计局 3 月口径）"
    district = signed_in(office, Role.DISTRICT, "370113")
    sent = district.post(
        "/upload",
        data={"year": str(UPLOAD_YEAR), "unit": "370113", "csrf_token": form_token(district)},
        files={"file": ("370113.xlsx", spoiled_form("370113", {"N9": remark}), XLSX)},  # N9: DI-02's 备注
    )
    assert sent.status_code == 303
    version = int(re.search(r"version=(\d+)", sent.headers["location"]).group(1))  # type: ignore[union-attr]
    page = district.get(sent.headers["location"]).text
    assert 'id="remarks"' in page and remark in page and "2022、2023" in page
    review = signed_in(office, Role.REVIEWER).get(f"/review?year={UPLOAD_YEAR}&unit=370113").text
    assert 'id="remarks"' in review and remark in review
    report = office.client.get(
        f"/rounds/{UPLOAD_YEAR}/units/370113/submissions/{version}", headers=office.reviewer
    ).json()
    assert [(r["indicator_code"], r["remark"]) for r in report["remarks"]] == [("DI-02", remark)]


def test_report_downloads_follow_the_pages_language(office: Office) -> None:
    """In English the rankings page links the report's English edition (``&lang=en``); in Chinese the Chinese."""
    client = browser_like(office)
    english = client.get(f"/rankings?year={YEAR}&lang=en").text
    assert f"/rounds/{YEAR}/report.docx?system=" in english and "&amp;lang=en" in english
    chinese = client.get(f"/rankings?year={YEAR}&lang=zh").text
    assert (
        f"/rounds/{YEAR}/report.docx?system=" in chinese
        and "lang=en" not in chinese.split("report.docx")[1][:80]
    )


def test_the_review_page_asks_to_accept_the_reasons_of_unavailable_values(office: Office) -> None:
    """数据缺失说明: the declared values and their reasons are listed with a checkbox; accepting without ticking it
    sends the page back with the explanation; ticked, the version is accepted."""
    reason = "2024 年起由市统计局统一核算"
    district = signed_in(office, Role.DISTRICT, "370124")
    # I9: DI-02 of 2024 (the first row: DI-01 is derived), N9: its 备注
    declared = spoiled_form("370124", {"I9": "数据缺失", "N9": reason})
    sent = district.post(
        "/upload",
        data={"year": str(UPLOAD_YEAR), "unit": "370124", "csrf_token": form_token(district)},
        files={"file": ("370124.xlsx", declared, XLSX)},
    )
    assert sent.status_code == 303
    version = int(re.search(r"version=(\d+)", sent.headers["location"]).group(1))  # type: ignore[union-attr]
    reviewer = signed_in(office, Role.REVIEWER)
    page = reviewer.get(f"/review?year={UPLOAD_YEAR}&unit=370124").text
    assert 'id="unavailable"' in page and reason in page and 'name="accept_unavailable"' in page
    assert ">数据缺失</td>" in page
    fields = {
        "year": str(UPLOAD_YEAR),
        "unit": "370124",
        "version": str(version),
        "csrf_token": form_token(reviewer),
    }
    unticked = reviewer.post("/review", data=fields | {"decision": "accept"})
    assert "problem=unavailable_not_accepted" in unticked.headers["location"]
    assert "接受时请勾选" in reviewer.get(unticked.headers["location"]).text
    ticked = reviewer.post("/review", data=fields | {"decision": "accept", "accept_unavailable": "true"})
    assert ticked.headers["location"].endswith("&done=accept")


def test_a_problem_reads_as_a_sentence_in_english() -> None:
    from service.web.ui import message

    problem = {"message_zh": "单元格内容“12个”不是数值", "message_en": "the cell holds '12个', not a number"}
    assert message(problem, "en") == "The cell holds '12个', not a number"
    assert message(problem, "zh") == "单元格内容“12个”不是数值"


def test_the_profile_names_the_reports_strengths_and_weaknesses(office: Office) -> None:
    """One rule (scoring.analysis.report_data.strengths_and_weaknesses): the dashboard's profile lists the
    strengths and weaknesses the report's profile names, for every district — ties at rank 1 included (历下区 is
    first on several indicators; the page once took them in code order)."""
    from scoring.analysis.report_data import analyse
    from scoring.evaluate import evaluate

    system = load_system(DEFAULT_SYSTEMS[0])
    report = analyse(evaluate(system, read_data(list(jinan_forms().values()), system), YEAR))
    client = browser_like(office)
    for profile in report.profiles:
        page = client.get(f"/districts/{profile.unit_code}?year={YEAR}").text

        def listed(key: str, html: str = page) -> list[str]:
            part = html.split(f'id="{key}">')[1].split("</ol>")[0]
            return [unescape(n) for n in re.findall(r"<li><strong>([^<]+)</strong>", part)]

        assert listed("strengths") == [p.name for p in profile.strengths], profile.unit_code
        assert listed("weaknesses") == [p.name for p in profile.weaknesses], profile.unit_code
        assert ('id="no-strengths"' in page) == (not profile.strengths)
