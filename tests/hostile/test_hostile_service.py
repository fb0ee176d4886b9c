"""Every hostile data file through the API upload and the dashboard upload page, on SQLite and PostgreSQL:
a clear 4xx problem+json (or the problem on the page), ``/health`` still answering, what was stored before
unchanged; a parse that crashes or overruns becomes ``upload.parse_failed`` / ``upload.parse_timeout``; and a
real uvicorn server process stays small while it refuses the far-cell and sparse-sheet files."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from scoring.io.isolate import WorkerDied, WorkerPool, WorkerTimeout, read_upload
from scoring.io.safety import UploadLimits
from scoring.problems import SubmissionError
from scoring.system import load_system
from service.auth import Role
from tests.hostile import corpus as hostile
from tests.service.support import YEAR, Office, bearer, running_office, settings_factory

REPO = Path(__file__).resolve().parents[2]
PROBLEM_JSON = "application/problem+json"

EXPECTED_CODE = {
    "far_cell": "upload.far_cell",
    "far_cell_no_dimension": "upload.far_cell",
    "sparse_sheet": "upload.far_cell",
    "doctype_after_comment": "upload.unsafe_xml",
    "infinite_number": "cell.implausible",
    "duplicate_rows": "problems.more",
    "huge_values": "cell.implausible",
    "overflow_value": "cell.implausible",
    "wide_ragged_csv": "upload.too_many_cells",
}


def stored(office: Office) -> Any:
    """What the round holds for the unit before the hostile upload: version 1, accepted, with its values."""
    return office.client.get(
        f"/rounds/{YEAR}/units/370102/submissions/1", headers=office.district("370102")
    ).json()


@pytest.mark.parametrize("case", sorted(EXPECTED_CODE))
def test_the_api_refuses_with_a_short_problem_document(
    case: str, office: Office, corpus: dict[str, Path]
) -> None:
    before = stored(office)
    path = corpus[case]
    response = office.upload("370102", path.name, path.read_bytes())
    assert response.status_code == 422, response.text[:2000]
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert len(response.content) < 200_000  # 200 problems per code at most, whatever the file
    codes = [p["code"] for p in response.json()["problems"]]
    assert EXPECTED_CODE[case] in codes
    for problem in response.json()["problems"]:
        assert problem["message_zh"] and problem["message_en"]
    assert office.client.get("/health").status_code == 200
    assert stored(office) == before
    # the rejected version holds the same short list, not a problem per bad cell
    version = office.client.get(response.headers["location"], headers=office.district("370102"))
    assert version.json()["outcome"] != "valid"
    assert version.json()["problems"] == response.json()["problems"]
    assert len(version.content) < 200_000
    if case == "duplicate_rows":  # the count is the true one: 199 996 repeated rows, listed or summarised
        assert version.json()["errors"] >= 199_996


def test_the_dashboard_page_shows_the_refusal(office: Office, corpus: dict[str, Path]) -> None:
    from fastapi.testclient import TestClient

    from tests.web.support import token

    client = TestClient(office.app, base_url="http://testserver", follow_redirects=False)
    page = client.get("/signin")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    client.post(
        "/signin",
        data={"token": token(office.context, Role.DISTRICT, "370102"), "csrf_token": csrf.group(1)},
    )
    before = stored(office)
    for case, text in (("far_cell", "XFD1048576"), ("duplicate_rows", "处同类问题")):
        path = corpus[case]
        upload = client.get(f"/upload?year={YEAR}&unit=370102")
        form_token = re.search(r'name="csrf_token" value="([^"]+)"', upload.text)
        assert form_token
        response = client.post(
            "/upload",
            data={"year": str(YEAR), "unit": "370102", "csrf_token": form_token.group(1)},
            files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        )
        assert response.status_code == 303, response.text[:1000]
        result = client.get(response.headers["location"].split("#")[0])
        assert result.status_code == 200
        assert text in result.text
        assert len(result.content) < 1_000_000
        assert client.get("/health").status_code == 200
    assert stored(office) == before


# ----------------------------------------------------------------------------------- worker isolation


def test_a_worker_that_dies_or_hangs_is_replaced() -> None:
    pool = WorkerPool(workers=1)
    try:
        with pytest.raises(WorkerDied) as died:
            pool.run(os.abort)
        assert died.value.exitcode == -signal.SIGABRT
        with pytest.raises(WorkerTimeout):
            pool.run(time.sleep, 30, timeout=0.5)
        with pytest.raises(ZeroDivisionError):  # a job's own error comes back as it is
            pool.run(divmod, 1, 0)
        assert pool.run(divmod, 7, 2) == (3, 1)  # and the pool goes on
    finally:
        pool.close()


def test_a_job_waits_for_a_busy_worker_only_until_its_timeout() -> None:
    import threading

    pool = WorkerPool(workers=1)
    try:
        pool.warm()
        busy = threading.Thread(target=pool.run, args=(time.sleep, 3), kwargs={"timeout": 30})
        busy.start()
        deadline = time.monotonic() + 30
        while pool._idle:  # until the busy job holds the one worker
            assert time.monotonic() < deadline
            time.sleep(0.01)
        with pytest.raises(WorkerTimeout, match="no worker became free"):
            pool.run(divmod, 1, 1, timeout=0.5)
        busy.join()
        assert pool.run(divmod, 9, 4, timeout=30) == (2, 1)  # the same worker, free again
    finally:
        pool.close()


def test_memory_and_time_limits_become_problems(corpus: dict[str, Path]) -> None:
    system = load_system(REPO / "indicators" / "jinan_district_digital.yaml")
    content = corpus["duplicate_rows"].read_bytes()
    with pytest.raises(SubmissionError) as slow:
        read_upload(content, "d.csv", system, UploadLimits(parse_timeout_seconds=0.01))
    [problem] = slow.value.problems
    assert problem.code == "upload.parse_timeout" and "0.01" in problem.message_en
    # with the cell limit lifted, the sparse sheet reaches calamine, whose dense grid of 40 million cells does
    # not fit in 1 GiB of address space: the worker dies (Rust aborts) or raises MemoryError, never the caller
    lifted = UploadLimits(max_cells=10**9, parse_memory_bytes=1024**3)
    with pytest.raises(SubmissionError) as small:
        read_upload(hostile.sparse_sheet(20_000, 2_000), "s.xlsx", system, lifted)
    assert [p.code for p in small.value.problems] == ["upload.parse_failed"]
    with pytest.raises(MemoryError):
        pool = WorkerPool(workers=1, memory_bytes=400 * 1024**2)
        try:
            pool.run(bytearray, 800 * 1024**2)
        finally:
            pool.close()
    # the default limits read it
    dataset = read_upload(content, "d.csv", system)
    assert len(dataset.values) == 1


def test_a_timeout_through_the_api_is_a_problem_and_the_service_goes_on(tmp_path: Path) -> None:
    with (
        settings_factory("sqlite", tmp_path) as make,
        running_office(make(parse_timeout_seconds=0.001)) as office,
    ):
        office.open_round()
        response = office.upload_form("370103")
        assert response.status_code == 422
        assert [p["code"] for p in response.json()["problems"]] == ["upload.parse_timeout"]
        assert office.client.get("/health").status_code == 200


# --------------------------------------------------------------------------------- a real server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_bytes(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    assert found
    return int(found.group(1)) * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_server_process_stays_small_while_refusing_far_cells(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with settings_factory("sqlite", data_dir) as make:
        settings = make()
        with running_office(settings) as office:  # migrate, open the round, issue a token
            office.open_round()
            headers = bearer(office.context, Role.DISTRICT, "370102")
    port = _free_port()
    env = dict(os.environ, DIGISCORE_DATA_DIR=str(data_dir), DIGISCORE_MIGRATE_ON_START="false")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "service.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        for make_file in (hostile.far_cell, hostile.sparse_sheet, lambda: hostile.far_cell(dimension=None)):
            response = httpx.post(
                f"{base}/rounds/{YEAR}/units/370102/submissions",
                files={"file": ("far.xlsx", make_file(), "application/octet-stream")},
                headers=headers,
                timeout=300,
            )
            assert response.status_code == 422, response.text[:1000]
            assert "upload.far_cell" in json.dumps(response.json())
            assert httpx.get(f"{base}/health", timeout=30).status_code == 200
        assert server.poll() is None  # never restarted: the same process answered throughout
        assert _peak_rss_bytes(server.pid) < 1_500 * 1024**2
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
