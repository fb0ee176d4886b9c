"""The ``compare-systems`` command: two versions of an indicator system compared on the same data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scoring.cli.common import (
    ForceOption,
    TablesOutOption,
    YearOption,
    console,
    print_text,
    read_checked,
    reports_errors,
    show_frame,
)
from scoring.cli.help import bilingual

if TYPE_CHECKING:
    import pandas as pd


def register(app: typer.Typer) -> None:
    """Add ``compare-systems`` to ``app``."""
    app.command("compare-systems")(compare_systems)


@reports_errors
def compare_systems(
    old: Annotated[
        str,
        typer.Argument(
            metavar="OLD",
            help=bilingual(
                "原版指标体系：YAML 路径、文件名或 id", "the old version: system YAML path, file stem or id"
            ),
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(
            metavar="NEW",
            help=bilingual(
                "新版指标体系：YAML 路径、文件名或 id", "the new version: system YAML path, file stem or id"
            ),
        ),
    ],
    data: Annotated[
        list[Path],
        typer.Option(
            "--data",
            "-d",
            metavar="FILE",
            help=bilingual(
                "填报表、长表或宽表（可重复）", "district forms, long or wide tables (repeat the option)"
            ),
        ),
    ],
    year: YearOption,
    out: TablesOutOption = None,
    force: ForceOption = False,
) -> None:
    """比较指标体系的两个版本：文件的变化（节点、权重、目标值、方法），同一数据下各区县名次的变化，以及两版排名的斯皮尔曼等级相关系数。

    What changed between two versions of a system (nodes, weights, targets, methods), who moved and by how
    much on the same data, and Spearman's ρ between the two rankings.
    """
    from scoring.analysis.export import write_tables
    from scoring.analysis.versions import change_label, field_label
    from scoring.analysis.versions import compare_systems as compare

    old_system, old_data = read_checked(old, data, force)
    new_system, new_data = read_checked(new, data, force)
    result = compare(old_system, new_system, old_data, new_data, year)
    changes = result.changes.assign(  # the kinds and fields in words, not the engine's codes
        kind=result.changes["kind"].map(lambda kind: f"{change_label(kind)} {change_label(kind, 'en')}"),
        field=result.changes["field"].map(field_label),
    )
    show_frame(changes, "指标体系变化 / what changed in the file")
    show_frame(
        _moves(result.units),
        f"{year} 年两版排名对比 / ranks under both versions",
        digits=2,
    )
    print_text(result.text())
    if out is not None:
        write_tables({"units": result.units, "changes": result.changes}, out, result.summary())
        console.print(f"结果已写入 / written → {out}")


def _moves(units: pd.DataFrame) -> pd.DataFrame:
    """The comparison's units as the console shows them at 80 columns: the name beside the code, both scores and
    the change, and the rank and the tier as "6 → 5" where they moved (one value where they did not)."""

    def moved(old: pd.Series, new: pd.Series) -> pd.Series:
        old_text, new_text = old.astype("string").fillna("—"), new.astype("string").fillna("—")
        return new_text.where(old_text == new_text, old_text + " → " + new_text)

    return units[["unit_code", "unit_name", "old_score", "new_score", "score_change"]].assign(
        rank=moved(units["old_rank"], units["new_rank"]),
        tier=moved(units["old_tier"], units["new_tier"]),
    )
