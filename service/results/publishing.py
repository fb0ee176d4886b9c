"""Publishing a round: the engine on the accepted submissions, frozen as a snapshot; rescoring a snapshot's
inputs; rebuilding the evaluation behind a snapshot; previews of an unpublished round (scored afresh).

Rescoring the same inputs gives the same bytes (:func:`rescore`): the document is encoded canonically. A snapshot
lists the system's units that had no accepted version (``missing_units``); snapshots frozen before that list
existed lack the key, and rescoring them leaves it out again, so they still verify.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.evaluate import Evaluation, evaluate
from scoring.outputs import records, results_document
from scoring.problems import PipelineError, Problem, Severity
from scoring.system import IndicatorSystem
from service import audit
from service.auth import Principal
from service.db import Database
from service.errors import ServiceError, conflict, not_found
from service.results.cache import PublishedRef
from service.results.snapshots import RoundResults
from service.submissions import accepted_inputs, dataset_of, load_inputs, round_for_update, round_query
from service.systems import SystemCatalog
from service.tables import KIND_DEPARTMENT, RoundRow, SnapshotRow, SubmissionRow, SystemRow

SNAPSHOT_FORMAT = "digiscore-snapshot-1"
log = logging.getLogger(__name__)


def evaluate_inputs(system: IndicatorSystem, year: int, inputs: list[SubmissionRow]) -> Evaluation:
    """The engine on the given submission versions (their parsed values, in unit order)."""
    dataset = dataset_of([(row.unit_code, row.values_json) for row in inputs])
    if not inputs or dataset.values.empty:
        raise conflict("no-accepted-submissions", f"round {year} has no accepted submission to score")
    try:
        return evaluate(system, dataset, year)
    except PipelineError as error:
        raise ServiceError(
            409, "cannot-score", "the accepted submissions cannot be scored", list(error.problems)
        ) from error


def missing_units(system: IndicatorSystem, inputs: list[SubmissionRow]) -> list[str]:
    """The system's units without an accepted version among ``inputs``, in the system's order."""
    present = {row.unit_code for row in inputs}
    return [unit.code for unit in system.units if unit.code not in present]


def confirm_missing_units(
    system: IndicatorSystem, inputs: list[SubmissionRow], year: int, confirmed: list[str] | None
) -> list[str]:
    """The units without an accepted version among ``inputs``; 409 ``missing-units-changed`` when they are not
    those the admin confirmed as missing (``None``: not asked) — publishing and correcting freeze what was seen."""
    missing = missing_units(system, inputs)
    if confirmed is not None and sorted(set(confirmed)) != sorted(missing):
        problem = Problem(
            "round.missing_units_changed",
            Severity.ERROR,
            year=year,
            params={
                "confirmed": "、".join(sorted(set(confirmed))) or "-",
                "missing": "、".join(missing) or "-",
            },
        )
        raise ServiceError(409, "missing-units-changed", problem.message_en, [problem], missing_units=missing)
    return missing


def missing_unit_names(system: IndicatorSystem, inputs: list[SubmissionRow]) -> list[dict[str, str]]:
    """:func:`missing_units` with their names, as the publish and correct confirmations list them."""
    return [
        {"code": code, "name": system.unit_names.get(code, code)} for code in missing_units(system, inputs)
    ]


def snapshot_document(
    year: int,
    system: IndicatorSystem,
    inputs: list[SubmissionRow],
    evaluation: Evaluation,
    with_missing: bool = True,
    correction: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What publishing freezes: the engine's results document, the trend over the years, the inputs and (unless
    ``with_missing`` is false: the rescoring of a snapshot frozen before the list existed) the units missing;
    a correction (version 2 on) also names its version, its reason and the version it replaces."""
    document = {
        "format": SNAPSHOT_FORMAT,
        "year": year,
        "system": {
            "id": system.id,
            "version": system.version,
            "name": system.name,
            "hash": system.content_hash,
        },
        "inputs": [_input(r, system) for r in inputs],
        "results": results_document(evaluation),
        "trend": _trend(evaluation),
    }
    if with_missing:
        document["missing_units"] = missing_units(system, inputs)
    if correction is not None:
        document["correction"] = correction
    return document


def _input(row: SubmissionRow, system: IndicatorSystem) -> dict[str, Any]:
    """An input as the snapshot names it; a composite's inputs also name the system whose round they are from."""
    named: dict[str, Any] = {"unit_code": row.unit_code, "version": row.version, "sha256": row.sha256}
    if system.includes:
        named["round_id"] = row.round_id
    return named


def _trend(evaluation: Evaluation) -> list[dict[str, Any]]:
    """Score and rank of the composite and every dimension in every year of the data."""
    parents = [node.code for node, _, _ in evaluation.system.walk() if node.children]
    scores = evaluation.scores[parents].stack(future_stack=True).rename("score")
    ranks = evaluation.ranks[parents].stack(future_stack=True).rename("rank")
    frame = pd.concat([scores, ranks], axis=1).reset_index()
    frame.columns = ["year", "unit_code", "node_code", "score", "rank"]
    frame["rank"] = frame["rank"].astype("Int64")
    return records(frame.sort_values(["unit_code", "node_code", "year"]).reset_index(drop=True))


def encode_document(document: dict[str, Any]) -> bytes:
    """Canonical JSON bytes: sorted keys, no whitespace, no NaN (the engine gives null for a missing number)."""
    return json.dumps(
        document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def _round_and_system(
    session: Any, catalog: SystemCatalog, year: int, system: str
) -> tuple[RoundRow, IndicatorSystem]:
    round_row = session.execute(round_query(year, system)).scalar_one_or_none()
    if round_row is None:
        raise not_found(f"round {year} of system {system}")
    system_row = session.get(SystemRow, round_row.system_pk)
    return round_row, catalog.system(system_row)


def included_rounds(session: Session, year: int, system: IndicatorSystem) -> list[RoundRow | None]:
    """The rounds of ``year`` of the systems a composite includes, in the order of its includes (None: none)."""
    return [
        session.execute(round_query(year, included)).scalar_one_or_none()
        for included in dict.fromkeys(system.includes.values())
    ]


def unpublished_included(session: Session, year: int, system: IndicatorSystem) -> list[str]:
    """The included systems of a composite whose round of ``year`` is missing or not published yet."""
    ids = list(dict.fromkeys(system.includes.values()))
    rounds = included_rounds(session, year, system)
    return [i for i, row in zip(ids, rounds, strict=True) if row is None or row.status != "published"]


def round_inputs(session: Session, round_row: RoundRow, system: IndicatorSystem) -> list[SubmissionRow]:
    """What a round is scored from: per unit, its latest accepted version; for a composite system, the inputs
    of its included systems' rounds of the year — as frozen in their snapshots once published, else their
    accepted versions now (a preview) — in unit order, then round order. Nothing is entered twice."""
    if not system.includes:
        return accepted_inputs(session, round_row)
    rows: list[SubmissionRow] = []
    for included in included_rounds(session, round_row.year, system):
        if included is None:
            continue
        snapshot = session.execute(  # the current version: a correction replaces the one before
            select(SnapshotRow.inputs_json)
            .where(SnapshotRow.round_id == included.id)
            .order_by(SnapshotRow.version.desc())
            .limit(1)
        ).scalar()
        rows += load_inputs(session, json.loads(snapshot)) if snapshot else accepted_inputs(session, included)
    return sorted(rows, key=lambda r: (r.unit_code, r.round_id))


def publication_check(db: Database, catalog: SystemCatalog, year: int, system_id: str) -> dict[str, Any]:
    """What publishing the round now would freeze: the units with an accepted version and those without."""
    with db.read() as session:
        round_row, system = _round_and_system(session, catalog, year, system_id)
        inputs = round_inputs(session, round_row, system)
        waiting = unpublished_included(session, year, system)
    return {
        "year": year,
        "system_id": system_id,
        "included_unpublished": waiting,
        "status": round_row.status,
        "units": [r.unit_code for r in inputs if r.kind != KIND_DEPARTMENT],
        "missing_units": missing_unit_names(system, inputs),
        # the departments that supply the system without an accepted version: their indicators would be
        # missing for every unit
        "missing_departments": [
            {"code": d.code, "name": d.name}
            for d in system.departments
            if d.code not in {r.unit_code for r in inputs if r.kind == KIND_DEPARTMENT}
        ],
    }


def publish(
    db: Database,
    catalog: SystemCatalog,
    year: int,
    system_id: str,
    principal: Principal,
    now: datetime,
    confirmed_missing: list[str] | None = None,
) -> dict[str, Any]:
    """Score a closed round from its accepted submissions and freeze the results; the round becomes published.

    The scoring runs outside the write transaction; the transaction then checks that the round is still
    closed and that its accepted inputs did not change meanwhile (a review in between: publish again). With
    ``confirmed_missing`` (the units the caller was shown as lacking an accepted version), a different list
    now is refused: 409 ``missing-units-changed``. A composite system's round is published only after the
    rounds of the year of every system it includes: 409 ``included-rounds-unpublished`` naming them.
    """
    with db.read() as session:
        round_row, system = _round_and_system(session, catalog, year, system_id)
        if round_row.status != "closed":
            raise conflict(
                "round-not-closed", f"round {year} is {round_row.status}; close it before publishing"
            )
        waiting = unpublished_included(session, year, system)
        if waiting:
            problem = Problem(
                "round.included_unpublished",
                Severity.ERROR,
                year=year,
                params={"year": year, "systems": "、".join(waiting)},
            )
            raise ServiceError(409, "included-rounds-unpublished", problem.message_en, [problem])
        inputs = round_inputs(session, round_row, system)
    missing = confirm_missing_units(system, inputs, year, confirmed_missing)
    evaluation = evaluate_inputs(system, year, inputs)
    document = encode_document(snapshot_document(year, system, inputs, evaluation))
    digest = hashlib.sha256(document).hexdigest()
    with db.write() as session:
        round_row = round_for_update(session, db, year, system_id, exclusive=True)
        if round_row.status != "closed":
            raise conflict("round-not-closed", f"round {year} is {round_row.status}")
        if [r.id for r in round_inputs(session, round_row, system)] != [r.id for r in inputs]:
            raise conflict("inputs-changed", "reviews changed while publishing; publish again")
        session.add(
            SnapshotRow(
                round_id=round_row.id,
                version=1,
                sha256=digest,
                document=zlib.compress(document, 6),
                inputs_json=json.dumps([r.id for r in inputs]),
                created_at=now,
                created_by=principal.token_id,
            )
        )
        round_row.status = "published"
        round_row.published_at = now
        audit.record(
            session,
            principal,
            "round.publish",
            audit.round_target(year, system_id),
            now,
            digest,
            units=len(inputs),
            missing_units=missing,
        )
    return {
        "year": year,
        "system_id": system_id,
        "sha256": digest,
        "units": [r.unit_code for r in inputs],
        "missing_units": missing,
        "bytes": len(document),
    }


def rescore(
    db: Database, catalog: SystemCatalog, year: int, system_id: str, version: int | None = None
) -> tuple[str, str]:
    """Score a published round again from the inputs its snapshot (the current one, or ``version``) names:
    (stored sha256, recomputed sha256)."""
    with db.read() as session:
        round_row, system = _round_and_system(session, catalog, year, system_id)
        snapshot = find_snapshot(session, round_row, version)
        inputs = load_inputs(session, json.loads(snapshot.inputs_json))
        with_missing = "missing_units" in json.loads(zlib.decompress(snapshot.document))
        correction = correction_record(session, snapshot)
    evaluation = evaluate_inputs(system, year, inputs)
    document = snapshot_document(year, system, inputs, evaluation, with_missing, correction)
    return snapshot.sha256, hashlib.sha256(encode_document(document)).hexdigest()


def correction_record(session: Any, snapshot: SnapshotRow) -> dict[str, Any] | None:
    """What a correction's document says of itself, from the stored rows: its version, its reason and the
    version (number and sha256) it replaces; None for version 1."""
    if snapshot.version <= 1:
        return None
    replaced = session.execute(
        select(SnapshotRow.sha256).where(
            SnapshotRow.round_id == snapshot.round_id, SnapshotRow.version == snapshot.version - 1
        )
    ).scalar_one()
    return {
        "version": snapshot.version,
        "reason": snapshot.reason,
        "replaces": {"version": snapshot.version - 1, "sha256": replaced},
    }


def find_snapshot(session: Any, round_row: RoundRow, version: int | None = None) -> SnapshotRow:
    """A round's snapshot of ``version`` (the current one, its newest, by default); 409 before publication,
    404 for a version it does not have."""
    query = select(SnapshotRow).where(SnapshotRow.round_id == round_row.id)
    if version is not None:
        query = query.where(SnapshotRow.version == version)
    snapshot = session.execute(query.order_by(SnapshotRow.version.desc()).limit(1)).scalar_one_or_none()
    if snapshot is None:
        if version is not None and round_row.status == "published":
            raise not_found(f"version {version} of the results of round {round_row.year}")
        raise conflict("round-not-published", f"round {round_row.year} is not published")
    return snapshot


def rebuild_evaluation(db: Database, catalog: SystemCatalog, ref: PublishedRef) -> Evaluation:
    """The evaluation behind a snapshot, from the inputs it names (for ``Evaluation.explain``)."""
    with db.read() as session:
        snapshot = session.get(SnapshotRow, ref.snapshot_id)
        assert snapshot is not None
        inputs = load_inputs(session, json.loads(snapshot.inputs_json))
        system = catalog.system(session.get(SystemRow, ref.system_pk))  # type: ignore[arg-type]
    return evaluate_inputs(system, ref.year, inputs)


def previous_version_evaluation(
    db: Database, catalog: SystemCatalog, year: int, system_id: str, ref: PublishedRef | None
) -> Evaluation | None:
    """This round's data evaluated with the system version that the same system's round of ``year − 1`` used,
    when that version differs from this round's (the report's 附录六, as ``digiscore report --previous-system``);
    None when there is no such round or it used the same version. The data: the inputs of the snapshot ``ref``
    (published) or the accepted versions now (a preview). When the old version cannot score them (a 409), the
    report goes without the appendix and the reason is logged."""
    with db.read() as session:
        round_row, system = _round_and_system(session, catalog, year, system_id)
        before = session.execute(round_query(year - 1, system_id)).scalar_one_or_none()
        if before is None or before.system_pk == round_row.system_pk:
            return None
        old_row = session.get(SystemRow, before.system_pk)
        assert old_row is not None  # a foreign key
        old = catalog.system(old_row)
        if old.content_hash == system.content_hash:
            return None
        if ref is None:
            inputs = round_inputs(session, round_row, system)
        else:
            snapshot = session.get(SnapshotRow, ref.snapshot_id)
            assert snapshot is not None
            inputs = load_inputs(session, json.loads(snapshot.inputs_json))
    try:
        return evaluate_inputs(old, year, inputs)
    except ServiceError as error:
        log.warning(
            "report of round %s (%s) without 附录六: version %s of the previous round cannot score its data: %s",
            year,
            system_id,
            old.version,
            error.detail,
        )
        return None


def preview(
    db: Database, catalog: SystemCatalog, year: int, system_id: str
) -> tuple[RoundResults, Evaluation]:
    """Results of an unpublished round from its accepted submissions now: scored afresh on every call."""
    with db.read() as session:
        round_row, system = _round_and_system(session, catalog, year, system_id)
        inputs = round_inputs(session, round_row, system)
    evaluation = evaluate_inputs(system, year, inputs)
    document = snapshot_document(year, system, inputs, evaluation)
    return RoundResults.from_document(document, None, published=False), evaluation
