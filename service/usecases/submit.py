"""Submission use cases: a unit's blank form, an upload (validated and stored as the unit's next version,
whatever its outcome), and a stored version's file."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from scoring.io import write_template
from scoring.io.references import reference_problems
from scoring.io.template import FormFill
from scoring.problems import Problem
from scoring.system import IndicatorSystem
from service.auth import Principal
from service.context import ServiceContext
from service.errors import ServiceError
from service.rounds import find_round
from service.submissions import (
    OUTCOME_UNUSABLE,
    OUTCOME_VALID,
    ParsedUpload,
    detail,
    find_submission,
    parse_upload,
    reference_values,
    store_submission,
)
from service.text import clean_content_type, clean_file_name
from service.usecases.rounds import RoundWithSystem, round_with_system, system_of

FORM_YEARS = 3  # the round's year and the two before it, for the year-over-year change


@dataclass(frozen=True)
class Download:
    """Bytes to send as a file: the content, its file name and media type, and its sha256 when stored."""

    content: bytes
    file_name: str
    media_type: str
    sha256: str | None = None


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def form_years(year: int) -> list[int]:
    """The years a round's form asks for: the round's year and the two before it."""
    return list(range(year - FORM_YEARS + 1, year + 1))


def form_bytes(system: IndicatorSystem, unit: str, years: list[int], fill: FormFill | None = None) -> bytes:
    """A unit's form as xlsx bytes: blank, or filled (``scoring.io.template.FormFill``)."""
    with tempfile.TemporaryDirectory(prefix="digiscore-form-") as directory:
        path = Path(directory) / "form.xlsx"
        write_template(system, unit, path, years, fill)
        return path.read_bytes()


def blank_form(context: ServiceContext, year: int, unit: str, system: str | None = None) -> Download:
    """The blank form (填报表) of a unit for the round: the round's year and the two before it; the file name
    names the system."""
    found = round_with_system(context, year, system)
    found.known_unit(unit)
    evaluated = found.system
    content = form_bytes(evaluated, unit, form_years(year))
    return Download(content, f"{unit}_{evaluated.unit_names[unit]}_{evaluated.id}_{year}.xlsx", XLSX)


@dataclass(frozen=True)
class Submitted:
    """An upload stored as a version: its number, outcome, problems and validation report."""

    year: int
    system: str
    unit: str
    version: int
    outcome: str
    errors: int
    problems: list[Problem]
    report: dict[str, Any]

    @property
    def acceptable(self) -> bool:
        """No error: a reviewer may accept it."""
        return self.outcome == OUTCOME_VALID

    @property
    def unusable(self) -> bool:
        """Refused by the safety checks or not readable at all."""
        return self.outcome == OUTCOME_UNUSABLE

    @property
    def location(self) -> str:
        """The version's URL in the API (naming its system)."""
        return f"/rounds/{self.year}/units/{self.unit}/submissions/{self.version}?system={self.system}"


def submit_upload(
    context: ServiceContext,
    principal: Principal,
    year: int,
    unit: str,
    stream: IO[bytes],
    file_name: str | None,
    content_type: str | None,
    idempotency_key: str | None = None,
    system: str | None = None,
) -> Submitted:
    """Validate an upload for ``unit`` in the open round of ``year`` and store it as the unit's next version.

    404 for an unknown round or unit, 409 when the round takes no upload of the unit now (closed, past its
    deadline or published, without an admin's leave for the unit), 413 (slug ``too-large``) over the size
    limit; otherwise the upload is stored whatever its outcome, and the outcome says whether it can be accepted.
    File name and content type are cleaned (``service.text``). A retry carrying the ``idempotency_key`` of an
    earlier upload of the same bytes stores nothing and answers with that version (:mod:`service.uploads`).
    """
    found = round_with_system(context, year, system)
    found.known_unit(unit)
    found.require_uploads()
    found.require_upload(context, unit)
    limit = context.settings.max_upload_bytes
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise ServiceError(413, "too-large", f"the file is larger than {limit} bytes")
    name = clean_file_name(file_name)
    parsed = parse_upload(content, name, unit, year, found.system, context.settings.upload_limits)
    parsed = with_reference_warnings(context, found, unit, parsed)
    row = store_submission(
        context.db,
        year,
        found.system_id,
        unit,
        name,
        clean_content_type(content_type),
        content,
        parsed,
        principal,
        context.now(),
        idempotency_key=idempotency_key,
    )
    with context.db.read() as session:
        report = detail(session, find_round(session, year, found.system_id), row)
    return Submitted(
        year, found.system_id, unit, row.version, parsed.outcome, parsed.errors, parsed.problems, report
    )


def with_reference_warnings(
    context: ServiceContext, found: RoundWithSystem, unit: str, parsed: ParsedUpload
) -> ParsedUpload:
    """The upload with the warnings of its values against the unit's last accepted values and the median of
    the units already accepted in the round (``scoring.io.references``); they are stored with its problems."""
    if parsed.outcome == OUTCOME_UNUSABLE or parsed.values.empty:
        return parsed
    with context.db.read() as session:
        references = reference_values(session, find_round(session, found.year, found.system_id), unit)
    warnings = reference_problems(
        found.system, unit, found.year, parsed.values, references.last, references.others
    )
    return replace(parsed, problems=parsed.problems + warnings) if warnings else parsed


def uploaded_file(
    context: ServiceContext, year: int, unit: str, version: int, system: str | None = None
) -> Download:
    """A version's bytes as uploaded (their sha256 is the version's)."""
    chosen = system_of(context, year, system)
    with context.db.read() as session:
        row = find_submission(session, find_round(session, year, chosen), unit, version)
        return Download(row.content, row.file_name, "application/octet-stream", row.sha256)
