"""Evaluation by class of unit (分类评价): ranks and tiers within the groups of the unit list (中心城区 / 外围区 /
县 / 功能区 in Jinan's), so that a county is compared with counties (docs/analysis.md §9).

Within a group the engine's rules apply unchanged (methods.md §6): highest score = 1, ties share the best rank,
scores compared rounded to 9 decimals. Tiers by thresholds do not depend on the other units, so a unit keeps its
tier; tiers by quantiles are recomputed among the group's ranked units with the engine's
``t = min(k − 1, ⌊(r − 1)·k/n⌋)``, r the rank in the group and n the group's ranked units.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scoring.analysis.disparity import NO_GROUP
from scoring.pipeline.rank import TIE_DECIMALS, quantile_tier_names
from scoring.system.models import QuantileTiers

if TYPE_CHECKING:
    from scoring.evaluate import Evaluation


def unit_group(evaluation: Evaluation) -> dict[str, str]:
    """Unit code → its group (未分组 when the unit list gives none)."""
    return {u.code: u.group or NO_GROUP for u in evaluation.system.units}


def group_order(evaluation: Evaluation) -> list[str]:
    """The groups in the order they first appear in the unit list."""
    return list(dict.fromkeys(unit_group(evaluation).values()))


def group_ranking(evaluation: Evaluation, year: int | None = None, node: str | None = None) -> pd.DataFrame:
    """One row per unit of the year with a score on ``node`` (the composite by default), grouped (groups in
    unit-list order) and in rank order within each group: ``unit_name, group, score, rank, tier, group_rank,
    group_size, group_tier``. ``tier`` / ``group_tier`` only for the composite (None for another node)."""
    system = evaluation.system
    year = evaluation.year if year is None else year
    node = node or system.composite.code
    scores = evaluation.scores.xs(year, level="year")[node]
    ranks = evaluation.ranks.xs(year, level="year")[node]
    groups = unit_group(evaluation)
    frame = pd.DataFrame(
        {
            "unit_name": [system.unit_names.get(u, u) for u in scores.index],
            "group": [groups.get(str(u), NO_GROUP) for u in scores.index],
            "score": scores.to_numpy(dtype=float),
            "rank": ranks.to_numpy(dtype=float),
        },
        index=scores.index,
    )
    composite = node == system.composite.code
    frame["tier"] = (
        evaluation.tiers.xs(year, level="year").astype(object).where(lambda s: s.notna(), None)
        if composite
        else None
    )
    frame["group_rank"] = (-frame["score"].round(TIE_DECIMALS)).groupby(frame["group"]).rank(method="min")
    frame["group_size"] = frame.groupby("group")["group_rank"].transform("count").astype(int)
    frame["group_tier"] = _group_tiers(frame, system.tiers) if composite else None
    order = {g: i for i, g in enumerate(group_order(evaluation))}
    frame = frame.assign(
        _g=frame["group"].map(order), _r=frame["group_rank"].fillna(np.inf), _c=frame.index
    ).sort_values(["_g", "_r", "_c"])
    frame.index.name = "unit_code"
    return frame.drop(columns=["_g", "_r", "_c"])


def _group_tiers(frame: pd.DataFrame, tiers: object) -> pd.Series:
    """Quantile tiers recomputed within each group; threshold tiers as they are."""
    if not isinstance(tiers, QuantileTiers):
        return frame["tier"]
    names = quantile_tier_names(
        frame["group_rank"].to_numpy(dtype=float), frame["group_size"].to_numpy(dtype=float), tiers.quantile
    )
    return pd.Series(names, index=frame.index, dtype=object)
