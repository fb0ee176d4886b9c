"""Hostile and broken uploads over HTTP: always a 4xx problem document, never a 5xx, and every attempt that
reaches the service is stored as a rejected version. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from service import Settings
from tests.service.support import YEAR, Office, jinan_forms, running_office
from tests.service.test_upload_safety import rezip, zip_bomb

PROBLEM_JSON = "application/problem+json"


def hostile_files() -> dict[str, tuple[bytes, str]]:
    """File name → (content, the problem code expected)."""
    form = jinan_forms()["370102"].read_bytes()
    not_a_workbook = io.BytesIO()
    with zipfile.ZipFile(not_a_workbook, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return {
        "garbage.xlsx": (bytes(range(256)) * 16, "upload.not_xlsx"),
        "truncated.xlsx": (form[: len(form) // 2], "upload.not_xlsx"),
        "bomb.xlsx": (zip_bomb(20 * 1024 * 1024), "upload.zip_bomb"),
        "macro.xlsm": (form, "upload.macro"),
        "hidden_macro.xlsx": (rezip(form, add={"xl/vbaProject.bin": b"\x00"}), "upload.macro"),
        "archive.xlsx": (not_a_workbook.getvalue(), "upload.not_xlsx"),
        "huge.csv": (
            b"unit_code,indicator_code,year,value\n" + b"370102,DI-01,2024,1\n" * 250_000,
            "upload.too_many_rows",
        ),
        "binary.csv": (b"\x00\x01\x02\x03" * 100, "file.format"),
        "empty.csv": (b"", "upload.empty"),
        "notes.txt": ("这不是数据表".encode(), "upload.file_type"),
    }


def test_hostile_uploads_are_refused_and_recorded(office: Office) -> None:
    office.open_round()
    files = hostile_files()
    for name, (content, code) in files.items():
        response = office.upload("370102", name, content)
        assert response.status_code == 422, (name, response.text)
        assert response.headers["content-type"] == PROBLEM_JSON
        body = response.json()
        assert body["type"] == "urn:digiscore:problem:submission-unusable"
        assert [p["code"] for p in body["problems"]] == [code], name
    history = office.client.get(f"/rounds/{YEAR}/units/370102/submissions", headers=office.admin).json()
    assert [(v["file_name"], v["status"]) for v in history] == [(name, "rejected") for name in files]
    assert [v["version"] for v in history] == list(range(1, len(files) + 1))
    # the service still works: the real form goes in as the next version
    assert office.upload_form("370102").json()["version"] == len(files) + 1


def test_a_body_over_the_size_limit_is_413(make_settings: Callable[..., Settings]) -> None:
    with running_office(make_settings(max_upload_bytes=100_000)) as office:
        office.open_round()
        big = b"unit_code,indicator_code,year,value\n" + b"370102,DI-01,2024,1\n" * 20_000  # 400 kB
        response = office.upload("370102", "big.csv", big)
        assert response.status_code == 413 and response.headers["content-type"] == PROBLEM_JSON

        # a client that sends no Content-Length is cut off while the body streams in
        def chunks() -> object:
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\n'
            for _ in range(50):
                yield b"x" * 10_000

        streamed = office.client.post(
            f"/rounds/{YEAR}/units/370102/submissions",
            content=chunks(),  # type: ignore[arg-type]
            headers=office.district("370102") | {"Content-Type": "multipart/form-data; boundary=b"},
        )
        assert streamed.status_code == 413
        # nothing was stored for either
        history = office.client.get(f"/rounds/{YEAR}/units/370102/submissions", headers=office.admin).json()
        assert history == []


def test_malformed_requests_are_problem_documents(office: Office) -> None:
    office.open_round()
    url = f"/rounds/{YEAR}/units/370102/submissions"
    headers = office.district("370102")
    no_file = office.client.post(url, data={"other": "x"}, headers=headers)
    broken = office.client.post(
        url, content=b"--x\r\ngarbage", headers=headers | {"Content-Type": "multipart/form-data; boundary=x"}
    )
    not_multipart = office.client.post(
        url, content=b"{}", headers=headers | {"Content-Type": "application/json"}
    )
    for response in (no_file, broken, not_multipart):
        assert 400 <= response.status_code < 500 and response.headers["content-type"] == PROBLEM_JSON
    bad_year = office.client.get("/rounds/99999/rankings")
    assert bad_year.status_code == 422 and bad_year.json()["errors"][0]["loc"] == ["path", "year"]
    assert office.client.get("/rounds/2030").status_code == 404
    assert office.client.get("/no/such/path").json()["status"] == 404
