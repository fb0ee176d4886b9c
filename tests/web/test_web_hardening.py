"""Issue 10 in the dashboard. The form token is bound to the browser's sign-in: an HMAC, with the server's secret,
of the CSRF cookie's seed and the session cookie's token hash; a token is refused with another sign-in, another
seed or another secret, and the secret is shared by the workers of one data directory. Uploads take one file
part, and their file names are cleaned as the API's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service import Settings, create_app
from service.auth import Role, hash_token
from service.web import security
from tests.service.support import YEAR, Office, jinan_forms, running_office, settings_factory
from tests.web.support import token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(params=["sqlite", "postgresql"])
def office(request: pytest.FixtureRequest, tmp_path: Path, postgres_ok: bool) -> Iterator[Office]:
    if request.param == "postgresql" and not postgres_ok:
        pytest.skip("PostgreSQL not reachable")
    with settings_factory(str(request.param), tmp_path / "data") as make, running_office(make()) as office:
        yield office


def sign_in(office: Office, role: Role = Role.REVIEWER, unit: str | None = None) -> tuple[TestClient, str]:
    """A browser signed in; returns it and the session token it holds."""
    client = TestClient(office.app, follow_redirects=False)
    page = client.get("/signin")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    text = token(office.context, role, unit)
    assert client.post("/signin", data={"token": text, "csrf_token": found.group(1)}).status_code == 303
    return client, text


def field_of(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)


def test_a_form_token_works_only_with_the_sign_in_it_was_made_for(office: Office) -> None:
    client, mine = sign_in(office)
    field = field_of(client)
    secret = office.app.state.secret_key
    seed = client.cookies.get(security.CSRF_COOKIE)
    assert seed and field == security.form_token(secret, seed, hash_token(mine))
    assert field != seed  # not the cookie's value: a double-submit copy is no longer enough

    # the same browser seed under another sign-in (a session cookie swapped in): the old field is refused
    _, other = sign_in(office)
    client.cookies.set(security.SESSION_COOKIE, other)
    refused = client.post("/signout", data={"csrf_token": field})
    assert refused.status_code == 403 and "表单已过期或来自其他网站" in refused.text
    assert client.post("/signout", data={"csrf_token": seed}).status_code == 403  # the bare seed neither
    forged = security.form_token(b"another secret", seed, hash_token(other))
    assert client.post("/signout", data={"csrf_token": forged}).status_code == 403
    # what the server computes for this seed and this sign-in is accepted
    good = security.form_token(secret, seed, hash_token(other))
    assert client.post("/signout", data={"csrf_token": good}).status_code == 303


def test_workers_on_one_data_directory_share_the_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first, second = create_app(settings), create_app(settings)
    assert first.state.secret_key == second.state.secret_key and len(first.state.secret_key) == 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only
    given = create_app(Settings(data_dir=tmp_path, secret_key="from the environment"))
    assert given.state.secret_key == b"from the environment"
    for app in (first, second, given):
        app.state.context.db.dispose()


def test_dashboard_uploads_take_one_file_and_clean_its_name(office: Office) -> None:
    office.open_round(YEAR)
    client, _ = sign_in(office, Role.DISTRICT, "370102")
    form = jinan_forms()["370102"].read_bytes()
    fields = {"year": str(YEAR), "unit": "370102", "csrf_token": field_of(client)}
    two = client.post(
        "/upload",
        data=fields,
        files=[("file", ("a.xlsx", form, XLSX)), ("file", ("b.xlsx", form, XLSX))],
    )
    assert two.status_code == 422 and "一次只能上传一个文件" in two.text
    one = client.post("/upload", data=fields, files={"file": ("表\u202e\x7f.xlsx", form, XLSX)})
    assert one.status_code == 303 and one.headers["location"].endswith("&version=1#result")
    versions = office.client.get(f"/rounds/{YEAR}/units/370102/submissions", headers=office.admin).json()
    assert [v["file_name"] for v in versions] == ["表.xlsx"]


def test_a_dashboard_upload_sent_twice_stores_one_version(office: Office) -> None:
    """The upload page carries a fresh key (the API's Idempotency-Key): the same form sent twice, with the same
    key and bytes, gives version 1 both times; a new page (a new key) with the same file gives version 2."""
    office.open_round(YEAR)
    client, _ = sign_in(office, Role.DISTRICT, "370102")
    form = jinan_forms()["370102"].read_bytes()
    page = client.get(f"/upload?year={YEAR}&unit=370102").text
    found = re.search(r'name="upload_key" value="([0-9a-f]{32})"', page)
    assert found
    fields = {
        "year": str(YEAR),
        "unit": "370102",
        "csrf_token": field_of(client),
        "upload_key": found.group(1),
    }
    first = client.post("/upload", data=fields, files={"file": ("f.xlsx", form, XLSX)})
    again = client.post("/upload", data=fields, files={"file": ("f.xlsx", form, XLSX)})
    assert first.headers["location"].endswith("&version=1#result")
    assert again.headers["location"].endswith("&version=1#result")
    other_key = re.search(r'name="upload_key" value="([0-9a-f]{32})"', client.get("/upload").text)
    assert other_key and other_key.group(1) != found.group(1)
    fresh = client.post(
        "/upload", data=fields | {"upload_key": other_key.group(1)}, files={"file": ("f.xlsx", form, XLSX)}
    )
    assert fresh.headers["location"].endswith("&version=2#result")
    versions = office.client.get(f"/rounds/{YEAR}/units/370102/submissions", headers=office.admin).json()
    assert [v["version"] for v in versions] == [1, 2]
