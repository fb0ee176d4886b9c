"""The ``digiscore`` app: the engine's command groups, imported directly, and the commands of packages outside
the engine (the HTTP service, …), plugged in through the ``digiscore.commands`` entry points.

Registration imports only typer and what the options need; every command imports the engine parts it uses when
it runs. Every command's ``--help`` is bilingual plain text (:mod:`scoring.cli.help`).
"""

from __future__ import annotations

import typer

from scoring.cli import analysis, data, demo, report, versions
from scoring.cli.common import EXIT_CODES_HELP, err
from scoring.cli.help import bilingual, use_bilingual_help

app = typer.Typer(
    help=bilingual(
        "digiscore：区县数字化发展水平评价——读取填报表，计算综合得分、排名、等级与目标完成情况，出具年度报告。",
        "digiscore: composite digital-development scores for districts — reads the district forms, computes "
        "scores, ranks, tiers and target attainment, and writes the annual report.",
    ).replace("\n", "\n\n"),
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # usage errors in plain text; the help is scoring.cli.help's
    pretty_exceptions_enable=False,  # reports_errors ends every unexpected error in one line
    context_settings={"help_option_names": ["-h", "--help"]},
)

for group in (data, report, analysis, versions, demo):
    group.register(app)


def register_plugins(target: typer.Typer) -> None:
    """Add the commands of other packages: each ``digiscore.commands`` entry point names a function
    ``register(app: typer.Typer)``. The engine never imports those packages itself."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="digiscore.commands"):
        try:
            register = entry.load()
        except ImportError as exc:  # a missing optional part must not take the engine's commands down with it
            err.print(f"[yellow]命令插件 {entry.name} 无法加载 / plugin {entry.name} not loaded: {exc}[/]")
            continue
        register(target)


register_plugins(app)
use_bilingual_help(app)
