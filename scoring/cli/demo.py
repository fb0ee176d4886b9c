"""``digiscore demo``: the whole flow on the shipped sample data."""

from pathlib import Path
from typing import Annotated

import typer

from scoring.cli.common import (
    DEFAULT_SYSTEM,
    YearOption,
    console,
    err,
    print_problems,
    progress,
    reports_errors,
    resolve_system,
)
from scoring.cli.data import print_explanation, print_ranking
from scoring.cli.help import bilingual
from scoring.cli.report import charts_possible
from scoring.problems import Severity


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""
    app.command()(demo)


@reports_errors
def demo(
    out: Annotated[
        Path,
        typer.Option(
            metavar="DIR", help=bilingual("结果与报告的输出目录", "folder for the results and report")
        ),
    ] = Path("out/demo"),
    year: YearOption = 2024,
) -> None:
    """演示完整流程：对随附的济南 14 份填报表评分，写出结果与年度报告。

    The whole flow on the shipped sample data: score the 14 Jinan forms, write the results and the annual report.

    写出 csv/json/xlsx 结果和 report.docx/xlsx/html，显示排名并分解第一名的得分。

    Writes csv/json/xlsx results and report.docx/xlsx/html, shows the ranking and explains the leader's score.
    """
    from scoring.evaluate import evaluate
    from scoring.io import read_data
    from scoring.outputs import write_results
    from scoring.shipped import sample_inputs_dir

    indicator_system = resolve_system(DEFAULT_SYSTEM)
    forms_dir = sample_inputs_dir() / "jinan" / "forms"
    forms = sorted(forms_dir.glob("*.xlsx"))
    if not forms:
        err.print(
            f"[red]找不到样例填报表（{forms_dir}）；请重新安装 digiscore / no sample forms in {forms_dir}; "
            "reinstall digiscore[/]"
        )
        raise typer.Exit(2)
    with progress("读取数据 reading the data") as advance:
        dataset = read_data(forms, indicator_system, progress=advance)
    print_problems([p for p in dataset.problems if p.severity is not Severity.INFO], indicator_system)
    evaluation = evaluate(indicator_system, dataset, year)
    out.mkdir(parents=True, exist_ok=True)
    for suffix in ("csv", "json", "xlsx"):
        write_results(evaluation, out / f"results_{year}.{suffix}")
    from scoring.report import ReportOptions, build_reports

    options = ReportOptions(charts=charts_possible())  # without the CJK font: no charts, one warning
    with progress("生成报告 writing the report") as advance:
        advance(0, None)
        reports = build_reports(evaluation, options=options)
    for fmt, content in reports.items():
        (out / f"report_{year}.{fmt}").write_bytes(content)
    print_ranking(evaluation)
    leader = evaluation.long_table().iloc[0]["unit_code"]
    print_explanation(evaluation, str(leader))
    console.print(f"读取 {len(forms)} 份填报表；结果与年度报告已写入 / results and report written → {out}")
