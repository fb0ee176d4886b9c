"""Evidence use cases (佐证材料): attach a file to an indicator of a version, list a version's files with the
required ones still missing, and download one — shared by the JSON API and the dashboard."""

from __future__ import annotations

from typing import IO, Any

from scoring.io.evidence import check_evidence
from scoring.problems import Problem
from service import evidence as storage
from service.auth import Principal
from service.context import ServiceContext
from service.errors import ServiceError
from service.rounds import find_round
from service.submissions import find_submission
from service.text import clean_file_name
from service.usecases.rounds import round_with_system
from service.usecases.submit import Download


def attach_evidence(
    context: ServiceContext,
    principal: Principal,
    year: int,
    unit: str,
    version: int,
    indicator: str,
    stream: IO[bytes],
    file_name: str | None,
    system: str | None = None,
) -> storage.Attached:
    """Check an evidence file from its bytes (``scoring.io.evidence``) and attach it to ``indicator`` of the
    unit's version. 404 for an unknown round, unit, version or indicator; 413 over the size limit and 422 for a
    file refused by the checks (each with the problem in Chinese and English) — nothing is stored then; 409 when
    the version takes no evidence now (``service.evidence``) or the indicator has the most files allowed."""
    found = round_with_system(context, year, system)
    found.known_unit(unit)
    found.require_uploads()
    if indicator not in {node.code for node in found.system.district_collected}:
        problem = Problem(
            "evidence.unknown_indicator",
            indicator=indicator,
            params={"system": found.system_id, "indicator": indicator},
        )
        raise ServiceError(404, "not-found", problem.message_en, [problem])
    limits = context.settings.evidence_limits
    content = stream.read(limits.max_bytes + 1)  # never more: the declared size is not trusted
    name = clean_file_name(file_name, "evidence")
    kind, problems = check_evidence(content, name, limits)
    if kind is None:
        problem = problems[0]
        too_large = problem.code == "evidence.too_large"  # read only up to one byte over the limit
        raise ServiceError(
            413 if too_large else 422,
            "too-large" if too_large else "evidence-refused",
            problem.message_en,
            [problem],
        )
    return storage.attach(
        context.db,
        year,
        found.system_id,
        unit,
        version,
        indicator,
        name,
        kind,
        content,
        principal,
        context.now(),
        context.settings.max_evidence_files,
    )


def version_evidence(
    context: ServiceContext, year: int, unit: str, version: int, system: str | None = None
) -> dict[str, Any]:
    """A version's evidence files, the indicators requiring evidence and those of them still missing."""
    found = round_with_system(context, year, system)
    with context.db.read() as session:
        row = find_submission(session, find_round(session, year, found.system_id), unit, version)
        return {
            "year": year,
            "system": found.system_id,
            "unit_code": unit,
            "version": version,
            "evidence": storage.listing(session, row),
            "required": storage.required_codes(found.system),
            "missing": storage.missing_of(session, found.system, year, row),
        }


def evidence_file(
    context: ServiceContext, year: int, unit: str, version: int, evidence_id: int, system: str | None = None
) -> Download:
    """An evidence file's bytes as attached, with the media type read from them and their sha256."""
    found = round_with_system(context, year, system)
    with context.db.read() as session:
        row = find_submission(session, find_round(session, year, found.system_id), unit, version)
        evidence, content = storage.evidence_bytes(session, row, evidence_id)
        return Download(content, evidence.file_name, evidence.media_type, evidence.sha256)
