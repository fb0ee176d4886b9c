"""Evidence files (佐证材料) of submissions: stored by sha256, attached to one indicator of a version.

A version's evidence is every file attached to it **and to the unit's earlier versions in the round**: a
district that uploads a corrected form keeps the evidence it gave (a file is never removed: like submissions and
reviews, evidence rows are only inserted). Files are attached to the unit's latest version while it awaits review
and while the round takes the unit's uploads (open and on time, or on an admin's leave) — once a version is
accepted or returned, what the reviewer saw stays what they saw. The bytes are kept once per sha256
(``evidence_blobs``), in the database, so backups carry them like every other row.

An indicator whose system node says ``evidence: required`` needs at least one file when the version gives it a
value for the round's year (a blank or 不适用 needs none: its 备注 says why); :func:`missing_required` names the
indicators that lack it, and a version lacking any cannot be accepted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.data import STATUS_VALUE
from scoring.io.evidence import EvidenceKind
from scoring.problems import Problem, Severity
from scoring.system import IndicatorSystem
from service import audit
from service.auth import Principal
from service.db import Database
from service.deadlines import upload_gate
from service.errors import ServiceError, not_found
from service.submissions import (
    _review_states,
    find_submission,
    round_for_update,
    status_of,
    values_from_json,
)
from service.tables import EvidenceBlobRow, EvidenceRow, RoundRow, SubmissionRow

ATTEMPTS = 3  # two units attaching the same new file at once: the second insert of its blob retries


def summary(row: EvidenceRow, version: int) -> dict[str, Any]:
    """An evidence file as lists show it: no bytes; ``version`` is the one it was attached to."""
    return {
        "id": row.id,
        "indicator_code": row.indicator_code,
        "file_name": row.file_name,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "version": version,
        "uploaded_by": row.uploaded_by,
        "uploaded_at": row.uploaded_at.isoformat(),
    }


def chain(session: Session, row: SubmissionRow) -> list[tuple[EvidenceRow, int]]:
    """The evidence of a version: the files attached to it and to the unit's earlier versions in the round,
    oldest first, each with the version it was attached to."""
    found = session.execute(
        select(EvidenceRow, SubmissionRow.version)
        .join(SubmissionRow, SubmissionRow.id == EvidenceRow.submission_id)
        .where(
            SubmissionRow.round_id == row.round_id,
            SubmissionRow.unit_code == row.unit_code,
            SubmissionRow.version <= row.version,
        )
        .order_by(EvidenceRow.id)
    ).all()
    return [(evidence, int(version)) for evidence, version in found]


def listing(session: Session, row: SubmissionRow) -> list[dict[str, Any]]:
    """:func:`chain` as summaries."""
    return [summary(evidence, version) for evidence, version in chain(session, row)]


def required_codes(system: IndicatorSystem) -> list[str]:
    """The indicators a district fills in itself whose system node requires evidence, in form order (one a
    department supplies is not the district's to back)."""
    return [node.code for node in system.district_collected if node.evidence == "required"]


def missing_required(
    system: IndicatorSystem, year: int, values: pd.DataFrame, attached: set[str]
) -> list[str]:
    """The indicators requiring evidence that a version gives a value of ``year`` for and that have no
    evidence file (``attached``: the indicator codes with one), in form order."""
    required = required_codes(system)
    if not required:
        return []
    given = values[(values["year"] == year) & (values["status"] == STATUS_VALUE)]["indicator_code"]
    valued = {str(code) for code in given}
    return [code for code in required if code in valued and code not in attached]


def missing_of(session: Session, system: IndicatorSystem, year: int, row: SubmissionRow) -> list[str]:
    """:func:`missing_required` of a stored version."""
    if not required_codes(system):
        return []
    attached = {evidence.indicator_code for evidence, _ in chain(session, row)}
    return missing_required(system, year, values_from_json(row.unit_code, row.values_json), attached)


def require_complete(session: Session, system: IndicatorSystem, year: int, row: SubmissionRow) -> None:
    """409 ``evidence-missing`` naming the indicators whose required evidence the version lacks."""
    missing = missing_of(session, system, year, row)
    if not missing:
        return
    names = {node.code: node.name for node in system.collected}
    listed = "、".join(f"{code} {names.get(code, '')}".strip() for code in missing)
    problem = Problem(
        "evidence.required_missing",
        Severity.ERROR,
        unit=row.unit_code,
        params={"unit": row.unit_code, "version": row.version, "indicators": listed},
    )
    raise ServiceError(409, "evidence-missing", problem.message_en, [problem], missing=missing)


@dataclass(frozen=True)
class Attached:
    """An evidence file as stored, and whether this request stored it (False: the same bytes were already
    attached to the indicator)."""

    evidence: dict[str, Any]
    created: bool


def attach(
    db: Database,
    year: int,
    system: str,
    unit_code: str,
    version: int,
    indicator_code: str,
    file_name: str,
    kind: EvidenceKind,
    content: bytes,
    principal: Principal,
    now: datetime,
    max_files: int,
) -> Attached:
    """Attach checked bytes to ``indicator_code`` of a version (see the module docstring for when); audited.
    The same bytes attached again to the same indicator store nothing and answer with the earlier file."""
    digest = hashlib.sha256(content).hexdigest()
    for attempt in range(ATTEMPTS):
        try:
            with db.write() as session:
                round_row = round_for_update(session, db, year, system, exclusive=False)
                if not db.is_sqlite:  # the unit's lock, as an upload takes it: no new version meanwhile
                    session.execute(
                        select(func.pg_advisory_xact_lock(round_row.id, func.hashtext(unit_code)))
                    )
                gate = upload_gate(session, round_row, unit_code, now)
                row = find_submission(session, round_row, unit_code, version)
                _require_attachable(session, round_row, row)
                given = chain(session, row)
                for evidence, attached_to in given:
                    if evidence.indicator_code == indicator_code and evidence.sha256 == digest:
                        return Attached(summary(evidence, attached_to), False)
                count = sum(1 for evidence, _ in given if evidence.indicator_code == indicator_code)
                if count >= max_files:
                    problem = Problem(
                        "evidence.too_many",
                        unit=unit_code,
                        indicator=indicator_code,
                        params={
                            "unit": unit_code,
                            "version": version,
                            "indicator": indicator_code,
                            "count": count,
                            "limit": max_files,
                        },
                    )
                    raise ServiceError(409, "evidence-too-many", problem.message_en, [problem])
                if session.get(EvidenceBlobRow, digest) is None:
                    session.add(
                        EvidenceBlobRow(sha256=digest, size=len(content), content=content, stored_at=now)
                    )
                    session.flush()
                evidence = EvidenceRow(
                    submission_id=row.id,
                    indicator_code=indicator_code,
                    file_name=file_name,
                    media_type=kind.media_type,
                    size=len(content),
                    sha256=digest,
                    uploaded_by=principal.token_id,
                    uploaded_at=now,
                )
                session.add(evidence)
                session.flush()
                audit.record(
                    session,
                    principal,
                    "evidence.attach",
                    f"{audit.round_target(year, system)}/unit:{unit_code}/v{version}/indicator:{indicator_code}",
                    now,
                    digest,
                    file_name=file_name,
                    media_type=kind.media_type,
                    size=len(content),
                    **gate,
                )
                return Attached(summary(evidence, version), True)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _require_attachable(session: Session, round_row: RoundRow, row: SubmissionRow) -> None:
    """409 ``evidence-version-closed`` unless the version is the unit's latest and not yet reviewed."""
    latest = session.execute(
        select(func.max(SubmissionRow.version)).where(
            SubmissionRow.round_id == round_row.id, SubmissionRow.unit_code == row.unit_code
        )
    ).scalar()
    state = status_of(row, _review_states(session, [row.id]).get(row.id))
    if latest != row.version:
        why, why_en = f"已不是最新版本（最新为第 {latest} 版）", f"is not the latest (version {latest} is)"
    elif state in ("accepted", "returned"):
        words = {"accepted": ("已被接受", "was accepted"), "returned": ("已被退回", "was returned")}
        why, why_en = words[state]
    else:
        return
    problem = Problem(
        "evidence.version_closed",
        unit=row.unit_code,
        params={"unit": row.unit_code, "version": row.version, "why": why, "why_en": why_en},
    )
    raise ServiceError(409, "evidence-version-closed", problem.message_en, [problem])


def evidence_bytes(session: Session, row: SubmissionRow, evidence_id: int) -> tuple[EvidenceRow, bytes]:
    """An evidence file of a version (its own or carried from an earlier version) with its bytes; 404 for a
    file that is not among the version's."""
    for evidence, _ in chain(session, row):
        if evidence.id == evidence_id:
            blob = session.get(EvidenceBlobRow, evidence.sha256)
            assert blob is not None  # a foreign key
            return evidence, blob.content
    raise not_found(f"evidence file {evidence_id} of version {row.version} of unit {row.unit_code}")
