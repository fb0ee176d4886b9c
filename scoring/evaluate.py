"""The whole evaluation, stage by stage: raw values → screened → imputed → transformed → treated → normalised →
weighted and aggregated level by level → ranks, tiers, TOPSIS, year-over-year change, target attainment, flags.

This module only orchestrates: each stage is a module of :mod:`scoring.pipeline` that returns its output and what
it learned (bounds, floors, weights, treated points), and the evaluation log is built from those returns. The
result, :class:`scoring.result.Evaluation`, is re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from scoring.data import STATUS_NOT_APPLICABLE, STATUS_UNAVAILABLE, Dataset
from scoring.pipeline.attainment import attainment_table
from scoring.pipeline.change import year_over_year
from scoring.pipeline.derive import Derived, derive_stage
from scoring.pipeline.flags import flag_cells
from scoring.pipeline.groups import base_rows, comparability_groups
from scoring.pipeline.missing import Imputed, impute_stage
from scoring.pipeline.normalise import Normalised, column_params, normalise_stage
from scoring.pipeline.points import adjustment_points
from scoring.pipeline.rank import assign_tiers, rank_scores
from scoring.pipeline.screen import Screened, screen
from scoring.pipeline.topsis import topsis_scores
from scoring.pipeline.transform import Transformed, transform_stage, transform_values
from scoring.pipeline.treat import Treated, treat_stage
from scoring.pipeline.tree import aggregate_tree
from scoring.problems import PipelineError, Problem
from scoring.result import REMARK_COLUMNS, Evaluation, Step
from scoring.system.models import IndicatorSystem

__all__ = [
    "Evaluation",
    "Step",
    "adjustment_points",
    "column_params",
    "data_matrices",
    "evaluate",
    "evaluate_matrix",
    "normalised_matrix",
    "transform_values",
]


def evaluate(system: IndicatorSystem, dataset: Dataset, year: int) -> Evaluation:
    """Evaluate every year in the data with the system's methods; ``year`` is the one reported by default. The
    values' 备注 go along (``Evaluation.remarks``): they explain a value, they never change a score."""
    evaluation = evaluate_matrix(system, *data_matrices(system, dataset), year)
    evaluation.remarks = data_remarks(system, dataset)
    evaluation.unavailable = data_unavailable(system, dataset)
    return evaluation


def data_unavailable(system: IndicatorSystem, dataset: Dataset) -> pd.DataFrame:
    """The values the units declared unavailable (数据缺失, status ``unavailable``) with their reasons (the
    values' remarks), in unit, indicator and year order: scored as missing, the reason kept for the report."""
    values = dataset.values
    given = values[
        (values["status"] == STATUS_UNAVAILABLE)
        & values["unit_code"].isin(system.unit_codes)
        & values["indicator_code"].isin([node.code for node in system.collected])
    ]
    table = given[["unit_code", "indicator_code", "year", "remark"]].rename(columns={"remark": "reason"})
    return table.sort_values(["unit_code", "indicator_code", "year"]).reset_index(drop=True)


def data_remarks(system: IndicatorSystem, dataset: Dataset) -> pd.DataFrame:
    """The remarks of the values the system's units fill in (its collected indicators and components), in unit,
    indicator and year order."""
    values = dataset.values
    given = values[
        (values["remark"] != "")
        & values["unit_code"].isin(system.unit_codes)
        & values["indicator_code"].isin([node.code for node in system.collected])
    ]
    return given[REMARK_COLUMNS].sort_values(["unit_code", "indicator_code", "year"]).reset_index(drop=True)


def data_matrices(system: IndicatorSystem, dataset: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw (year, unit) × code matrix of the system's units — its indicators, then its components (the
    parts of derived indicators) — and its 不适用 mask. Derived indicators' columns are filled by the pipeline;
    an indicator that is the same as another (``same_as``) takes that one's column (value and 不适用 mark), so
    one collected value scores in both places (a value the data give it directly is not used)."""
    codes = system.indicator_codes + [node.code for node in system.components]
    raw = dataset.matrix(codes, units=system.unit_codes)
    if (dataset.values["status"] == STATUS_NOT_APPLICABLE).any():
        not_applicable = dataset.not_applicable(codes, units=system.unit_codes)
    else:
        not_applicable = pd.DataFrame(False, index=raw.index, columns=raw.columns)
    shared = system.same_as
    if shared:
        raw[list(shared)] = raw[list(shared.values())].to_numpy()
        not_applicable[list(shared)] = not_applicable[list(shared.values())].to_numpy()
    return raw, not_applicable


@dataclass(frozen=True)
class _UpToNormalisation:
    """The stages up to normalisation, as :func:`evaluate_matrix` and :func:`normalised_matrix` share them:
    ``raw`` and ``not_applicable`` are the rows kept by screening."""

    derived: Derived
    screened: Screened
    imputed: Imputed
    raw: pd.DataFrame
    not_applicable: pd.DataFrame
    row_groups: list[np.ndarray]
    fit_rows: np.ndarray | None  # comparability: frozen: the base years' rows, which bounds are learned from
    transformed: Transformed
    treated: Treated
    normalised: Normalised


def _up_to_normalisation(
    system: IndicatorSystem, raw: pd.DataFrame, not_applicable: pd.DataFrame
) -> _UpToNormalisation:
    method = system.method
    derived = derive_stage(raw, not_applicable, system)
    if method.screen_on == "imputed":
        # COINr's build_example_coin order: impute, then screen by coverage of the imputed data (a unit that
        # reported nothing is still dropped first: it would otherwise be made up entirely of imputed values)
        reported = screen(derived.values, derived.not_applicable, 0.0)
        imputed = impute_stage(reported.raw, reported.not_applicable, system)
        screened = screen(imputed.values, reported.not_applicable, method.min_coverage)
        screened = replace(screened, empty=reported.empty)
        kept = screened.raw.index
        raw, not_applicable = reported.raw.loc[kept], screened.not_applicable
        imputed = Imputed(imputed.method, imputed.values.loc[kept], imputed.mask.loc[kept])
    else:
        screened = screen(derived.values, derived.not_applicable, method.min_coverage)
        raw, not_applicable = screened.raw, screened.not_applicable
        imputed = impute_stage(raw, not_applicable, system)
    row_groups = comparability_groups(raw.index, method.comparability)
    fit_rows = base_rows(raw.index, method.base_years)
    transformed = transform_stage(imputed.values, system.indicators)
    treated = treat_stage(transformed.values, system, row_groups)
    normalised = normalise_stage(treated.values, system, row_groups, fit_rows)
    return _UpToNormalisation(
        derived,
        screened,
        imputed,
        raw,
        not_applicable,
        row_groups,
        fit_rows,
        transformed,
        treated,
        normalised,
    )


def _no_year(raw: pd.DataFrame, year: int) -> Problem:
    """``pipeline.no_year``, naming the years the data do hold (so the reader can choose one)."""
    years = sorted({int(y) for y in raw.index.get_level_values("year")})
    params: dict[str, object] = {"year": year}
    if years:
        params["years"] = [str(y) for y in years] if len(years) < 12 else f"{years[0]}–{years[-1]}"
    return Problem("pipeline.no_year", params=params)


def normalised_matrix(
    system: IndicatorSystem, raw: pd.DataFrame, not_applicable: pd.DataFrame, year: int
) -> pd.DataFrame:
    """The pipeline up to the normalisation stage: exactly ``evaluate_matrix(...).normalised``, without the
    aggregation, ranks, flags and log that analyses replacing the later stages (the uncertainty analysis) do not
    use."""
    if year not in raw.index.get_level_values("year"):
        raise PipelineError(_no_year(raw, year))
    return _up_to_normalisation(system, raw, not_applicable).normalised.values


def evaluate_matrix(
    system: IndicatorSystem, raw: pd.DataFrame, not_applicable: pd.DataFrame, year: int
) -> Evaluation:
    """The pipeline on a (year, unit_code) × code matrix of raw values and its 不适用 mask (the columns of
    :func:`data_matrices`: indicators, and the components of derived indicators)."""
    method = system.method
    if year not in raw.index.get_level_values("year"):
        raise PipelineError(_no_year(raw, year))
    stages = _up_to_normalisation(system, raw, not_applicable)
    derived, screened, imputed = stages.derived, stages.screened, stages.imputed
    raw, not_applicable, row_groups = stages.raw, stages.not_applicable, stages.row_groups
    transformed, treated, normalised = stages.transformed, stages.treated, stages.normalised
    log = [Step("derive", "formula", derived.log_detail())] if system.derived else []
    parts = derived.parts.loc[raw.index]
    log.extend(Step("screen", name, detail) for name, detail in screened.log_entries())
    log.append(Step("impute", imputed.method, imputed.log_detail()))
    fit_rows = stages.fit_rows
    if method.comparability == "pooled":
        years = sorted({int(y) for y in raw.index.get_level_values("year")})
        log.append(Step("comparability", "pooled", {"years": years, "rescored": years[:-1]}))
    elif fit_rows is not None:
        log.append(Step("comparability", "frozen", {"base_years": list(method.base_years or ())}))
    log.extend(Step("transform", name, transformed.log_detail(name)) for name in transformed.transformed)
    if treated.method != "none":
        log.append(Step("treat", treated.method, treated.log_detail()))
    log.extend(Step("normalise", block.method, block.log_detail()) for block in normalised.blocks)
    tree = aggregate_tree(normalised.values, system, row_groups, not_applicable, fit_rows)
    log.extend(
        Step("aggregate", parent.aggregation, {"node": parent.node, "weighting": parent.weighting})
        for parent in tree.parents
    )
    log.append(Step("weights", "nominal", {"weights": tree.weight_rows}))
    if tree.below_coverage:
        removed = [
            {"year": int(raw.index[r][0]), "unit_code": str(raw.index[r][1]), "node": n, "coverage": c}
            for r, n, c, _ in tree.below_coverage
        ]
        log.append(Step("coverage", "min_coverage", {"below": removed}))

    scores = tree.scores
    ranks = rank_scores(scores)
    weights = tree.weights
    score_change, rank_change = year_over_year(scores, ranks)
    return Evaluation(
        system=system,
        year=year,
        raw=raw,
        not_applicable=not_applicable,
        imputed=imputed.values,
        treated=treated.values,
        normalised=normalised.values,
        scores=scores,
        ranks=ranks,
        tiers=assign_tiers(scores[system.composite.code], ranks[system.composite.code], system.tiers),
        weights=weights,
        applied_weights=tree.applied,
        topsis=topsis_scores(normalised.values, system, weights),
        score_change=score_change,
        rank_change=rank_change,
        attainment=attainment_table(raw, system.indicators, method.attainment_cap),
        flags=flag_cells(
            raw, imputed.mask, not_applicable, treated.flags, scores, system, tree.below_coverage
        ),
        log=log,
        problems=derived.problems + screened.problems + tree.coverage_problems(),
        parts=parts,
    )
