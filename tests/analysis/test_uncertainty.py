"""Uncertainty analysis (docs/analysis.md §1–§2): rank intervals, tiers, reproducibility, and the batched scores
checked against the engine itself."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from scoring.analysis.batch import rank_descending
from scoring.analysis.design import UncertaintySettings, sample_design
from scoring.analysis.uncertainty import (
    ReplicationModel,
    assumptions_of,
    uncertainty_analysis,
)
from scoring.data import Dataset
from scoring.evaluate import Evaluation, data_matrices, evaluate, evaluate_matrix
from scoring.problems import PipelineError
from scoring.system import IndicatorSystem

NA = "不适用"  # make_dataset's marker for a cell the unit marked not applicable
FIXED = UncertaintySettings(
    weights="none",
    normalisations=(),
    aggregations=(),
    missing=(),
    treatments=(),
    goalpost_shift=0.0,
    leave_one_out=False,
    replications=20,
)

# Two dimensions, four indicators (one "less is better"), threshold tiers. B aggregates geometrically and the
# composite weights are learned (entropy), so nominal runs cover mixed aggregation and data-driven weights.
MIXED = """
method: {normalise: minmax, weighting: fixed}
composite: {weighting: entropy}
tiers:
  - {name: 高, min: 60}
  - {name: 低, min: 0}
tree:
  - code: A
    name: A
    weight: 2
    children:
      - {code: a1, name: a1, weight: 1}
      - {code: a2, name: a2, weight: 3, direction: -1}
  - code: B
    name: B
    weight: 1
    aggregate: geometric
    children:
      - {code: b1, name: b1, weight: 1}
      - {code: b2, name: b2, weight: 2}
"""
UNITS = [("U1", "g1"), ("U2", "g1"), ("U3", "g2"), ("U4", "g2"), ("U5", "g2")]
# U1 is best on every indicator (a2 is "less is better"); U3 misses a2, U4 misses all of B, U5 marks b2 不适用.
VALUES: dict[str, dict[str, float | str | None]] = {
    "U1": {"a1": 10, "a2": 1, "b1": 9, "b2": 50},
    "U2": {"a1": 7, "a2": 3, "b1": 4, "b2": 20},
    "U3": {"a1": 5, "a2": None, "b1": 6, "b2": 30},
    "U4": {"a1": 2, "a2": 6, "b1": None, "b2": None},
    "U5": {"a1": 4, "a2": 5, "b1": 1, "b2": NA},
}


@pytest.fixture
def mixed(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> tuple[IndicatorSystem, Dataset]:
    return make_system(MIXED, units=UNITS), make_dataset({2024: VALUES})


def test_a_unit_best_on_every_indicator_ranks_first_in_every_replication(
    mixed: tuple[IndicatorSystem, Dataset],
) -> None:
    system, data = mixed
    result = uncertainty_analysis(
        system, data, 2024, np.random.default_rng(1), UncertaintySettings(replications=300)
    )
    top = result.units.set_index("unit_code").loc["U1"]
    assert (top["rank_q05"], top["median_rank"], top["rank_q95"]) == (1, 1, 1)
    assert (result.ranks[:, result.unit_codes.index("U1")] == 1).all()
    # every assumption that applies varied (no AHP matrix, no goalposts or targets): 6 factors → runs in blocks
    # of k + 2 = 8, 300 rounded up to 304
    assert result.design.factors == (
        "weights",
        "normalisation",
        "aggregation",
        "missing",
        "treatment",
        "exclusion",
    )
    assert result.replications == 304


def test_zero_perturbation_reproduces_the_nominal_ranks(
    jinan: IndicatorSystem, jinan_data: Dataset, jinan_2024: Evaluation
) -> None:
    result = uncertainty_analysis(jinan, jinan_data, 2024, np.random.default_rng(5), FIXED)
    nominal = jinan_2024.ranks["INDEX"].xs(2024, level="year").loc[list(result.unit_codes)].to_numpy()
    assert result.design.factors == ()
    assert (result.ranks == nominal.astype(np.int32)[np.newaxis, :]).all()
    assert result.nominal_deviation < 1e-9
    assert result.sensitivity.empty
    units = result.units.set_index("unit_code")
    assert (units["median_rank"] == units["nominal_rank"].astype(float)).all()
    assert (units["rank_q95"] - units["rank_q05"] == 0).all()


def test_uniform_spread_zero_is_no_perturbation(jinan: IndicatorSystem, jinan_data: Dataset) -> None:
    settings = UncertaintySettings(
        spread=0.0,
        normalisations=(),
        aggregations=(),
        missing=(),
        treatments=(),
        goalpost_shift=0.0,
        leave_one_out=False,
        replications=10,
    )
    result = uncertainty_analysis(jinan, jinan_data, 2024, np.random.default_rng(5), settings)
    assert result.assumptions["weights"].levels == ("nominal",)
    assert (result.ranks == result.ranks[0]).all()


def test_nominal_replication_reproduces_evaluate_exactly(
    mixed: tuple[IndicatorSystem, Dataset], jinan: IndicatorSystem, jinan_data: Dataset
) -> None:
    for system, data in (mixed, (jinan, jinan_data)):
        raw, not_applicable = data_matrices(system, data)
        nominal = evaluate(system, data, 2024)
        model = ReplicationModel(
            system, raw, not_applicable, 2024, nominal, assumptions_of(system, UncertaintySettings())
        )
        composite = model.composites((0, 0, 0), model.nominal_weights[:, np.newaxis])[:, 0]
        expected = nominal.scores["INDEX"].xs(2024, level="year").to_numpy()
        np.testing.assert_allclose(composite, expected, rtol=0, atol=1e-9)


def test_every_batched_replication_equals_the_engine_run_with_its_choices(
    mixed: tuple[IndicatorSystem, Dataset],
) -> None:
    # Random runs (perturbed weights, any normalisation, aggregation, missing-data policy, treatment on/off, one
    # indicator left out or none), each checked against a full evaluate_matrix of a variant system with the
    # run's weights written in as fixed weights and the left-out indicator removed.
    system, data = mixed
    raw, not_applicable = data_matrices(system, data)
    settings = UncertaintySettings(spread=0.5)
    model = ReplicationModel(
        system, raw, not_applicable, 2024, evaluate(system, data, 2024), assumptions_of(system, settings)
    )
    design = sample_design(
        np.random.default_rng(3), 12, model.nominal_weights, model.layout, model.assumptions, settings
    )
    zscore = model.assumptions["normalisation"].levels.index("zscore")
    checked = set()
    left_out = 0
    for run in range(design.runs):
        levels = tuple(int(v) for v in design.levels[run, :5])
        if levels[0] == zscore and model.mapped(levels[0], levels[1]):
            continue  # the engine cannot map z-scores to [1, 100]
        fast = model.composites(levels, design.weights[run][:, np.newaxis])[:, 0]
        slow = model.engine_composite(levels, design.weights[run])
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-9)
        checked.add(levels)
        left_out += int((design.weights[run] == 0).any())
    assert len(checked) >= 10  # most of the 4 × 2 × 2 × 2 combinations
    assert left_out > 10  # and runs with an indicator left out


def test_same_seed_same_numbers_and_the_seed_is_recorded(mixed: tuple[IndicatorSystem, Dataset]) -> None:
    system, data = mixed
    settings = UncertaintySettings(replications=120, weights="dirichlet", concentration=20)
    first = uncertainty_analysis(system, data, 2024, np.random.default_rng(2025), settings)
    again = uncertainty_analysis(system, data, 2024, np.random.default_rng(2025), settings)
    other = uncertainty_analysis(system, data, 2024, np.random.default_rng(2026), settings)
    assert first.seed == 2025
    np.testing.assert_array_equal(first.ranks, again.ranks)
    pd.testing.assert_frame_equal(first.units, again.units)
    pd.testing.assert_frame_equal(first.sensitivity, again.sensitivity)
    assert not np.array_equal(first.design.weights, other.design.weights)
    # the recorded generator state alone reproduces the run too
    restored = np.random.default_rng()
    restored.bit_generator.state = first.generator_state
    replay = uncertainty_analysis(system, data, 2024, restored, settings)
    np.testing.assert_array_equal(first.ranks, replay.ranks)


def test_tier_probabilities_add_up_and_z_scores_are_left_out(mixed: tuple[IndicatorSystem, Dataset]) -> None:
    system, data = mixed
    result = uncertainty_analysis(
        system, data, 2024, np.random.default_rng(4), UncertaintySettings(replications=240)
    )
    p = result.units.filter(like="p_")
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    zscore_runs = (result.design_table()["normalisation"] == "zscore").sum()
    assert result.tier_runs == result.replications - zscore_runs > 0
    assert result.units.set_index("unit_code").at["U1", "p_高"] == 1.0


def test_design_layout_and_sensitivity_table(mixed: tuple[IndicatorSystem, Dataset]) -> None:
    system, data = mixed
    settings = UncertaintySettings(replications=100, missing=(), treatments=(), leave_one_out=False)
    result = uncertainty_analysis(system, data, 2024, np.random.default_rng(8), settings)
    # 3 factors vary → blocks of 5 runs: A, AB:weights, AB:normalisation, AB:aggregation, B; 100 = 20 blocks
    assert result.design.role == ("A", "AB:weights", "AB:normalisation", "AB:aggregation", "B")
    assert result.replications == 100
    table = result.design_table()
    a, ab = table[table["role"] == "A"], table[table["role"] == "AB:aggregation"]
    b = table[table["role"] == "B"]
    # A_B^aggregation: A's choices except the aggregation, which comes from B
    np.testing.assert_array_equal(ab["normalisation"].to_numpy(), a["normalisation"].to_numpy())
    np.testing.assert_array_equal(ab["aggregation"].to_numpy(), b["aggregation"].to_numpy())
    assert list(result.sensitivity["assumption"]) == ["weights", "normalisation", "aggregation"]
    assert set(result.unit_sensitivity["unit_code"]) <= set(result.unit_codes)


def test_bad_settings_are_refused(mixed: tuple[IndicatorSystem, Dataset]) -> None:
    system, data = mixed
    with pytest.raises(PipelineError) as error:
        uncertainty_analysis(system, data, 2024, np.random.default_rng(0), UncertaintySettings(spread=1.5))
    assert error.value.problems[0].code == "analysis.bad_settings"


def test_alternative_missing_policy_is_the_engine_group_mean(mixed: tuple[IndicatorSystem, Dataset]) -> None:
    # The group_mean level imputes U3's a2 with the mean of its group g2 (U4: 6, U5: 5 → 5.5), as the engine does.
    system, data = mixed
    raw, not_applicable = data_matrices(system, data)
    model = ReplicationModel(
        system,
        raw,
        not_applicable,
        2024,
        evaluate(system, data, 2024),
        assumptions_of(system, UncertaintySettings()),
    )
    missing = model.assumptions["missing"].levels.index("group_mean")
    variant = evaluate_matrix(
        system.model_copy(update={"method": system.method.model_copy(update={"missing": "group_mean"})}),
        raw,
        not_applicable,
        2024,
    )
    np.testing.assert_allclose(model.normalised(0, missing), variant.normalised.to_numpy(), atol=1e-12)
    assert variant.imputed.at[(2024, "U3"), "a2"] == 5.5


def test_batched_ranks_follow_the_engine_rule() -> None:
    # highest = 1; 20 and 19.999999999999996 are equal to 9 decimals and share rank 1; the next is 3; NaN → 0
    scores = np.array([[20.0, 19.999999999999996, 10.0, np.nan], [1.0, 2.0, 3.0, 4.0]])
    np.testing.assert_array_equal(rank_descending(scores), [[1, 1, 3, 0], [4, 3, 2, 1]])
