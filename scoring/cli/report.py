"""``digiscore report``: the annual evaluation report in Word, Excel and HTML, from the command line.

The report package is imported when the command runs (it loads python-docx, openpyxl and the chart code).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scoring.cli.common import (
    DEFAULT_SYSTEM,
    DataArgument,
    ForceOption,
    SystemOption,
    YearOption,
    console,
    evaluate_files,
    reports_errors,
)


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""
    app.command()(report)


@reports_errors
def report(
    data: DataArgument,
    year: YearOption,
    out: Annotated[Path, typer.Option(help="directory for report.docx, report.xlsx and report.html")],
    system: SystemOption = DEFAULT_SYSTEM,
    formats: Annotated[
        list[str] | None, typer.Option("--format", help="docx, xlsx or html (repeat; default: all three)")
    ] = None,
    issuer: Annotated[str | None, typer.Option(help="编制单位, printed on the cover")] = None,
    issued: Annotated[
        str | None,
        typer.Option(help="发布日期 YYYY-MM-DD on the cover (default: none, reproducible bytes)"),
    ] = None,
    charts: Annotated[bool, typer.Option(help="draw the charts (needs the Noto Sans CJK font)")] = True,
    force: ForceOption = False,
) -> None:
    """Write the annual evaluation report (综合评价报告) as report.docx, report.xlsx and report.html."""
    from datetime import date

    from scoring.report import FORMATS, ReportOptions, build_reports

    chosen = tuple(formats or FORMATS)
    for fmt in chosen:
        if fmt not in FORMATS:
            raise typer.BadParameter(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    try:
        issued_on = date.fromisoformat(issued) if issued else None
    except ValueError:
        raise typer.BadParameter(f"--issued must be YYYY-MM-DD, not {issued!r}") from None
    evaluation = evaluate_files(system, year, data, force)
    files = build_reports(evaluation, chosen, ReportOptions(issuer=issuer, issued=issued_on, charts=charts))
    out.mkdir(parents=True, exist_ok=True)
    for fmt, content in files.items():
        path = out / f"report.{fmt}"
        path.write_bytes(content)
        console.print(f"报告已写入 / report written → {path}（{len(content) / 1024:.0f} KB）")
