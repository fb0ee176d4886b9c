"""Round use cases: list, read a round with its indicator system, open (never more than a year ahead of the
clock), cancel (a round without submissions), close, reopen (closed, not yet published), publish (with the list
of units lacking an accepted version), verify, the frozen results document, and what the admin page lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from scoring.problems import Problem, Severity
from scoring.system import IndicatorSystem
from scoring.system.measures import measure_en
from service import results
from service import rounds as storage
from service.auth import Principal
from service.context import ServiceContext
from service.deadlines import upload_gate
from service.errors import ServiceError, conflict, not_found
from service.results import corrections
from service.systems import find_system, list_systems
from service.tables import RoundRow, SystemRow


@dataclass(frozen=True)
class RoundWithSystem:
    """A round as the API shows it (``info``) and its checked indicator system."""

    year: int
    info: dict[str, Any]
    system: IndicatorSystem

    @property
    def status(self) -> str:
        return str(self.info["status"])

    def known_unit(self, unit: str) -> None:
        """404 unless ``unit`` is a unit of the round's system."""
        if unit not in self.system.unit_names:
            raise not_found(f"unit {unit} in the round's system")

    def known_department(self, department: str) -> None:
        """404 unless ``department`` supplies indicators of the round's system."""
        if department not in self.system.department_names:
            raise not_found(f"department {department} in the round's system")

    def known_submitter(self, code: str) -> None:
        """404 unless ``code`` is a unit, or a department that supplies indicators, of the round's system."""
        if code not in self.system.unit_names and code not in self.system.department_names:
            raise not_found(f"unit or department {code} in the round's system")

    @property
    def system_id(self) -> str:
        return self.system.id

    def require_upload(self, context: ServiceContext, unit: str) -> None:
        """409 unless the round takes an upload of ``unit`` now: open and before its deadline, or an admin's
        leave for the unit runs (after the deadline, or in a published round to correct it)."""
        with context.db.read() as session:
            row = storage.find_round(session, self.year, self.system_id)
            upload_gate(session, row, unit, context.now())

    def require_uploads(self) -> None:
        """409 ``composite-no-uploads`` for the round of a composite system: its data come from the rounds of
        the systems it includes."""
        if self.system.includes:
            systems = "、".join(dict.fromkeys(self.system.includes.values()))
            problem = Problem("round.composite_no_uploads", Severity.ERROR, params={"systems": systems})
            raise ServiceError(409, "composite-no-uploads", problem.message_en, [problem])


def system_of(context: ServiceContext, year: int, system: str | None) -> str:
    """The id of the system a round of ``year`` means: ``system`` if given, else the default system's
    (``service.rounds.resolve_system`` says when a year's only round stands in for it)."""
    if system:
        return system
    with context.db.read() as session:
        return storage.resolve_system(session, year, system, context.default_system)


def list_rounds(context: ServiceContext, system: str | None = None) -> list[dict[str, Any]]:
    """Every round (of ``system`` if given), oldest first."""
    with context.db.read() as session:
        return storage.list_rounds(session, system)


def read_round(context: ServiceContext, year: int, system: str | None = None) -> dict[str, Any]:
    """A round: status, system version, times, and the sha256 of its results once published; 404 if none."""
    with context.db.read() as session:
        chosen = storage.resolve_system(session, year, system, context.default_system)
        return storage.round_info(session, storage.find_round(session, year, chosen))


def round_with_system(context: ServiceContext, year: int, system: str | None = None) -> RoundWithSystem:
    """A round and its indicator system (parsed once per worker); 404 for an unknown year or system."""
    with context.db.read() as session:
        chosen = storage.resolve_system(session, year, system, context.default_system)
        row = storage.find_round(session, year, chosen)
        system_row = session.get(SystemRow, row.system_pk)
        assert system_row is not None  # a foreign key
        return RoundWithSystem(year, storage.round_info(session, row), context.catalog.system(system_row))


def check_new_round(context: ServiceContext, year: int) -> None:
    """Refuse (422 ``round-year-too-far``) a year more than one year ahead of the app's clock: a typo such as
    2150 for 2025 would otherwise become a round, and everyone's default year."""
    current = context.now().year
    if year > current + 1:
        problem = Problem(
            "round.year_too_far",
            Severity.ERROR,
            year=year,
            params={"year": year, "current": current, "latest": current + 1},
        )
        raise ServiceError(422, "round-year-too-far", problem.message_en, [problem])


def confirm_open_round(context: ServiceContext, year: int, system_version: str) -> dict[str, Any]:
    """What the dashboard asks to confirm before opening a round (``id@version``): the year and the system
    version, after the checks opening would make (year not too far, no round of that system and year, version
    known)."""
    check_new_round(context, year)
    system_id, _, version = system_version.rpartition("@")
    with context.db.read() as session:
        system = find_system(session, system_id, version)
        existing = session.execute(
            select(RoundRow.status).where(RoundRow.year == year, RoundRow.system_id == system_id)
        ).scalar()
        if existing is not None and existing != storage.CANCELLED:
            raise conflict("round-exists", f"round {year} of system {system_id} exists")
        return {"year": year, "system": system_version, "system_name": system.name}


def open_round(
    context: ServiceContext, principal: Principal, year: int, system_id: str, version: str
) -> dict[str, Any]:
    """Open the round of ``year`` on a registered system version (one round per system and year; a cancelled
    round may be opened again); a year more than one ahead of the clock is refused."""
    check_new_round(context, year)
    return storage.open_round(context.db, year, system_id, version, principal, context.now())


def open_round_on(
    context: ServiceContext, principal: Principal, year: int, system_version: str
) -> dict[str, Any]:
    """:func:`open_round` on ``id@version`` (the dashboard's choice); 404 for a version not registered."""
    system_id, _, version = system_version.rpartition("@")
    return open_round(context, principal, year, system_id, version)


def confirm_cancel_round(context: ServiceContext, year: int, system: str | None = None) -> dict[str, Any]:
    """The round the dashboard asks to confirm cancelling, after the checks cancelling would make."""
    with context.db.read() as session:
        row = storage.find_round(
            session, year, storage.resolve_system(session, year, system, context.default_system)
        )
        storage.cancellable(session, row)
        return storage.round_info(session, row)


def cancel_round(
    context: ServiceContext,
    principal: Principal,
    year: int,
    reason: str | None = None,
    system: str | None = None,
) -> dict[str, Any]:
    """Cancel a round that holds no submission (audited); 409 ``round-has-submissions`` otherwise."""
    chosen = system_of(context, year, system)
    return storage.cancel_round(context.db, year, chosen, principal, context.now(), reason)


def close_round(
    context: ServiceContext, principal: Principal, year: int, system: str | None = None
) -> dict[str, Any]:
    """Stop taking uploads; reviews go on."""
    return storage.close_round(context.db, year, system_of(context, year, system), principal, context.now())


def reopen_round(
    context: ServiceContext, principal: Principal, year: int, reason: str, system: str | None = None
) -> dict[str, Any]:
    """Take uploads again in a closed, unpublished round (audited with the reason)."""
    chosen = system_of(context, year, system)
    return storage.reopen_round(context.db, year, chosen, principal, context.now(), reason)


def publication_check(context: ServiceContext, year: int, system: str | None = None) -> dict[str, Any]:
    """What publishing would freeze now: the units with an accepted version, and those without (code, name)
    that the admin must confirm; 409 unless the round is closed."""
    check = results.publication_check(context.db, context.catalog, year, system_of(context, year, system))
    if check["status"] != storage.CLOSED:
        raise conflict("round-not-closed", f"round {year} is {check['status']}; close it before publishing")
    return check


def publish_round(
    context: ServiceContext,
    principal: Principal,
    year: int,
    confirmed_missing: list[str] | None = None,
    system: str | None = None,
) -> dict[str, Any]:
    """Score the closed round from each unit's latest accepted version and freeze the results, with the units
    lacking one; when ``confirmed_missing`` is given, it must be exactly those units (409 otherwise). A
    composite system's round scores the inputs of its included systems' published rounds of the year."""
    chosen = system_of(context, year, system)
    outcome = results.publish(
        context.db, context.catalog, year, chosen, principal, context.now(), confirmed_missing
    )
    context.results.forget(year, chosen)  # this worker knew the round as unpublished
    return outcome


def set_deadline(
    context: ServiceContext,
    principal: Principal,
    year: int,
    deadline: datetime | None,
    system: str | None = None,
) -> dict[str, Any]:
    """Set or remove the deadline of an open or closed round (audited); after it, a unit uploads only on an
    admin's leave."""
    chosen = system_of(context, year, system)
    return storage.set_deadline(context.db, year, chosen, deadline, principal, context.now())


def allow_late_upload(
    context: ServiceContext,
    principal: Principal,
    year: int,
    unit: str,
    until: datetime,
    reason: str,
    system: str | None = None,
) -> dict[str, Any]:
    """Give a unit (or a department) of the round's system leave to upload after the deadline (or into the
    published round, to correct it) until ``until``; audited with the reason."""
    found = round_with_system(context, year, system)
    found.known_submitter(unit)
    return storage.allow_late_upload(
        context.db, year, found.system_id, unit, until, reason, principal, context.now()
    )


def correction_check(context: ServiceContext, year: int, system: str | None = None) -> dict[str, Any]:
    """What correcting the published round now would change: the inputs whose accepted version differs from
    the current results' and the units still lacking one; 409 unless the round is published."""
    return corrections.correction_check(context.db, context.catalog, year, system_of(context, year, system))


def correct_round(
    context: ServiceContext,
    principal: Principal,
    year: int,
    reason: str,
    confirmed_missing: list[str] | None = None,
    system: str | None = None,
) -> dict[str, Any]:
    """Publish a correction (更正): the results scored again from the accepted versions now, frozen as the
    round's next version with the reason; earlier versions stay as they are (audited)."""
    chosen = system_of(context, year, system)
    outcome = corrections.publish_correction(
        context.db, context.catalog, year, chosen, principal, context.now(), reason, confirmed_missing
    )
    context.results.forget(year, chosen)  # this worker knew the version before
    return outcome


def result_versions(context: ServiceContext, year: int, system: str | None = None) -> list[dict[str, Any]]:
    """Every version of the round's published results, oldest first; the last is current."""
    return corrections.list_versions(context.db, year, system_of(context, year, system))


def result_version(
    context: ServiceContext, year: int, version: int, system: str | None = None
) -> tuple[bytes, str]:
    """One version's results exactly as frozen, and their sha256."""
    return corrections.version_bytes(context.db, year, system_of(context, year, system), version)


def result_diff(
    context: ServiceContext, year: int, version: int, system: str | None = None
) -> dict[str, Any]:
    """What a version changed against the one before: who moved, by how much, which inputs, and why."""
    return corrections.version_diff(context.db, year, system_of(context, year, system), version)


def verify_round(
    context: ServiceContext, year: int, system: str | None = None, version: int | None = None
) -> dict[str, Any]:
    """Score the published round (its current results, or ``version``) again from the inputs its snapshot
    names and compare the sha256."""
    chosen = system_of(context, year, system)
    stored, recomputed = results.rescore(context.db, context.catalog, year, chosen, version)
    return {
        "year": year,
        "system_id": chosen,
        "stored_sha256": stored,
        "rescored_sha256": recomputed,
        "reproduced": stored == recomputed,
    }


def results_document(context: ServiceContext, year: int, system: str | None = None) -> tuple[bytes, str, int]:
    """The current published results exactly as frozen, their sha256 and version; 409 before publication."""
    ref = results.find_published(context.db, context.results, year, system_of(context, year, system))
    if ref is None:
        raise conflict("round-not-published", f"round {year} is not published")
    return results.snapshot_bytes(context.db, ref), ref.sha256, ref.version


@dataclass(frozen=True)
class SystemChoice:
    """The system a dashboard page shows (``id``), its rounds (oldest first), and every system that has a round
    (``id``, ``name``) for the page's system switch."""

    id: str
    rounds: list[dict[str, Any]]
    systems: list[dict[str, str]]

    @property
    def name(self) -> str:
        return next((s["name"] for s in self.systems if s["id"] == self.id), self.id)


def choose_system(context: ServiceContext, system: str | None) -> SystemChoice:
    """The system asked for; else the default system when it has a round (or no system has); else the system
    of the newest round that is not cancelled — so a page without ``?system=`` shows what there is."""
    with context.db.read() as session:
        every = storage.list_rounds(session)
    names = {r["system_id"]: str(r["system"]["name"]) for r in every}
    chosen = system
    if not chosen:
        live = [r for r in every if r["status"] != storage.CANCELLED]
        if context.default_system in names or not live:
            chosen = context.default_system
        else:
            chosen = str(max(live, key=lambda r: (r["year"], r["opened_at"]))["system_id"])
    systems = [{"id": key, "name": name} for key, name in sorted(names.items())]
    return SystemChoice(chosen, [r for r in every if r["system_id"] == chosen], systems)


@dataclass
class AdminOverview:
    """The rounds and the registered system versions a new round may use."""

    rounds: list[dict[str, Any]]
    systems: list[dict[str, Any]]
    submissions: dict[
        tuple[int, str], int
    ]  # (year, system) → uploads held (a round without any may be cancelled)


def admin_overview(context: ServiceContext) -> AdminOverview:
    """What the admin page lists."""
    with context.db.read() as session:
        return AdminOverview(
            storage.list_rounds(session), list_systems(session), storage.submission_counts(session)
        )


def unit_name(context: ServiceContext, code: str) -> str | None:
    """A unit's name in the newest registered system that lists it (the dashboard's header names an officer's
    district with it)."""
    with context.db.read() as session:
        rows = session.execute(
            select(SystemRow).options(defer(SystemRow.definition)).order_by(SystemRow.id.desc())
        ).scalars()
        for row in rows:
            name = context.catalog.system(row).unit_names.get(code)
            if name:
                return name
    return None


def english_names(context: ServiceContext) -> dict[str, str]:
    """Each name a registered system gives in Chinese → the English it gives too (``name_en`` of the system, its
    composite, nodes, tiers, units and departments; ``group_en`` of unit groups; a unit of measurement's English from
    :mod:`scoring.system.measures`), over the registered systems, the newest winning: the dashboard's English
    pages print a name through this map, so no page or chart picks on its own."""
    names: dict[str, str] = {}
    with context.db.read() as session:
        rows = session.execute(
            select(SystemRow).options(defer(SystemRow.definition)).order_by(SystemRow.id)
        ).scalars()
        for row in rows:
            system = context.catalog.system(row)
            pairs: list[tuple[str, str | None]] = [(system.name, system.name_en)]
            pairs += [(node.name, node.name_en) for node in [*system.nodes.values(), *system.collected]]
            if isinstance(system.tiers, list):  # quantile tiers are bare names
                pairs += [(tier.name, tier.name_en) for tier in system.tiers]
            for unit in system.units:
                pairs += [(unit.name, unit.name_en)]
                if unit.group:
                    pairs += [(unit.group, unit.group_en)]
            pairs += [(department.name, department.name_en) for department in system.departments]
            # units of measurement printed on their own (a part of a derived value on the review page) in the
            # catalogue's English: a node's own unit_en is not a name for every node with that unit, so the
            # pages showing one indicator's unit (the profile) pick its unit_en themselves
            pairs += [
                (node.unit, measure_en(node.unit))
                for node in [*system.nodes.values(), *system.collected]
                if node.unit
            ]
            names.update((name, str(english)) for name, english in pairs if english and english != name)
    return names


def department_name(context: ServiceContext, code: str) -> str | None:
    """A department's name in the newest registered system it supplies (the header names a department officer's
    department with it)."""
    with context.db.read() as session:
        rows = session.execute(
            select(SystemRow).options(defer(SystemRow.definition)).order_by(SystemRow.id.desc())
        ).scalars()
        for row in rows:
            name = context.catalog.system(row).department_names.get(code)
            if name:
                return name
    return None
