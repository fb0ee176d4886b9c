"""The whole evaluation: raw values → imputed → transformed/treated → normalised → weighted and aggregated
level by level → ranks, tiers, TOPSIS, year-over-year change and target attainment.

Every stage's output, the weights actually used and a log of the steps are kept in one :class:`Evaluation`
(like COINr's coin), so any score can be explained from the raw value up and regenerated from its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.data import STATUS_NOT_APPLICABLE, Dataset
from scoring.pipeline.aggregate import AGGREGATION
from scoring.pipeline.attainment import attainment_table
from scoring.pipeline.columns import column_stat
from scoring.pipeline.missing import MISSING, MissingContext
from scoring.pipeline.normalise import DATA_DRIVEN, NORMALISATION, ColumnParams
from scoring.pipeline.rank import assign_tiers, rank_scores
from scoring.pipeline.topsis import topsis
from scoring.pipeline.treat import TREATMENT
from scoring.pipeline.weights import WEIGHTING
from scoring.problems import Location, PipelineError, Problem, Severity
from scoring.system.models import IndicatorSystem, Node


@dataclass(frozen=True)
class Step:
    """One entry of the evaluation log: the stage, the method used and what it learned from the data."""

    stage: str
    method: str
    detail: dict[str, Any] = field(default_factory=dict)


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
        from scoring.explain import decompose

        return decompose(self, unit, self.year if year is None else year)


def evaluate(system: IndicatorSystem, dataset: Dataset, year: int) -> Evaluation:
    """Evaluate every year in the data with the system's methods; ``year`` is the one reported by default."""
    return evaluate_matrix(system, *data_matrices(system, dataset), year)


def data_matrices(system: IndicatorSystem, dataset: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw (year, unit) × indicator matrix of the system's units and indicators, and its 不适用 mask."""
    codes = system.indicator_codes
    raw = dataset.matrix(codes, units=system.unit_codes)
    if (dataset.values["status"] == STATUS_NOT_APPLICABLE).any():
        not_applicable = dataset.not_applicable(codes, units=system.unit_codes)
    else:
        not_applicable = pd.DataFrame(False, index=raw.index, columns=raw.columns)
    return raw, not_applicable


def evaluate_matrix(
    system: IndicatorSystem, raw: pd.DataFrame, not_applicable: pd.DataFrame, year: int
) -> Evaluation:
    """The pipeline on a (year, unit_code) × indicator matrix of raw values and its 不适用 mask."""
    method = system.method
    log: list[Step] = []
    problems: list[Problem] = []
    if year not in raw.index.get_level_values("year"):
        raise PipelineError(Problem("pipeline.no_year", params={"year": year}))
    empty = raw.isna().all(axis=1) & ~not_applicable.any(axis=1)
    if empty.any():
        dropped = [(int(y), str(u)) for y, u in raw.index[empty.to_numpy()]]
        log.append(Step("screen", "no_values", {"removed": dropped}))
        problems.extend(Problem("pipeline.empty_unit", Severity.WARNING, unit=u, year=y) for y, u in dropped)
        raw, not_applicable = raw[~empty], not_applicable[~empty]
    raw, screened = _screen(raw, not_applicable, method.min_coverage)
    not_applicable = not_applicable.loc[raw.index]
    if screened:
        log.append(Step("screen", "min_coverage", {"threshold": method.min_coverage, "removed": screened}))
        problems.extend(
            Problem("pipeline.screened", Severity.WARNING, Location(), unit=u, year=y, params={"coverage": c})
            for y, u, c in screened
        )

    groups = {u.code: u.group or "" for u in system.units}
    imputed, imputed_mask = MISSING[method.missing](raw, MissingContext(groups, not_applicable))
    log.append(Step("impute", method.missing, {"imputed": _cells(imputed, imputed_mask)}))

    row_groups = _comparability_groups(raw.index, method.comparability)
    transformed = _transform(imputed, system.indicators)
    treated, treated_flags = _treat(transformed, system, row_groups, log)
    normalised = _normalise(treated, system, row_groups, log)
    scores, weights, applied = _aggregate(normalised, system, row_groups, log)
    ranks = rank_scores(scores)
    tiers = assign_tiers(scores[system.composite.code], ranks[system.composite.code], system.tiers)

    overall = _overall_weights(system, weights, raw.index)
    closeness = np.full(len(raw), np.nan)
    for rows in _comparability_groups(raw.index, "per_year"):
        closeness[rows] = topsis(normalised.to_numpy()[rows], overall[rows[0]])
    topsis_scores = pd.Series(closeness, index=raw.index, name="topsis")

    score_change, rank_change = _year_over_year(scores, ranks)
    attainment = attainment_table(raw, system.indicators, method.attainment_cap)
    flags = _flags(raw, imputed_mask, not_applicable, treated_flags, scores, system)
    return Evaluation(
        system=system,
        year=year,
        raw=raw,
        not_applicable=not_applicable,
        imputed=imputed,
        treated=treated,
        normalised=normalised,
        scores=scores,
        ranks=ranks,
        tiers=tiers,
        weights=weights,
        applied_weights=applied,
        topsis=topsis_scores,
        score_change=score_change,
        rank_change=rank_change,
        attainment=attainment,
        flags=flags,
        log=log,
        problems=problems,
    )


def _screen(
    raw: pd.DataFrame, not_applicable: pd.DataFrame, threshold: float
) -> tuple[pd.DataFrame, list[tuple[int, str, float]]]:
    """Drop (year, unit) rows whose share of available indicators (values or 不适用) is below the threshold."""
    coverage = (raw.notna() | not_applicable).mean(axis=1)
    low = coverage < threshold
    removed = [(int(y), str(u), round(float(c), 4)) for (y, u), c in coverage[low].items()]
    return raw[~low], removed


def _comparability_groups(index: pd.MultiIndex, comparability: str) -> list[np.ndarray]:
    """Row positions evaluated together: each year on its own, or all years pooled."""
    if comparability == "pooled":
        return [np.arange(len(index))]
    years = index.get_level_values("year").to_numpy()
    return [np.flatnonzero(years == y) for y in np.unique(years)]


def _cells(matrix: pd.DataFrame, mask: pd.DataFrame) -> list[dict[str, Any]]:
    rows, cols = np.nonzero(mask.to_numpy())
    return [
        {
            "year": int(matrix.index[r][0]),
            "unit_code": matrix.index[r][1],
            "indicator_code": matrix.columns[c],
            "value": float(matrix.iat[r, c]),
        }
        for r, c in zip(rows, cols, strict=True)
    ]


def transform_values(values: np.ndarray | float, transform: str | None) -> Any:
    """An indicator's declared transform: ``log`` is ``ln(1 + x)`` (defined at 0, for counts and capacities)."""
    if transform == "log":
        with np.errstate(all="ignore"):
            return np.log1p(values)
    return values


def _transform(x: pd.DataFrame, indicators: list[Node]) -> pd.DataFrame:
    logged = [i.code for i in indicators if i.transform == "log"]
    if not logged:
        return x
    out = x.copy()
    out[logged] = transform_values(out[logged].to_numpy(), "log")
    return out


def _treat(
    x: pd.DataFrame, system: IndicatorSystem, row_groups: list[np.ndarray], log: list[Step]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outlier treatment of the indicators with data-driven normalisation (fixed goalposts need raw units)."""
    flags = pd.DataFrame("", index=x.index, columns=x.columns)
    name = system.method.treat
    if name == "none":
        return x, flags
    treat = TREATMENT[name]
    values = x.to_numpy(copy=True)
    details = []
    for j, indicator in enumerate(system.indicators):
        if indicator.role != "score" or system.normalise_method(indicator) not in DATA_DRIVEN:
            continue
        for rows in row_groups:
            column, outcome = treat(values[rows, j], system.method.treatment)
            values[rows, j] = column
            if outcome.action == "none":
                continue
            present = rows[~np.isnan(x.to_numpy()[rows, j])]
            moved = rows[outcome.winsorised] if outcome.winsorised else present
            flags.iloc[moved, j] = outcome.action
            details.append(
                {
                    "indicator_code": indicator.code,
                    "years": sorted({int(y) for y in x.index[rows].get_level_values("year")}),
                    "action": outcome.action,
                    "skew_before": outcome.skew_before,
                    "kurtosis_before": outcome.kurtosis_before,
                    "skew_after": outcome.skew_after,
                    "kurtosis_after": outcome.kurtosis_after,
                    "units": [x.index[r][1] for r in rows[outcome.winsorised]],
                }
            )
    log.append(Step("treat", name, {"treated": details, **system.method.treatment.model_dump()}))
    return pd.DataFrame(values, index=x.index, columns=x.columns), flags


def column_params(indicators: list[Node]) -> ColumnParams:
    """Directions, goalposts and targets of the indicators, on the scale of their declared transform."""
    lower = np.array([i.goalposts[0] if i.goalposts else np.nan for i in indicators], dtype=float)
    upper = np.array([i.goalposts[1] if i.goalposts else np.nan for i in indicators], dtype=float)
    target = np.array([i.target.value if i.target else np.nan for i in indicators], dtype=float)
    logged = np.array([i.transform == "log" for i in indicators])
    return ColumnParams(
        direction=np.array([i.direction for i in indicators], dtype=float),
        lower=np.where(logged, transform_values(lower, "log"), lower),
        upper=np.where(logged, transform_values(upper, "log"), upper),
        target=np.where(logged, transform_values(target, "log"), target),
    )


def _normalise(
    x: pd.DataFrame, system: IndicatorSystem, row_groups: list[np.ndarray], log: list[Step]
) -> pd.DataFrame:
    values = x.to_numpy()
    out = np.full(values.shape, np.nan)
    by_method: dict[str, list[int]] = {}
    for j, indicator in enumerate(system.indicators):
        if indicator.role == "score":
            by_method.setdefault(system.normalise_method(indicator), []).append(j)
        else:
            out[:, j] = adjustment_points(values[:, j], indicator)
    for name, columns in by_method.items():
        block = [system.indicators[j] for j in columns]
        params = column_params(block)
        _require_parameters(name, block, params)
        normaliser = NORMALISATION[name]
        for rows in row_groups:
            out[np.ix_(rows, np.asarray(columns))] = normaliser(
                values[np.ix_(rows, np.asarray(columns))], params, system.method
            )
        detail: dict[str, Any] = {"indicators": [i.code for i in block]}
        if name in DATA_DRIVEN:
            detail["bounds"] = _learned_bounds(x, columns, row_groups)
        log.append(Step("normalise", name, detail))
    return pd.DataFrame(out, index=x.index, columns=x.columns)


def adjustment_points(x: np.ndarray, indicator: Node) -> np.ndarray:
    """Points of a bonus (+) or deduction (−) indicator: ``± min(cap, per_unit · x)``; none when missing."""
    assert indicator.points is not None  # the models require points on a bonus or deduction
    sign = 1.0 if indicator.role == "bonus" else -1.0
    points = np.minimum(indicator.points.cap, indicator.points.per_unit * np.clip(x, 0.0, None))
    return sign * points + 0.0  # + 0.0 turns −0.0 (no deduction) into 0.0


def _require_parameters(name: str, block: list[Node], params: ColumnParams) -> None:
    if name in {"goalpost", "goalposts"}:
        missing = [i.code for i, lo in zip(block, params.lower, strict=True) if np.isnan(lo)]
        code = "pipeline.no_goalposts"
    elif name in {"target", "efficacy"}:
        missing = [i.code for i, t in zip(block, params.target, strict=True) if np.isnan(t)]
        code = "pipeline.no_target"
    else:
        return
    if missing:
        raise PipelineError([Problem(code, indicator=c, params={"indicator": c}) for c in missing])


def _learned_bounds(
    x: pd.DataFrame, columns: list[int], row_groups: list[np.ndarray]
) -> list[dict[str, Any]]:
    """What a data-driven normalisation learned (min, max, mean, sd per column and group), for the log."""
    values = x.to_numpy()
    out = []
    for rows in row_groups:
        block = values[np.ix_(rows, np.asarray(columns))]
        years = sorted({int(y) for y in x.index[rows].get_level_values("year")})
        with np.errstate(all="ignore"):
            stats = zip(
                column_stat(np.nanmin, block),
                column_stat(np.nanmax, block),
                column_stat(np.nanmean, block),
                column_stat(np.nanstd, block, min_count=2, ddof=1),
                strict=True,
            )
        for j, (mn, mx, mean, sd) in zip(columns, stats, strict=True):
            out.append(
                {"indicator_code": x.columns[j], "years": years, "min": mn, "max": mx, "mean": mean, "sd": sd}
            )
    return out


def _aggregate(
    normalised: pd.DataFrame, system: IndicatorSystem, row_groups: list[np.ndarray], log: list[Step]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """Bottom-up over the tree: each parent's weights (per comparability group) and aggregated scores."""
    n = len(normalised)
    columns: dict[str, np.ndarray] = {code: normalised[code].to_numpy() for code in normalised.columns}
    weight_rows: list[dict[str, Any]] = []
    applied: dict[str, pd.DataFrame] = {}
    years = normalised.index.get_level_values("year").to_numpy()
    group_years = [sorted({int(y) for y in np.unique(years[rows])}) for rows in row_groups]
    parents = [node for node, _, _ in system.walk() if node.children]
    for node in reversed(parents):  # reversed pre-order: every child is scored before its parent
        children = [c.code for c in node.scored_children]
        child_scores = np.column_stack([columns[c] for c in children])
        weighting = system.weighting_method(node)
        aggregation = system.aggregate_method(node)
        aggregate = AGGREGATION[aggregation]
        value = np.full(n, np.nan)
        used = np.zeros((n, len(children)))
        for rows, in_group in zip(row_groups, group_years, strict=True):
            w = WEIGHTING[weighting](node, child_scores[rows], system.method)
            value[rows], used[rows] = aggregate(child_scores[rows], w, node.code)
            for child, weight in zip(children, w, strict=True):
                weight_rows.extend(
                    {
                        "year": y,
                        "parent": node.code,
                        "child": child,
                        "weight": float(weight),
                        "method": weighting,
                    }
                    for y in in_group
                )
        if node.adjustments:
            points = np.nansum(np.column_stack([columns[c.code] for c in node.adjustments]), axis=1)
            value = np.clip(value + points, *system.method.scale)
        columns[node.code] = value
        applied[node.code] = pd.DataFrame(used, index=normalised.index, columns=children)
        log.append(Step("aggregate", aggregation, {"node": node.code, "weighting": weighting}))
    log.append(Step("weights", "nominal", {"weights": weight_rows}))
    order = [node.code for node, _, _ in system.walk()]
    scores = pd.DataFrame({code: columns[code] for code in order}, index=normalised.index)
    return scores, pd.DataFrame(weight_rows), applied


def _overall_weights(
    system: IndicatorSystem, weights: pd.DataFrame, index: pd.MultiIndex
) -> dict[int, np.ndarray]:
    """Each indicator's overall weight (product of nominal weights along its path), per row position."""
    years = index.get_level_values("year").to_numpy()
    out: dict[int, np.ndarray] = {}
    for year in np.unique(years):
        local = weights[weights["year"] == year].set_index("child")["weight"]
        overall = np.array(
            [np.prod([local.get(c, 0.0) for c in system.path(i.code)[1:]]) for i in system.indicators],
            dtype=float,
        )
        for position in np.flatnonzero(years == year):
            out[int(position)] = overall
    return out


def _year_over_year(scores: pd.DataFrame, ranks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Change from the previous calendar year: score difference, and places gained (previous rank − rank)."""
    previous = scores.rename(index=lambda y: y + 1, level="year").reindex(scores.index)
    previous_rank = ranks.rename(index=lambda y: y + 1, level="year").reindex(ranks.index)
    return scores - previous, previous_rank - ranks


def _flags(
    raw: pd.DataFrame,
    imputed: pd.DataFrame,
    not_applicable: pd.DataFrame,
    treated: pd.DataFrame,
    scores: pd.DataFrame,
    system: IndicatorSystem,
) -> pd.DataFrame:
    """Every cell something happened to: missing, not applicable, imputed, winsorised / logged, renormalised."""
    years = raw.index.get_level_values("year").to_numpy()
    units = raw.index.get_level_values("unit_code").to_numpy()
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(mask: np.ndarray, codes: np.ndarray, flag: str | np.ndarray) -> None:
        rows, cols = np.nonzero(mask)
        labels = flag[rows, cols] if isinstance(flag, np.ndarray) else np.full(len(rows), flag, dtype=object)
        pieces.append((years[rows], units[rows], codes[cols], labels))

    indicators = raw.columns.to_numpy()
    na = not_applicable.to_numpy(dtype=bool)
    add(raw.isna().to_numpy() & ~na & ~imputed.to_numpy(), indicators, "missing")
    add(na, indicators, "not_applicable")
    add(imputed.to_numpy(), indicators, "imputed")
    treated_values = treated.to_numpy()
    add(treated_values != "", indicators, treated_values)
    parents = [node for node in system.nodes.values() if node.children]
    partial = np.column_stack([_partly_missing(scores, node) for node in parents])
    add(partial, np.array([node.code for node in parents], dtype=object), "renormalised")
    flags = pd.DataFrame(
        {
            name: np.concatenate([p[i] for p in pieces])
            for i, name in enumerate(["year", "unit_code", "node_code", "flag"])
        }
    )
    return flags.sort_values(["year", "unit_code", "node_code"]).reset_index(drop=True)


def _partly_missing(scores: pd.DataFrame, node: Node) -> np.ndarray:
    """Rows where some but not all of the node's children are missing (its weights were renormalised)."""
    missing = scores[[child.code for child in node.scored_children]].isna().to_numpy()
    return missing.any(axis=1) & ~missing.all(axis=1)
