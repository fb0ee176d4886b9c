"""Helpers of the service tests: the shipped Jinan forms, and :class:`Office`, a running app with a token per
role (what the evaluation office and the districts hold)."""

from __future__ import annotations

import functools
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from service import Settings, create_app
from service.auth import Role, issue_token
from service.context import ServiceContext

REPO = Path(__file__).resolve().parents[2]
FORMS_DIR = REPO / "sample_inputs" / "jinan" / "forms"
JINAN_ID, JINAN_VERSION = "jinan-district-digital", "2025.1"
YEAR = 2024
POSTGRES_URL = os.environ.get(
    "DIGISCORE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@functools.cache
def postgres_available() -> bool:
    """Whether the test PostgreSQL (``POSTGRES_URL``) answers within 3 seconds (asked once per test run)."""
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def jinan_forms() -> dict[str, Path]:
    """Unit code → its filled sample form (14 units, years 2022–2024)."""
    return {path.name.split("_")[0]: path for path in sorted(FORMS_DIR.glob("*.xlsx"))}


@dataclass
class Office:
    """A running app with a token per role: what the evaluation office and the districts hold."""

    app: FastAPI
    client: TestClient
    admin: dict[str, str]
    reviewer: dict[str, str]
    _districts: dict[str, dict[str, str]] = field(default_factory=dict)
    _departments: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def context(self) -> ServiceContext:
        context: ServiceContext = self.app.state.context
        return context

    def district(self, unit: str) -> dict[str, str]:
        """The Authorization header of the district token bound to ``unit``."""
        if unit not in self._districts:
            self._districts[unit] = bearer(self.context, Role.DISTRICT, unit)
        return self._districts[unit]

    def department(self, code: str) -> dict[str, str]:
        """The Authorization header of the department token bound to department ``code``."""
        if code not in self._departments:
            self._departments[code] = bearer(self.context, Role.DEPARTMENT, department=code)
        return self._departments[code]

    def open_round(self, year: int = YEAR) -> None:
        response = self.client.post(
            "/rounds",
            json={"year": year, "system_id": JINAN_ID, "version": JINAN_VERSION},
            headers=self.admin,
        )
        assert response.status_code == 201, response.text

    def upload(self, unit: str, name: str, content: bytes, year: int = YEAR) -> Any:
        return self.client.post(
            f"/rounds/{year}/units/{unit}/submissions",
            files={"file": (name, content, "application/octet-stream")},
            headers=self.district(unit),
        )

    def upload_form(self, unit: str, year: int = YEAR) -> Any:
        path = jinan_forms()[unit]
        return self.upload(unit, path.name, path.read_bytes(), year)

    def review(self, unit: str, version: int, decision: str = "accept", comment: str | None = None) -> Any:
        return self.client.post(
            f"/rounds/{YEAR}/units/{unit}/submissions/{version}/review",
            json={"decision": decision, "comment": comment},
            headers=self.reviewer,
        )

    def publish_all_forms(self) -> None:
        """Open the round, upload and accept every sample form, close and publish."""
        self.open_round()
        for unit in jinan_forms():
            assert self.upload_form(unit).status_code == 201
            assert self.review(unit, 1).status_code == 200
        assert self.client.post(f"/rounds/{YEAR}/close", headers=self.admin).status_code == 200
        response = self.client.post(f"/rounds/{YEAR}/publish", headers=self.admin)
        assert response.status_code == 200, response.text


def bearer(
    context: ServiceContext, role: Role, unit: str | None = None, department: str | None = None
) -> dict[str, str]:
    """Issue a token straight in the database (as ``digiscore token create`` does) and return its header."""
    with context.db.write() as session:
        _, token = issue_token(session, role, unit, None, datetime.now(UTC), department_code=department)
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def settings_factory(backend: str, data_dir: Path) -> Iterator[Callable[..., Settings]]:
    """Settings for ``backend``; on PostgreSQL each app gets a schema of its own, dropped at the end."""
    schemas: list[str] = []

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"data_dir": data_dir}
        if backend == "postgresql":
            schema = f"digiscore_test_{uuid.uuid4().hex[:12]}"
            schemas.append(schema)
            values |= {"database_url": POSTGRES_URL, "database_schema": schema}
        return Settings(**(values | overrides))

    try:
        yield make
    finally:
        if schemas:
            engine = create_engine(POSTGRES_URL)
            with engine.begin() as connection:
                for schema in schemas:
                    connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            engine.dispose()


@contextmanager
def running_office(settings: Settings) -> Iterator[Office]:
    """An app on ``settings`` behind a test client, with an admin and a reviewer token."""
    app = create_app(settings)
    context: ServiceContext = app.state.context
    with TestClient(app) as client:
        yield Office(app, client, bearer(context, Role.ADMIN), bearer(context, Role.REVIEWER))


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free port of 127.0.0.1 in a thread; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()
