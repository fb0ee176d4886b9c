"""What every ``digiscore`` command shares: the system, data, year and force options, system resolution, reading
and evaluating the data files, and how problems and tables are shown.

Errors the engine raises on purpose (``DigiscoreError``) become listed messages and exit codes, never tracebacks.
This module imports only typer and the problem records: rich and the engine (pandas, the pipeline, …) are
imported inside the functions that need them, so that ``digiscore --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer

from scoring.cli.help import bilingual, width_of
from scoring.problems import DigiscoreError, Problem, Severity, cap_problems

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from scoring.data import Dataset
    from scoring.evaluate import Evaluation
    from scoring.system import IndicatorSystem

DEFAULT_SYSTEM = "jinan_district_digital"


class _LazyConsole:
    """A rich console made on first use (importing rich takes time ``--help`` does not need)."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None
        self._columns: str | None = None

    def real(self) -> Console:
        """The console itself (for what needs one: a progress bar enters it as a context manager); made again
        when ``COLUMNS`` changed, since a console reads it once (tests run commands at several widths)."""
        columns = os.environ.get("COLUMNS")
        if self._console is None or columns != self._columns:
            from rich.console import Console

            self._console = Console(stderr=self._stderr)
            self._columns = columns
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


_STDOUT = _LazyConsole(stderr=False)
_STDERR = _LazyConsole(stderr=True)
console = cast("Console", _STDOUT)
err = cast("Console", _STDERR)

F = TypeVar("F", bound=Callable[..., Any])

SystemOption = Annotated[
    str,
    typer.Option(
        "--system",
        "-s",
        metavar="SYSTEM",
        help=bilingual(
            "指标体系：YAML 文件路径，或体系的文件名、id（须完全一致）",
            "the indicator system: a YAML path, or a system's exact file stem or id",
        ),
    ),
]
DataArgument = Annotated[
    list[Path],
    typer.Argument(
        metavar="DATA",
        help=bilingual(
            "填报表、长表或宽表（.xlsx / .csv），可多个",
            "district forms, long or wide tables (.xlsx / .csv), one or more",
        ),
    ),
]
YearOption = Annotated[
    int,
    typer.Option(
        "--year",
        "-y",
        metavar="YEAR",
        help=bilingual(
            "评价年份（其他年份用于计算变化）", "the year evaluated (other years feed the change)"
        ),
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        help=bilingual(
            "数据有错误时仍计算（出错的单元格按缺失处理）",
            "score even if cells have errors (they count as missing)",
        )
    ),
]
UnitOption = Annotated[
    str, typer.Option(metavar="CODE", help=bilingual("区县编码，如 370102", "unit code, e.g. 370102"))
]

# Exit codes of every command (README "Commands", the --help epilog); the backup commands add 3 and 4.
EXIT_PROBLEMS = 1  # the data have problems (listed)
EXIT_USAGE = 2  # bad arguments (click's code for usage errors) or an unusable input file
EXIT_INTERNAL = 5  # an unexpected error inside digiscore: a bug, reported in one line instead of a traceback
EXIT_CODES_HELP = (
    "退出码：0 完成；1 数据有问题（已列出）；2 参数有误或文件无法使用；3、4 备份文件或数据库被拒绝（backup、"
    "restore）；5 内部错误（请报告）。\n\n"
    "Exit codes: 0 done; 1 problems found in the data (listed); 2 bad arguments or an unusable file; "
    "3 and 4 (backup, restore) a refused archive or database; 5 an internal error (please report it)."
)

TABLE_FORMATS = (".csv", ".json", ".xlsx")


def output_format(formats: Sequence[str]) -> Callable[[Path | None], Path | None]:
    """An option callback that refuses an output file of another format at once, before any work (exit 2)."""

    def check(value: Path | None) -> Path | None:
        if value is not None and value.suffix.lower() not in formats:
            suffix = value.suffix or "（无）"
            raise typer.BadParameter(
                f"不支持的输出格式“{suffix}”，请改用 {'、'.join(formats)} / unsupported output format "
                f"'{value.suffix or '(none)'}'; use one of: {', '.join(formats)}"
            )
        return value

    return check


OutOption = Annotated[
    Path,
    typer.Option(
        metavar="FILE",
        help=bilingual("结果文件：F.csv、F.json 或 F.xlsx", "the results file: F.csv, F.json or F.xlsx"),
        callback=output_format(TABLE_FORMATS),
    ),
]
TablesOutOption = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE",
        help=bilingual(
            "另将各表写入 F.csv、F.json 或 F.xlsx", "also write the tables to F.csv, F.json or F.xlsx"
        ),
        callback=output_format(TABLE_FORMATS),
    ),
]


def _system_id(file: Path) -> str | None:
    """The ``id:`` of a system file, read from its top-level line (no YAML parse: listing stays cheap)."""
    for line in file.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"""id:\s*(["']?)([^"'#\s]+)\1\s*(#.*)?""", line)
        if match:
            return match.group(2)
    return None


def system_files() -> list[Path]:
    """The systems one can name: the ``*.yaml`` of the systems folder (``DIGISCORE_SYSTEMS_DIR``), then the
    shipped ones."""
    from scoring.shipped import shipped_systems_dir, systems_dir

    folders = list(dict.fromkeys([systems_dir(), shipped_systems_dir()]))
    return [file for folder in folders for file in sorted(folder.glob("*.yaml"))]


def resolve_system(name: str) -> IndicatorSystem:
    """A system from a path, or by its exact file stem or exact ``id`` in the systems folder, never a substring.

    Checked once, then read from the cache while its files stay the same (:mod:`scoring.cli.systems`).

    An unknown or ambiguous name is a usage error (exit 2) that lists the systems one can name.
    """
    from scoring.cli.systems import load_system_cached

    path = Path(name)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        return _remembered(load_system_cached(path))
    files = system_files()
    by_stem = [file for file in files if file.stem == name]
    matches = by_stem[:1] or [file for file in files if _system_id(file) == name]
    if len(matches) == 1:
        return _remembered(load_system_cached(matches[0]))
    folders = ", ".join(str(folder) for folder in dict.fromkeys(file.parent for file in files))
    listing = "\n".join(f"  {file.stem}  (id: {_system_id(file)})" for file in files) + f"\n  ({folders})"
    if matches:
        raise typer.BadParameter(
            f"名为“{name}”的指标体系不止一个，请给出其文件路径：\nthe system '{name}' is ambiguous, give its "
            "path:\n" + "\n".join(f"  {file}" for file in matches)
        )
    raise typer.BadParameter(
        f"没有名为“{name}”的指标体系（须与文件名或 id 完全一致）；请改用以下体系之一，或给出 YAML 文件的路径：\n"
        f"no indicator system named '{name}' (file stem or id must match exactly); use one of these, or give "
        f"the path of a YAML file:\n{listing}"
    )


# The system the running command resolved, so that problems raised past the point where the command lists them
# (the evaluation's, the analyses') still name units and indicators (see :func:`reports_errors`).
_RESOLVED: list[IndicatorSystem] = []


def _remembered(system: IndicatorSystem) -> IndicatorSystem:
    _RESOLVED.append(system)
    return system


def check_unit(system: IndicatorSystem, unit: str) -> None:
    """A usage error (exit 2) unless ``unit`` is a unit code of ``system``: it says which codes there are, with
    their names, and the code of a unit given by its name."""
    if unit in system.unit_codes:
        return
    by_name = {u.name: u.code for u in system.units} | {u.name_en: u.code for u in system.units if u.name_en}
    if unit.strip() in by_name:
        code = by_name[unit.strip()]
        raise typer.BadParameter(
            f"“{unit}”是区县名称，请改用其区县编码 {code} / '{unit}' is a unit's name; give its code, {code}"
        )
    listed = system.units[:20]
    more = len(system.units) - len(listed)
    zh = "、".join(f"{u.code} {u.name}" for u in listed) + (f" 等 {len(system.units)} 个" if more else "")
    en = ", ".join(f"{u.code} {u.name_en or u.name}" for u in listed) + (f" and {more} more" if more else "")
    raise typer.BadParameter(
        f"区县编码 {unit} 不在指标体系“{system.name}”的区县名单中；请改用名单中的编码：{zh}\n"
        f"the unit code {unit} is not in the unit list of the system; use one of: {en}"
    )


SEVERITY_TEXT = {
    Severity.ERROR: ("错误", "error", "red"),
    Severity.WARNING: ("警告", "warning", "yellow"),
    Severity.INFO: ("提示", "info", "cyan"),
}


def print_problems(problems: Sequence[Problem], system: IndicatorSystem | None = None) -> None:
    """Each problem as a short block, readable at any width: its severity, where it is (file!sheet!cell), the
    unit and the indicator by name beside their codes (when ``system`` is given) and the year, then the message in
    Chinese and in English — the messages' fuller wordings that name the indicator and its measurement unit
    (scoring.io.read.named). Lines are broken as Chinese text is (between characters, never before a closing
    mark), not only at spaces. At most ``MAX_PER_CODE`` per code, the rest counted in one line
    (scoring.problems.cap_problems)."""
    if not problems:
        return
    from rich.text import Text

    units: dict[str, str] = {}
    nodes: dict[str, Any] = {}
    if system is not None:
        from scoring.io.read import named

        problems = named(problems, system)
        units = system.unit_names
        # the components (base data) are named too: they are rows of the form, not nodes of the tree
        nodes = {node.code: node for node in system.collected} | system.nodes
    width = max(err.width, 40)
    for p in cap_problems(problems):
        zh, en, style = SEVERITY_TEXT[p.severity]
        where = [str(p.location)] if str(p.location) else []
        if p.unit:
            where.append(f"{units[p.unit]}（{p.unit}）" if p.unit in units else p.unit)
        if p.indicator:
            where.append(f"{p.indicator} {nodes[p.indicator].name}" if p.indicator in nodes else p.indicator)
        if p.year:
            where.append(f"{p.year} 年")
        label = f"{zh} {en}"
        head = _joined([" ".join([label, *where[:1]]), *where[1:]], " · ", width)
        first = head[0][len(label) :]
        err.print(Text.assemble((label, f"bold {style}"), first), soft_wrap=True)
        for line in head[1:]:
            err.print(Text("  " + line), soft_wrap=True)
        for message in (p.message_zh, p.message_en):
            for line in wrap_text(message, width - 2):
                err.print(Text("  " + line), soft_wrap=True)


def _joined(parts: Sequence[str], separator: str, width: int) -> list[str]:
    """``parts`` joined by ``separator`` in lines of at most ``width`` columns (lines after the first are
    indented by 2 when printed): a line is broken between parts, and a part too long for a line is wrapped."""
    lines: list[str] = []
    line = ""
    for part in parts:
        candidate = f"{line}{separator}{part}" if line else part
        if width_of(candidate) <= (width if not lines else width - 2):
            line = candidate
            continue
        if line:
            lines.append(line + separator.rstrip())
        *full, line = wrap_text(part, width - 2)
        lines.extend(full)
    return [*lines, line]


def wrap_text(text: str, width: int) -> list[str]:
    """``text`` (one or more lines) wrapped to ``width`` columns as Chinese and English are: between Chinese
    characters as well as at spaces (rich breaks only at spaces, which leaves a Chinese sentence ragged)."""
    from scoring.cli.help import wrap

    width = max(width, 20)
    return [
        piece
        for paragraph in text.split("\n")
        for line in wrap(paragraph, width)
        for piece in _folded(line, width)
    ]


def _folded(line: str, width: int) -> list[str]:
    """A line cut into pieces of at most ``width`` columns (a long file path has no place to break)."""
    pieces = [""]
    for char in line:
        if width_of(pieces[-1] + char) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces


def print_text(text: str) -> None:
    """Prose (an analysis' summary) on the console, wrapped to its width as Chinese text is."""
    from rich.text import Text

    for line in wrap_text(text, console.width):
        console.print(Text(line), soft_wrap=True)


def progress(description: str) -> contextlib.AbstractContextManager[Callable[[int, int | None], None]]:
    """A progress bar on the terminal while a step that may take more than a second runs, as
    ``with progress("…") as advance: work(advance)`` where ``advance(done, total)`` moves it (``total`` None: the
    bar only shows that work goes on). Drawn on stderr, and only when stderr is a terminal, then cleared: output
    piped or redirected never contains it."""
    return _progress(description)


@contextlib.contextmanager
def _progress(description: str) -> Iterator[Callable[[int, int | None], None]]:
    if not err.is_terminal:
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_STDERR.real(),
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def reports_errors(command: F) -> F:
    """Turn engine errors into listed problems and exit code 2 (unusable input); any other error into one line
    and exit code 5, never a traceback (``DIGISCORE_DEBUG=1`` lets it through, for a bug report)."""
    from typer.exceptions import TyperException

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        _RESOLVED.clear()  # a system of an earlier command (tests run many in one process) names nothing here
        try:
            return command(*args, **kwargs)
        except DigiscoreError as exc:
            # named by the system the command resolved, if it got that far (a wrong system file did not)
            print_problems(exc.problems, _RESOLVED[-1] if _RESOLVED else None)
            raise typer.Exit(EXIT_USAGE) from None
        except OSError as exc:  # an output file or folder that cannot be written (input files are problems)
            from scoring.problems import write_problem

            print_problems([write_problem(str(exc.filename or ""), exc)])
            raise typer.Exit(EXIT_USAGE) from None
        except (typer.Exit, typer.Abort, TyperException):
            raise  # exit codes and usage errors, already meant for the user
        except Exception as exc:
            if os.environ.get("DIGISCORE_DEBUG"):
                raise
            err.print(
                f"[red]内部错误，请报告（设 DIGISCORE_DEBUG=1 可看完整信息） / internal error, please report it "
                f"(DIGISCORE_DEBUG=1 shows the traceback): {type(exc).__name__}: {exc}[/]"
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return run  # type: ignore[return-value]


def read_checked(system: str, data: Sequence[Path], force: bool) -> tuple[IndicatorSystem, Dataset]:
    """The system and the data files read for it, problems listed; stops (exit 1) on errors unless ``force``."""
    from scoring.io import read_data

    indicator_system = resolve_system(system)
    with progress("读取数据 reading the data") as advance:
        dataset = read_data(list(data), indicator_system, progress=advance)
    print_problems([p for p in dataset.problems if p.severity is not Severity.INFO], indicator_system)
    if dataset.has_errors and not force:
        from rich.text import Text

        for line in wrap_text(
            "数据存在错误，未计算；请修正后重试，或用 --force 将出错的单元格按缺失处理\n"
            "the data have errors and were not scored; fix them, or pass --force to treat those cells as missing",
            err.width,
        ):
            err.print(Text(line, style="red"), soft_wrap=True)
        raise typer.Exit(EXIT_PROBLEMS)
    return indicator_system, dataset


def evaluate_files(system: str, year: int, data: Sequence[Path], force: bool) -> Evaluation:
    """:func:`read_checked`, then the evaluation of ``year``."""
    from scoring.evaluate import evaluate

    evaluation = evaluate(*read_checked(system, data, force), year)
    report_left_out(evaluation)
    return evaluation


def report_left_out(evaluation: Evaluation) -> None:
    """What the evaluation says a person should know (units left out for low coverage, nodes without a score,
    derived indicators that could not be computed), and the units of the system the data have no values of the
    year for: they are not ranked, which is easy to miss when one form was forgotten."""
    from rich.text import Text

    system, year = evaluation.system, evaluation.year
    print_problems([p for p in evaluation.problems if p.severity is not Severity.INFO], system)
    scores = evaluation.scores
    present = set(scores.index.get_level_values("unit_code")[scores.index.get_level_values("year") == year])
    absent = [unit for unit in system.units if unit.code not in present]
    if not absent:
        return
    zh = "、".join(f"{unit.name}（{unit.code}）" for unit in absent)
    en = ", ".join(f"{unit.name_en or unit.name} ({unit.code})" for unit in absent)
    text = (
        f"以下 {len(absent)} 个区县没有 {year} 年的数据，未参与评价和排名：{zh}；如需评价，请补充其填报表\n"
        + (
            f"{len(absent)} units of the system have no values for {year} and are not evaluated or ranked: {en}; "
            "add their forms to evaluate them"
            if len(absent) > 1
            else f"1 unit of the system has no values for {year} and is not evaluated or ranked: {en}; add its "
            "form to evaluate it"
        )
    )
    err.print(Text.assemble(("警告 warning", "bold yellow")), soft_wrap=True)
    for line in wrap_text(text, err.width - 2):
        err.print(Text("  " + line), soft_wrap=True)


def split_list(text: str) -> tuple[str, ...]:
    """A comma-separated option as a tuple of its non-empty, stripped parts."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


# How the engine's column names read on the console (two words wrap into a two-line header).
HEADERS: dict[str, str] = {
    "node": "指标 node",
    "indicator": "指标 indicator",
    "unit": "区县 unit",
    "contribution": "贡献 contribution",
    "contribution_above": "上一位 above",
    "difference": "差距 gap",
    "raw_value": "数值 value",
    "goal": "目标 goal",
    "goal_source": "来源 source",
    "status": "状态 status",
    "composite": "综合指数 composite",
    "composite_gain": "增量 gain",
    "rank": "排名 rank",
    "step": "一份努力 step",
    "children": "指标数 n",
    "cronbach_alpha": "α",
    "first_component_share": "PC1 占比 share",
    "parent": "所属 parent",
    "r_parent": "r",
    "skew": "偏度 skew",
    "kurtosis": "峰度 kurtosis",
    # compare-systems: the two versions' results side by side, and what changed in the file
    "old_score": "原得分 old",
    "new_score": "新得分 new",
    "score_change": "得分变化 change",
    "old_rank": "原名次 old",
    "new_rank": "新名次 new",
    "rank_change": "上升 up",
    "old_tier": "原梯队 old",
    "new_tier": "新梯队 new",
    "kind": "变化 change",
    "code": "编码 code",
    "name": "名称 name",
    "field": "项目 field",
    "old": "原 old",
    "new": "新 new",
    "tier": "梯队 tier",
    "rank_moved": "位次变化 moved",
}


# How the engine's codes in a column read on the console (the what-if analysis' goal sources and statuses): in
# Chinese, as the names beside them (the column's header says it in English too), short enough to leave the
# names room at 80 columns.
VALUE_TEXT: dict[str, dict[str, str]] = {
    "goal_source": {"target": "目标值", "goalpost": "阈值", "best_observed": "最优值"},
    "status": {
        "applied": "已测算",
        "reached": "已达到",
        "not_applicable": "不适用",
        "no_goal": "无目标",
        "no_range": "无区间",
    },
}
SHORT_TEXT = (
    16  # a text column whose cells are all this wide or less is never broken: the long ones get the room
)


def table(title: str | None = None) -> Table:
    """A console table that stays readable at 80 columns: no vertical rules, a rule under the header."""
    from rich import box
    from rich.table import Table

    return Table(
        title=title,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title_justify="left",
        header_style="bold",
        # at least as wide as its title (up to the console): a narrow table would break the title's words
        min_width=min(width_of(title), console.width) if title else None,
    )


def show_frame(frame: pd.DataFrame, title: str, digits: int = 3, limit: int | None = None) -> None:
    """A table on the console: a ``<x>_code`` column and its ``<x>_name`` shown as one column ("DI-01 名称"),
    headers in Chinese and English (:data:`HEADERS`), numbers right-aligned and never broken (floats with
    ``digits`` decimals), codes of :data:`VALUE_TEXT` in words, short text kept on one line and long text (names)
    wrapped, missing values blank, at most ``limit`` rows."""
    import pandas as pd

    shown = frame if limit is None else frame.head(limit)
    columns: dict[str, pd.Series] = {}
    for column in shown.columns:
        name = str(column)
        if name.endswith("_name") and f"{name[:-5]}_code" in shown.columns:
            continue
        values = shown[column]
        if name.endswith("_code") and f"{name[:-5]}_name" in shown.columns:
            values = values.astype(str) + " " + shown[f"{name[:-5]}_name"].fillna("").astype(str)
            name = name[:-5]
        if name in VALUE_TEXT:
            values = values.map(lambda v, words=VALUE_TEXT[name]: words.get(v, v))
        columns[name] = values
    view = table(title)
    for name, values in columns.items():
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        header = HEADERS.get(name, name).replace(" ", "\n", 1)  # Chinese above English
        if numeric:
            view.add_column(header, justify="right", no_wrap=True)
        elif max((width_of(cell(v)) for v in values), default=0) <= SHORT_TEXT:
            view.add_column(header, no_wrap=True)
        else:
            view.add_column(header, overflow="fold")
    for row in zip(*columns.values(), strict=True):
        view.add_row(*(cell(v, digits) for v in row))
    console.print(view)


def cell(value: object, digits: int = 2) -> str:
    """A value as a table shows it: floats with ``digits`` decimals, missing values blank."""
    import pandas as pd

    if value is None or value is pd.NA or (isinstance(value, float) and value != value):  # v != v: NaN
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)
