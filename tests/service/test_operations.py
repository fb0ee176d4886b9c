"""The steps of docs/operations.md that a test can take: rotating a token (create the new one, revoke the old),
upgrading (an older schema migrated when the service starts), and serving with several workers on PostgreSQL
behind one port (issue 16 item 5). Backup and restore are tested in test_backup.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from scoring.cli import app as cli
from service import Settings, create_app
from service.db import Database
from tests.service.support import POSTGRES_URL, postgres_available

ROOT = Path(__file__).resolve().parents[2]


def created(*args: str) -> tuple[str, int]:
    """``digiscore token create ARGS``: the token (stdout) and its id (from the note on stderr)."""
    result = CliRunner().invoke(cli, ["token", "create", *args])
    assert result.exit_code == 0, result.output
    note = result.stderr.strip()
    return result.stdout.strip().splitlines()[0], int(note.split()[1])


def test_token_rotation_as_documented(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGISCORE_DATA_DIR", str(tmp_path / "data"))
    old, old_id = created("--role", "admin", "--label", "ops 2026")
    app = create_app(Settings())
    with TestClient(app) as client:
        assert client.get("/audit", headers={"Authorization": f"Bearer {old}"}).status_code == 200
        # 1. a new token for the same role, handed over while the old one still works
        new, new_id = created("--role", "admin", "--label", "ops 2027", "--days", "365")
        listing = CliRunner().invoke(cli, ["token", "list"])
        assert listing.exit_code == 0, listing.output
        rows = {line.split()[0]: line for line in listing.stdout.splitlines()[1:]}
        assert "有效 active" in rows[str(old_id)] and "ops 2026" in rows[str(old_id)]
        assert "有效 active" in rows[str(new_id)] and "ops 2027" in rows[str(new_id)]
        assert old not in listing.stdout and new not in listing.stdout  # the list never shows a token
        # 2. the old one revoked: refused at once, the new one works
        assert CliRunner().invoke(cli, ["token", "revoke", str(old_id)]).exit_code == 0
        assert client.get("/audit", headers={"Authorization": f"Bearer {old}"}).status_code == 401
        assert client.get("/audit", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    listing = CliRunner().invoke(cli, ["token", "list"]).stdout
    assert "已吊销 revoked" in next(line for line in listing.splitlines() if line.startswith(str(old_id)))
    app.state.context.db.dispose()


def test_upgrade_migrates_an_older_schema_on_start(tmp_path: Path) -> None:
    """An installation at the first revision, started by a newer digiscore: migrated to the newest at start."""
    settings = Settings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir(parents=True)
    database = Database(settings.sqlalchemy_url, settings.database_schema)
    database.migrate("0001")
    assert not database.schema_is_current()
    assert "expires_at" not in {c["name"] for c in inspect(database.engine).get_columns("api_tokens")}
    database.dispose()
    app = create_app(settings)
    assert app.state.context.db.schema_is_current()
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
    app.state.context.db.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    if not postgres_available():
        pytest.skip("no PostgreSQL at DIGISCORE_TEST_POSTGRES_URL")
    schema = f"digiscore_test_{uuid.uuid4().hex[:12]}"
    yield schema
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


def test_serve_with_several_workers_on_postgresql(tmp_path: Path, postgres_schema: str) -> None:
    """``digiscore serve --workers 2`` as docs/operations.md runs it behind the proxy: both workers start (and
    migrate the empty schema, taking turns), and the port answers."""
    port = free_port()
    env = {
        **os.environ,
        "DIGISCORE_DATA_DIR": str(tmp_path / "data"),
        "DIGISCORE_DATABASE_URL": POSTGRES_URL,
        "DIGISCORE_DATABASE_SCHEMA": postgres_schema,
    }
    digiscore = str(Path(sys.executable).with_name("digiscore"))
    server = subprocess.Popen(
        [digiscore, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        answers = 0
        deadline = time.monotonic() + 120
        while answers < 20 and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
                    answers += response.status == 200
            except OSError:
                time.sleep(0.25)
        assert answers == 20, "the workers did not answer"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert output.count("Started server process") == 2, output[-3000:]
    engine = create_engine(POSTGRES_URL)
    tables = set(inspect(engine).get_table_names(schema=postgres_schema))
    engine.dispose()
    assert {"api_tokens", "rounds", "alembic_version"} <= tables
