"""Contract fuzzing: schemathesis generates requests from the app's OpenAPI spec (20 examples per operation, on an
in-process app on SQLite holding a published round); whatever they hold, no answer is a 5xx, and every answer
conforms to the spec — every check schemathesis has (status codes, content types, headers, response schemas,
`Allow` on 405, bad data refused, authentication) but one:

``positive_data_acceptance`` expects every request that fits the schema to succeed. Here a request can fit the
schema and still be refused with 422 on its meaning, by design: a YAML file that is no indicator system
(``POST /systems``), a form with errors (an upload is stored and answered with 422 listing its problems), a
round for a system version that exists in no registry. JSON Schema cannot say what a valid system or form is.

Requests carry an admin token, so that the fuzzing reaches past the authorization checks into every handler.
schemathesis needs the spec when pytest collects the tests, so this module builds its app on import, in a
temporary directory removed when the module's tests end.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from service import Settings, create_app
from service.auth import Role
from tests.service.support import Office, bearer

DATA_DIR = Path(tempfile.mkdtemp(prefix="digiscore-fuzz-"))
atexit.register(shutil.rmtree, DATA_DIR, True)  # also when the tests here are not run
APP = create_app(Settings(data_dir=DATA_DIR))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def admin() -> Iterator[dict[str, str]]:
    """The admin's header, on an app holding a published round of 2024."""
    context = APP.state.context
    with TestClient(APP) as client:
        office = Office(APP, client, bearer(context, Role.ADMIN), bearer(context, Role.REVIEWER))
        office.publish_all_forms()
        yield office.admin
    context.db.dispose()
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case: Any, admin: dict[str, str]) -> None:
    case.call_and_validate(headers=admin, excluded_checks=[positive_data_acceptance])
