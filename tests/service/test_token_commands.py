"""``digiscore token create --days`` and ``digiscore token revoke``: expiry stored, revocation at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from scoring.cli import app as cli
from service import Settings, create_app
from service.tables import AuditRow, TokenRow


def test_token_days_and_revoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGISCORE_DATA_DIR", str(tmp_path / "data"))
    made = CliRunner().invoke(cli, ["token", "create", "--role", "admin", "--days", "7"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[0]
    default = CliRunner().invoke(cli, ["token", "create", "--role", "reviewer"])
    forever = CliRunner().invoke(cli, ["token", "create", "--role", "reviewer", "--days", "0"])
    assert "never expires" in forever.stderr and "valid until" in default.stderr
    assert CliRunner().invoke(cli, ["token", "create", "--role", "admin", "--label", "a\x1bb"]).exit_code == 2
    app = create_app(Settings())
    with app.state.context.db.read() as session:
        rows = session.execute(select(TokenRow).order_by(TokenRow.id)).scalars().all()
    assert [r.id for r in rows] == [1, 2, 3]
    assert rows[0].expires_at is not None and rows[0].expires_at - rows[0].created_at == timedelta(days=7)
    assert rows[1].expires_at is not None and rows[1].expires_at - rows[1].created_at == timedelta(days=365)
    assert rows[2].expires_at is None
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/audit", headers=headers).status_code == 200
        revoked = CliRunner().invoke(cli, ["token", "revoke", "1"])
        assert revoked.exit_code == 0, revoked.output
        refused = client.get("/audit", headers=headers)
        assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert CliRunner().invoke(cli, ["token", "revoke", "99"]).exit_code == 1
    with app.state.context.db.read() as session:
        actions = session.execute(select(AuditRow.actor, AuditRow.action, AuditRow.target)).all()
    assert ("cli", "token.revoke", "token:1") in actions
    app.state.context.db.dispose()
