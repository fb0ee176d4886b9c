"""The ``digiscore`` app: the engine's command groups, imported directly, and the commands of packages outside
the engine (the HTTP service, …), plugged in through the ``digiscore.commands`` entry points.

Registration imports only typer, rich and what the options need; every command imports the engine parts it
uses when it runs.
"""

from __future__ import annotations

import typer

from scoring.cli import analysis, data, demo, report
from scoring.cli.common import EXIT_CODES_HELP, err

app = typer.Typer(
    help="digiscore: composite digital-development scores for districts (区县数字化发展水平评价).",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
)

for group in (data, report, analysis, demo):
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
