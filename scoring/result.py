"""The result of one evaluation: every stage's output, the weights used and the log of what each stage did.

Like COINr's coin, an :class:`Evaluation` keeps enough to explain any score from the raw value up and to
regenerate it from its inputs. Built by :func:`scoring.evaluate.evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.explain import decompose
from scoring.problems import Problem
from scoring.system.models import IndicatorSystem


@dataclass(frozen=True)
class Step:
    """One entry of the evaluation log: the stage, the method used and what it learned from the data."""

    stage: str
    method: str
    detail: dict[str, Any] = field(default_factory=dict)


REMARK_COLUMNS = ["unit_code", "indicator_code", "year", "remark"]
UNAVAILABLE_COLUMNS = ["unit_code", "indicator_code", "year", "reason"]


@dataclass
class Evaluation:
    """Everything one evaluation computed. Matrices are indexed by (year, unit_code)."""

    system: IndicatorSystem
    year: int
    raw: pd.DataFrame
    not_applicable: pd.DataFrame  # True where the unit marked the indicator 不适用 (aligned with raw)
    imputed: pd.DataFrame
    treated: pd.DataFrame
    normalised: pd.DataFrame
    scores: pd.DataFrame  # every node: indicators (normalised), dimensions, composite
    ranks: pd.DataFrame
    tiers: pd.Series
    weights: pd.DataFrame  # long: year, parent, child, weight, method (nominal weights per group)
    applied_weights: dict[str, pd.DataFrame]  # parent → rows × children, after skipping missing children
    topsis: pd.Series
    score_change: pd.DataFrame
    rank_change: pd.DataFrame
    attainment: pd.DataFrame
    flags: pd.DataFrame  # long: year, unit_code, node_code, flag
    log: list[Step]
    problems: list[Problem] = field(default_factory=list)
    # the collected values derived indicators were computed from (rows × codes; no columns when none is derived)
    parts: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the 备注 the data gave its values: unit_code, indicator_code, year, remark (only values that have one)
    remarks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REMARK_COLUMNS))
    # the values declared unavailable (数据缺失说明) and scored as missing: unit_code, indicator_code, year, reason
    unavailable: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UNAVAILABLE_COLUMNS))

    @property
    def composite(self) -> str:
        return self.system.composite.code

    def long_table(self, year: int | None = None) -> pd.DataFrame:
        """One row per (unit, node) of the year: ``unit_code, node_code, level, score, rank`` and context."""
        year = self.year if year is None else year
        scores = self.scores.xs(year, level="year")
        ranks = self.ranks.xs(year, level="year")
        change = self.score_change.xs(year, level="year")
        rank_change = self.rank_change.xs(year, level="year")
        tiers = self.tiers.xs(year, level="year")
        frame = scores.stack(future_stack=True).rename("score").reset_index()
        frame.columns = ["unit_code", "node_code", "score"]
        frame["rank"] = pd.array(ranks.stack(future_stack=True).to_numpy(), dtype="Int64")
        frame["score_change"] = change.stack(future_stack=True).to_numpy()
        frame["rank_change"] = pd.array(rank_change.stack(future_stack=True).to_numpy(), dtype="Int64")
        nodes = self.system.nodes
        frame.insert(0, "year", year)
        frame.insert(2, "unit_name", frame["unit_code"].map(self.system.unit_names))
        frame.insert(4, "node_name", frame["node_code"].map(lambda c: nodes[c].name))
        frame.insert(5, "level", frame["node_code"].map(self.system.depth))
        frame["tier"] = np.where(frame["node_code"] == self.composite, frame["unit_code"].map(tiers), None)
        order = {code: i for i, code in enumerate(self.scores.columns)}
        frame = frame.sort_values(
            ["node_code", "rank", "unit_code"], key=lambda s: s.map(order) if s.name == "node_code" else s
        )
        return frame.reset_index(drop=True)

    def explain(self, unit: str, year: int | None = None) -> pd.DataFrame:
        """Each node's contribution to the unit's composite along its path; the indicators' contributions add up
        to the composite (see docs/methods.md, "Decomposition")."""
        return decompose(self, unit, self.year if year is None else year)
