"""The contract fuzzing of ``test_service_contract`` on PostgreSQL, where text with NUL used to end in 500s
(``psycopg.DataError``) that SQLite never showed: the same checks, 20 examples per operation, on an app in a
schema of its own (dropped when the tests end). Skipped when the test PostgreSQL does not answer.

schemathesis needs the app when pytest collects the tests, so the schema is made on import, as the SQLite
module makes its data directory.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from sqlalchemy import create_engine

from service import Settings, create_app
from service.auth import Role
from tests.service.support import POSTGRES_URL, Office, bearer, postgres_available


def _drop(schema: str) -> None:
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


AVAILABLE = postgres_available()
DATA_DIR = Path(tempfile.mkdtemp(prefix="digiscore-fuzz-pg-"))
atexit.register(shutil.rmtree, DATA_DIR, True)
SCHEMA = f"digiscore_fuzz_{uuid.uuid4().hex[:12]}"
if AVAILABLE:
    atexit.register(_drop, SCHEMA)
    APP = create_app(Settings(data_dir=DATA_DIR, database_url=POSTGRES_URL, database_schema=SCHEMA))
else:  # the spec is the same on every database: collect against SQLite, skip when run
    APP = create_app(Settings(data_dir=DATA_DIR))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def admin() -> Iterator[dict[str, str]]:
    """The admin's header, on an app holding a published round of 2024."""
    if not AVAILABLE:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    context = APP.state.context
    with TestClient(APP) as client:
        office = Office(APP, client, bearer(context, Role.ADMIN), bearer(context, Role.REVIEWER))
        office.publish_all_forms()
        yield office.admin
    context.db.dispose()
    _drop(SCHEMA)


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error_on_postgresql(case: Any, admin: dict[str, str]) -> None:
    case.call_and_validate(headers=admin, excluded_checks=[positive_data_acceptance])
