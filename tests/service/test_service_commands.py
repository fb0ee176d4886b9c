"""``digiscore token create`` and ``digiscore serve``, plugged into the CLI through the entry point."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from scoring.cli import app as cli
from service import Settings, create_app
from service.tables import AuditRow, TokenRow


def test_token_create_prints_the_token_once_and_it_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGISCORE_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(cli, ["token", "create", "--role", "district", "--unit", "370102"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("dgs_") and len(token) > 40
    app = create_app(Settings())  # the same DIGISCORE_DATA_DIR: the same SQLite file
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {token}"}
        # the token is known (a district may not open rounds: 403, not 401)
        opened = client.post(
            "/rounds", json={"year": 2024, "system_id": "x", "version": "1"}, headers=headers
        )
        assert opened.status_code == 403
    with app.state.context.db.read() as session:
        stored = session.execute(select(TokenRow.token_hash, TokenRow.unit_code)).one()
        actions = session.execute(select(AuditRow.actor, AuditRow.action)).all()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash is kept
    assert stored.unit_code == "370102" and ("cli", "token.create") in actions


def test_token_create_refuses_a_district_without_a_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGISCORE_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(cli, ["token", "create", "--role", "district"])
    assert result.exit_code == 2
    assert CliRunner().invoke(cli, ["token", "create", "--role", "king"]).exit_code == 2


def test_serve_is_a_command() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.stdout and "--host" in result.stdout
