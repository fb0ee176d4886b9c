"""Uncertainty and sensitivity analysis of the ranking (OECD/JRC Handbook, step 7; COINr's ``get_sensitivity``).

Many replications of the evaluation, each with perturbed weights and a drawn normalisation, aggregation and
missing-data policy (see :mod:`scoring.analysis.design`), scored all at once by matrix products (see
:mod:`scoring.analysis.batch`). Per unit: the nominal rank, the median rank and the 5–95 % rank interval over
the replications, and the probability of each tier; per assumption: the first-order and total-effect
sensitivity indices of the ranks (see :mod:`scoring.analysis.sensitivity`).

What stays fixed across replications, and why:

- the **nominal weights** are the ones the nominal evaluation used for the year (fixed, AHP, or learned from
  the data by entropy/CRITIC on the system's own normalisation); they are perturbed, never re-learned under
  an alternative normalisation, so that the weight assumption is independent of the others (a variance
  decomposition needs independent factors);
- a **geometric** replication needs positive scores: unless both its normalisation and its aggregation are the
  system's own (then it is exactly the nominal evaluation), every indicator score is mapped to [1, 100] by
  ``y' = 1 + 99·(y − a_j)/(b_j − a_j)``, with [a_j, b_j] the method's fixed range ([lo, hi] of the system scale
  for minmax, rank, goalpost and target; [base, base + span] for efficacy) or, for methods without one
  (z-scores), the column's observed min and max in its comparability group (all equal: y' = 100). Its
  composite is mapped back to the system scale, ``lo + (hi − lo)·(c − 1)/99``, before tiers are assigned;
- **tiers by thresholds** are meaningful on the system scale only, so replications whose normalisation has no
  fixed range (z-scores) are left out of the tier probabilities (``tier_runs`` says how many count); tiers by
  quantiles come from the replication's ranks and count in every replication.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from scoring.analysis.batch import PreparedScores, TreeLayout, batch_composites, rank_descending
from scoring.analysis.design import (
    DISCRETE,
    MATRIX_FACTORS,
    Assumption,
    Design,
    UncertaintySettings,
    sample_design,
    varied_factors,
)
from scoring.analysis.sensitivity import sobol_indices
from scoring.analysis.settings import LEAVE_ONE_OUT
from scoring.analysis.variants import aggregation_label, normalisation_label, score_range, variant_system
from scoring.data import Dataset
from scoring.evaluate import Evaluation, data_matrices, evaluate_matrix, normalised_matrix
from scoring.methods import Requirement, Stage, record
from scoring.pipeline.groups import base_rows
from scoring.system.models import IndicatorSystem, QuantileTiers

RANK_QUANTILES = (0.05, 0.5, 0.95)
NO_TIER = "无档次"


def assumptions_of(system: IndicatorSystem, settings: UncertaintySettings) -> dict[str, Assumption]:
    """The levels of each assumption: the system's own choice first, then the alternatives that differ.

    ``ahp`` varies when some parent is weighted by AHP (and ``ahp_steps`` > 0); ``goalposts`` when some
    indicator has goalposts or a target (and ``goalpost_shift`` > 0); ``exclusion`` has the level ``all`` and
    one level per scored indicator (with ``leave_one_out``).
    """

    def levels(nominal: str, alternatives: tuple[str, ...]) -> tuple[str, ...]:
        return (nominal, *dict.fromkeys(a for a in alternatives if a != nominal))

    kind = settings.weights if settings.weights != "uniform" or settings.spread > 0 else "none"
    has_ahp = any(
        node.ahp is not None and system.weighting_method(node) == "ahp"
        for node, _, _ in system.walk()
        if node.children
    )
    scored = [i for i in system.indicators if i.role == "score"]
    has_bounds = any(i.goalposts is not None or i.target is not None for i in scored)
    return {
        "weights": Assumption("weights", ("nominal",) if kind == "none" else ("nominal", kind)),
        "ahp": Assumption(
            "ahp", ("nominal", "perturbed") if has_ahp and settings.ahp_steps else ("nominal",)
        ),
        "normalisation": Assumption(
            "normalisation", levels(normalisation_label(system), settings.normalisations)
        ),
        "aggregation": Assumption("aggregation", levels(aggregation_label(system), settings.aggregations)),
        "missing": Assumption("missing", levels(system.method.missing, settings.missing)),
        "treatment": Assumption("treatment", levels(system.method.treat, settings.treatments)),
        "goalposts": Assumption(
            "goalposts",
            ("nominal", "stricter", "looser") if has_bounds and settings.goalpost_shift else ("nominal",),
        ),
        "exclusion": Assumption(
            "exclusion",
            ("all", *(i.code for i in scored)) if settings.leave_one_out and len(scored) > 1 else ("all",),
        ),
    }


def matrix_levels(levels: tuple[int, ...] | np.ndarray) -> tuple[int, int, int, int, int]:
    """The levels of :data:`MATRIX_FACTORS` (normalisation, aggregation, missing, treatment, goalposts) of a
    run; levels not given are 0 (the system's own)."""
    given = [int(v) for v in list(levels)[: len(MATRIX_FACTORS)]]
    n, a, m, t, g = given + [0] * (len(MATRIX_FACTORS) - len(given))
    return n, a, m, t, g


class ReplicationModel:
    """Everything the replications share: the tree layout, the nominal weights, and the normalised indicator
    matrix of each (normalisation, missing-data) level, computed once by the engine itself."""

    def __init__(
        self,
        system: IndicatorSystem,
        raw: pd.DataFrame,
        not_applicable: pd.DataFrame,
        year: int,
        nominal: Evaluation,
        assumptions: dict[str, Assumption],
        goalpost_shift: float = 0.10,
    ):
        self.system = system
        self.settings_shift = goalpost_shift
        self.raw = raw
        self.not_applicable = not_applicable
        self.year = year
        self.nominal = nominal
        self.assumptions = assumptions
        self.layout = TreeLayout.from_system(system)
        self.nominal_weights = self.layout.nominal_weights(nominal.weights, year)
        index = nominal.normalised.index
        years = index.get_level_values("year").to_numpy()
        self.rows = np.flatnonzero(years == year)
        self.unit_codes = tuple(str(u) for u in index[self.rows].get_level_values("unit_code"))
        comparability = system.method.comparability
        fit = base_rows(index, system.method.base_years)
        # the rows the year's bounds come from: the year, the base years (frozen) or every year (pooled)
        self.group_rows = (
            self.rows if comparability == "per_year" else fit if fit is not None else np.arange(len(index))
        )
        self._normalised: dict[tuple[int, ...], np.ndarray] = {}
        # False where the unit marked the indicator 不适用 (the coverage rule counts only what applies)
        self.applicable = ~(
            not_applicable.reindex(
                index=index[self.rows], columns=system.indicator_codes, fill_value=False
            ).to_numpy(dtype=bool)
        )
        lo, hi = system.method.scale
        self.points_factor = 99.0 / (hi - lo)  # points on the [1, 100] scale of a mapped replication

    def canonical(self, normalisation: int, missing: int, treatment: int, goalposts: int) -> tuple[int, ...]:
        """The key of the normalised matrix of these levels: a treatment level where no indicator is treated
        under this normalisation, and a goalposts level where none uses goalposts or a target, change nothing
        and count as the system's own (so that their runs share one matrix)."""
        methods = set(self.indicator_methods(normalisation))
        if not any(record(Stage.NORMALISATION, m).treated for m in methods):
            treatment = 0
        bounded = {Requirement.GOALPOSTS, Requirement.TARGET}
        if not any(bounded & set(record(Stage.NORMALISATION, m).requires) for m in methods):
            goalposts = 0
        return normalisation, missing, treatment, goalposts

    def goalpost_shift(self, goalposts: int) -> float | None:
        """The signed shift of a goalposts level: +x stricter, −x looser, None nominal."""
        level = self.assumptions["goalposts"].levels[goalposts]
        shift = self.settings_shift
        return {"stricter": shift, "looser": -shift}.get(level)

    def normalised(
        self, normalisation: int, missing: int, treatment: int = 0, goalposts: int = 0
    ) -> np.ndarray:
        """The normalised matrix (all rows) of a (normalisation, missing, treatment, goalposts) level
        combination, from the engine."""
        key = self.canonical(normalisation, missing, treatment, goalposts)
        if key not in self._normalised:
            normalisation, missing, treatment, goalposts = key
            if key == (0, 0, 0, 0):
                frame = self.nominal.normalised
            else:
                variant = variant_system(
                    self.system,
                    normalise=self.assumptions["normalisation"].levels[normalisation]
                    if normalisation
                    else None,
                    missing=self.assumptions["missing"].levels[missing] if missing else None,
                    treat=self.assumptions["treatment"].levels[treatment] if treatment else None,
                    goalpost_shift=self.goalpost_shift(goalposts),
                    aggregate="arithmetic",  # only the normalised matrix is used: avoid methods that could refuse it
                    weighting="equal",
                    tiers=False,
                )
                frame = normalised_matrix(variant, self.raw, self.not_applicable, self.year)
            self._normalised[key] = frame.to_numpy(dtype=float)
        return self._normalised[key]

    def indicator_methods(self, normalisation: int) -> list[str]:
        if normalisation == 0:
            return [self.system.normalise_method(i) for i in self.system.indicators]
        return [self.assumptions["normalisation"].levels[normalisation]] * len(self.system.indicators)

    def mapped(self, normalisation: int, aggregation: int) -> bool:
        """Whether the replication's scores are mapped to [1, 100] for a geometric mean."""
        aggregations = self.aggregations(aggregation)
        positive = any(record(Stage.AGGREGATION, a).positive_scores for a in aggregations)
        return positive and not (normalisation == 0 and aggregation == 0)

    def aggregations(self, aggregation: int) -> tuple[str, ...]:
        return self.layout.aggregations(
            None if aggregation == 0 else self.assumptions["aggregation"].levels[aggregation]
        )

    def prepared(self, levels: tuple[int, ...]) -> PreparedScores:
        """The year's indicator scores of one level combination (:func:`matrix_levels`), ready for
        :func:`batch_composites`; a mapped replication's points are scaled by 99/(hi − lo) and clipped to
        [1, 100], so that they are the same points on the system scale."""
        normalisation, aggregation, missing, treatment, goalposts = matrix_levels(levels)
        full = self.normalised(normalisation, missing, treatment, goalposts)
        scores = full[self.rows]
        if self.mapped(normalisation, aggregation):
            return PreparedScores(
                self.layout,
                self._to_positive(full, normalisation),
                scale=(1.0, 100.0),
                points=scores,
                points_factor=self.points_factor,
                applicable=self.applicable,
            )
        return PreparedScores(self.layout, scores, scale=self.system.method.scale, applicable=self.applicable)

    def _to_positive(self, full: np.ndarray, normalisation: int) -> np.ndarray:
        """``y' = 1 + 99·(y − a_j)/(b_j − a_j)`` on the year's rows (see the module docstring)."""
        group = full[self.group_rows]
        low = np.empty(full.shape[1])
        high = np.empty(full.shape[1])
        for j, method in enumerate(self.indicator_methods(normalisation)):
            fixed = score_range(method, self.system)
            if fixed is None:
                column = group[:, j]
                present = column[~np.isnan(column)]
                fixed = (float(present.min()), float(present.max())) if present.size else (0.0, 1.0)
            low[j], high[j] = fixed
        span = high - low
        y = full[self.rows]
        with np.errstate(invalid="ignore", divide="ignore"):
            mapped = np.where(span > 0, 1.0 + 99.0 * (y - low) / np.where(span > 0, span, 1.0), 100.0)
        return np.where(np.isnan(y), np.nan, np.clip(mapped, 1.0, 100.0))

    def composites(self, levels: tuple[int, ...], weights: np.ndarray) -> np.ndarray:
        """Composite scores (units × R) on the system scale for one level combination (:func:`matrix_levels`)
        and R weight vectors (edges × R)."""
        normalisation, aggregation = matrix_levels(levels)[:2]
        prepared = self.prepared(levels)
        composite = batch_composites(prepared, self.aggregations(aggregation), weights)
        return self.to_system_scale(composite, normalisation, aggregation)

    def engine_composite(self, levels: tuple[int, ...], weights: np.ndarray) -> np.ndarray:
        """The same replication through the full engine (``evaluate_matrix``) — the slow reference path.

        The replication's weights become fixed weights in a variant system; an indicator of weight 0 is
        removed from it (the exclusion level); a mapped geometric replication uses the scale [1, 100], which is
        the mapping itself for scale-bounded methods (the only ones it supports), with the points of bonus and
        deduction indicators scaled by 99/(hi − lo).
        """
        normalisation, aggregation, missing, treatment, goalposts = matrix_levels(levels)
        scale = None
        points_scale = None
        if self.mapped(normalisation, aggregation):
            methods = self.indicator_methods(normalisation)
            if any(score_range(m, self.system) != self.system.method.scale for m in methods):
                raise ValueError("the engine path maps to [1, 100] only for methods bounded by the scale")
            scale = (1.0, 100.0)
            points_scale = self.points_factor
        left_out = [c for c, w in zip(self.layout.edge_child, weights, strict=True) if w <= 0]
        if len(left_out) > 1:
            raise ValueError("the engine path removes one indicator at most")
        variant = variant_system(
            self.system,
            normalise=self.assumptions["normalisation"].levels[normalisation] if normalisation else None,
            missing=self.assumptions["missing"].levels[missing] if missing else None,
            aggregate=self.assumptions["aggregation"].levels[aggregation] if aggregation else None,
            treat=self.assumptions["treatment"].levels[treatment] if treatment else None,
            goalpost_shift=self.goalpost_shift(
                self.canonical(normalisation, missing, treatment, goalposts)[3]
            ),
            weighting="fixed",
            weights={c: float(w) for c, w in zip(self.layout.edge_child, weights, strict=True) if w > 0},
            scale=scale,
            points_scale=points_scale,
            without=left_out[0] if left_out else None,
            tiers=False,
        )
        # the indicators kept and the components (the parts derived indicators are computed from)
        codes = variant.indicator_codes + [node.code for node in variant.components]
        evaluation = evaluate_matrix(variant, self.raw[codes], self.not_applicable[codes], self.year)
        composite = evaluation.scores[self.system.composite.code].to_numpy()[self.rows]
        return self.to_system_scale(composite[:, np.newaxis], normalisation, aggregation)[:, 0]

    def to_system_scale(self, composite: np.ndarray, normalisation: int, aggregation: int) -> np.ndarray:
        if not self.mapped(normalisation, aggregation):
            return composite
        lo, hi = self.system.method.scale
        return lo + (hi - lo) * (composite - 1.0) / 99.0

    def tiers_count(self, normalisation: int) -> bool:
        """Whether threshold tiers mean something in replications of this normalisation level."""
        if isinstance(self.system.tiers, QuantileTiers) or normalisation == 0:
            return True
        return score_range(self.assumptions["normalisation"].levels[normalisation], self.system) is not None


@dataclass(frozen=True)
class UncertaintyResult:
    """Rank intervals, tier probabilities and sensitivity indices of one uncertainty analysis.

    ``ranks`` holds every replication's ranks (runs × units, in ``unit_codes`` order; 0 = unranked); the
    ``design`` says which assumptions each run used. ``seed`` (when the generator was made from one) and
    ``generator_state`` (its state before the first draw) reproduce the analysis exactly.
    """

    system_id: str
    year: int
    seed: int | None
    generator_state: dict[str, Any]
    settings: UncertaintySettings
    assumptions: dict[str, Assumption]
    design: Design
    unit_codes: tuple[str, ...]
    ranks: np.ndarray
    units: pd.DataFrame
    sensitivity: pd.DataFrame
    unit_sensitivity: pd.DataFrame
    nominal_deviation: float
    tier_runs: int

    @property
    def replications(self) -> int:
        return self.design.runs

    def design_table(self) -> pd.DataFrame:
        """One row per run: its base row, its role in the pick-freeze design and the levels it used."""
        step = len(self.design.role)
        frame = pd.DataFrame(
            {
                "run": np.arange(self.design.runs),
                "base_row": np.arange(self.design.runs) // step,
                "role": np.tile(np.array(self.design.role, dtype=object), self.design.n_base),
            }
        )
        for column, name in enumerate(DISCRETE):
            labels = np.array(self.assumptions[name].levels, dtype=object)
            frame[name] = labels[self.design.levels[:, column]]
        return frame

    def settings_table(self) -> pd.DataFrame:
        """The settings, seed and levels, as key/value rows (for a report appendix)."""
        rows: list[tuple[str, object]] = [
            ("system", self.system_id),
            ("year", self.year),
            ("seed", self.seed),
            ("replications", self.replications),
            ("base_sample", self.design.n_base),
            ("varied", ", ".join(self.design.factors)),
            ("weights", self.settings.weights),
            ("spread", self.settings.spread),
            ("concentration", self.settings.concentration),
            ("tier_runs", self.tier_runs),
            ("nominal_deviation", self.nominal_deviation),
        ]
        rows.insert(9, ("goalpost_shift", self.settings.goalpost_shift))
        rows.insert(10, ("ahp_steps", self.settings.ahp_steps))
        rows.extend((f"levels.{name}", levels_text(a)) for name, a in self.assumptions.items())
        return pd.DataFrame(rows, columns=["key", "value"])


def generator_seed(rng: np.random.Generator) -> int | None:
    """The integer a generator was seeded with (``np.random.default_rng(seed)``), when it can be told."""
    sequence = getattr(rng.bit_generator, "seed_seq", None)
    entropy = getattr(sequence, "entropy", None)
    return int(entropy) if isinstance(entropy, int) and not getattr(sequence, "spawn_key", ()) else None


def uncertainty_analysis(
    system: IndicatorSystem,
    dataset: Dataset,
    year: int,
    rng: np.random.Generator,
    settings: UncertaintySettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> UncertaintyResult:
    """Rank intervals and sensitivity of the year's ranking under perturbed assumptions (see the module doc).

    ``progress(done, total)`` is called as the replications are computed (the CLI's progress bar)."""
    raw, not_applicable = data_matrices(system, dataset)
    return uncertainty_analysis_matrix(system, raw, not_applicable, year, rng, settings, progress)


def uncertainty_analysis_matrix(
    system: IndicatorSystem,
    raw: pd.DataFrame,
    not_applicable: pd.DataFrame,
    year: int,
    rng: np.random.Generator,
    settings: UncertaintySettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> UncertaintyResult:
    """:func:`uncertainty_analysis` on a raw (year, unit) × indicator matrix and its 不适用 mask."""
    settings = settings or UncertaintySettings()
    settings.check()
    seed = generator_seed(rng)
    state = dict(copy.deepcopy(rng.bit_generator.state))
    nominal = evaluate_matrix(system, raw, not_applicable, year)
    assumptions = assumptions_of(system, settings)
    model = ReplicationModel(
        system, raw, not_applicable, year, nominal, assumptions, goalpost_shift=settings.goalpost_shift
    )
    factors = varied_factors(assumptions, settings, model.layout)
    n_base = max(1, math.ceil(settings.replications / (len(factors) + 2)))
    design = sample_design(rng, n_base, model.nominal_weights, model.layout, assumptions, settings)

    tier_names, thresholds = _tier_rule(system)
    n_units = len(model.unit_codes)
    ranks = np.zeros((design.runs, n_units), dtype=np.int32)
    tier_counts = np.zeros((len(tier_names) + 1, n_units), dtype=np.int64)
    tier_runs = 0
    # runs that score the same indicator matrix the same way are scored together (exclusion acts on weights)
    drawn, drawn_inverse = np.unique(design.levels[:, : len(MATRIX_FACTORS)], axis=0, return_inverse=True)
    canonical = np.array([_canonical_levels(model, tuple(int(v) for v in row)) for row in drawn])
    combos, combo_of_drawn = np.unique(canonical, axis=0, return_inverse=True)
    inverse = combo_of_drawn.reshape(-1)[drawn_inverse.reshape(-1)]
    done = 0  # replications computed
    for c, combo in enumerate(combos):
        levels = matrix_levels(combo)
        prepared = model.prepared(levels)
        aggregations = model.aggregations(levels[1])
        count_tiers = model.tiers_count(levels[0])
        runs = np.flatnonzero(inverse == c)
        # the products have as many rows as a parent has children (a few to a few dozen): BLAS threads do not
        # pay there and, on a shared machine, made them several times slower (docs/analysis.md §2)
        with threadpool_limits(limits=1, user_api="blas"):
            for start in range(0, runs.size, settings.chunk):
                chunk = runs[start : start + settings.chunk]
                weights = np.ascontiguousarray(design.weights[chunk].T)
                composite = batch_composites(prepared, aggregations, weights)
                composite = model.to_system_scale(composite, levels[0], levels[1]).T  # R × units
                chunk_ranks = rank_descending(composite)
                ranks[chunk] = chunk_ranks
                if tier_names and count_tiers:
                    tier_counts += _count_tiers(composite, chunk_ranks, thresholds, len(tier_names))
                    tier_runs += chunk.size
                done += chunk.size
                if progress is not None:
                    progress(done, design.runs)
        del prepared

    check = model.composites((0,), model.nominal_weights[:, np.newaxis])[:, 0]
    expected = nominal.scores[system.composite.code].to_numpy()[model.rows]
    both = ~np.isnan(expected)
    deviation = float(np.max(np.abs(check[both] - expected[both]), initial=0.0))
    if not np.array_equal(np.isnan(check), ~both):
        deviation = float("inf")

    units = _unit_table(system, model, nominal, ranks, tier_names, tier_counts, tier_runs)
    sensitivity, unit_sensitivity = _sensitivity_tables(design, assumptions, model.unit_codes, ranks)
    return UncertaintyResult(
        system_id=system.id,
        year=year,
        seed=seed,
        generator_state=state,
        settings=settings,
        assumptions=assumptions,
        design=design,
        unit_codes=model.unit_codes,
        ranks=ranks,
        units=units,
        sensitivity=sensitivity,
        unit_sensitivity=unit_sensitivity,
        nominal_deviation=deviation,
        tier_runs=tier_runs,
    )


def levels_text(assumption: Assumption) -> str:
    """An assumption's levels, comma-separated; the exclusion's as ``all, leave_one_out:<number>``."""
    if assumption.name == "exclusion" and len(assumption.levels) > 1:
        return f"all, {LEAVE_ONE_OUT}:{len(assumption.levels) - 1}"
    return ", ".join(assumption.levels)


def _canonical_levels(model: ReplicationModel, levels: tuple[int, ...]) -> tuple[int, ...]:
    """A run's matrix levels with those that change nothing set to 0 (:meth:`ReplicationModel.canonical`)."""
    normalisation, aggregation, missing, treatment, goalposts = matrix_levels(levels)
    n, m, t, g = model.canonical(normalisation, missing, treatment, goalposts)
    return n, aggregation, m, t, g


def _tier_rule(system: IndicatorSystem) -> tuple[tuple[str, ...], np.ndarray | None]:
    """Tier names best first, and for threshold tiers their minima (same order); None for quantile tiers."""
    tiers = system.tiers
    if tiers is None:
        return (), None
    if isinstance(tiers, QuantileTiers):
        return tuple(tiers.quantile), None
    ordered = sorted(tiers, key=lambda t: -t.min)
    return tuple(t.name for t in ordered), np.array([t.min for t in ordered])


def _count_tiers(
    composite: np.ndarray, ranks: np.ndarray, thresholds: np.ndarray | None, n_tiers: int
) -> np.ndarray:
    """Counts (tiers + 1) × units of each tier over the replications of a chunk; the last row is "no tier".

    Thresholds (minima best first): the first tier whose minimum is ≤ the score. Quantiles with k tiers: a
    unit ranked r of the n ranked units gets tier ``min(k − 1, ⌊(r − 1)·k/n⌋)`` (the engine's rule).
    """
    if thresholds is None:
        n = (ranks > 0).sum(axis=1, keepdims=True)
        tier = np.minimum(n_tiers - 1, (ranks - 1) * n_tiers // np.maximum(n, 1))
        tier = np.where(ranks > 0, tier, n_tiers)
    else:
        reached = composite[:, :, np.newaxis] >= thresholds[np.newaxis, np.newaxis, :]
        tier = np.where(reached.any(axis=2), reached.argmax(axis=2), n_tiers)
    units = composite.shape[1]
    flat = tier * units + np.arange(units)[np.newaxis, :]
    return np.bincount(flat.ravel(), minlength=(n_tiers + 1) * units).reshape(n_tiers + 1, units)


def _rank_quantiles(ranks: np.ndarray, chunk: int = 256) -> np.ndarray:
    """Per unit: 5 %, 50 % and 95 % quantiles (linear interpolation, R's type 7) and the mean of its ranks over
    the runs where it is ranked; 4 × units."""
    out = np.full((len(RANK_QUANTILES) + 1, ranks.shape[1]), np.nan)
    for start in range(0, ranks.shape[1], chunk):
        block = ranks[:, start : start + chunk]
        if (block > 0).all():
            out[:-1, start : start + chunk] = np.quantile(block, RANK_QUANTILES, axis=0)
            out[-1, start : start + chunk] = block.mean(axis=0)
            continue
        values = np.where(block > 0, block, np.nan)
        with np.errstate(all="ignore"):
            out[:-1, start : start + chunk] = np.nanquantile(values, RANK_QUANTILES, axis=0)
            out[-1, start : start + chunk] = np.nanmean(values, axis=0)
    return out


def _unit_table(
    system: IndicatorSystem,
    model: ReplicationModel,
    nominal: Evaluation,
    ranks: np.ndarray,
    tier_names: tuple[str, ...],
    tier_counts: np.ndarray,
    tier_runs: int,
) -> pd.DataFrame:
    composite = system.composite.code
    frame_scores = nominal.scores[composite].to_numpy()[model.rows]
    frame_ranks = nominal.ranks[composite].to_numpy()[model.rows]
    q05, median, q95, mean = _rank_quantiles(ranks)
    table = pd.DataFrame(
        {
            "unit_code": list(model.unit_codes),
            "unit_name": [system.unit_names.get(u, u) for u in model.unit_codes],
            "nominal_score": frame_scores,
            "nominal_rank": pd.array(np.where(np.isnan(frame_ranks), np.nan, frame_ranks), dtype="Int64"),
            "nominal_tier": nominal.tiers.to_numpy()[model.rows] if tier_names else None,
            "median_rank": median,
            "rank_q05": q05,
            "rank_q95": q95,
            "mean_rank": mean,
        }
    )
    if tier_names and tier_runs:
        for k, name in enumerate(tier_names):
            table[f"p_{name}"] = tier_counts[k] / tier_runs
        if tier_counts[-1].any():
            table[f"p_{NO_TIER}"] = tier_counts[-1] / tier_runs
        # the tier-flip probability: the share of the counted runs that put the unit in another tier than its
        # nominal one (NaN for a unit without a nominal tier)
        shares = tier_counts / tier_runs
        nominal_tier = [tier_names.index(t) if t in tier_names else -1 for t in table["nominal_tier"]]
        table["tier_flip"] = [1.0 - shares[k, u] if k >= 0 else np.nan for u, k in enumerate(nominal_tier)]
    return table.sort_values(["nominal_rank", "unit_code"], na_position="last").reset_index(drop=True)


def _sensitivity_tables(
    design: Design, assumptions: dict[str, Assumption], unit_codes: tuple[str, ...], ranks: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Aggregated indices per assumption, and per (unit, assumption); units unranked in some run are left out."""
    columns = ["assumption", "levels", "first_order", "total_effect"]
    if not design.factors:
        return pd.DataFrame(columns=columns), pd.DataFrame(
            columns=["unit_code", "assumption", "first_order", "total_effect"]
        )
    usable = (ranks > 0).all(axis=0)
    indices = sobol_indices(ranks[:, usable], len(design.factors))
    summary = pd.DataFrame(
        {
            "assumption": list(design.factors),
            "levels": [levels_text(assumptions[f]) for f in design.factors],
            "first_order": indices.first_order,
            "total_effect": indices.total_effect,
        }
    )
    codes = np.array(unit_codes, dtype=object)[usable]
    per_unit = pd.DataFrame(
        {
            "unit_code": np.tile(codes, len(design.factors)),
            "assumption": np.repeat(np.array(design.factors, dtype=object), codes.size),
            "first_order": indices.first_order_by_output.ravel(),
            "total_effect": indices.total_effect_by_output.ravel(),
        }
    )
    return summary, per_unit
