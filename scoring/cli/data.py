"""The data commands: ``template``, ``validate``, ``score``, ``explain`` and ``monitor``."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scoring.cli.common import (
    DEFAULT_SYSTEM,
    DataArgument,
    ForceOption,
    OutOption,
    SystemOption,
    UnitOption,
    YearOption,
    check_unit,
    console,
    evaluate_files,
    output_format,
    print_problems,
    print_text,
    progress,
    reports_errors,
    resolve_system,
    show_frame,
)
from scoring.cli.common import table as table_view
from scoring.cli.help import bilingual
from scoring.problems import Severity, SubmissionError, problem_count

if TYPE_CHECKING:
    from scoring.evaluate import Evaluation


def register(app: typer.Typer) -> None:
    """Add the data commands to ``app``."""
    for command in (template, validate, score, explain, monitor):
        app.command()(command)


@reports_errors
def template(
    system: SystemOption = DEFAULT_SYSTEM,
    unit: Annotated[
        str | None,
        typer.Option(metavar="CODE", help=bilingual("区县编码，如 370102", "unit code, e.g. 370102")),
    ] = None,
    department: Annotated[
        str | None,
        typer.Option(
            metavar="CODE",
            help=bilingual(
                "部门编码：生成该部门的空白部门报表（全部区县 × 本部门提供的指标）",
                "department code: the blank department sheet (every unit × the indicators it supplies)",
            ),
        ),
    ] = None,
    all_units: Annotated[
        bool,
        typer.Option(
            "--all",
            help=bilingual(
                "为体系中每个区县各生成一份，写入 --out 目录", "one form per unit, into the folder --out"
            ),
        ),
    ] = False,
    years: Annotated[
        list[int] | None,
        typer.Option(
            "--year",
            metavar="YEAR",
            help=bilingual(
                "年份列（可重复）；默认最近 3 年", "year columns (repeat); default: the last 3 years"
            ),
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            metavar="PATH",
            help=bilingual("单个区县写 F.xlsx；--all 时为目录", "F.xlsx for one unit, a folder with --all"),
        ),
    ] = Path("form.xlsx"),
) -> None:
    """生成区县填报模板（空白表），单个区县或全部区县；或部门的空白部门报表。

    Write the blank district form for one unit or for all; or a department's blank sheet.
    """
    from datetime import date

    from scoring.io import write_all_templates, write_template

    if not all_units:
        output_format((".xlsx",))(out)  # checked before any work; with --all, out is a folder
    indicator_system = resolve_system(system)
    chosen_years = years or [date.today().year - 3 + i for i in range(3)]
    from scoring.io.cells import YEAR_MAX, YEAR_MIN  # the years a form's year column may hold when read

    wrong = [year for year in chosen_years if not YEAR_MIN <= year <= YEAR_MAX]
    if wrong:
        listed = ", ".join(map(str, wrong))
        raise typer.BadParameter(
            f"年份 {listed} 无效；请填写 {YEAR_MIN} 到 {YEAR_MAX} 之间的四位年份，如 2024\nyear {listed} is not "
            f"valid; give four-digit years from {YEAR_MIN} to {YEAR_MAX}, e.g. 2024"
        )
    if department is not None:
        from scoring.io.department_sheet import write_department_sheet

        if department not in indicator_system.department_names:
            zh = "、".join(f"{code} {name}" for code, name in indicator_system.department_names.items())
            en = ", ".join(f"{code} {name}" for code, name in indicator_system.department_names_en.items())
            raise typer.BadParameter(
                f"部门 {department} 不为本指标体系提供任何指标；请改用以下部门编码之一：{zh or '无'} / "
                f"department {department} supplies no indicator of the system; use one of: {en or 'none'}"
            )
        write_department_sheet(indicator_system, department, out, chosen_years)
        console.print(f"已生成部门报表 / department sheet written → {out}")
        return
    if all_units:
        write_all_templates(indicator_system, out, chosen_years)
        console.print(
            f"已生成 {len(indicator_system.units)} 份填报模板 / {len(indicator_system.units)} forms written → {out}"
        )
        return
    if unit is None:
        raise typer.BadParameter(
            "请用 --unit CODE 指定区县，或用 --all 生成全部区县的模板 / give --unit CODE or --all"
        )
    check_unit(indicator_system, unit)
    write_template(indicator_system, unit, out, chosen_years)
    console.print(f"已生成填报模板 / form written → {out}")


@reports_errors
def validate(data: DataArgument, system: SystemOption = DEFAULT_SYSTEM) -> None:
    """检查数据文件：无问题退出码 0，有问题 1（逐条列出），文件无法使用 2。

    Check data files: exit 0 clean, 1 with problems (listed), 2 when a file is unusable.
    """
    from scoring.io import validate_paths

    indicator_system = resolve_system(system)
    try:
        with progress("读取数据 reading the data") as advance:
            dataset, code = validate_paths(data, indicator_system, advance)
    except SubmissionError as exc:
        print_problems(exc.problems, indicator_system)
        raise typer.Exit(2) from None
    print_problems(dataset.problems, indicator_system)
    n = len(dataset.values)
    errors = problem_count(dataset.problems, Severity.ERROR)
    console.print(
        f"读取 {n} 个数值，发现 {errors} 个错误 / read {n} value{'s' * (n != 1)}, {errors} "
        f"error{'s' * (errors != 1)}"
    )
    raise typer.Exit(code)


@reports_errors
def score(
    data: DataArgument,
    year: YearOption,
    out: OutOption,
    system: SystemOption = DEFAULT_SYSTEM,
    force: ForceOption = False,
) -> None:
    """计算得分：综合指数及各级得分、排名、梯队、变化，按 --out 的扩展名写出。

    Score the units: composite and every node, ranks, tiers, change; written by the extension of --out.
    """
    from scoring.outputs import write_results

    evaluation = evaluate_files(system, year, data, force)
    write_results(evaluation, out)
    print_ranking(evaluation)
    console.print(f"结果已写入 / results written → {out}")


@reports_errors
def explain(
    data: DataArgument,
    year: YearOption,
    unit: UnitOption,
    system: SystemOption = DEFAULT_SYSTEM,
    force: ForceOption = False,
) -> None:
    """得分分解：各指标沿指标树对该区县综合指数的贡献（合计等于综合指数）。

    Show each indicator's contribution along its path to the unit's composite (they add up to it).
    """
    check_unit(resolve_system(system), unit)  # before reading the data
    evaluation = evaluate_files(system, year, data, force)
    print_explanation(evaluation, unit)


@reports_errors
def monitor(
    data: DataArgument,
    year: YearOption,
    system: SystemOption = DEFAULT_SYSTEM,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help=bilingual("另将该表写入 F.csv 或 F.xlsx", "also write the table to F.csv or F.xlsx"),
            callback=output_format((".csv", ".xlsx")),
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """规划监测：各指标对照目标值与序时进度的完成情况。

    Plan monitoring: each indicator against its target and the time-elapsed schedule.
    """
    import pandas as pd

    from scoring.analysis.report_data import attainment_detail
    from scoring.pipeline.attainment import STATUSES, status_text

    evaluation = evaluate_files(system, year, data, force)
    table = attainment_detail(
        evaluation, year
    )  # the statuses the report and the dashboard give (one catalogue)
    names = {node.code: node.name for node in evaluation.system.indicators}
    table.insert(3, "indicator_name", table["indicator_code"].map(names))
    view = table_view(f"{evaluation.system.name}（{year} 年）目标完成情况 / target attainment")
    # one column for the indicator and, below it, its units: the names get the width the numbers leave
    view.add_column("指标 / 区县\nindicator / unit", overflow="fold")
    for header in ("数值\nvalue", "序时目标\nexpected", "目标\ntarget", "完成度\nattained"):
        view.add_column(header, justify="right", no_wrap=True)
    view.add_column("状态\nstatus", no_wrap=True)
    shown = None
    for row in table.sort_values(["indicator_code"], kind="stable").itertuples(index=False):
        if row.indicator_code != shown:  # the indicator once, on a line of its own above its units
            if shown is not None:
                view.add_section()
            shown = row.indicator_code
            view.add_row(f"{row.indicator_code} {row.indicator_name}")
        view.add_row(
            "  " + str(evaluation.system.unit_names.get(row.unit_code, row.unit_code)),
            "" if pd.isna(row.value) else f"{row.value:g}",
            "" if pd.isna(row.expected) else f"{row.expected:.4g}",
            f"{row.target:g}（{row.target_year}）" if row.target_year else f"{row.target:g}",
            "" if pd.isna(row.attainment) else f"{row.attainment:.1%}",
            str(row.status),
        )
    console.print(view)
    counts = table["status"].value_counts()
    print_text(
        "；".join(f"{status} {counts[status]} 项" for status in STATUSES if counts.get(status, 0))
        + "\n"
        + "; ".join(
            f"{status_text(status, 'en')} {counts[status]}" for status in STATUSES if counts.get(status, 0)
        )
    )
    if out is not None:
        from scoring.outputs import escape_frame, write_csv

        if out.suffix.lower() == ".xlsx":
            escape_frame(table).to_excel(out, index=False, sheet_name="目标完成度")
        else:
            write_csv(table, out)
        console.print(f"已写入 / written → {out}")


def print_ranking(evaluation: "Evaluation") -> None:
    """The summary table's first seven columns (rank, unit, composite, tier, …) on the console, numbers
    right-aligned with two decimals."""
    from scoring.outputs import summary_table

    summary = summary_table(evaluation)
    first = summary[summary.columns[:7]]
    # the summary's Chinese headers as the console's (the name beside the code, both languages)
    first.columns = ["rank", "unit_code", "unit_name", "composite", "tier", "score_change", "rank_moved"]
    show_frame(first, f"{evaluation.system.name}（{evaluation.year} 年）", digits=2)


def print_explanation(evaluation: "Evaluation", unit: str) -> None:
    """The unit's contributions along the tree, and their sum beside the composite (they agree)."""
    frame = evaluation.explain(unit)
    name = evaluation.system.unit_names.get(unit, unit)
    view = table_view(f"{name}（{unit}）{evaluation.year} 年得分分解 / contributions")
    view.add_column("指标\nnode", overflow="fold")
    view.add_column("原始值\nraw", justify="right", no_wrap=True)  # the number, its unit below it
    for header in ("得分\nscore", "权重\nweight", "总权重\noverall", "贡献\ncontrib.", "占比\nshare"):
        view.add_column(header, justify="right", no_wrap=True)
    for row in frame.itertuples(index=False):
        indent = "  " * int(row.level)
        raw = "" if row.raw_value != row.raw_value else f"{row.raw_value:g}\n{row.unit or ''}".strip()
        score = "缺失" if row.score != row.score else f"{row.score:.2f}"
        # an indicator's name on a line of its own below its (indented) code, from the left edge: rich breaks a
        # long name there anyway, and its next line would start at the edge (no hanging indent in a cell)
        leaf = row.node_code in evaluation.system.indicator_codes
        view.add_row(
            f"{indent}{row.node_code}{chr(10) if leaf else ' '}{row.node_name}",
            raw,
            score,
            f"{row.weight:.4f}",
            f"{row.overall_weight:.4f}",
            f"{row.contribution:.4f}",
            f"{row.share:.1%}" if row.share == row.share else "",
        )
    console.print(view)
    leaves = frame[frame["node_code"].isin(evaluation.system.indicator_codes)]
    console.print(
        f"指标贡献合计 / sum of indicator contributions = {leaves['contribution'].sum():.6f}; "
        f"综合得分 / composite = {frame['score'].iloc[0]:.6f}"
    )
