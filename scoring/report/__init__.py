"""The annual evaluation report (综合评价报告) in Word, Excel and HTML, built from one evaluation.

Pure builders: an :class:`~scoring.evaluate.Evaluation` in, bytes out; nothing is read from or written to disk.

>>> files = build_reports(evaluation)                 # {"docx": b"...", "xlsx": b"...", "html": b"..."}
>>> docx_bytes = build_report(evaluation, "docx")     # one format (what the HTTP service calls)

The evaluation is analysed once, in the analysis layer (:mod:`scoring.analysis.report_data`, with the robustness
analysis under ``ReportOptions.robustness``); the report computes nothing of its own. The chapters
(:mod:`scoring.report.chapters`, one module each) are written once as format-neutral blocks, which the Word and
HTML writers render, and each writes its own Excel sheets; the charts are drawn once
(:mod:`scoring.report.charts`) and the same PNG bytes go into the Word and the HTML file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from scoring.report.errors import ReportError, unknown_format
from scoring.report.options import ReportOptions

if TYPE_CHECKING:
    from scoring.evaluate import Evaluation

FORMATS = ("docx", "xlsx", "html")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def build_reports(
    evaluation: Evaluation,
    formats: Sequence[str] = FORMATS,
    options: ReportOptions | None = None,
    previous: Evaluation | None = None,
) -> dict[str, bytes]:
    """The report in each of ``formats`` (``docx``, ``xlsx``, ``html``), sharing one analysis and one set of
    charts. ``previous``: the same data evaluated with the system version the previous round used; when that
    file differs from this round's, 附录六 compares the two versions (docs/report.md). Raises :class:`ReportError` for an unknown format, or when charts are wanted and no CJK font is
    installed (``report.font_missing``). ``options.lang`` chooses the edition's language (Chinese, or the
    English edition with the same content)."""
    from scoring.report.language import language

    options = options or ReportOptions()
    for fmt in formats:
        if fmt not in FORMATS:
            raise unknown_format(fmt, FORMATS)
    with language(
        options.lang
    ):  # every text of the build in the edition's language (scoring.report.language)
        return _build(evaluation, formats, options, previous)


def _build(
    evaluation: Evaluation, formats: Sequence[str], options: ReportOptions, previous: Evaluation | None
) -> dict[str, bytes]:
    from scoring.analysis.report_data import analyse
    from scoring.report.chapters import CHAPTERS
    from scoring.report.charts import render_charts
    from scoring.report.content import build_document
    from scoring.report.language import localise

    evaluation = localise(evaluation)
    previous = localise(previous) if previous is not None else None
    # 附录五 is in every edition (the workbook's sheet 稳健性分析), so the analysis runs whenever it is asked for
    data = analyse(evaluation, options.robustness, previous)
    document = build_document(data, options, CHAPTERS)
    charts: dict[str, bytes] = {}
    if options.charts and {"docx", "html"} & set(formats):
        charts = render_charts(data, [figure.chart for figure in document.figures])
    out: dict[str, bytes] = {}
    for fmt in formats:
        if fmt == "docx":
            from scoring.report.word import to_docx

            out[fmt] = to_docx(document, charts)
        elif fmt == "xlsx":
            from datetime import datetime

            from scoring.report.excel import to_xlsx

            created = (
                datetime(options.issued.year, options.issued.month, options.issued.day)
                if options.issued
                else None
            )
            out[fmt] = to_xlsx(data, document, CHAPTERS, created)
        else:
            from scoring.report.webpage import to_html

            out[fmt] = to_html(document, charts)
    return out


def build_report(
    evaluation: Evaluation, fmt: str, options: ReportOptions | None = None, previous: Evaluation | None = None
) -> bytes:
    """The report in one format: ``docx``, ``xlsx`` or ``html`` (see :func:`build_reports`)."""
    return build_reports(evaluation, (fmt,), options, previous)[fmt]


__all__ = ["FORMATS", "MEDIA_TYPES", "ReportError", "ReportOptions", "build_report", "build_reports"]
