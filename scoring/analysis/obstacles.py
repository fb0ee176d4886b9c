"""Obstacle degree (障碍度模型): which indicators and dimensions hold each unit back most (docs/analysis.md §7).

For unit i and scored indicator j of the year:

    F_j  = Π of the nominal weights on j's path from the composite         factor contribution (因子贡献度)
    I_ij = (b_j − y_ij)/(b_j − a_j)                                       deviation degree (指标偏离度)
    O_ij = F_j·I_ij / Σ_k F_k·I_ik · 100 %                                obstacle degree (障碍度)
    U_id = Σ_{j under dimension d} O_ij                                    a dimension's obstacle degree

``[a_j, b_j]`` is the fixed range of j's normalisation (the system scale, or [base, base + span] for the
efficacy coefficient), so ``I = 1 − y`` on a [0, 1] scale. An indicator the unit has no score on is left out
of its sums; a unit at the top of every range (Σ F·I = 0) has no obstacle (all O = 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scoring.analysis.refusal import refused
from scoring.analysis.variants import score_range

if TYPE_CHECKING:
    from scoring.evaluate import Evaluation

TOP_OBSTACLES = 5  # indicators listed per unit


def obstacle_degrees(deviation: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """``O_ij = F_j·I_ij / Σ_k F_k·I_ik`` in percent (rows × indicators; NaN deviations left out; a row whose
    products sum to 0 gets 0 everywhere it has a value)."""
    products = np.asarray(deviation, dtype=float) * np.asarray(factor, dtype=float)
    totals = np.nansum(products, axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(totals > 0, products / totals * 100.0, 0.0)
    return np.where(np.isnan(products), np.nan, shares)


@dataclass(frozen=True)
class ObstacleResult:
    """Obstacle degrees of the evaluation's year.

    ``indicators``: units × scored indicators, O in percent (each row sums to 100, or 0); ``dimensions``:
    units × top-level dimensions (the sums of their indicators); ``deviation`` (I) and ``factor`` (F) as used;
    ``top``: per unit the ``TOP_OBSTACLES`` largest, long (unit_code, order, indicator_code, obstacle)."""

    year: int
    factor: pd.Series
    deviation: pd.DataFrame
    indicators: pd.DataFrame
    dimensions: pd.DataFrame
    top: pd.DataFrame

    def main_dimension(self, unit: str) -> str | None:
        """The dimension with the largest obstacle degree for the unit (None when it has none)."""
        row = self.dimensions.loc[unit]
        return None if not (row > 0).any() else str(row.idxmax())

    def frequency(self) -> pd.DataFrame:
        """Per indicator: in how many units' top lists it appears and its mean obstacle degree over the units,
        the most frequent first (ties: the higher mean) — the city's common obstacles (共性障碍因子)."""
        counts = self.top["indicator_code"].value_counts()
        frame = pd.DataFrame(
            {
                "units": counts.reindex(self.indicators.columns, fill_value=0).astype(int),
                "mean": self.indicators.mean(),
            }
        )
        frame.index.name = "indicator_code"
        order = {code: i for i, code in enumerate(self.indicators.columns)}
        frame["_order"] = frame.index.map(order)
        frame = frame.sort_values(["units", "mean", "_order"], ascending=[False, False, True])
        return frame.drop(columns="_order")


def overall_weights(evaluation: Evaluation, year: int) -> pd.Series:
    """Each scored indicator's overall nominal weight in the year: the product of the local weights on its path
    from the composite (the weights the year's evaluation used)."""
    system = evaluation.system
    weights = evaluation.weights[evaluation.weights["year"] == year]
    local = dict(zip(weights["child"], weights["weight"], strict=True))
    codes = [i.code for i in system.indicators if i.role == "score"]
    return pd.Series(
        [float(np.prod([local.get(c, np.nan) for c in system.path(code)[1:]])) for code in codes],
        index=codes,
        dtype=float,
    )


def obstacle_analysis(evaluation: Evaluation, year: int | None = None) -> ObstacleResult:
    """Obstacle degrees of every unit of ``year`` (the evaluation's year by default).

    Refused (``analysis.domain``) when an indicator's normalisation has no fixed range (z-scores): its deviation
    from the best score is then undefined."""
    system = evaluation.system
    year = evaluation.year if year is None else year
    factor = overall_weights(evaluation, year)
    bounds = []
    for code in factor.index:
        method = system.normalise_method(system.nodes[code])
        found = score_range(method, system)
        if found is None:
            raise refused(
                "障碍度分析",
                "obstacle-degree analysis",
                f"指标 {code} 用 {method} 标准化，得分没有固定上限，偏离度无法定义；请改用有界的标准化方法",
                f"indicator {code} is normalised by {method}, whose scores have no fixed best value, so its "
                "deviation is undefined; use a bounded normalisation",
            )
        bounds.append(found)
    low = np.array([b[0] for b in bounds])
    high = np.array([b[1] for b in bounds])
    scores = evaluation.scores.xs(year, level="year")[list(factor.index)]
    deviation = np.clip((high - scores.to_numpy(dtype=float)) / (high - low), 0.0, 1.0)
    degrees = obstacle_degrees(deviation, factor.to_numpy())
    indicators = pd.DataFrame(degrees, index=scores.index, columns=factor.index)
    dims = [d.code for d in system.root.scored_children]
    top_level = {code: system.path(code)[1] for code in factor.index}
    dimensions = indicators.T.groupby(pd.Series(top_level)).sum(min_count=1).T.reindex(columns=dims)
    dimensions = dimensions.where(indicators.notna().any(axis=1), np.nan, axis=0)
    return ObstacleResult(
        year=year,
        factor=factor,
        deviation=pd.DataFrame(deviation, index=scores.index, columns=factor.index),
        indicators=indicators,
        dimensions=dimensions,
        top=_top(indicators),
    )


def _top(indicators: pd.DataFrame) -> pd.DataFrame:
    """The ``TOP_OBSTACLES`` largest obstacle degrees of each unit (positive ones only), the largest first;
    equal degrees in the system's indicator order."""
    long = indicators.stack().rename("obstacle").reset_index()
    long.columns = ["unit_code", "indicator_code", "obstacle"]
    long = long[long["obstacle"] > 0]
    order = {code: i for i, code in enumerate(indicators.columns)}
    long = long.assign(_order=long["indicator_code"].map(order)).sort_values(
        ["unit_code", "obstacle", "_order"], ascending=[True, False, True], kind="stable"
    )
    long["order"] = long.groupby("unit_code").cumcount() + 1
    long = long[long["order"] <= TOP_OBSTACLES]
    units = {code: i for i, code in enumerate(indicators.index)}
    long = long.sort_values(
        ["unit_code", "order"], key=lambda s: s.map(units) if s.name == "unit_code" else s
    )
    return long[["unit_code", "order", "indicator_code", "obstacle"]].reset_index(drop=True)
