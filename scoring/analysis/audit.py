"""Statistical audit of an evaluation (COINr style): are the indicators coherent with their dimensions, are some
redundant, are distributions fit for linear aggregation, is the data complete?

All correlations are Pearson's r over the year's units, pairwise complete, on the **normalised** indicators
(oriented so that higher is better) and the aggregated node scores of the evaluation:

- each indicator against its parent node, its top-level dimension and the composite (a part-whole
  correlation: the node's score contains the indicator); flagged when r with the parent is below
  ``negative_correlation`` (default 0): the indicator pulls against its dimension;
- every pair of indicators; flagged when ``|r| > high_correlation`` (default 0.92): they may measure the same;
- per parent node over its children's scores (complete rows only): Cronbach's alpha
  ``α = k/(k − 1)·(1 − Σ_j s_j² / s_T²)`` with ``s_j²`` the sample variance (ddof = 1) of child j and ``s_T²``
  that of the row sums; and the share of variance of the first principal component of the children's
  correlation matrix, ``λ_1 / Σ λ`` (constant children left out);
- skewness and kurtosis (type 2, see docs/methods.md §2) of the raw values after the declared transform,
  before imputation and treatment; flagged when ``|skew| > 2`` and ``kurtosis > 3.5``;
- coverage: per indicator the share of units with a value; per unit the shares of indicators with a value,
  marked 不适用, or missing, and ``coverage = (values + 不适用)/indicators`` (the engine's screening measure).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.evaluate import Evaluation
from scoring.pipeline.transform import transform_values
from scoring.pipeline.treat import skew_kurtosis
from scoring.system.models import IndicatorSystem


@dataclass(frozen=True)
class AuditThresholds:
    """Where the audit raises a flag."""

    high_correlation: float = 0.92
    negative_correlation: float = 0.0
    skew: float = 2.0
    kurtosis: float = 3.5
    low_alpha: float = 0.7
    low_coverage: float = 0.9


@dataclass(frozen=True)
class AuditResult:
    """The audit tables of one year and a short explanation in Chinese for the report."""

    year: int
    indicators: (
        pd.DataFrame
    )  # one row per indicator: correlations with its nodes, distribution, coverage, flags
    correlations: pd.DataFrame  # indicator × indicator
    node_correlations: pd.DataFrame  # indicator × parent node (every dimension and the composite)
    pairs: pd.DataFrame  # indicator pairs with |r| above the threshold
    dimensions: pd.DataFrame  # one row per parent node: Cronbach's alpha, first-component share
    units: pd.DataFrame  # one row per unit: coverage
    text: str


def cronbach_alpha(matrix: np.ndarray) -> float:
    """``α = k/(k − 1)·(1 − Σ_j var(y_j) / var(Σ_j y_j))`` over complete rows, sample variances (ddof = 1).

    NaN with fewer than two columns, fewer than two complete rows, or constant row sums.
    """
    y = np.asarray(matrix, dtype=float)
    y = y[~np.isnan(y).any(axis=1)]
    k = y.shape[1]
    if k < 2 or y.shape[0] < 2:
        return float("nan")
    total = np.var(y.sum(axis=1), ddof=1)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.var(y, axis=0, ddof=1).sum() / total))


def first_component_share(matrix: np.ndarray) -> float:
    """Share of variance of the first principal component of the columns' correlation matrix, ``λ_1 / Σ λ``.

    Complete rows only; constant columns are left out; NaN with fewer than two columns left or two rows.
    """
    y = np.asarray(matrix, dtype=float)
    y = y[~np.isnan(y).any(axis=1)]
    if y.shape[0] < 2:
        return float("nan")
    y = y[:, np.std(y, axis=0) > 0]
    if y.shape[1] < 2:
        return float("nan")
    eigenvalues = np.linalg.eigvalsh(np.corrcoef(y, rowvar=False))
    return float(eigenvalues[-1] / eigenvalues.sum())


def _parents(system: IndicatorSystem) -> list[str]:
    return [node.code for node, _, _ in system.walk() if node.children]


def audit(
    evaluation: Evaluation, year: int | None = None, thresholds: AuditThresholds | None = None
) -> AuditResult:
    """The statistical audit of the evaluation's year (see the module docstring for every statistic)."""
    t = thresholds or AuditThresholds()
    year = evaluation.year if year is None else year
    system = evaluation.system
    codes = system.indicator_codes
    normalised = evaluation.normalised.xs(year, level="year")[codes]
    scores = evaluation.scores.xs(year, level="year")
    raw = evaluation.raw.xs(year, level="year")[codes]
    flags = evaluation.flags[evaluation.flags["year"] == year]
    not_applicable = pd.DataFrame(False, index=raw.index, columns=codes)
    for unit, code in flags.loc[flags["flag"] == "not_applicable", ["unit_code", "node_code"]].itertuples(
        index=False
    ):
        not_applicable.loc[unit, code] = True
    treated = flags[flags["flag"].isin(["winsorised", "log"])].groupby("node_code")["flag"].first()

    parents = _parents(system)
    correlations = normalised.corr()
    node_correlations = pd.DataFrame(
        {p: normalised.corrwith(scores[p]) for p in parents}, index=pd.Index(codes, name="indicator_code")
    )
    dimension = {i.code: system.path(i.code)[1] for i in system.indicators}
    rows = []
    for indicator in system.indicators:
        code = indicator.code
        values = transform_values(raw[code].to_numpy(dtype=float), indicator.transform)
        skew, kurt = skew_kurtosis(np.asarray(values, dtype=float))
        parent = system.parent[code]
        r_parent = float(node_correlations.at[code, parent])
        rows.append(
            {
                "indicator_code": code,
                "indicator_name": indicator.name,
                "parent": parent,
                "dimension": dimension[code],
                "r_parent": r_parent,
                "r_dimension": float(node_correlations.at[code, dimension[code]]),
                "r_composite": float(node_correlations.at[code, system.composite.code]),
                "values": int(raw[code].notna().sum()),
                "not_applicable": int(not_applicable[code].sum()),
                "coverage": float(raw[code].notna().mean()),
                "skew": skew,
                "kurtosis": kurt,
                "negative_with_parent": bool(r_parent < t.negative_correlation),
                "skew_kurtosis": bool(abs(skew) > t.skew and kurt > t.kurtosis),
                "treated": treated.get(code),
            }
        )
    indicators = pd.DataFrame(rows)
    pairs = _high_pairs(correlations, system, t.high_correlation)
    in_pairs = pd.concat([pairs["indicator_a"], pairs["indicator_b"]]).value_counts()
    indicators["high_pairs"] = indicators["indicator_code"].map(in_pairs).fillna(0).astype(int)

    dimension_rows = []
    for code in parents:
        node = system.nodes[code]
        children = [c.code for c in node.children or []]
        block = scores[children].to_numpy(dtype=float)
        dimension_rows.append(
            {
                "node_code": code,
                "node_name": node.name,
                "level": system.depth[code],
                "children": len(children),
                "complete_units": int((~np.isnan(block).any(axis=1)).sum()),
                "cronbach_alpha": cronbach_alpha(block),
                "first_component_share": first_component_share(block),
            }
        )
    dimensions = pd.DataFrame(dimension_rows)
    dimensions["low_alpha"] = dimensions["cronbach_alpha"] < t.low_alpha

    n = len(codes)
    value_count = raw.notna().sum(axis=1)
    na_count = not_applicable.sum(axis=1)
    units = pd.DataFrame(
        {
            "unit_code": raw.index.astype(str),
            "unit_name": [system.unit_names.get(str(u), str(u)) for u in raw.index],
            "values": value_count.to_numpy(),
            "not_applicable": na_count.to_numpy(),
            "missing": (n - value_count - na_count).to_numpy(),
            "value_share": (value_count / n).to_numpy(),
            "coverage": ((value_count + na_count) / n).to_numpy(),
        }
    )
    units["low_coverage"] = units["coverage"] < t.low_coverage
    text = audit_text(system, year, indicators, pairs, dimensions, units, t)
    return AuditResult(year, indicators, correlations, node_correlations, pairs, dimensions, units, text)


def _high_pairs(correlations: pd.DataFrame, system: IndicatorSystem, threshold: float) -> pd.DataFrame:
    r = correlations.to_numpy()
    codes = list(correlations.columns)
    upper = np.triu(np.abs(np.nan_to_num(r)) > threshold, k=1)
    a, b = np.nonzero(upper)
    frame = pd.DataFrame(
        {
            "indicator_a": [codes[i] for i in a],
            "indicator_b": [codes[j] for j in b],
            "r": r[a, b],
            "parent_a": [system.parent[codes[i]] for i in a],
            "parent_b": [system.parent[codes[j]] for j in b],
        }
    )
    frame["same_parent"] = frame["parent_a"] == frame["parent_b"]
    if frame.empty:
        return frame
    order = np.lexsort((frame["indicator_b"], frame["indicator_a"], -frame["r"].abs()))
    return frame.iloc[order].reset_index(drop=True)


def _listing(items: list[str], limit: int = 8) -> str:
    shown = "；".join(items[:limit])
    return shown + (f"；等 {len(items)} 项" if len(items) > limit else "")


def audit_text(
    system: IndicatorSystem,
    year: int,
    indicators: pd.DataFrame,
    pairs: pd.DataFrame,
    dimensions: pd.DataFrame,
    units: pd.DataFrame,
    t: AuditThresholds,
) -> str:
    """The audit in a few deterministic Chinese sentences (稳健性分析 appendix of the report)."""
    names = {i.code: i.name for i in system.indicators}
    n_units = len(units)
    lines = [
        f"{year} 年统计审查：{n_units} 个评价单元、{len(indicators)} 项指标，相关分析基于标准化后的数据。"
    ]
    if n_units < 30:
        lines.append(f"评价单元较少（n = {n_units}），相关系数和 α 系数的抽样误差较大，结论仅供参考。")

    negative = indicators[indicators["negative_with_parent"]].sort_values(["r_parent", "indicator_code"])
    if negative.empty:
        lines.append("一、相关性：没有指标与所属维度负相关。")
    else:
        items = [
            f"{r.indicator_code} {r.indicator_name}（与 {r.parent} 的 r = {r.r_parent:.2f}）"
            for r in negative.itertuples()
        ]
        lines.append(
            f"一、相关性：{len(items)} 项指标与所属维度负相关，与维度内其他指标方向相反，需核对指标方向或口径："
            f"{_listing(items)}。"
        )
    if pairs.empty:
        lines.append(f"没有相关系数绝对值超过 {t.high_correlation} 的指标对。")
    else:
        items = [
            f"{p.indicator_a} {names[p.indicator_a]} 与 {p.indicator_b} {names[p.indicator_b]}（r = {p.r:.2f}"
            + ("，同一维度）" if p.same_parent else "，跨维度）")
            for p in pairs.itertuples()
        ]
        within = int(pairs["same_parent"].sum())
        lines.append(
            f"{len(items)} 对指标高度相关（|r| > {t.high_correlation}；其中同一维度内 {within} 对），可能重复计量同一内容，"
            f"可考虑合并或降低其中一项的权重：{_listing(items)}。"
        )

    top = dimensions[dimensions["level"] == 1]
    alphas = [
        f"{d.node_code} {d.node_name} {d.cronbach_alpha:.2f}"
        if d.cronbach_alpha == d.cronbach_alpha
        else f"{d.node_code} {d.node_name} —"
        for d in top.itertuples()
    ]
    lines.append(f"二、内部一致性：各维度 Cronbach's α 为 {'；'.join(alphas)}。")
    low = dimensions[dimensions["low_alpha"]]
    if not low.empty:
        items = [f"{d.node_code} {d.node_name}（α = {d.cronbach_alpha:.2f}）" for d in low.itertuples()]
        lines.append(f"α 低于 {t.low_alpha} 的节点：{_listing(items)}，其下级指标的变化方向不够一致。")
    shares = [
        f"{d.node_code} {d.first_component_share:.0%}"
        for d in top.itertuples()
        if d.first_component_share == d.first_component_share
    ]
    if shares:
        lines.append(f"第一主成分解释的方差比例：{'；'.join(shares)}。")

    skewed = indicators[indicators["skew_kurtosis"]]
    if skewed.empty:
        lines.append(f"三、分布：没有指标同时超过偏度（|偏度| > {t.skew}）和峰度（> {t.kurtosis}）阈值。")
    else:
        items = [
            f"{r.indicator_code} {r.indicator_name}（偏度 {r.skew:.2f}，峰度 {r.kurtosis:.2f}"
            + ("，已处理）" if isinstance(r.treated, str) else "）")
            for r in skewed.itertuples()
        ]
        lines.append(
            f"三、分布：{len(items)} 项指标偏度和峰度均超过阈值（|偏度| > {t.skew} 且峰度 > {t.kurtosis}），"
            f"少数极端值会主导得分，可考虑对数变换或缩尾处理：{_listing(items)}。"
        )

    low_indicators = indicators[indicators["coverage"] < t.low_coverage].sort_values(
        ["coverage", "indicator_code"]
    )
    low_units = units[units["low_coverage"]].sort_values(["coverage", "unit_code"])
    parts = [f"四、数据覆盖：指标平均填报率 {indicators['coverage'].mean():.1%}。"]
    if not low_indicators.empty:
        items = [
            f"{r.indicator_code} {r.indicator_name}（{r.coverage:.0%}，不适用 {r.not_applicable} 个）"
            for r in low_indicators.itertuples()
        ]
        parts.append(f"填报率低于 {t.low_coverage:.0%} 的指标：{_listing(items)}。")
    if low_units.empty:
        parts.append(f"所有单元的数据覆盖率（含“不适用”）均不低于 {t.low_coverage:.0%}。")
    else:
        items = [f"{r.unit_code} {r.unit_name}（{r.coverage:.0%}）" for r in low_units.itertuples()]
        parts.append(f"数据覆盖率（含“不适用”）低于 {t.low_coverage:.0%} 的单元：{_listing(items)}。")
    lines.append("".join(parts))
    return "\n".join(lines)
