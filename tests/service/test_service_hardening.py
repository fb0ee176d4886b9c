"""Issue 10, the service's part: request text on both databases (NUL and control characters), logs without
request bytes, security headers, one file part, sign-in rate limit, token expiry, Idempotency-Key.
Runs on SQLite and PostgreSQL (``office`` and ``make_settings`` are parametrized over both)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError

from service import Settings, create_app
from service.auth import Role, issue_token
from service.ratelimit import FailureLimiter
from service.tables import TokenRow
from service.text import clean_content_type, clean_file_name, first_control, shorten_file_name
from tests.service.support import YEAR, Office, jinan_forms, running_office

PROBLEM_JSON = "application/problem+json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOUNDARY = "hardening-boundary"


def multipart(parts: list[tuple[str, str, str, bytes]]) -> bytes:
    """A multipart body built by hand, so that names and types hold exactly the bytes given
    (``(field, file name, content type, content)``; names and types are sent as UTF-8)."""
    body = b""
    for field, name, content_type, content in parts:
        body += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    return body + f"--{BOUNDARY}--\r\n".encode()


def raw_upload(office: Office, unit: str, body: bytes, **headers: str) -> Any:
    return office.client.post(
        f"/rounds/{YEAR}/units/{unit}/submissions",
        content=body,
        headers=office.district(unit)
        | {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        | headers,
    )


def history(office: Office, unit: str) -> list[dict[str, Any]]:
    response = office.client.get(f"/rounds/{YEAR}/units/{unit}/submissions", headers=office.admin)
    assert response.status_code == 200
    result: list[dict[str, Any]] = response.json()
    return result


# ------------------------------------------------------------------------------------------ request text


def test_the_text_rules() -> None:
    assert first_control("a\x00b") == (2, "\x00")
    assert first_control("行\n", frozenset("\n")) is None
    assert first_control("\ud800") == (1, "\ud800")  # a lone surrogate cannot be stored either
    assert clean_file_name("C:\\表\x00格\u202e.xlsx") == "表格.xlsx"  # path, NUL and a bidi override go
    assert clean_file_name("\x00\x01") == "upload" and clean_file_name("..") == "upload"
    assert clean_content_type("text/csv\x00; x=\x1b") == "text/csv; x="
    assert clean_content_type("\x00") is None
    # 1 005 characters: the stem is cut, the extension stays; 255 characters in all
    long = clean_file_name("报" * 1000 + ".xlsx")
    assert len(long) == 255 and long == "报" * 250 + ".xlsx"
    assert shorten_file_name("a" * 300, 255) == "a" * 255  # no extension: cut at the end
    assert shorten_file_name("a.b" + "c" * 300, 10) == "a.bccccccc"  # an "extension" of 301: not one


def test_nul_in_file_name_and_content_type_is_stripped_and_the_upload_kept(office: Office) -> None:
    office.open_round()
    form = jinan_forms()["370102"].read_bytes()
    body = multipart([("file", "370102\x00表\x07.xlsx", "application/\x00vnd.x\x1b", form)])
    response = raw_upload(office, "370102", body)
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["file_name"] == "370102表.xlsx" and report["content_type"] == "application/vnd.x"
    assert [v["file_name"] for v in history(office, "370102")] == ["370102表.xlsx"]
    stored = office.client.get(f"/rounds/{YEAR}/units/370102/submissions/1/file", headers=office.admin)
    assert stored.content == form  # the bytes are never touched


def test_a_long_file_name_keeps_its_extension(office: Office) -> None:
    office.open_round()
    form = jinan_forms()["370103"].read_bytes()
    response = office.upload("370103", "填报" * 500 + "5.xlsx", form)  # 1 005 characters
    assert response.status_code == 201, response.text
    name = response.json()["file_name"]
    assert len(name) == 255 and name.endswith("填报.xlsx") and name == "填报" * 125 + ".xlsx"


def test_a_comment_or_label_with_a_control_character_is_refused_with_where(office: Office) -> None:
    office.open_round()
    assert office.upload_form("370102").status_code == 201
    refused = office.client.post(
        f"/rounds/{YEAR}/units/370102/submissions/1/review",
        json={"decision": "return", "comment": "请改正\x00H9"},
        headers=office.reviewer,
    )
    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM_JSON
    (error,) = refused.json()["errors"]
    assert error["loc"] == ["body", "comment"]
    assert "U+0000" in error["msg"] and "at character 4" in error["msg"]
    assert history(office, "370102")[0]["review"] is None  # nothing stored
    # line breaks and tabs are fine in a comment
    kept = office.client.post(
        f"/rounds/{YEAR}/units/370102/submissions/1/review",
        json={"decision": "return", "comment": "第一行\n\t第二行"},
        headers=office.reviewer,
    )
    assert kept.status_code == 200 and kept.json()["review"]["comment"] == "第一行\n\t第二行"

    label = office.client.post(
        "/tokens", json={"role": "admin", "label": "ops\x1b[31m"}, headers=office.admin
    )
    assert label.status_code == 422 and "U+001B" in label.json()["errors"][0]["msg"]
    # the CLI's path (issue_token) refuses it too
    with office.context.db.write() as session, pytest.raises(ValueError, match=r"U\+0000"):
        issue_token(session, Role.ADMIN, None, "a\x00", datetime.now(UTC))


def test_a_system_id_with_nul_is_a_4xx_not_a_500(office: Office) -> None:
    opened = office.client.post(
        "/rounds", json={"year": YEAR, "system_id": "jinan\x00", "version": "1"}, headers=office.admin
    )
    assert opened.status_code == 422
    # a path parameter reaches the database as it is: the database's refusal is a 422 too (PostgreSQL),
    # and SQLite simply finds nothing
    looked_up = office.client.get("/systems/jinan%00/2025.1")
    assert looked_up.status_code in (404, 422) and looked_up.headers["content-type"] == PROBLEM_JSON


# ------------------------------------------------------------------------------------------------ logs


def test_database_errors_never_carry_the_parameters(office: Office) -> None:
    # (PostgreSQL's own message names the key that collided; the service logs no exception text at all)
    secret = "PK\x03\x04 bytes of a file"
    now = datetime.now(UTC)
    with office.context.db.write() as session:
        session.add(TokenRow(token_hash="taken", role="admin", created_at=now))
    with pytest.raises(IntegrityError) as caught, office.context.db.write() as session:
        session.add(TokenRow(token_hash="taken", role="admin", label=secret, created_at=now))
    assert secret not in str(caught.value) and "parameters hidden" in str(caught.value)


def test_an_unexpected_error_is_logged_without_what_the_request_sent(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    app: FastAPI = create_app(make_settings())

    @app.post("/explode")
    async def explode(body: dict[str, str]) -> None:
        raise ValueError(f"cannot use {body['secret']}")

    with TestClient(app) as client, caplog.at_level(logging.ERROR, logger="digiscore.service"):
        response = client.post("/explode", json={"secret": "PK\x03\x04file-bytes"})
    assert response.status_code == 500 and response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"] == "internal error; it has been logged"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "ValueError" in logged and "explode" in logged  # the type and where
    assert "file-bytes" not in logged and "file-bytes" not in response.text
    app.state.context.db.dispose()


# --------------------------------------------------------------------------------------------- headers


def test_every_answer_has_the_security_headers(office: Office) -> None:
    answers = {
        "json": office.client.get("/health"),
        "problem": office.client.get("/rounds/1999"),
        "page": office.client.get("/signin"),
        "static": office.client.get("/static/js/app.js"),
        "docs": office.client.get("/docs"),
        "spec": office.client.get("/openapi.json"),
    }
    for kind, response in answers.items():
        assert response.headers["x-content-type-options"] == "nosniff", kind
        assert response.headers["x-frame-options"] == "DENY", kind
        assert response.headers["referrer-policy"] == "same-origin", kind
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], kind
    assert answers["json"].headers["content-security-policy"].startswith("default-src 'none'")
    # the dashboard's pages and /docs run scripts from this origin only, never inline ones
    for kind in ("page", "docs"):
        policy = answers[kind].headers["content-security-policy"]
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        )


def test_docs_load_swagger_ui_from_the_app(office: Office) -> None:
    page = office.client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    assert "<script>" not in page.text  # no inline script: every <script> has a src
    for asset in ("vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css", "js/docs.js"):
        assert f"/static/{asset}?v=" in page.text
        assert office.client.get(f"/static/{asset}").status_code == 200
    assert office.client.get("/redoc").status_code == 404  # it would load from a CDN: not offered


# ------------------------------------------------------------------------------------- one file part


def test_two_file_parts_are_refused(office: Office) -> None:
    office.open_round()
    form = jinan_forms()["370102"].read_bytes()
    body = multipart([("file", "a.xlsx", XLSX, form), ("file", "b.csv", "text/csv", b"unit_code\n")])
    response = raw_upload(office, "370102", body)
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"] == "urn:digiscore:problem:duplicate-file-part"
    assert "2 parts" in response.json()["detail"]
    assert history(office, "370102") == []


# --------------------------------------------------------------------------------------------- rate limit


def test_the_limiter_counts_failures_in_a_sliding_minute() -> None:
    now = [1000.0]
    limiter = FailureLimiter(3, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("10.0.0.1") is None
        limiter.failed("10.0.0.1")
        now[0] += 10
    # failures at 1000, 1010, 1020; at 1030 the first leaves the window at 1060: 30 s to wait
    assert limiter.retry_after("10.0.0.1") == 30
    assert limiter.retry_after("10.0.0.2") is None  # per address
    now[0] = 1060.0
    assert limiter.retry_after("10.0.0.1") is None  # the first failure is a minute old
    assert FailureLimiter(0).retry_after("x") is None  # 0: no limit


def test_bad_tokens_from_one_address_get_429_with_retry_after(make_settings: Callable[..., Settings]) -> None:
    with running_office(make_settings(auth_failures_per_minute=3)) as office:
        for _ in range(3):
            assert (
                office.client.get("/audit", headers={"Authorization": "Bearer dgs_guess"}).status_code == 401
            )
        blocked = office.client.get("/audit", headers={"Authorization": "Bearer dgs_guess"})
        assert blocked.status_code == 429 and blocked.headers["content-type"] == PROBLEM_JSON
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
        # while blocked, even a good token is refused from that address; other addresses go on
        assert office.client.get("/audit", headers=office.admin).status_code == 429
        other = TestClient(office.app, client=("192.0.2.7", 50000))
        assert other.get("/audit", headers=office.admin).status_code == 200
        # no token at all is never counted nor refused: the public reads on
        assert office.client.get("/rounds").status_code == 200


def test_dashboard_sign_in_is_limited_too(make_settings: Callable[..., Settings]) -> None:
    with running_office(make_settings(auth_failures_per_minute=2)) as office:
        client = TestClient(office.app, follow_redirects=False)
        page = client.get("/signin")
        import re

        field = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert field
        for _ in range(2):
            failed = client.post("/signin", data={"token": "dgs_guess", "csrf_token": field.group(1)})
            assert failed.status_code == 401
        blocked = client.post("/signin", data={"token": "dgs_guess", "csrf_token": field.group(1)})
        assert blocked.status_code == 429 and "登录失败次数过多" in blocked.text
        assert int(blocked.headers["retry-after"]) >= 1


# ------------------------------------------------------------------------------------------ token expiry


def test_tokens_expire_and_say_so(make_settings: Callable[..., Settings]) -> None:
    now = [datetime(2026, 3, 1, tzinfo=UTC)]
    app = create_app(make_settings(), clock=lambda: now[0])
    with TestClient(app) as client:
        with app.state.context.db.write() as session:
            _, admin = issue_token(session, Role.ADMIN, None, None, now[0], now[0] + timedelta(days=400))
            _, old = issue_token(session, Role.ADMIN, None, None, now[0])  # made before expiry existed
        header = {"Authorization": f"Bearer {admin}"}
        made = client.post(
            "/tokens", json={"role": "district", "unit_code": "370102", "days": 30}, headers=header
        )
        assert made.status_code == 201 and made.json()["expires_at"] == "2026-03-31T00:00:00+00:00"
        default = client.post("/tokens", json={"role": "reviewer"}, headers=header).json()
        assert default["expires_at"] == "2027-03-01T00:00:00+00:00"  # DIGISCORE_TOKEN_DAYS: 365
        never = client.post("/tokens", json={"role": "reviewer", "days": 0}, headers=header).json()
        assert never["expires_at"] is None
        district = {"Authorization": f"Bearer {made.json()['token']}"}
        assert client.get(f"/rounds/{YEAR}/units/370102/submissions", headers=district).status_code == 404

        now[0] += timedelta(days=30)  # the moment it expires
        expired = client.get(f"/rounds/{YEAR}/units/370102/submissions", headers=district)
        assert expired.status_code == 401 and expired.headers["www-authenticate"] == "Bearer"
        assert expired.json()["detail"].startswith("the token expired at 2026-03-31T00:00:00+00:00")
        # a token without an expiry stays valid, and revoking says so
        assert client.get("/audit", headers={"Authorization": f"Bearer {old}"}).status_code == 200
        revoked = client.post(f"/tokens/{never['id']}/revoke", headers=header)
        assert revoked.status_code == 200 and revoked.json()["expires_at"] is None
        refused = client.get("/audit", headers={"Authorization": f"Bearer {never['token']}"})
        assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    app.state.context.db.dispose()


# ---------------------------------------------------------------------------------------- idempotency


def test_a_retry_with_the_same_idempotency_key_stores_nothing_new(office: Office) -> None:
    office.open_round()
    form = jinan_forms()["370102"].read_bytes()
    key = {"Idempotency-Key": "8e0f3c2a-upload-1"}
    first = office.client.post(
        f"/rounds/{YEAR}/units/370102/submissions",
        files={"file": ("f.xlsx", form, XLSX)},
        headers=office.district("370102") | key,
    )
    again = office.client.post(
        f"/rounds/{YEAR}/units/370102/submissions",
        files={"file": ("f.xlsx", form, XLSX)},
        headers=office.district("370102") | key,
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["location"] == first.headers["location"]
    assert [v["version"] for v in history(office, "370102")] == [1]
    # the same key with other bytes: refused, nothing stored
    other = office.client.post(
        f"/rounds/{YEAR}/units/370102/submissions",
        files={"file": ("f.csv", b"unit_code,indicator_code,year,value\n", "text/csv")},
        headers=office.district("370102") | key,
    )
    assert other.status_code == 422 and other.json()["type"] == "urn:digiscore:problem:idempotency-key-reused"
    # a quoted key (a structured-field string) is the same key; a new key is a new version
    quoted = office.client.post(
        f"/rounds/{YEAR}/units/370102/submissions",
        files={"file": ("f.xlsx", form, XLSX)},
        headers=office.district("370102") | {"Idempotency-Key": '"8e0f3c2a-upload-1"'},
    )
    assert quoted.json()["version"] == 1
    assert office.upload_form("370102").json()["version"] == 2  # no key: always a new version
    assert [v["version"] for v in history(office, "370102")] == [1, 2]
    # a key is per unit: another unit may use the same text
    other_unit = office.client.post(
        f"/rounds/{YEAR}/units/370103/submissions",
        files={"file": ("f.xlsx", jinan_forms()["370103"].read_bytes(), XLSX)},
        headers=office.district("370103") | key,
    )
    assert other_unit.status_code == 201 and other_unit.json()["version"] == 1
    bad = office.client.post(
        f"/rounds/{YEAR}/units/370102/submissions",
        files={"file": ("f.xlsx", form, XLSX)},
        headers=office.district("370102") | {"Idempotency-Key": "with space"},
    )
    assert bad.status_code == 422
