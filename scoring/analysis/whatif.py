"""What-if and gap analysis for one unit: what separates it from the unit above, and what would move it up.

- **Gap to the unit above**: the unit v ranked directly above u is the one with the smallest composite strictly
  greater than u's (ties: the first in unit-list order). With ``c_j`` the contribution of node j to the
  composite (docs/methods.md §10, :func:`scoring.explain.decompose`), the gap ``S_v − S_u`` is broken down as
  ``Δ_j = c_j(v) − c_j(u)``; the Δ of the indicators add up to the gap (so do those of every level).
- **Reaching a goal**: for each indicator, the unit's raw value is replaced by its goal — the target
  (``target.value``), else the best goalpost (U for d = +1, L for d = −1), else the best value observed among the
  year's units — when it is not already at or beyond it, and the **whole pipeline** is run again on the changed
  raw data (with data-driven normalisation or weights, other units' scores move too; ``others_moved`` counts
  them). Reported: the new composite and rank of the unit.
- **Marginal gain per unit of effort**: one unit of effort on indicator j is ``1 %`` of its range in raw units —
  the goalposts' ``U − L``, else the observed ``max − min`` of the year — moved in the better direction
  (``x' = x + d·0.01·range``, kept within the indicator's ``valid`` range). The gain is the change of the unit's
  composite when the pipeline is run again with x'. Indicators are ordered by that gain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.data import Dataset
from scoring.evaluate import Evaluation, data_matrices, evaluate_matrix
from scoring.problems import PipelineError, Problem
from scoring.system.models import IndicatorSystem, Node


@dataclass(frozen=True)
class GapDecomposition:
    """The gap between a unit and the unit ranked directly above it, node by node."""

    unit: str
    above: str | None  # None when the unit is first
    score: float
    above_score: float
    table: pd.DataFrame  # node_code, node_name, level, parent, contribution, contribution_above, difference

    @property
    def gap(self) -> float:
        return self.above_score - self.score if self.above is not None else 0.0


@dataclass(frozen=True)
class WhatIfResult:
    """Gap to the unit above, the effect of each indicator reaching its goal, and marginal gains."""

    unit: str
    year: int
    score: float
    rank: int
    gap: GapDecomposition
    goals: pd.DataFrame
    gains: pd.DataFrame
    text: str


def _key(evaluation: Evaluation, unit: str, year: int) -> tuple[int, str]:
    key = (year, unit)
    if key not in evaluation.scores.index:
        raise PipelineError(
            Problem("analysis.unknown_unit", unit=unit, year=year, params={"unit": unit, "year": year})
        )
    return key


def gap_to_unit_above(evaluation: Evaluation, unit: str, year: int | None = None) -> GapDecomposition:
    """Contributions of the unit and of the unit ranked directly above it, and their differences (which add up
    to the gap ``S_above − S_unit``)."""
    year = evaluation.year if year is None else year
    composite = evaluation.composite
    key = _key(evaluation, unit, year)
    scores = evaluation.scores[composite].xs(year, level="year")
    score = float(evaluation.scores.at[key, composite])
    higher = scores[scores > score]
    own = evaluation.explain(unit, year)
    columns = ["node_code", "node_name", "level", "parent", "contribution"]
    if higher.empty:
        table = own[columns].assign(contribution_above=np.nan, difference=np.nan)
        return GapDecomposition(unit, None, score, float("nan"), table)
    above = str(higher.index[int(np.argmin(higher.to_numpy()))])
    theirs = evaluation.explain(above, year)
    table = own[columns].copy()
    table["contribution_above"] = theirs["contribution"].to_numpy()
    table["difference"] = table["contribution_above"] - table["contribution"]
    return GapDecomposition(unit, above, score, float(scores[above]), table)


def goal_value(indicator: Node, observed: np.ndarray) -> tuple[float, str]:
    """The value an indicator aims at: its target, else its best goalpost, else the best value observed."""
    if indicator.final_target is not None:
        return float(indicator.final_target.level), "target"
    if indicator.goalposts is not None:
        low, high = indicator.goalposts
        return float(high if indicator.direction > 0 else low), "goalpost"
    present = observed[~np.isnan(observed)]
    if present.size == 0:
        return float("nan"), "none"
    return float(present.max() if indicator.direction > 0 else present.min()), "best_observed"


def effort_step(indicator: Node, observed: np.ndarray, share: float = 0.01) -> float:
    """One unit of effort in raw units, signed in the better direction: ``d·share·range``."""
    if indicator.goalposts is not None:
        span = indicator.goalposts[1] - indicator.goalposts[0]
    else:
        present = observed[~np.isnan(observed)]
        span = float(present.max() - present.min()) if present.size else float("nan")
    return float(indicator.direction * share * span)


def _within_valid(indicator: Node, value: float) -> float:
    if indicator.valid is None:
        return value
    low, high = indicator.valid
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value


class _Rescorer:
    """The pipeline re-run with one raw cell of the unit changed."""

    def __init__(
        self, system: IndicatorSystem, raw: pd.DataFrame, not_applicable: pd.DataFrame, year: int, unit: str
    ):
        self.system, self.raw, self.not_applicable, self.year, self.unit = (
            system,
            raw,
            not_applicable,
            year,
            unit,
        )
        self.nominal = evaluate_matrix(system, raw, not_applicable, year)
        self.key = _key(self.nominal, unit, year)
        self.composite = system.composite.code
        self.base_scores = self.nominal.scores[self.composite].xs(year, level="year")

    def with_value(self, code: str, value: float) -> tuple[float, int, int]:
        """The unit's composite and rank, and how many other units' composites moved, with ``code`` = value."""
        raw = self.raw.copy()
        raw.at[self.key, code] = value
        evaluation = evaluate_matrix(self.system, raw, self.not_applicable, self.year)
        scores = evaluation.scores[self.composite].xs(self.year, level="year")
        moved = (scores - self.base_scores).abs().drop(self.unit) > 1e-9
        return (
            float(evaluation.scores.at[self.key, self.composite]),
            int(evaluation.ranks.at[self.key, self.composite]),
            int(moved.sum()),
        )


def reach_goals(
    system: IndicatorSystem, raw: pd.DataFrame, not_applicable: pd.DataFrame, year: int, unit: str
) -> pd.DataFrame:
    """For every indicator: the unit's composite and rank if that indicator alone reached its goal."""
    rescore = _Rescorer(system, raw, not_applicable, year, unit)
    base = float(rescore.nominal.scores.at[rescore.key, rescore.composite])
    base_rank = int(rescore.nominal.ranks.at[rescore.key, rescore.composite])
    year_raw = raw.xs(year, level="year")
    rows = []
    for indicator in system.indicators:
        code = indicator.code
        value = float(raw.at[rescore.key, code])
        goal, source = goal_value(indicator, year_raw[code].to_numpy(dtype=float))
        row = {
            "indicator_code": code,
            "indicator_name": indicator.name,
            "unit": indicator.unit,
            "raw_value": value,
            "goal": goal,
            "goal_source": source,
            "status": "applied",
            "composite": base,
            "composite_gain": 0.0,
            "rank": base_rank,
            "rank_gain": 0,
            "others_moved": 0,
        }
        if bool(not_applicable.at[rescore.key, code]):
            row["status"] = "not_applicable"
        elif np.isnan(goal):
            row["status"] = "no_goal"
        elif not np.isnan(value) and indicator.direction * value >= indicator.direction * goal:
            row["status"] = "reached"
        else:
            composite, rank, moved = rescore.with_value(code, goal)
            row.update(
                composite=composite,
                composite_gain=composite - base,
                rank=rank,
                rank_gain=base_rank - rank,
                others_moved=moved,
            )
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sort_values(["composite_gain", "indicator_code"], ascending=[False, True]).reset_index(
        drop=True
    )


def marginal_gains(
    system: IndicatorSystem,
    raw: pd.DataFrame,
    not_applicable: pd.DataFrame,
    year: int,
    unit: str,
    share: float = 0.01,
) -> pd.DataFrame:
    """For every indicator: the composite gain of one unit of effort (``share`` of its range, default 1 %)."""
    rescore = _Rescorer(system, raw, not_applicable, year, unit)
    base = float(rescore.nominal.scores.at[rescore.key, rescore.composite])
    year_raw = raw.xs(year, level="year")
    rows = []
    for indicator in system.indicators:
        code = indicator.code
        value = float(raw.at[rescore.key, code])
        step = effort_step(indicator, year_raw[code].to_numpy(dtype=float), share)
        row = {
            "indicator_code": code,
            "indicator_name": indicator.name,
            "unit": indicator.unit,
            "raw_value": value,
            "step": step,
            "new_value": value,
            "status": "applied",
            "composite_gain": 0.0,
            "rank": int(rescore.nominal.ranks.at[rescore.key, rescore.composite]),
        }
        if bool(not_applicable.at[rescore.key, code]):
            row["status"] = "not_applicable"
        elif np.isnan(value):
            row["status"] = "missing"
        elif not np.isfinite(step) or step == 0:
            row["status"] = "no_range"
        else:
            new = _within_valid(indicator, value + step)
            row["new_value"] = new
            if new == value:
                row["status"] = "at_valid_bound"
            else:
                composite, rank, _ = rescore.with_value(code, new)
                row.update(composite_gain=composite - base, rank=rank)
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sort_values(["composite_gain", "indicator_code"], ascending=[False, True]).reset_index(
        drop=True
    )


def whatif_analysis(
    system: IndicatorSystem, dataset: Dataset, year: int, unit: str, share: float = 0.01
) -> WhatIfResult:
    """Gap to the unit above, goals reached one at a time, and marginal gains, for one unit of the year."""
    raw, not_applicable = data_matrices(system, dataset)
    return whatif_analysis_matrix(system, raw, not_applicable, year, unit, share)


def whatif_analysis_matrix(
    system: IndicatorSystem,
    raw: pd.DataFrame,
    not_applicable: pd.DataFrame,
    year: int,
    unit: str,
    share: float = 0.01,
) -> WhatIfResult:
    """:func:`whatif_analysis` on a raw (year, unit) × indicator matrix and its 不适用 mask."""
    evaluation = evaluate_matrix(system, raw, not_applicable, year)
    key = _key(evaluation, unit, year)
    gap = gap_to_unit_above(evaluation, unit, year)
    goals = reach_goals(system, raw, not_applicable, year, unit)
    gains = marginal_gains(system, raw, not_applicable, year, unit, share)
    score = float(evaluation.scores.at[key, evaluation.composite])
    rank = int(evaluation.ranks.at[key, evaluation.composite])
    text = whatif_text(system, year, unit, score, rank, gap, goals, gains, share)
    return WhatIfResult(unit, year, score, rank, gap, goals, gains, text)


def whatif_text(
    system: IndicatorSystem,
    year: int,
    unit: str,
    score: float,
    rank: int,
    gap: GapDecomposition,
    goals: pd.DataFrame,
    gains: pd.DataFrame,
    share: float,
    top: int = 3,
) -> str:
    """A few deterministic Chinese sentences for the unit's profile (一区一档：差距与提升方向)."""
    names = system.unit_names
    lines = [f"{names.get(unit, unit)}（{unit}）{year} 年综合得分 {score:.2f}，排名第 {rank} 位。"]
    indicator_codes = set(system.indicator_codes)
    if gap.above is None:
        lines.append("已位列第一，没有上一位可比。")
    else:
        leaves = gap.table[gap.table["node_code"].isin(indicator_codes)]
        behind = leaves[leaves["difference"] > 0].sort_values(
            ["difference", "node_code"], ascending=[False, True]
        )
        ahead = leaves[leaves["difference"] < 0].sort_values(["difference", "node_code"])
        lines.append(
            f"与排名上一位的{names.get(gap.above, gap.above)}（{gap.above_score:.2f}）相差 {gap.gap:.2f} 分。"
            + (
                "差距主要来自："
                + "；".join(
                    f"{r.node_code} {r.node_name}（{r.difference:+.2f}）"
                    for r in behind.head(top).itertuples()
                )
                + "。"
                if not behind.empty
                else ""
            )
            + (
                "本单元领先的指标："
                + "；".join(
                    f"{r.node_code} {r.node_name}（{-r.difference:+.2f}）"
                    for r in ahead.head(top).itertuples()
                )
                + "。"
                if not ahead.empty
                else ""
            )
        )
    sources = {"target": "目标值", "goalpost": "阈值上限", "best_observed": "最优观测值"}
    applied = goals[(goals["status"] == "applied") & (goals["composite_gain"] > 0)].head(top)
    if not applied.empty:
        items = [
            f"{r.indicator_code} {r.indicator_name}达到{sources.get(r.goal_source, r.goal_source)} {r.goal:g}"
            f"{r.unit or ''}，综合得分升至 {r.composite:.2f}（{r.composite_gain:+.2f}），排名第 {r.rank} 位"
            for r in applied.itertuples()
        ]
        lines.append("若单项指标达标：" + "；".join(items) + "。")
        if gap.above is not None and not (goals["rank_gain"] > 0).any():
            lines.append(
                f"任何单项指标单独达标都不足以超过上一位（差距 {gap.gap:.2f} 分），需要多项指标同时提升。"
            )
    useful = gains[(gains["status"] == "applied") & (gains["composite_gain"] > 0)].head(top)
    if not useful.empty:
        items = [
            f"{r.indicator_code} {r.indicator_name}（{r.composite_gain:+.3f} 分）"
            for r in useful.itertuples()
        ]
        lines.append(f"每提升 {share:.0%} 取值区间，综合得分增幅最大的指标：" + "；".join(items) + "。")
    return "\n".join(lines)
