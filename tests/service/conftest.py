"""Fixtures for the service tests: an app on SQLite or on PostgreSQL (a fresh schema per test, dropped after)
and tokens for each role (``support.Office``).

PostgreSQL is the one at ``DIGISCORE_TEST_POSTGRES_URL`` (default: 127.0.0.1:5432, database ``test``); when it
does not answer, the PostgreSQL cases are skipped.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# The repository root on the path: ``tests/`` is on it (pytest's rootdir conftest), and there ``tests/service``
# would otherwise pass for the ``service`` package.
sys.path.append(str(Path(__file__).resolve().parents[2]))

from service import Settings
from tests.service.support import (
    POSTGRES_URL,
    Office,
    postgres_available,
    running_office,
    settings_factory,
)


@pytest.fixture(scope="session")
def postgres_ok() -> bool:
    return postgres_available()


BACKENDS = ["sqlite", "postgresql"]


def _skip_unless_available(backend: str, postgres_ok: bool) -> str:
    if backend == "postgresql" and not postgres_ok:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    return backend


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, postgres_ok: bool) -> str:
    """Each storage and API test runs on both databases."""
    return _skip_unless_available(str(request.param), postgres_ok)


@pytest.fixture(scope="module", params=BACKENDS)
def module_backend(request: pytest.FixtureRequest, postgres_ok: bool) -> str:
    """The same, for fixtures shared by the tests of a module (read-only tests on one published round)."""
    return _skip_unless_available(str(request.param), postgres_ok)


@pytest.fixture
def make_settings(backend: str, tmp_path: Path) -> Iterator[Callable[..., Settings]]:
    with settings_factory(backend, tmp_path / "data") as make:
        yield make


@pytest.fixture
def office(make_settings: Callable[..., Settings]) -> Iterator[Office]:
    with running_office(make_settings()) as office:
        yield office


@pytest.fixture(scope="module")
def published(module_backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """A round of 2024 with every sample form uploaded, accepted and published; tests only read it."""
    with (
        settings_factory(module_backend, tmp_path_factory.mktemp("published")) as make,
        running_office(make()) as office,
    ):
        office.publish_all_forms()
        yield office
