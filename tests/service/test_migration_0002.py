"""Migration 0002 (token expiry, idempotency keys) on a database that holds rows made under 0001: the rows
stay, existing tokens stay valid (they never expire), and downgrading goes back cleanly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from service import Settings
from service.auth import Role, find_principal, hash_token
from service.db import MIGRATIONS_DIR, Database


def _alembic(database: Database, target: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as connection:
        if database.schema:
            connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{database.schema}"')
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)


def test_existing_tokens_stay_valid_through_0002(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    database = Database(settings.sqlalchemy_url, settings.database_schema)
    _alembic(database, "0001")
    with database.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO api_tokens (token_hash, role, created_at) VALUES (:hash, 'admin', :at)"),
            {"hash": hash_token("dgs_made_under_0001"), "at": datetime(2025, 1, 1, tzinfo=UTC)},
        )
    database.migrate()  # what the app factory does: up to 0002
    columns = {c["name"] for c in inspect(database.engine).get_columns("api_tokens", schema=database.schema)}
    assert "expires_at" in columns
    indexes = inspect(database.engine).get_indexes("submissions", schema=database.schema)
    assert any(i["name"] == "uq_submissions_round_unit_idempotency_key" and i["unique"] for i in indexes)
    with database.read() as session:
        principal = find_principal(session, "dgs_made_under_0001", datetime(2099, 1, 1, tzinfo=UTC))
    assert principal is not None and principal.role is Role.ADMIN  # null expiry: valid for ever
    _alembic(database, "0001", down=True)
    columns = {c["name"] for c in inspect(database.engine).get_columns("api_tokens", schema=database.schema)}
    assert "expires_at" not in columns
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM api_tokens")).scalar_one() == 1
    database.dispose()
