"""``POST /systems`` with the hostile corpus, on SQLite and PostgreSQL: every file is a 4xx problem document in
bounded time that shows no file contents and no server path; ``/health`` still answers and the stored systems
do not change (issue 10, items 4 and 5). The CLI refuses the same files with exit 2 and no traceback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app as cli
from service.settings import INDICATORS_DIR
from tests.service.support import (
    POSTGRES_URL,
    Office,
    jinan_forms,
    postgres_available,
    running_office,
    settings_factory,
)
from tests.system.hostile import AHP_NAN, PATH_CASES, SECRETS, TEXT_CASES, VALID, alias_bomb, with_path

REPO = Path(__file__).resolve().parents[2]
CASES = {name: text for name, (text, _) in TEXT_CASES.items()} | {
    name: with_path(*where) for name, where in PATH_CASES.items()
}
SECONDS = 10.0  # a refusal through the whole app, on a loaded machine


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """One app per database for the module's tests (each test leaves the stored systems as they were)."""
    if request.param == "postgresql" and not postgres_available():
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    with (
        settings_factory(request.param, tmp_path_factory.mktemp("hostile")) as make,
        running_office(make()) as office,
    ):
        yield office


def post(office: Office, content: bytes, name: str = "hostile.yaml") -> tuple[int, str, str, float]:
    started = time.monotonic()
    response = office.client.post("/systems", files={"file": (name, content)}, headers=office.admin)
    return (
        response.status_code,
        response.headers.get("content-type", ""),
        response.text,
        time.monotonic() - started,
    )


def assert_harmless(body: str) -> None:
    """No contents of another file, no server path, no traceback."""
    assert not any(secret in body for secret in SECRETS), body[:500]
    for path in {str(REPO), str(INDICATORS_DIR), str(REPO.parent)}:
        assert path not in body, body[:500]
    assert "Traceback" not in body and "RecursionError" not in body and "LinAlgError" not in body


@pytest.mark.parametrize("name", sorted(CASES))
def test_post_systems_refuses_hostile_files(office: Office, name: str) -> None:
    before = office.client.get("/systems").json()
    status, content_type, body, seconds = post(office, CASES[name].encode())
    assert 400 <= status < 500, body[:500]
    assert content_type.startswith("application/problem+json")
    assert seconds < SECONDS
    assert_harmless(body)
    assert office.client.get("/health").status_code == 200
    assert office.client.get("/systems").json() == before


def test_post_systems_names_the_refused_include_as_written(office: Office) -> None:
    status, _, body, _ = post(office, with_path("include", "/etc/passwd").encode())
    assert status == 422
    (problem,) = json.loads(body)["problems"]
    assert problem["code"] == "system.file_outside" and problem["cell"] == "tree[0].include"
    assert "'/etc/passwd' is outside the systems folder" in problem["message_en"]
    assert "不在指标体系文件夹内" in problem["message_zh"]


def test_post_systems_still_reads_files_of_the_systems_folder(office: Office) -> None:
    # the shipped composite includes three shipped systems and names units/jinan.yaml: all inside indicators/
    composite = (INDICATORS_DIR / "jinan_digital_composite.yaml").read_text(encoding="utf-8")
    status, _, body, _ = post(office, composite.encode(), "composite.yaml")
    assert status == 201, body[:500]
    outside = composite.replace("include: jinan_smart_city.yaml", "include: ../pyproject.toml")
    status, _, body, _ = post(office, outside.replace('version: "', 'version: "x'), "composite.yaml")
    assert status == 422 and "system.file_outside" in body
    assert_harmless(body)


def test_post_systems_refuses_a_file_over_the_byte_limit(office: Office) -> None:
    status, content_type, _, _ = post(office, (VALID + "#" * (1024 * 1024)).encode())
    assert status == 413 and content_type.startswith("application/problem+json")


# --- the command line ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, text",
    [
        ("alias_bomb", alias_bomb()),
        ("ahp_nan", AHP_NAN),
        ("include_etc_passwd", with_path("include", "/etc/passwd")),
        ("deep_flow_tree", TEXT_CASES["deep_flow_tree_3000"][0]),
        ("weight_5000_digits", TEXT_CASES["weight_5000_digits"][0]),
    ],
)
def test_validate_refuses_a_hostile_system_with_exit_2(name: str, text: str, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text, encoding="utf-8")
    form = next(iter(jinan_forms().values()))
    started = time.monotonic()
    result = CliRunner(env={"COLUMNS": "250"}).invoke(cli, ["validate", "--system", str(hostile), str(form)])
    assert time.monotonic() - started < SECONDS
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # typer's exit, not an exception escaping the command
    assert "hostile.yaml" in result.output and "Traceback" not in result.output
    assert not any(secret in result.output for secret in SECRETS)
