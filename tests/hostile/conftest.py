"""Fixtures of the hostile-input tests: the generated corpus, and an office on SQLite or PostgreSQL (a fresh
schema per test) as in tests/service."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# the repository root on the path (tests/service would otherwise pass for the service package)
sys.path.append(str(Path(__file__).resolve().parents[2]))

from tests.hostile.corpus import write_corpus
from tests.service.support import POSTGRES_URL, Office, postgres_available, running_office, settings_factory


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every hostile case written once per session: case name → file."""
    return write_corpus(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def postgres_ok() -> bool:
    return postgres_available()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def office(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_ok: bool
) -> Iterator[Office]:
    """An open round of 2024 with the sample form of 370102 uploaded and accepted (version 1)."""
    if request.param == "postgresql" and not postgres_ok:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    with (
        settings_factory(str(request.param), tmp_path_factory.mktemp("office")) as make,
        running_office(make()) as office,
    ):
        office.open_round()
        assert office.upload_form("370102").status_code == 201
        assert office.review("370102", 1).status_code == 200
        yield office
