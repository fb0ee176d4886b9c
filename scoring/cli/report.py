"""``digiscore report``: the annual evaluation report in Word, Excel and HTML, from the command line.

The report package is imported when the command runs (it loads python-docx, openpyxl and the chart code).
"""

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
    err,
    evaluate_files,
    progress,
    reports_errors,
)
from scoring.cli.help import bilingual


def charts_possible() -> bool:
    """Whether the report's charts can be drawn: without the CJK font (Noto Sans CJK) they cannot, and the
    report is written without them after one warning that says how to install the font."""
    from scoring.report.fonts import font_problem

    missing = font_problem()
    if missing is None:
        return True
    for problem in missing.problems:
        err.print(
            f"[yellow]警告 warning[/]: {problem.message_zh}\n{problem.message_en}\n"
            "报告照常生成，但不含图表（表格中有全部数字） / the report is written without charts "
            "(its tables carry every number)"
        )
    return False


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""
    app.command()(report)


@reports_errors
def report(
    data: DataArgument,
    year: YearOption,
    out: Annotated[
        Path,
        typer.Option(
            metavar="DIR",
            help=bilingual(
                "输出目录（report.docx、report.xlsx、report.html）",
                "folder for report.docx, report.xlsx and report.html",
            ),
        ),
    ],
    system: SystemOption = DEFAULT_SYSTEM,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help=bilingual(
                "docx、xlsx 或 html（可重复；默认三种都写）",
                "docx, xlsx or html (repeat; default: all three)",
            ),
        ),
    ] = None,
    issuer: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help=bilingual("编制单位，印在封面", "issuing office, printed on the cover")
        ),
    ] = None,
    issued: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help=bilingual(
                "封面发布日期 YYYY-MM-DD（默认不印，文件逐字节可复现）",
                "date on the cover, YYYY-MM-DD (default: none, so the bytes are reproducible)",
            ),
        ),
    ] = None,
    charts: Annotated[
        bool,
        typer.Option(
            help=bilingual(
                "绘制图表（需要中文字体 Noto Sans CJK；没有时不画图表并提示）",
                "draw the charts (they need the Noto Sans CJK font; without it the report has none, with a warning)",
            )
        ),
    ] = True,
    previous_system: Annotated[
        str | None,
        typer.Option(
            metavar="SYSTEM",
            help=bilingual(
                "上一轮评价所用的指标体系版本（路径、文件名或 id）；与本轮不同时，附录六比较两版",
                "the system version the previous round used (path, file stem or id); when it differs, "
                "appendix 6 compares the two versions on this year's data",
            ),
        ),
    ] = None,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            metavar="LANG",
            help=bilingual(
                "报告语言：zh（中文，默认）或 en（英文版，名称取指标体系文件的 name_en）",
                "the report's language: zh (Chinese, default) or en (English edition; names from the system "
                "file's name_en)",
            ),
        ),
    ] = "zh",
    force: ForceOption = False,
) -> None:
    """生成年度综合评价报告：report.docx、report.xlsx 和 report.html。

    Write the annual evaluation report as report.docx, report.xlsx and report.html.
    """
    from datetime import date

    from scoring.report import FORMATS, ReportOptions, build_reports

    if lang not in ("zh", "en"):
        raise typer.BadParameter(
            f"--lang 只能是 zh（中文）或 en（英文），不能是“{lang}” / --lang must be zh or en, not '{lang}'"
        )
    chosen = tuple(formats or FORMATS)
    for fmt in chosen:
        if fmt not in FORMATS:
            raise typer.BadParameter(
                f"不支持的报告格式“{fmt}”，请改用 {'、'.join(FORMATS)} / unknown format '{fmt}': choose from "
                f"{', '.join(FORMATS)}"
            )
    try:
        issued_on = date.fromisoformat(issued) if issued else None
    except ValueError:
        raise typer.BadParameter(
            f"--issued 须为“年-月-日”格式的日期，如 2025-03-31，不能是“{issued}” / --issued must be a date "
            f"YYYY-MM-DD, e.g. 2025-03-31, not '{issued}'"
        ) from None
    evaluation = evaluate_files(system, year, data, force)
    charts = charts and charts_possible()
    options = ReportOptions(
        issuer=issuer, issued=issued_on, charts=charts, lang="en" if lang == "en" else "zh"
    )
    previous = evaluate_files(previous_system, year, data, force) if previous_system else None
    with progress("生成报告 writing the report") as advance:
        advance(0, None)
        files = build_reports(evaluation, chosen, options, previous)
    out.mkdir(parents=True, exist_ok=True)
    for fmt, content in files.items():
        path = out / f"report.{fmt}"
        path.write_bytes(content)
        console.print(f"报告已写入 / report written → {path}（{len(content) / 1024:.0f} KB）")
