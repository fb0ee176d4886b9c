"""Review use cases: the submissions of a round and of a unit, one version's validation report, and a
reviewer's decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service import submissions as storage
from service.auth import Principal
from service.context import ServiceContext
from service.rounds import find_round
from service.usecases.rounds import round_with_system, system_of


def round_overview(context: ServiceContext, year: int, system: str | None = None) -> list[dict[str, Any]]:
    """Per unit of the round's system: versions uploaded, the latest, and the version results use."""
    found = round_with_system(context, year, system)
    with context.db.read() as session:
        return storage.overview(session, find_round(session, year, found.system_id), found.system.unit_codes)


def unit_history(
    context: ServiceContext, year: int, unit: str, system: str | None = None
) -> list[dict[str, Any]]:
    """Every version the unit uploaded in the round, oldest first, with its status and review."""
    chosen = system_of(context, year, system)
    with context.db.read() as session:
        return storage.history(session, find_round(session, year, chosen), unit)


def submission_report(
    context: ServiceContext, year: int, unit: str, version: int, system: str | None = None
) -> dict[str, Any]:
    """One version with its validation report (every problem); 404 if there is no such version."""
    chosen = system_of(context, year, system)
    with context.db.read() as session:
        round_row = find_round(session, year, chosen)
        return storage.detail(session, round_row, storage.find_submission(session, round_row, unit, version))


@dataclass
class UnitSubmissions:
    """A unit's versions (oldest first) and the one a page shows: the one asked for, else the latest."""

    versions: list[dict[str, Any]]
    shown: dict[str, Any] | None


def unit_submissions(
    context: ServiceContext, year: int, unit: str, version: int | None, system: str | None = None
) -> UnitSubmissions:
    """The unit's history and the report of the version asked for (else the latest; None before any upload)."""
    chosen = system_of(context, year, system)
    with context.db.read() as session:
        round_row = find_round(session, year, chosen)
        versions = storage.history(session, round_row, unit)
        number = version or (versions[-1]["version"] if versions else None)
        shown = None
        if number is not None:
            shown = storage.detail(
                session, round_row, storage.find_submission(session, round_row, unit, number)
            )
        return UnitSubmissions(versions, shown)


def review(
    context: ServiceContext,
    principal: Principal,
    year: int,
    unit: str,
    version: int,
    decision: str,
    comment: str | None,
    system: str | None = None,
) -> dict[str, Any]:
    """Accept a valid version, or return any version with a comment; the latest review counts. Refused once
    the round is published."""
    chosen = system_of(context, year, system)
    return storage.review_submission(
        context.db, year, chosen, unit, version, decision, comment, principal, context.now()
    )
