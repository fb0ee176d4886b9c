"""The ``digiscore`` command line: template, validate, score, explain, demo.

Errors the engine raises on purpose (``DigiscoreError``) become listed messages and exit codes, never tracebacks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from scoring.data import Dataset
from scoring.problems import (
    DigiscoreError,
    Problem,
    Severity,
    SubmissionError,
    cap_problems,
    problem_count,
)
from scoring.system import IndicatorSystem, load_system

if TYPE_CHECKING:
    from scoring.evaluate import Evaluation

REPO_ROOT = Path(__file__).resolve().parents[1]
INDICATORS_DIR = REPO_ROOT / "indicators"
SAMPLE_DIR = REPO_ROOT / "sample_inputs"
DEFAULT_SYSTEM = "jinan_district_digital"

app = typer.Typer(
    help="digiscore: composite digital-development scores for districts (区县数字化发展水平评价).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

SystemOption = Annotated[
    str,
    typer.Option(
        "--system", "-s", help="indicator-system YAML path, file stem or id (default: the Jinan system)"
    ),
]
DataArgument = Annotated[
    list[Path], typer.Argument(help="district forms, long or wide tables (.xlsx / .csv)")
]


def resolve_system(name: str) -> IndicatorSystem:
    """A system from a path, or from ``indicators/`` by file stem or by its ``id``."""
    path = Path(name)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        return load_system(path)
    candidate = INDICATORS_DIR / f"{name}.yaml"
    if candidate.exists():
        return load_system(candidate)
    for file in sorted(INDICATORS_DIR.glob("*.yaml")):
        if f"id: {name}" in file.read_text(encoding="utf-8"):
            return load_system(file)
    raise typer.BadParameter(f"no indicator system named {name!r} in {INDICATORS_DIR}")


def print_problems(problems: Sequence[Problem]) -> None:
    """One line per problem: severity, location, unit/indicator/year, message in Chinese and English; at most
    ``MAX_PER_CODE`` per code, the rest counted in one line (scoring.problems.cap_problems)."""
    if not problems:
        return
    problems = cap_problems(problems)
    table = Table(show_lines=False, header_style="bold")
    for column in (
        "级别 severity",
        "位置 location",
        "区县 unit",
        "指标 indicator",
        "年份 year",
        "说明 message",
    ):
        table.add_column(column, overflow="fold")
    styles = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
    for p in problems:
        table.add_row(
            f"[{styles[p.severity]}]{p.severity}[/]",
            str(p.location) or "-",
            p.unit or "",
            p.indicator or "",
            str(p.year or ""),
            f"{p.message_zh}\n{p.message_en}",
        )
    err.print(table)


def reports_errors(command: F) -> F:
    """Turn engine errors into listed problems and exit code 2 (unusable input)."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DigiscoreError as exc:
            print_problems(exc.problems)
            raise typer.Exit(2) from None
        except OSError as exc:
            err.print(f"[red]无法读写文件 / cannot read or write: {exc}[/]")
            raise typer.Exit(2) from None

    return run  # type: ignore[return-value]


@app.command()
@reports_errors
def template(
    system: SystemOption = DEFAULT_SYSTEM,
    unit: Annotated[str | None, typer.Option(help="unit code of the district")] = None,
    all_units: Annotated[
        bool, typer.Option("--all", help="one form per unit of the system, into --out DIR")
    ] = False,
    years: Annotated[
        list[int] | None, typer.Option("--year", help="year columns (repeat); default: last 3")
    ] = None,
    out: Annotated[Path, typer.Option(help="F.xlsx for one unit, a directory with --all")] = Path(
        "form.xlsx"
    ),
) -> None:
    """Write the blank district form (填报模板) for one unit or for all."""
    from datetime import date

    from scoring.io import write_all_templates, write_template

    indicator_system = resolve_system(system)
    chosen_years = years or [date.today().year - 3 + i for i in range(3)]
    if all_units:
        write_all_templates(indicator_system, out, chosen_years)
        console.print(f"已生成 {len(indicator_system.units)} 份填报模板 → {out}")
        return
    if unit is None:
        raise typer.BadParameter("give --unit CODE or --all")
    if unit not in indicator_system.unit_codes:
        raise typer.BadParameter(f"unit {unit!r} is not in the system's unit list")
    write_template(indicator_system, unit, out, chosen_years)
    console.print(f"已生成填报模板 → {out}")


@app.command()
@reports_errors
def validate(data: DataArgument, system: SystemOption = DEFAULT_SYSTEM) -> None:
    """Check data files: exit 0 clean, 1 with problems (listed), 2 when a file is unusable."""
    from scoring.io import validate_paths

    indicator_system = resolve_system(system)
    try:
        dataset, code = validate_paths(data, indicator_system)
    except SubmissionError as exc:
        print_problems(exc.problems)
        raise typer.Exit(2) from None
    print_problems(dataset.problems)
    n = len(dataset.values)
    errors = problem_count(dataset.problems, Severity.ERROR)
    console.print(f"读取 {n} 个数值，发现 {errors} 个错误 / read {n} values, {errors} errors")
    raise typer.Exit(code)


def read_checked(system: str, data: Sequence[Path], force: bool) -> tuple[IndicatorSystem, Dataset]:
    """The system and the data files read for it, problems listed; stops (exit 1) on errors unless ``force``."""
    from scoring.io import read_data

    indicator_system = resolve_system(system)
    dataset = read_data(list(data), indicator_system)
    print_problems([p for p in dataset.problems if p.severity is not Severity.INFO])
    if dataset.has_errors and not force:
        err.print(
            "[red]数据存在错误，未计算；修正后重试，或用 --force 将错误单元格视为缺失 / "
            "data has errors; fix them or pass --force to treat those cells as missing[/]"
        )
        raise typer.Exit(1)
    return indicator_system, dataset


def evaluate_files(system: str, year: int, data: Sequence[Path], force: bool) -> Evaluation:
    """:func:`read_checked`, then the evaluation of ``year``."""
    from scoring.evaluate import evaluate

    return evaluate(*read_checked(system, data, force), year)


YearOption = Annotated[int, typer.Option("--year", "-y", help="the year evaluated (others feed the change)")]
ForceOption = Annotated[bool, typer.Option(help="score even if cells have errors (they count as missing)")]


@app.command()
@reports_errors
def score(
    data: DataArgument,
    year: YearOption,
    out: Annotated[Path, typer.Option(help="F.csv, F.json or F.xlsx")],
    system: SystemOption = DEFAULT_SYSTEM,
    force: ForceOption = False,
) -> None:
    """Score the units: composite and every node, ranks, tiers, change; written by the extension of --out."""
    from scoring.outputs import write_results

    evaluation = evaluate_files(system, year, data, force)
    write_results(evaluation, out)
    print_ranking(evaluation)
    console.print(f"结果已写入 / results written → {out}")


@app.command()
@reports_errors
def explain(
    data: DataArgument,
    year: YearOption,
    unit: Annotated[str, typer.Option(help="unit code")],
    system: SystemOption = DEFAULT_SYSTEM,
    force: ForceOption = False,
) -> None:
    """Show each indicator's contribution along its path to the unit's composite (they add up to it)."""
    evaluation = evaluate_files(system, year, data, force)
    print_explanation(evaluation, unit)


@app.command()
@reports_errors
def monitor(
    data: DataArgument,
    year: YearOption,
    system: SystemOption = DEFAULT_SYSTEM,
    out: Annotated[Path | None, typer.Option(help="also write the table: F.csv or F.xlsx")] = None,
    force: ForceOption = False,
) -> None:
    """Plan monitoring (规划监测): each indicator against its target and the time-elapsed schedule (序时进度)."""
    evaluation = evaluate_files(system, year, data, force)
    table = evaluation.attainment[evaluation.attainment["year"] == year].copy()
    names = {node.code: node.name for node in evaluation.system.indicators}
    table.insert(3, "indicator_name", table["indicator_code"].map(names))
    view = Table(title=f"{evaluation.system.name}（{year} 年）目标完成情况 / target attainment")
    for column in (
        "区县 unit",
        "指标 indicator",
        "数值 value",
        "序时目标 expected",
        "目标 target",
        "完成度",
        "状态 status",
    ):
        view.add_column(column)
    for row in table.itertuples(index=False):
        view.add_row(
            evaluation.system.unit_names.get(row.unit_code, row.unit_code),
            f"{row.indicator_code} {row.indicator_name}",
            "" if pd.isna(row.value) else f"{row.value:g}",
            "" if pd.isna(row.expected) else f"{row.expected:.4g}",
            f"{row.target:g}（{row.target_year}）" if row.target_year else f"{row.target:g}",
            "" if pd.isna(row.attainment) else f"{row.attainment:.1%}",
            row.status or "",
        )
    console.print(view)
    counts = table["status"].value_counts()
    console.print(
        "；".join(f"{status} {counts.get(status, 0)} 项" for status in ("提前完成", "符合预期", "滞后"))
    )
    if out is not None:
        from scoring.outputs import escape_frame, write_csv

        if out.suffix.lower() == ".xlsx":
            escape_frame(table).to_excel(out, index=False, sheet_name="目标完成度")
        else:
            write_csv(table, out)
        console.print(f"已写入 / written → {out}")


def print_ranking(evaluation: Any) -> None:
    from scoring.outputs import summary_table

    summary = summary_table(evaluation)
    table = Table(title=f"{evaluation.system.name}（{evaluation.year} 年）")
    for column in summary.columns[:7]:
        table.add_column(str(column))
    for row in summary.itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else str(v) for v in row[:7]))
    console.print(table)


def print_explanation(evaluation: Any, unit: str) -> None:
    frame = evaluation.explain(unit)
    name = evaluation.system.unit_names.get(unit, unit)
    table = Table(title=f"{name}（{unit}）{evaluation.year} 年得分分解 / contributions")
    for column in (
        "指标 node",
        "原始值 raw",
        "得分 score",
        "权重 weight",
        "总权重 overall",
        "贡献 contribution",
        "占比 share",
    ):
        table.add_column(column, justify="right" if column[0] != "指" else "left")
    for row in frame.itertuples(index=False):
        indent = "  " * int(row.level)
        raw = "" if row.raw_value != row.raw_value else f"{row.raw_value:g} {row.unit or ''}"
        score = "缺失" if row.score != row.score else f"{row.score:.2f}"
        table.add_row(
            f"{indent}{row.node_code} {row.node_name}",
            raw,
            score,
            f"{row.weight:.4f}",
            f"{row.overall_weight:.4f}",
            f"{row.contribution:.4f}",
            f"{row.share:.1%}" if row.share == row.share else "",
        )
    console.print(table)
    leaves = frame[frame["node_code"].isin(evaluation.system.indicator_codes)]
    console.print(
        f"指标贡献合计 / sum of indicator contributions = {leaves['contribution'].sum():.6f}; "
        f"综合得分 / composite = {frame['score'].iloc[0]:.6f}"
    )


@app.command()
@reports_errors
def demo(
    out: Annotated[Path, typer.Option(help="directory for the results")] = Path("out/demo"),
    year: YearOption = 2024,
) -> None:
    """The whole flow on sample_inputs/: score the Jinan forms, write results and the annual report.

    Reads the 14 district forms, scores them, writes csv/json/xlsx results and report.docx/xlsx/html, shows the
    ranking and explains the leader's score.
    """
    from scoring.evaluate import evaluate
    from scoring.io import read_data
    from scoring.outputs import write_results

    indicator_system = resolve_system(DEFAULT_SYSTEM)
    forms = sorted((SAMPLE_DIR / "jinan" / "forms").glob("*.xlsx"))
    if not forms:
        err.print(f"[red]没有样例数据 / no sample forms in {SAMPLE_DIR / 'jinan' / 'forms'}[/]")
        raise typer.Exit(2)
    dataset = read_data(forms, indicator_system)
    print_problems([p for p in dataset.problems if p.severity is not Severity.INFO])
    evaluation = evaluate(indicator_system, dataset, year)
    out.mkdir(parents=True, exist_ok=True)
    for suffix in ("csv", "json", "xlsx"):
        write_results(evaluation, out / f"results_{year}.{suffix}")
    try:
        from scoring.report import build_reports

        for fmt, content in build_reports(evaluation).items():
            (out / f"report_{year}.{fmt}").write_bytes(content)
    except DigiscoreError as exc:  # e.g. no CJK font: the scores are still written
        print_problems(exc.problems)
    print_ranking(evaluation)
    leader = evaluation.long_table().iloc[0]["unit_code"]
    print_explanation(evaluation, str(leader))
    console.print(f"读取 {len(forms)} 份填报表；结果与年度报告已写入 / results and report written → {out}")


def _register_plugins() -> None:
    """Commands of other packages (the HTTP service, …) plug in through the ``digiscore.commands`` entry points,
    so the engine never imports them: each entry point is a function that adds its commands to ``app``."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="digiscore.commands"):
        try:
            register = entry.load()
        except ImportError as exc:  # a missing optional part must not take the engine's commands down with it
            err.print(f"[yellow]命令插件 {entry.name} 无法加载 / plugin {entry.name} not loaded: {exc}[/]")
            continue
        register(app)


_register_plugins()
