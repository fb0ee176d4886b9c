"""Errors of the report builders, as problems with Chinese and English messages (codes ``report.*`` in the one
message table, :data:`scoring.problems.MESSAGES`)."""

from __future__ import annotations

from scoring.problems import DigiscoreError, Problem


class ReportError(DigiscoreError):
    """The report cannot be built (no CJK font for the charts, an unknown format)."""


def font_missing(searched: str) -> ReportError:
    return ReportError(Problem("report.font_missing", params={"searched": searched}))


def unknown_format(fmt: str, choices: tuple[str, ...]) -> ReportError:
    return ReportError(Problem("report.unknown_format", params={"fmt": fmt, "choices": ", ".join(choices)}))
