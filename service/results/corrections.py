"""Corrections (更正) of a published round: the only way its results change after publication.

A correction scores the round again from each unit's latest accepted version now and freezes the result as the
round's next snapshot version, with the reason; the earlier snapshots stay as they were (the same rows, so the
same bytes and sha256) and stay addressable by version. The current results are the newest version. What may
change the accepted versions of a published round — a review, an upload an admin allowed for a unit — changes
nothing published until a correction is published.

The difference between two versions (:func:`version_diff`) names who moved on the composite and by how much
(score and rank), the inputs that changed (unit, version before and after) and the correction's reason.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select

from scoring.problems import Problem, Severity
from service import audit
from service.auth import Principal
from service.db import Database
from service.errors import ServiceError, conflict, not_found
from service.results.publishing import (
    _round_and_system,
    confirm_missing_units,
    correction_record,
    encode_document,
    evaluate_inputs,
    find_snapshot,
    missing_unit_names,
    round_inputs,
    snapshot_document,
)
from service.results.snapshots import RoundResults
from service.submissions import round_for_update, round_query
from service.systems import SystemCatalog
from service.tables import RoundRow, SnapshotRow


def _changed_inputs(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per unit whose input differs: the version used before and after (None: no accepted version)."""
    old = {row["unit_code"]: row["version"] for row in before}
    new = {row["unit_code"]: row["version"] for row in after}
    return [
        {"unit_code": unit, "before": old.get(unit), "after": new.get(unit)}
        for unit in sorted(set(old) | set(new))
        if old.get(unit) != new.get(unit)
    ]


def correction_check(db: Database, catalog: SystemCatalog, year: int, system_id: str) -> dict[str, Any]:
    """What a correction of the published round would freeze now: the inputs that changed since the current
    version (unit, version before and after) and the units still without an accepted version."""
    with db.read() as session:
        round_row, system = _round_and_system(session, catalog, year, system_id)
        if round_row.status != "published":
            raise conflict("round-not-published", f"round {year} is {round_row.status}: nothing to correct")
        current = find_snapshot(session, round_row)
        inputs = round_inputs(session, round_row, system)
        stored = json.loads(zlib.decompress(current.document))
    now = [{"unit_code": r.unit_code, "version": r.version} for r in inputs]
    return {
        "year": year,
        "system_id": system_id,
        "current_version": current.version,
        "changed": _changed_inputs(stored["inputs"], now),
        "missing_units": missing_unit_names(system, inputs),
    }


def publish_correction(
    db: Database,
    catalog: SystemCatalog,
    year: int,
    system_id: str,
    principal: Principal,
    now: datetime,
    reason: str,
    confirmed_missing: list[str] | None = None,
) -> dict[str, Any]:
    """Freeze the published round's results again, from each unit's latest accepted version now, as its next
    version with ``reason``; audited. 409 ``nothing-to-correct`` when the inputs are those of the current
    version (the results would be the same bytes); ``missing-units-changed`` as for publishing."""
    with db.read() as session:
        round_row, system = _round_and_system(session, catalog, year, system_id)
        if round_row.status != "published":
            raise conflict("round-not-published", f"round {year} is {round_row.status}: nothing to correct")
        current = find_snapshot(session, round_row)
        inputs = round_inputs(session, round_row, system)
    if [r.id for r in inputs] == json.loads(current.inputs_json):
        problem = Problem(
            "round.nothing_to_correct", Severity.ERROR, year=year, params={"version": current.version}
        )
        raise ServiceError(409, "nothing-to-correct", problem.message_en, [problem])
    missing = confirm_missing_units(system, inputs, year, confirmed_missing)
    version = current.version + 1
    correction = {
        "version": version,
        "reason": reason,
        "replaces": {"version": current.version, "sha256": current.sha256},
    }
    evaluation = evaluate_inputs(system, year, inputs)
    document = encode_document(snapshot_document(year, system, inputs, evaluation, True, correction))
    digest = hashlib.sha256(document).hexdigest()
    with db.write() as session:
        round_row = round_for_update(session, db, year, system_id, exclusive=True)
        newest = session.execute(
            select(func.max(SnapshotRow.version)).where(SnapshotRow.round_id == round_row.id)
        ).scalar()
        if round_row.status != "published" or newest != current.version:
            raise conflict("round-corrected", f"round {year} changed while correcting; correct again")
        if [r.id for r in round_inputs(session, round_row, system)] != [r.id for r in inputs]:
            raise conflict("inputs-changed", "reviews changed while correcting; correct again")
        session.add(
            SnapshotRow(
                round_id=round_row.id,
                version=version,
                reason=reason,
                sha256=digest,
                document=zlib.compress(document, 6),
                inputs_json=json.dumps([r.id for r in inputs]),
                created_at=now,
                created_by=principal.token_id,
            )
        )
        audit.record(
            session,
            principal,
            "round.correct",
            audit.round_target(year, system_id),
            now,
            digest,
            version=version,
            reason=reason,
            replaces=current.sha256,
            missing_units=missing,
        )
    return {
        "year": year,
        "system_id": system_id,
        "version": version,
        "sha256": digest,
        "reason": reason,
        "replaces": correction["replaces"],
        "units": [r.unit_code for r in inputs],
        "missing_units": missing,
        "bytes": len(document),
    }


def _version_info(year: int, system_id: str, row: Any) -> dict[str, Any]:
    base = f"/rounds/{year}/results/versions/{row.version}"
    query = f"?system={quote(system_id)}"
    return {
        "version": row.version,
        "sha256": row.sha256,
        "created_at": row.created_at.isoformat(),
        "created_by": row.created_by,
        "reason": row.reason,
        "url": base + query,
        "diff_url": f"{base}/diff{query}" if row.version > 1 else None,
    }


def list_versions(db: Database, year: int, system_id: str) -> list[dict[str, Any]]:
    """Every version of a published round's results, oldest first, the last being the current one."""
    with db.read() as session:
        round_row = _round_row(session, year, system_id)
        rows = session.execute(
            select(
                SnapshotRow.version,
                SnapshotRow.sha256,
                SnapshotRow.created_at,
                SnapshotRow.created_by,
                SnapshotRow.reason,
            )
            .where(SnapshotRow.round_id == round_row.id)
            .order_by(SnapshotRow.version)
        ).all()
    if not rows:
        raise conflict("round-not-published", f"round {year} is not published")
    return [
        _version_info(year, system_id, row) | {"current": row.version == rows[-1].version} for row in rows
    ]


def _round_row(session: Any, year: int, system_id: str) -> RoundRow:
    found: RoundRow | None = session.execute(round_query(year, system_id)).scalar_one_or_none()
    if found is None:
        raise not_found(f"round {year} of system {system_id}")
    return found


def version_bytes(db: Database, year: int, system_id: str, version: int) -> tuple[bytes, str]:
    """A version's results document exactly as frozen, and its sha256."""
    with db.read() as session:
        snapshot = find_snapshot(session, _round_row(session, year, system_id), version)
        return zlib.decompress(snapshot.document), snapshot.sha256


def _composite_rows(document: dict[str, Any]) -> tuple[str, dict[str, dict[str, Any]]]:
    results = RoundResults.from_document(document, None, published=True)
    rows = {row["unit_code"]: row for row in results.by_node.get(results.composite, [])}
    return results.composite, rows


def _moved_first(unit: dict[str, Any]) -> tuple[bool, int, float, str]:
    rank: int = unit["rank_change"] or 0
    score: float = unit["score_change"] or 0.0
    return (not unit["moved"], -abs(rank), -abs(score), str(unit["unit_code"]))


def version_diff(db: Database, year: int, system_id: str, version: int) -> dict[str, Any]:
    """What ``version`` changed against the version before it: per unit on the composite, score and rank
    before and after (moved units first, by the size of the rank change), the inputs that changed, and the
    reason. 404 for version 1 (nothing before it) or a version the round does not have."""
    if version < 2:
        raise not_found(f"a version before version {version} of the results of round {year}")
    with db.read() as session:
        round_row = _round_row(session, year, system_id)
        after_row = find_snapshot(session, round_row, version)
        before_row = find_snapshot(session, round_row, version - 1)
        record = correction_record(session, after_row)
        before = json.loads(zlib.decompress(before_row.document))
        after = json.loads(zlib.decompress(after_row.document))
    composite, old = _composite_rows(before)
    _, new = _composite_rows(after)
    units = []
    for unit in sorted(set(old) | set(new)):
        a, b = old.get(unit, {}), new.get(unit, {})
        score_a, score_b = a.get("score"), b.get("score")
        rank_a, rank_b = a.get("rank"), b.get("rank")
        units.append(
            {
                "unit_code": unit,
                "unit_name": b.get("unit_name") or a.get("unit_name") or unit,
                "score_before": score_a,
                "score_after": score_b,
                "score_change": None if score_a is None or score_b is None else score_b - score_a,
                "rank_before": rank_a,
                "rank_after": rank_b,
                # positive: moved up (a smaller rank number)
                "rank_change": None if rank_a is None or rank_b is None else rank_a - rank_b,
                "moved": score_a != score_b or rank_a != rank_b,
            }
        )
    units.sort(key=_moved_first)
    return {
        "year": year,
        "system_id": system_id,
        "node": composite,
        "version": version,
        "sha256": after_row.sha256,
        "previous": {"version": version - 1, "sha256": before_row.sha256},
        "reason": record["reason"] if record else None,
        "created_at": after_row.created_at.isoformat(),
        "inputs_changed": _changed_inputs(before["inputs"], after["inputs"]),
        "units": units,
        "moved": sum(u["moved"] for u in units),
    }
