"""The numbers the annual report shows, computed once from an :class:`~scoring.evaluate.Evaluation`.

Pure: an evaluation in, plain tables and records out. The report (:mod:`scoring.report`) does no computation of
its own: every chapter, every format (Word, Excel, HTML) and the narrative read these, so they cannot disagree. Definitions used throughout:

- **city average** (全市平均) of a score or an indicator: the unweighted mean over the units evaluated that year
  (units with a missing value are left out), not weighted by population or output;
- **contribution** of a top-level dimension d to unit i's composite: ``c_id = w'_id·S_id`` under arithmetic
  aggregation (``w'`` the applied weight); under geometric aggregation the share of docs/methods.md §10. The
  contributions add up to the composite;
- **change decomposition** (年度变化贡献分解): ``ΔS_i = Σ_d Δc_id`` with ``Δc_id = c_id(Y) − c_id(Y−1)``, so each
  dimension's part of a unit's change is ``Δ(w_d·S_d)`` and the parts add up to the change exactly;
- **strengths / weaknesses** (优势 / 短板): the unit's indicators ordered by their relative rank among the units
  (rank / number of units ranked, best first), ties broken by the distance of the unit's score from the
  indicator's city average; a strength must rank in the best third of the units ranked on it (1st–4th of 14),
  a weakness in the worst third (11th–14th of 14), so a unit may have fewer than three, or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scoring.ahp import ahp_weights
from scoring.explain import local_shares
from scoring.methods import AHP_MAX_CR, Requirement, Stage, required, saaty_ri
from scoring.pipeline.attainment import (  # the status catalogue, re-exported for the report's chapters
    AHEAD,  # noqa: F401 (re-exported: the report reads the status catalogue from here)
    BEHIND,
    NO_DATA,
    NOT_APPLICABLE,
    NOT_MET,  # noqa: F401
    ON_TRACK,  # noqa: F401
    STATUSES,
    attainment_ratio,
    expected_value,
    resolved_status,
    schedule_status,
    target_in_force,
)
from scoring.system.models import IndicatorSystem, Node, QuantileTiers

if TYPE_CHECKING:
    from scoring.analysis.design import UncertaintySettings
    from scoring.analysis.regional import Regional
    from scoring.analysis.uncertainty import UncertaintyResult
    from scoring.analysis.versions import SystemComparison
    from scoring.evaluate import Evaluation
    from scoring.problems import Problem

PROFILE_ITEMS = 3  # strengths and weaknesses listed per unit
LAGGING_SHARE = 0.5  # a target lags when at least this share of the units with data is behind its schedule


@dataclass(frozen=True)
class IndicatorPosition:
    """Where a unit stands on one indicator: raw value, score, rank among the units, city average score."""

    code: str
    name: str
    unit: str
    value: float
    score: float
    rank: int
    ranked: int
    mean: float


@dataclass(frozen=True)
class DimensionPosition:
    """A unit's score on a top-level dimension against the city average and the best unit."""

    code: str
    name: str
    score: float
    rank: float
    mean: float
    best: float
    best_unit: str
    contribution: float
    gap_to_leader: float  # the overall leader's contribution minus this unit's (weighted points of composite)
    difference: float  # score − city average (NaN when either is missing)


@dataclass(frozen=True)
class Profile:
    """One district's page (一区一档)."""

    unit_code: str
    name: str
    rank: float
    ranked: int
    score: float
    tier: str | None
    score_change: float
    rank_change: float
    leader_code: str
    gap_to_leader: float  # leader's composite minus this unit's; 0 for the leader
    lead_over_next: float | None  # for the leader: its composite minus the second unit's
    dimensions: tuple[DimensionPosition, ...]
    strengths: tuple[IndicatorPosition, ...]
    weaknesses: tuple[IndicatorPosition, ...]

    @property
    def widest_gap(self) -> DimensionPosition:
        """The dimension that carries most of the gap to the leader (weighted; the first of equal gaps)."""
        return max(self.dimensions, key=lambda d: d.gap_to_leader)


@dataclass(frozen=True)
class TargetSummary:
    """One indicator with a plan target: the city average against it and how many units are where."""

    code: str
    name: str
    unit: str
    direction: int
    target: float
    target_year: int | None
    source: str | None
    baseline: float | None
    baseline_year: int | None
    expected: float | None  # 序时进度: the value the schedule expects by the report year
    city_values: dict[int, float]  # year → city average
    city_attainment: float
    city_status: str
    counts: dict[str, int]  # status → number of units
    mean_attainment: float
    behind_units: tuple[str, ...]


@dataclass(frozen=True)
class AhpCheck:
    """Consistency of an AHP pairwise matrix (层次分析法一致性检验)."""

    node_code: str
    node_name: str
    children: tuple[str, ...]
    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    ri: float
    cr: float

    @property
    def passed(self) -> bool:
        return self.cr < AHP_MAX_CR


@dataclass(frozen=True)
class DimensionSummary:
    """One top-level dimension in the report year: its best and worst unit, the city average and how many
    units score above it (``best`` / ``worst`` are None when no unit has a score)."""

    code: str
    best: str | None
    worst: str | None
    mean: float
    above: int


@dataclass(frozen=True)
class Moves:
    """Rank moves against the previous year: how many units rose, fell or kept their place, and the unit
    that rose (fell) most — of equal moves, the better ranked."""

    up: int
    down: int
    same: int
    riser: str | None
    faller: str | None


@dataclass(frozen=True)
class Findings:
    """What the narrative and 问题与建议 state, computed from the tables (the report only words them)."""

    spread: float  # best minus worst composite among the ranked units (NaN: none ranked)
    strongest_dimension: str  # highest city average of the report year
    weakest_dimension: str  # lowest city average
    weakest_children: tuple[str, ...]  # the weakest dimension's two children with the lowest city average
    dimensions: dict[str, DimensionSummary]
    moves: Moves | None  # None without a previous year
    most_behind: TargetSummary | None  # the targeted indicator with most units behind (None: no unit behind)
    behind_targets: tuple[TargetSummary, ...]  # indicators with a unit behind, most units behind first
    lagging_targets: tuple[TargetSummary, ...]  # city average behind, or ≥ LAGGING_SHARE of units behind
    rising: int  # units whose composite rose (of ``changed`` with a change)
    changed: int
    falling: tuple[str, ...]  # units whose composite fell, the largest fall first
    flag_counts: dict[str, int]  # data flag → cells of the report year


@dataclass(frozen=True)
class Robustness:
    """附录五's analysis: the uncertainty analysis of the report year under one design, or why there is none
    (``skipped``, e.g. ``analysis.unsupported_aggregation`` for an aggregation without a batched form)."""

    settings: UncertaintySettings
    result: UncertaintyResult | None
    skipped: Problem | None = None

    @property
    def sensitivity(self) -> pd.DataFrame:
        """The sensitivity indices, the assumption with the largest first-order index first."""
        assert self.result is not None
        return self.result.sensitivity.sort_values("first_order", ascending=False)

    @property
    def leading_assumption(self) -> str:
        """The assumption the ranks depend on most (largest first-order index)."""
        return str(self.sensitivity.iloc[0]["assumption"])


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, for one evaluation and its report year."""

    evaluation: Evaluation
    year: int
    previous_year: int | None
    years: tuple[int, ...]
    dimensions: tuple[Node, ...]  # the composite's scored children
    adjustments: tuple[Node, ...]  # the composite's bonus / deduction indicators
    ranking: pd.DataFrame  # index unit_code, rank order
    city_mean: pd.DataFrame  # index year; composite and every top-level dimension
    tier_names: tuple[str, ...]
    tier_counts: dict[int, dict[str, int]]  # year → tier → number of units
    contributions: pd.DataFrame  # (year, unit_code) × (dimensions, then adjustments)
    change: (
        pd.DataFrame
    )  # index unit_code: Δ contribution per dimension, total, driver (empty without a prior year)
    targets: tuple[TargetSummary, ...]
    unit_targets: pd.DataFrame  # index unit_code: counts of statuses per unit
    profiles: tuple[Profile, ...]
    weights: pd.DataFrame  # parent, child, weight, method, overall (report year)
    ahp: tuple[AhpCheck, ...]
    flags: pd.DataFrame  # report year
    dimension_orders: dict[str, tuple[str, ...]]  # dimension → units of the year by its rank (unranked last)
    attainment_detail: pd.DataFrame  # report year: the attainment table with every status resolved
    findings: Findings
    regional: Regional  # coordination, obstacles, disparity, group ranks (scoring.analysis.regional)
    robustness: Robustness | None = field(default=None)  # present when asked for (see :func:`analyse`)
    # 附录六: the previous round's system version against this one on the same data (see :func:`analyse`)
    versions: SystemComparison | None = field(default=None)

    @property
    def system(self) -> IndicatorSystem:
        return self.evaluation.system

    @property
    def composite(self) -> str:
        return self.evaluation.composite

    @property
    def parts(self) -> list[Node]:
        """What the composite's change splits into: the dimensions, then the top-level bonus / deductions."""
        return [*self.dimensions, *self.adjustments]

    @property
    def units(self) -> list[str]:
        """Unit codes of the report year in rank order."""
        return list(self.ranking.index)

    def name(self, unit: str) -> str:
        return self.system.unit_names.get(unit, unit)

    @property
    def city_status_counts(self) -> dict[str, int]:
        """How many targeted indicators the city average puts in each status (every status listed)."""
        statuses = [t.city_status for t in self.targets]
        return {status: statuses.count(status) for status in STATUSES}


def analyse(
    evaluation: Evaluation,
    uncertainty: UncertaintySettings | None = None,
    previous_version: Evaluation | None = None,
) -> ReportData:
    """Compute every table of the report from the evaluation (its report year is ``evaluation.year``); with
    ``uncertainty``, also the robustness analysis under that design (:func:`robustness_analysis`); with
    ``previous_version`` — the same year's data evaluated with the system version the previous round used — and a
    system file that differs from it, the comparison of the two versions
    (:func:`scoring.analysis.versions.compare_evaluations`)."""
    from scoring.analysis.regional import regional_analysis

    system = evaluation.system
    year = evaluation.year
    years = tuple(sorted(int(y) for y in evaluation.scores.index.get_level_values("year").unique()))
    previous = year - 1 if year - 1 in years else None
    dimensions = tuple(system.root.scored_children)
    ranking = ranking_table(evaluation, year)
    contributions = dimension_contributions(evaluation)
    tier_names = _tier_names(system)
    city_mean = city_means(evaluation)
    change = change_decomposition(evaluation, contributions, year)
    targets = target_summaries(evaluation, year)
    flags = (
        evaluation.flags[evaluation.flags["year"] == year].reset_index(drop=True)
        if len(evaluation.flags)
        else evaluation.flags
    )
    return ReportData(
        evaluation=evaluation,
        year=year,
        previous_year=previous,
        years=years,
        dimensions=dimensions,
        adjustments=tuple(system.root.adjustments),
        ranking=ranking,
        city_mean=city_mean,
        tier_names=tier_names,
        tier_counts={y: tier_counts(evaluation, y, tier_names) for y in years},
        contributions=contributions,
        change=change,
        targets=targets,
        unit_targets=unit_target_counts(evaluation, year, list(ranking.index)),
        profiles=profiles(evaluation, ranking, contributions),
        weights=weights_table(evaluation, year),
        ahp=ahp_checks(system),
        flags=flags,
        dimension_orders=dimension_orders(evaluation, ranking),
        attainment_detail=attainment_detail(evaluation, year),
        findings=findings(evaluation, ranking, city_mean, change, targets, flags, previous is not None),
        regional=regional_analysis(evaluation),
        robustness=robustness_analysis(evaluation, uncertainty) if uncertainty is not None else None,
        versions=version_comparison(evaluation, previous_version),
    )


def version_comparison(evaluation: Evaluation, previous: Evaluation | None) -> SystemComparison | None:
    """The comparison of the previous round's system version with this one, when there is a previous version
    and its file differs (same content hash: nothing to show)."""
    if previous is None or previous.system.content_hash == evaluation.system.content_hash:
        return None
    from scoring.analysis.versions import compare_evaluations

    return compare_evaluations(previous, evaluation)


def findings(
    evaluation: Evaluation,
    ranking: pd.DataFrame,
    city_mean: pd.DataFrame,
    change: pd.DataFrame,
    targets: tuple[TargetSummary, ...],
    flags: pd.DataFrame,
    has_previous: bool,
) -> Findings:
    """The statements of the narrative (see :class:`Findings`), from the report's tables."""
    system = evaluation.system
    year = evaluation.year
    ranked = ranking[ranking["rank"].notna()]
    dims = [d.code for d in system.root.scored_children]
    means = city_mean.loc[year, dims].astype(float)
    weakest = str(means.idxmin())
    children = [c.code for c in system.nodes[weakest].scored_children]
    child_means = evaluation.scores.xs(year, level="year")[children].mean().sort_values()
    moves = None
    if has_previous:
        moved = ranking[ranking["rank_change"].notna()]
        up = moved[moved["rank_change"] > 0]
        down = moved[moved["rank_change"] < 0]
        moves = Moves(
            up=len(up),
            down=len(down),
            same=len(moved[moved["rank_change"] == 0]),
            riser=str(up.sort_values(["rank_change", "rank"], ascending=[False, True]).index[0])
            if len(up)
            else None,
            faller=str(down.sort_values(["rank_change", "rank"], ascending=[True, True]).index[0])
            if len(down)
            else None,
        )
    order = system.indicator_codes
    most_behind = max(targets, key=lambda t: (t.counts[BEHIND], -order.index(t.code))) if targets else None
    with_change = change.dropna(subset=["total"]) if len(change) else change
    counted = flags["flag"].value_counts() if len(flags) else pd.Series(dtype=int)
    return Findings(
        spread=float(ranked["score"].max() - ranked["score"].min()) if len(ranked) else np.nan,
        strongest_dimension=str(means.idxmax()),
        weakest_dimension=weakest,
        weakest_children=tuple(str(c) for c in child_means.index[:2]),
        dimensions={code: _dimension_summary(ranking, city_mean, year, code) for code in dims},
        moves=moves,
        most_behind=most_behind if most_behind is not None and most_behind.counts[BEHIND] else None,
        behind_targets=tuple(
            sorted((t for t in targets if t.counts[BEHIND]), key=lambda t: -t.counts[BEHIND])
        ),
        lagging_targets=tuple(t for t in targets if t.city_status == BEHIND or _mostly_behind(t.counts)),
        rising=int((with_change["total"] > 0).sum()) if len(with_change) else 0,
        changed=len(with_change),
        falling=tuple(str(u) for u in change[change["total"] < 0].sort_values("total").index)
        if len(change)
        else (),
        flag_counts={str(flag): int(n) for flag, n in counted.items()},
    )


def _dimension_summary(
    ranking: pd.DataFrame, city_mean: pd.DataFrame, year: int, code: str
) -> DimensionSummary:
    present = ranking[code].astype(float).dropna()
    mean = float(city_mean.loc[year, code])
    if not len(present):
        return DimensionSummary(code, None, None, mean, 0)
    return DimensionSummary(
        code, str(present.idxmax()), str(present.idxmin()), mean, int((present > mean).sum())
    )


def _mostly_behind(counts: dict[str, int]) -> bool:
    """At least LAGGING_SHARE of the units with data are behind the schedule (and at least one is)."""
    with_data = sum(counts.values()) - counts[NO_DATA] - counts[NOT_APPLICABLE]
    return counts[BEHIND] > 0 and counts[BEHIND] >= LAGGING_SHARE * with_data


def robustness_analysis(evaluation: Evaluation, settings: UncertaintySettings) -> Robustness:
    """The uncertainty analysis (:mod:`scoring.analysis.uncertainty`) of the evaluation's year under the design
    ``settings``, seeded by ``settings.generator()`` — with :data:`~scoring.analysis.design.DEFAULT_UNCERTAINTY`
    the same rank intervals as the CLI and the dashboard show. A system the analysis cannot model gives the
    reason instead of a result."""
    from scoring.analysis.uncertainty import uncertainty_analysis_matrix
    from scoring.problems import DigiscoreError

    try:
        result = uncertainty_analysis_matrix(
            evaluation.system,
            evaluation.raw,
            evaluation.not_applicable,
            evaluation.year,
            settings.generator(),
            settings,
        )
    except DigiscoreError as error:
        return Robustness(settings, None, error.problems[0])
    return Robustness(settings, result)


def dimension_orders(evaluation: Evaluation, ranking: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Per top-level dimension: the units of the year ordered by their rank on it, unranked last, ties and
    unranked units by unit code."""
    ranks = evaluation.ranks.xs(evaluation.year, level="year")
    out = {}
    for dim in evaluation.system.root.scored_children:
        order = ranking.assign(_r=ranks[dim.code].reindex(ranking.index).fillna(np.inf), _c=ranking.index)
        out[dim.code] = tuple(str(u) for u in order.sort_values(["_r", "_c"]).index)
    return out


def attainment_detail(evaluation: Evaluation, year: int) -> pd.DataFrame:
    """The attainment table of the year (unit × targeted indicator) with ``status`` resolved: 不适用 where the
    unit marked the indicator not applicable, 无数据 for another missing value, 未达目标 where the target has no
    schedule to compare with."""
    table = evaluation.attainment
    table = table[table["year"] == year].copy()
    table["status"] = _statuses(evaluation, table)
    return table


def _statuses(evaluation: Evaluation, table: pd.DataFrame) -> list[str]:
    """The resolved status of every row of an attainment table (see :func:`attainment_detail`)."""
    marked = evaluation.not_applicable.stack()
    keys = pd.MultiIndex.from_arrays([table["year"], table["unit_code"], table["indicator_code"]])
    not_applicable = marked.reindex(keys, fill_value=False).to_numpy(dtype=bool)
    return [
        resolved_status(float(v), s, bool(na))
        for v, s, na in zip(table["value"], table["status"], not_applicable, strict=True)
    ]


def ranking_table(evaluation: Evaluation, year: int) -> pd.DataFrame:
    """One row per unit of the year in rank order (unranked last): composite, tier, change, dimension scores."""
    system = evaluation.system
    composite = system.composite.code
    scores = evaluation.scores.xs(year, level="year")
    ranks = evaluation.ranks.xs(year, level="year")
    frame = pd.DataFrame(index=scores.index)
    frame["unit_name"] = [system.unit_names.get(u, u) for u in scores.index]
    frame["rank"] = ranks[composite].astype(float)
    frame["score"] = scores[composite]
    frame["tier"] = evaluation.tiers.xs(year, level="year").astype(object).where(lambda s: s.notna(), None)
    frame["score_change"] = evaluation.score_change.xs(year, level="year")[composite]
    frame["rank_change"] = evaluation.rank_change.xs(year, level="year")[composite].astype(float)
    if year - 1 in set(evaluation.scores.index.get_level_values("year")):
        prior_scores = evaluation.scores.xs(year - 1, level="year")[composite]
        prior_ranks = evaluation.ranks.xs(year - 1, level="year")[composite].astype(float)
        frame["previous_score"] = prior_scores.reindex(frame.index)
        frame["previous_rank"] = prior_ranks.reindex(frame.index)
    else:
        frame["previous_score"] = np.nan
        frame["previous_rank"] = np.nan
    frame["topsis"] = evaluation.topsis.xs(year, level="year")
    for node in system.root.scored_children:
        frame[node.code] = scores[node.code]
        frame[f"{node.code}_rank"] = ranks[node.code].astype(float)
    frame = (
        frame.assign(_order=frame["rank"].fillna(np.inf), _code=frame.index)
        .sort_values(["_order", "_code"])
        .drop(columns=["_order", "_code"])
    )
    frame.index.name = "unit_code"
    return frame


def city_means(evaluation: Evaluation) -> pd.DataFrame:
    """City average (unweighted mean over units) of the composite and each top-level dimension, per year."""
    system = evaluation.system
    codes = [system.composite.code] + [n.code for n in system.root.scored_children]
    return evaluation.scores[codes].groupby(level="year").mean()


def _tier_names(system: IndicatorSystem) -> tuple[str, ...]:
    """Tier names best first."""
    if system.tiers is None:
        return ()
    if isinstance(system.tiers, QuantileTiers):
        return tuple(system.tiers.quantile)
    return tuple(t.name for t in sorted(system.tiers, key=lambda t: -t.min))


def tier_counts(evaluation: Evaluation, year: int, names: tuple[str, ...]) -> dict[str, int]:
    """Number of units in each tier in the year (every tier listed, zeros included)."""
    tiers = evaluation.tiers.xs(year, level="year")
    counted = tiers.value_counts()
    return {name: int(counted.get(name, 0)) for name in names}


def dimension_contributions(evaluation: Evaluation) -> pd.DataFrame:
    """Each top-level child's contribution to the composite, for every (year, unit) row: the scored dimensions,
    then the top-level bonus / deduction indicators (their signed points).

    Arithmetic root without points: ``c_d = w'_d·S_d`` with the applied weights (a missing dimension gives 0).
    Otherwise ``S·share_d`` with the shares of :func:`scoring.explain.local_shares` (geometric aggregation, points,
    a score clipped to the scale). Either way the contributions of a row add up to its composite; rows without a
    composite are NaN.
    """
    system = evaluation.system
    root = system.root
    scored = [c.code for c in root.scored_children]
    adjustments = [c.code for c in root.adjustments]
    scores = evaluation.scores[scored].to_numpy(dtype=float)
    points = evaluation.scores[adjustments].to_numpy(dtype=float).reshape(len(scores), len(adjustments))
    applied = evaluation.applied_weights[root.code][scored].to_numpy(dtype=float)
    composite = evaluation.scores[root.code].to_numpy(dtype=float)
    method = system.aggregate_method(root)
    if method == "arithmetic" and not adjustments:
        values = np.where(applied > 0, applied * np.nan_to_num(scores), 0.0)
    else:
        values = np.array(
            [
                total * local_shares(method, row, w, p)
                for total, row, w, p in zip(composite, scores, applied, points, strict=True)
            ]
        ).reshape(len(scores), len(scored) + len(adjustments))
    values[np.isnan(composite)] = np.nan
    return pd.DataFrame(values, index=evaluation.scores.index, columns=scored + adjustments)


def change_decomposition(evaluation: Evaluation, contributions: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per unit of the year: ``Δc_d`` for each dimension, their sum ``total`` (= the composite's change) and
    ``driver``, the dimension that moved the composite most in the direction it moved. Empty without year − 1."""
    dims = list(contributions.columns)
    if year - 1 not in contributions.index.get_level_values("year"):
        return pd.DataFrame(columns=[*dims, "total", "driver"])
    now = contributions.xs(year, level="year")
    before = contributions.xs(year - 1, level="year").reindex(now.index)
    delta = now - before
    delta["total"] = delta[dims].sum(axis=1, min_count=len(dims))
    drivers: list[str | None] = []
    for _, row in delta.iterrows():
        total = row["total"]
        if pd.isna(total) or total == 0:
            drivers.append(None)
        else:
            parts = row[dims].astype(float)
            drivers.append(str(parts.idxmax() if total > 0 else parts.idxmin()))
    delta["driver"] = drivers
    return delta


def weights_table(evaluation: Evaluation, year: int) -> pd.DataFrame:
    """The nominal weights of the year (parent, child, weight, method) with each node's overall weight, the
    product of the weights along its path from the composite."""
    weights = (
        evaluation.weights[evaluation.weights["year"] == year].drop(columns="year").reset_index(drop=True)
    )
    local = dict(zip(weights["child"], weights["weight"], strict=True))
    system = evaluation.system
    weights["overall"] = [
        float(np.prod([local[c] for c in system.path(child)[1:]])) for child in weights["child"]
    ]
    order = {node.code: i for i, (node, _, _) in enumerate(system.walk())}
    return weights.sort_values("child", key=lambda s: s.map(order)).reset_index(drop=True)


def ahp_checks(system: IndicatorSystem) -> tuple[AhpCheck, ...]:
    """Consistency checks of every AHP matrix the system uses (directly or as the subjective part of combined
    weights), in tree order."""
    checks = []
    for node, _, _ in system.walk():
        if not node.children or node.ahp is None:
            continue
        method = system.weighting_method(node)
        combine = node.combine or system.method.combine
        parts = (combine.subjective, combine.objective)
        if Requirement.AHP_MATRIX not in required(Stage.WEIGHTING, method, parts):
            continue  # the matrix is not used (its record says whether the weighting needs one)
        result = ahp_weights(node.ahp)
        n = len(node.scored_children)
        ri = saaty_ri(n)
        checks.append(
            AhpCheck(
                node_code=node.code,
                node_name=node.name,
                children=tuple(c.code for c in node.scored_children),
                weights=tuple(float(w) for w in result.weights),
                lambda_max=result.lambda_max,
                ci=result.ci,
                ri=ri,
                cr=result.cr,
            )
        )
    return tuple(checks)


def target_summaries(evaluation: Evaluation, year: int) -> tuple[TargetSummary, ...]:
    """Every indicator with a target: city averages by year, the city average against the target and the
    schedule of the report year, and how many units are ahead / on track / behind."""
    system = evaluation.system
    table = evaluation.attainment
    table = table[table["year"] == year]
    cap = system.method.attainment_cap
    means = evaluation.raw.groupby(level="year").mean()
    out = []
    for indicator in system.indicators:
        found = target_in_force(indicator, year)
        if found is None:
            continue
        target, start = found
        rows = table[table["indicator_code"] == indicator.code]
        statuses = _statuses(evaluation, rows)
        counts = {status: statuses.count(status) for status in STATUSES}
        city = float(means.loc[year, indicator.code])
        city_value = np.array([city])
        city_status = resolved_status(city, schedule_status(city_value, indicator, year)[0])
        behind = tuple(u for u, s in zip(rows["unit_code"], statuses, strict=True) if s == BEHIND)
        out.append(
            TargetSummary(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit or "",
                direction=indicator.direction,
                target=target.level,
                target_year=target.year,
                source=target.source,
                baseline=start.value if start else None,
                baseline_year=start.year if start else None,
                expected=expected_value(indicator, year),
                city_values={int(y): float(means.loc[y, indicator.code]) for y in means.index},
                city_attainment=float(
                    attainment_ratio(
                        city_value,
                        target.path(year) if target.annual_rate is not None else target.level,
                        indicator.direction,
                        cap,
                    )[0]
                ),
                city_status=city_status,
                counts=counts,
                mean_attainment=float(rows["attainment"].mean())
                if rows["attainment"].notna().any()
                else np.nan,
                behind_units=behind,
            )
        )
    return tuple(out)


def unit_target_counts(evaluation: Evaluation, year: int, units: list[str]) -> pd.DataFrame:
    """Per unit of the year: how many of its targeted indicators are in each status."""
    table = evaluation.attainment
    table = table[table["year"] == year]
    statuses = _statuses(evaluation, table)
    frame = pd.DataFrame({"unit_code": table["unit_code"].to_numpy(), "status": statuses})
    counts = pd.crosstab(frame["unit_code"], frame["status"]) if len(frame) else pd.DataFrame()
    return counts.reindex(index=units, columns=list(STATUSES), fill_value=0).astype(int)


def profiles(
    evaluation: Evaluation, ranking: pd.DataFrame, contributions: pd.DataFrame
) -> tuple[Profile, ...]:
    """One :class:`Profile` per unit in rank order."""
    system = evaluation.system
    year = evaluation.year
    scores = evaluation.scores.xs(year, level="year")
    ranks = evaluation.ranks.xs(year, level="year")
    raw = evaluation.raw.xs(year, level="year")
    contrib = contributions.xs(year, level="year")
    indicators = system.indicator_codes
    indicator_scores = scores[indicators]
    indicator_means = indicator_scores.mean()
    ranked_counts = indicator_scores.notna().sum()
    dims = list(system.root.scored_children)
    dim_means = scores[[d.code for d in dims]].mean()
    best_units = {d.code: scores[d.code].idxmax() if scores[d.code].notna().any() else "" for d in dims}
    ranked_units = ranking[ranking["rank"].notna()]
    leader = str(ranked_units.index[0]) if len(ranked_units) else str(ranking.index[0])
    second = ranked_units["score"].iloc[1] if len(ranked_units) > 1 else np.nan
    n_ranked = len(ranked_units)
    out = []
    for unit, row in ranking.iterrows():
        unit = str(unit)
        positions = []
        for d in dims:
            best = best_units[d.code]
            positions.append(
                DimensionPosition(
                    code=d.code,
                    name=d.name,
                    score=float(scores.at[unit, d.code]),
                    rank=float(ranks.at[unit, d.code]),
                    mean=float(dim_means[d.code]),
                    best=float(scores.at[best, d.code]) if best else np.nan,
                    best_unit=str(best),
                    contribution=float(contrib.at[unit, d.code]),
                    gap_to_leader=float(contrib.at[leader, d.code] - contrib.at[unit, d.code]),
                    difference=float(scores.at[unit, d.code] - dim_means[d.code]),
                )
            )
        strengths, weaknesses = _strengths_and_weaknesses(
            system,
            unit,
            indicator_scores.loc[unit],
            ranks.loc[unit],
            raw.loc[unit],
            indicator_means,
            ranked_counts,
        )
        is_leader = unit == leader
        out.append(
            Profile(
                unit_code=unit,
                name=str(row["unit_name"]),
                rank=float(row["rank"]),
                ranked=n_ranked,
                score=float(row["score"]),
                tier=row["tier"] if isinstance(row["tier"], str) else None,
                score_change=float(row["score_change"]),
                rank_change=float(row["rank_change"]),
                leader_code=leader,
                gap_to_leader=float(ranking.at[leader, "score"] - row["score"]),
                lead_over_next=float(row["score"] - second) if is_leader and not np.isnan(second) else None,
                dimensions=tuple(positions),
                strengths=strengths,
                weaknesses=weaknesses,
            )
        )
    return tuple(out)


def _strengths_and_weaknesses(
    system: IndicatorSystem,
    unit: str,
    scores: pd.Series,
    ranks: pd.Series,
    raw: pd.Series,
    means: pd.Series,
    ranked: pd.Series,
) -> tuple[tuple[IndicatorPosition, ...], tuple[IndicatorPosition, ...]]:
    present = scores.dropna()
    positions = [
        IndicatorPosition(
            code=code,
            name=system.nodes[code].name,
            unit=system.nodes[code].unit or "",
            value=float(raw[code]),
            score=float(present[code]),
            rank=int(ranks[code]),
            ranked=int(ranked[code]),
            mean=float(means[code]),
        )
        for code in present.index
    ]
    by_code = {p.code: p for p in positions}
    best, worst = strengths_and_weaknesses([(p.code, p.rank, p.ranked, p.score - p.mean) for p in positions])
    return tuple(by_code[c] for c in best), tuple(by_code[c] for c in worst)


def strengths_and_weaknesses(
    positions: Sequence[tuple[str, int, int, float]], items: int = PROFILE_ITEMS
) -> tuple[list[str], list[str]]:
    """A unit's strengths (优势) and weaknesses (短板) among its indicators, each ``(code, rank, units ranked,
    score − the units' mean score)``: at most ``items`` of the best-ranked in the upper third, and of the
    worst-ranked in the lower third; by relative rank (rank / units ranked, so 11th of 12 counts as weaker than
    7th of 14), then by the distance from the mean, then in the given order. The report, the CLI and the
    dashboard's profile name the same ones."""
    best_first = sorted(positions, key=lambda p: (p[1] / p[2], -p[3]))
    strengths = [p[0] for p in best_first if upper_third(p[1], p[2])][:items]
    worst_first = sorted(positions, key=lambda p: (-p[1] / p[2], p[3]))
    weaknesses = [p[0] for p in worst_first if p[0] not in strengths and lower_third(p[1], p[2])][:items]
    return strengths, weaknesses


def upper_third(rank: int, ranked: int) -> bool:
    """A strength (优势) ranks among the best third of the units ranked on the indicator (at least the first):
    4th of 14 is, 5th of 14 is not."""
    return rank <= max(1, ranked // 3)


def lower_third(rank: int, ranked: int) -> bool:
    """A weakness (短板) ranks among the worst third (at least the last): 11th of 14 is, 10th of 14 is not."""
    return rank > ranked - max(1, ranked // 3)
