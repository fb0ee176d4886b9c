"""Uncertainty analysis of official systems (docs/analysis.md §1.1, §1.3): bonus and deduction points in every
replication, one indicator left out, goalposts and targets ±x %, AHP judgements perturbed within CR < 0.1,
treatment on/off, and the Jinan composite (three included systems) on the shipped sample."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from scoring.ahp import ahp_weights
from scoring.analysis.batch import TreeLayout
from scoring.analysis.design import UncertaintySettings, perturb_ahp, sample_design
from scoring.analysis.uncertainty import ReplicationModel, assumptions_of, uncertainty_analysis
from scoring.analysis.variants import shifted
from scoring.data import Dataset
from scoring.evaluate import data_matrices, evaluate
from scoring.io import read_data
from scoring.system import IndicatorSystem, load_system
from tests.conftest import NA

ROOT = Path(__file__).resolve().parents[2]

# Two scored indicators with goalposts [0, 10] (score = 10·x), a bonus X (2 points each, at most 5) and a
# deduction Y (4 points each, at most 10) on the composite, clipped to [0, 100].
BONUS = """
method: {normalise: goalpost, weighting: fixed}
tiers:
  - {name: 高, min: 45}
  - {name: 低, min: 0}
tree:
  - {code: a1, name: a1, weight: 1, goalposts: [0, 10]}
  - {code: a2, name: a2, weight: 1, goalposts: [0, 10]}
  - {code: X, name: bonus, role: bonus, points: {per_unit: 2, cap: 5}}
  - {code: Y, name: deduction, role: deduction, points: {per_unit: 4, cap: 10}}
"""
# U1: 100·w1 + 100·w2 + min(5, 2·3) = 105 → clipped to 100 in every replication.
# U2: 50·w1 + 50·w2 − min(10, 4·1) = 50 − 4 = 46 whatever the weights.
# U3: 0·w1 + 100·w2 + min(5, 2·1) − min(10, 4·5) = 100·w2 + 2 − 10 = 100·w2 − 8.
VALUES: dict[str, dict[str, float | str | None]] = {
    "U1": {"a1": 10, "a2": 10, "X": 3, "Y": 0},
    "U2": {"a1": 5, "a2": 5, "X": 0, "Y": 1},
    "U3": {"a1": 0, "a2": 10, "X": 1, "Y": 5},
}
ONLY_WEIGHTS = UncertaintySettings(
    normalisations=(),
    aggregations=(),
    missing=(),
    treatments=(),
    goalpost_shift=0.0,
    leave_one_out=False,
    replications=300,
)


@pytest.fixture
def bonus(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> tuple[IndicatorSystem, Dataset]:
    return make_system(BONUS), make_dataset({2024: VALUES})


def _model(system: IndicatorSystem, data: Dataset, settings: UncertaintySettings) -> ReplicationModel:
    raw, not_applicable = data_matrices(system, data)
    return ReplicationModel(
        system, raw, not_applicable, 2024, evaluate(system, data, 2024), assumptions_of(system, settings)
    )


def test_bonus_and_deduction_points_count_in_every_replication(
    bonus: tuple[IndicatorSystem, Dataset],
) -> None:
    system, data = bonus
    model = _model(system, data, ONLY_WEIGHTS)
    design = sample_design(
        np.random.default_rng(7), 50, model.nominal_weights, model.layout, model.assumptions, ONLY_WEIGHTS
    )
    w = design.weights  # runs × (a1, a2), each row summing to 1
    composite = model.composites((0,), w.T)
    np.testing.assert_allclose(composite[0], 100.0)  # U1: 105 clipped to 100
    np.testing.assert_allclose(composite[1], 46.0)  # U2: 50 − 4
    np.testing.assert_allclose(composite[2], 100.0 * w[:, 1] - 8.0, atol=1e-12)  # U3: 100·w2 − 8
    # the nominal weights (½, ½): U3 = 50 − 8 = 42, as the engine says
    nominal = evaluate(system, data, 2024).scores["INDEX"].to_numpy()
    np.testing.assert_allclose(nominal, [100.0, 46.0, 42.0])

    result = uncertainty_analysis(system, data, 2024, np.random.default_rng(7), ONLY_WEIGHTS)
    w2 = result.design.weights[:, 1]
    # U1 always first; U3 (100·w2 − 8) passes U2 (46) exactly when w2 > 0.54
    np.testing.assert_array_equal(result.ranks[:, 0], 1)
    np.testing.assert_array_equal(result.ranks[:, 2], np.where(w2 > 0.54, 2, 3))
    np.testing.assert_array_equal(result.ranks[:, 1], np.where(w2 > 0.54, 3, 2))
    # tiers (高 ≥ 45): U1 (100) and U2 (46) always 高; U3 is 低 nominally (42) and 高 when 100·w2 − 8 ≥ 45,
    # i.e. w2 ≥ 0.53: its tier-flip probability is the share of runs with w2 ≥ 0.53
    units = result.units.set_index("unit_code")
    assert units.at["U1", "p_高"] == 1.0 and units.at["U2", "p_高"] == 1.0
    assert units.at["U1", "tier_flip"] == 0.0 and units.at["U2", "tier_flip"] == 0.0
    assert units.at["U3", "nominal_tier"] == "低"
    assert units.at["U3", "tier_flip"] == pytest.approx((w2 >= 0.53).mean())
    assert 0.0 < (w2 >= 0.53).mean() < 1.0


def test_points_under_geometric_aggregation_are_the_same_points_on_the_system_scale(
    bonus: tuple[IndicatorSystem, Dataset],
) -> None:
    # A geometric replication maps scores to y' = 1 + 0.99·y and points to 0.99·p on [1, 100], then maps the
    # composite back, c = (c' − 1)/0.99:
    # U2: y' = 50.5 for both → 50.5 − 0.99·4 = 46.54 → 46 (the points are 4 on the system scale);
    # U3: y' = 1 and 100 → 1^w1·100^w2 − 0.99·8 = 100^w2 − 7.92 → (100^w2 − 8.92)/0.99;
    # U1: 100 + 4.95 clipped to 100 → 100.
    system, data = bonus
    model = _model(system, data, UncertaintySettings())
    geometric = model.assumptions["aggregation"].levels.index("geometric")
    w = np.array([[0.5, 0.4], [0.5, 0.6]])  # two runs: (½, ½) and (0.4, 0.6)
    composite = model.composites((0, geometric), w)
    np.testing.assert_allclose(composite[0], 100.0)
    np.testing.assert_allclose(composite[1], 46.0)
    np.testing.assert_allclose(composite[2], (100.0 ** w[1] - 8.92) / 0.99)
    for run in range(2):  # and the engine, on the scale [1, 100] with the points scaled, says the same
        slow = model.engine_composite((0, geometric), w[:, run])
        np.testing.assert_allclose(slow, composite[:, run], atol=1e-9)


def test_leaving_one_indicator_out_renormalises_over_the_others(
    bonus: tuple[IndicatorSystem, Dataset],
) -> None:
    # Without a1 the composite is a2's score plus the points: U1 100 + 5 → 100, U2 50 − 4 = 46, U3 100 − 8 = 92.
    system, data = bonus
    model = _model(system, data, UncertaintySettings())
    weights = np.array([[0.0], [1.0]])
    np.testing.assert_allclose(model.composites((0,), weights)[:, 0], [100.0, 46.0, 92.0])
    np.testing.assert_allclose(model.engine_composite((0,), weights[:, 0]), [100.0, 46.0, 92.0])
    assert model.assumptions["exclusion"].levels == (
        "all",
        "a1",
        "a2",
    )  # bonus and deduction are not left out


def test_a_parent_whose_only_indicator_is_left_out_drops_out_of_its_parent(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    # A = a1 alone, B = b1; composite = (A + B)/2. Without a1, A is missing and the composite is B's score:
    # U1 a1 = 10 → 100, b1 = 4 → 40: 70 with both, 40 without a1.
    system = make_system(
        """
        method: {normalise: goalpost, weighting: fixed}
        tree:
          - {code: A, name: A, weight: 1, children: [{code: a1, name: a1, weight: 1, goalposts: [0, 10]}]}
          - {code: B, name: B, weight: 1, children: [{code: b1, name: b1, weight: 1, goalposts: [0, 10]}]}
        """,
        units=["U1"],
    )
    data = make_dataset({2024: {"U1": {"a1": 10, "b1": 4}}})
    model = _model(system, data, UncertaintySettings())
    layout = model.layout  # edges: a1 (A), b1 (B), then A, B (composite)
    assert layout.edge_child == ("b1", "a1", "A", "B") or layout.edge_child[-2:] == ("A", "B")
    weights = model.nominal_weights.copy()
    np.testing.assert_allclose(model.composites((0,), weights[:, np.newaxis])[:, 0], [70.0])
    weights[layout.edge_child.index("a1")] = 0.0
    np.testing.assert_allclose(model.composites((0,), weights[:, np.newaxis])[:, 0], [40.0])
    np.testing.assert_allclose(model.engine_composite((0,), weights), [40.0])


def test_goalposts_and_targets_move_by_x_percent_of_their_magnitude_in_the_indicator_direction(
    bonus: tuple[IndicatorSystem, Dataset],
) -> None:
    # stricter by 10 %: 10 → 11 (d = +1), −5 → −4.5 (d = +1), 10 → 9 (d = −1); looser: 10 → 9 (d = +1)
    assert shifted(10, 1, 0.1) == pytest.approx(11)
    assert shifted(-5, 1, 0.1) == pytest.approx(-4.5)
    assert shifted(10, -1, 0.1) == pytest.approx(9)
    assert shifted(10, 1, -0.1) == pytest.approx(9)
    system, data = bonus
    model = _model(system, data, UncertaintySettings())
    stricter = model.assumptions["goalposts"].levels.index("stricter")
    looser = model.assumptions["goalposts"].levels.index("looser")
    # goalposts [0, 10] → [0, 11] stricter, [0, 9] looser: U2's a1 = 5 scores 100·5/11 = 45.45… and 100·5/9 = 55.55…
    a1 = system.indicator_codes.index("a1")
    assert model.normalised(0, 0, 0, stricter)[1, a1] == pytest.approx(500 / 11)
    assert model.normalised(0, 0, 0, looser)[1, a1] == pytest.approx(500 / 9)
    # U1's a1 = 10 is over the looser goalpost 9: clipped to 100
    assert model.normalised(0, 0, 0, looser)[0, a1] == pytest.approx(100.0)


def test_ahp_judgements_move_one_step_of_saatys_scale_and_stay_consistent(
    make_system: Callable[..., IndicatorSystem],
) -> None:
    # Two children with a12 = 3: one step of Saaty's scale gives 2, 3 or 4, i.e. w1 = a/(1 + a) = 2/3, 3/4 or 4/5.
    two = make_system(
        """
        method: {normalise: minmax, weighting: ahp}
        composite: {ahp: [[1, 3], [0.333333333, 1]]}
        tree:
          - {code: a, name: a}
          - {code: b, name: b}
        """
    )
    layout = TreeLayout.from_system(two)
    draws = perturb_ahp(np.random.default_rng(3), np.array([0.75, 0.25]), layout, 1, 300)
    assert set(np.round(draws[:, 0], 9)) == {round(2 / 3, 9), 0.75, 0.8}
    # Three children [[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]] (CR = 0.033): every draw has CR < 0.1 and weights
    # that some matrix within one step gives; the draws differ.
    three = make_system(
        """
        method: {normalise: minmax, weighting: ahp}
        composite: {ahp: [[1, 3, 5], [0.333333333, 1, 3], [0.2, 0.333333333, 1]]}
        tree:
          - {code: a, name: a}
          - {code: b, name: b}
          - {code: c, name: c}
        """
    )
    layout = TreeLayout.from_system(three)
    nominal = ahp_weights([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    assert nominal.cr < 0.1
    draws = perturb_ahp(np.random.default_rng(4), nominal.weights, layout, 1, 200)
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)
    assert len({tuple(np.round(d, 9)) for d in draws}) > 5
    scale = [1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    candidates = {}
    for x in (2, 3, 4):
        for y in (4, 5, 6):
            for z in (2, 3, 4):
                a = [[1, x, y], [1 / x, 1, z], [1 / y, 1 / z, 1]]
                result = ahp_weights(a)
                if result.cr < 0.1:
                    candidates[tuple(np.round(result.weights, 9))] = result.cr
    assert all(v in scale for v in (2, 3, 4, 5, 6))
    assert {tuple(np.round(d, 9)) for d in draws} <= set(candidates)


def test_the_ahp_factor_varies_the_weights_of_an_ahp_parent_in_the_analysis(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    system = make_system(
        """
        method: {normalise: minmax, weighting: ahp}
        composite: {ahp: [[1, 3], [0.333333333, 1]]}
        tree:
          - {code: a, name: a}
          - {code: b, name: b}
        """
    )
    data = make_dataset({2024: {"U1": {"a": 1, "b": 3}, "U2": {"a": 2, "b": 2}, "U3": {"a": 3, "b": 1}}})
    settings = UncertaintySettings(
        weights="none",
        normalisations=(),
        aggregations=(),
        missing=(),
        treatments=(),
        leave_one_out=False,
        replications=90,
    )
    result = uncertainty_analysis(system, data, 2024, np.random.default_rng(2), settings)
    assert result.design.factors == ("ahp",)
    assert set(np.round(result.design.weights[:, 0], 9)) == {round(2 / 3, 9), 0.75, 0.8}
    # U3 (a = 3 → 100, b → 0) scores 100·w_a, U1 100·w_b: U3 first in every run, U2 (50) second
    assert (result.ranks[:, 2] == 1).all() and (result.ranks[:, 1] == 2).all()


def test_treatment_on_off_is_the_engines_winsorisation(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    # Eight units, a1 with one far outlier (skew > 2, kurtosis > 3.5): the winsorise level caps it at the next
    # value (9), so min-max gives U8 100 and U7 100 instead of U7 9/1000·100 = 0.8 (after one winsorisation step:
    # values 1…7, 9, 9 → U7 = 100·(9 − 1)/(9 − 1) = 100).
    units = [f"U{i}" for i in range(1, 9)]
    system = make_system(
        """
        method: {normalise: minmax, weighting: fixed}
        tree:
          - {code: a1, name: a1, weight: 1}
          - {code: a2, name: a2, weight: 1}
        """,
        units=units,
    )
    a1 = [1, 2, 3, 4, 5, 6, 9, 1000]
    data = make_dataset(
        {2024: {u: {"a1": v, "a2": i} for i, (u, v) in enumerate(zip(units, a1, strict=True))}}
    )
    model = _model(system, data, UncertaintySettings())
    on = model.assumptions["treatment"].levels.index("winsorise")
    plain = model.normalised(0, 0, 0, 0)[:, 0]
    treated = model.normalised(0, 0, on, 0)[:, 0]
    assert plain[6] == pytest.approx(100 * 8 / 999)
    assert treated[6] == pytest.approx(100.0) and treated[7] == pytest.approx(100.0)


@pytest.fixture(scope="module")
def composite() -> tuple[IndicatorSystem, Dataset]:
    system = load_system(ROOT / "indicators" / "jinan_digital_composite.yaml")
    return system, read_data([ROOT / "sample_inputs" / "jinan_digital_composite" / "long_table.csv"], system)


def test_the_jinan_composite_with_its_bonus_and_deductions_runs_and_matches_the_engine(
    composite: tuple[IndicatorSystem, Dataset],
) -> None:
    system, data = composite
    assert {i.code for i in system.indicators if i.role != "score"} == {"SC-X1", "SC-X2", "DG-X"}
    result = uncertainty_analysis(
        system, data, 2024, np.random.default_rng(1), UncertaintySettings(replications=90)
    )
    assert result.nominal_deviation < 1e-9
    assert set(result.design.factors) == {
        "weights",
        "normalisation",
        "aggregation",
        "missing",
        "treatment",
        "goalposts",
        "exclusion",
    }
    # a few random runs (indicator left out, goalposts moved, another normalisation…) through the full engine
    settings = UncertaintySettings()
    model = _model(system, data, settings)
    design = sample_design(
        np.random.default_rng(5), 3, model.nominal_weights, model.layout, model.assumptions, settings
    )
    zscore = model.assumptions["normalisation"].levels.index("zscore")
    for run in range(design.runs):
        levels = tuple(int(v) for v in design.levels[run, :5])
        if levels[0] == zscore and model.mapped(levels[0], levels[1]):
            continue
        fast = model.composites(levels, design.weights[run][:, np.newaxis])[:, 0]
        np.testing.assert_allclose(fast, model.engine_composite(levels, design.weights[run]), atol=1e-9)


# A (min_coverage 0.5 by indicators) over a1…a4 and b1 beside it, goalposts [0, 10] (score = 10·x), fixed equal
# weights. U1 complete: A = 100, composite (100 + 0)/2 = 50. U2 has a1, a2 (2 of 4 = 0.5, not below): A = (80 + 60)/2
# = 70, composite (70 + 40)/2 = 55. U3 has a1 only (1/4 < 0.5): A missing, composite = b1 = 60. U4 has a1 and
# a2 missing, a3 and a4 不适用: 1 of the 2 that apply = 0.5 → A = 50, composite (50 + 20)/2 = 35.
COVERED = """
method: {normalise: goalpost, weighting: fixed}
tree:
  - code: A
    name: A
    weight: 1
    min_coverage: 0.5
    children:
      - {code: a1, name: a1, weight: 1, goalposts: [0, 10]}
      - {code: a2, name: a2, weight: 1, goalposts: [0, 10]}
      - {code: a3, name: a3, weight: 1, goalposts: [0, 10]}
      - {code: a4, name: a4, weight: 1, goalposts: [0, 10]}
  - {code: b1, name: b1, weight: 1, goalposts: [0, 10]}
"""
COVERED_VALUES: dict[str, dict[str, float | str | None]] = {
    "U1": {"a1": 10, "a2": 10, "a3": 10, "a4": 10, "b1": 0},
    "U2": {"a1": 8, "a2": 6, "a3": None, "a4": None, "b1": 4},
    "U3": {"a1": 10, "a2": None, "a3": None, "a4": None, "b1": 6},
    "U4": {"a1": 5, "a2": None, "a3": NA, "a4": NA, "b1": 2},
}


def test_a_node_below_its_min_coverage_is_missing_in_each_replication(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    system = make_system(COVERED, units=list(COVERED_VALUES))
    data = make_dataset({2024: COVERED_VALUES})
    model = _model(system, data, UncertaintySettings())
    nominal = model.nominal_weights
    np.testing.assert_allclose(model.composites((0,), nominal[:, np.newaxis])[:, 0], [50, 55, 60, 35])
    # a2 left out (its edge weight 0): U2 keeps a1 of the three left (1/3 < 0.5) → A missing, composite = b1 = 40;
    # U4 keeps a1 of the one that applies (1/1) → A = 50 still; U1: A = 100 over a1, a3, a4
    edge = model.layout.edge_child.index("a2")
    without_a2 = nominal.copy()
    without_a2[edge] = 0.0
    np.testing.assert_allclose(model.composites((0,), without_a2[:, np.newaxis])[:, 0], [50, 40, 60, 35])
    np.testing.assert_allclose(model.engine_composite((0,), without_a2), [50, 40, 60, 35])
    # a3 left out instead: U2 has 2 of 3 → A = 70 again
    without_a3 = nominal.copy()
    without_a3[model.layout.edge_child.index("a3")] = 0.0
    both = np.column_stack([nominal, without_a2, without_a3])  # one batch: presence differs by replication
    np.testing.assert_allclose(
        model.composites((0,), both), [[50, 50, 50], [55, 40, 55], [60, 60, 60], [35, 35, 35]]
    )
    # every run of the default design (weights, normalisation, aggregation, exclusion, …) as the engine scores it
    settings = UncertaintySettings()
    design = sample_design(
        np.random.default_rng(3), 4, model.nominal_weights, model.layout, model.assumptions, settings
    )
    zscore = model.assumptions["normalisation"].levels.index("zscore")
    checked = 0
    for run in range(design.runs):
        levels = tuple(int(v) for v in design.levels[run, :5])
        if levels[0] == zscore and model.mapped(levels[0], levels[1]):
            continue
        fast = model.composites(levels, design.weights[run][:, np.newaxis])[:, 0]
        np.testing.assert_allclose(fast, model.engine_composite(levels, design.weights[run]), atol=1e-9)
        checked += 1
    assert checked > 20
    result = uncertainty_analysis(
        system, data, 2024, np.random.default_rng(0), UncertaintySettings(replications=90)
    )
    assert result.nominal_deviation < 1e-9


def test_coverage_by_weight_uses_each_replications_weights(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    # A by weight (min 0.5) over a1 (weight 3), a2, a3, a4 (1 each): U3 has a1 only, 3/6 = 0.5 → present, A = 100,
    # composite (100 + 60)/2 = 80; U2 (a1, a2): 4/6 → A = (3·80 + 60)/4 = 75, composite (75 + 40)/2 = 57.5.
    # With a1's weight halved to 1.5, U3 has 1.5/4.5 = 1/3 < 0.5 → A missing, composite 60; U2 has 2.5/4.5 ≥ 0.5
    # → A = (1.5·80 + 60)/2.5 = 72, composite 56.
    text = COVERED.replace("min_coverage: 0.5", "min_coverage: 0.5\n    coverage_by: weight").replace(
        "{code: a1, name: a1, weight: 1,", "{code: a1, name: a1, weight: 3,"
    )
    values = {u: COVERED_VALUES[u] for u in ("U1", "U2", "U3")}
    system = make_system(text, units=list(values))
    model = _model(system, make_dataset({2024: values}), UncertaintySettings())
    nominal = model.nominal_weights
    lighter = nominal.copy()
    lighter[model.layout.edge_child.index("a1")] *= 0.5
    got = model.composites((0,), np.column_stack([nominal, lighter]))
    np.testing.assert_allclose(got, [[50, 50], [57.5, 56], [80, 60]])
    np.testing.assert_allclose(model.engine_composite((0,), lighter), [50, 56, 60])
