"""What-if and gap analysis (docs/analysis.md §5): numbers computed by hand on a two-indicator system, and the
gap decomposition of every Jinan sample unit."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from scoring.analysis.whatif import gap_to_unit_above, marginal_gains, reach_goals, whatif_analysis
from scoring.data import Dataset
from scoring.evaluate import Evaluation, data_matrices, evaluate
from scoring.problems import PipelineError
from scoring.system import IndicatorSystem

# Goalposts [0, 100] and [0, 200], equal weights: composite = (x1/100·100 + x2/200·100)/2.
# U1 (50, 100) → 50, 50 → 50;  U2 (60, 120) → 60, 60 → 60;  U3 (40, 40) → 40, 20 → 30.
TWO = """
method: {normalise: goalpost}
tree:
  - code: D
    name: D
    weight: 1
    children:
      - {code: x1, name: x1, weight: 1, goalposts: [0, 100], target: {value: 80}}
      - {code: x2, name: x2, weight: 1, goalposts: [0, 200], valid: [0, 200]}
"""
VALUES: dict[str, dict[str, float | str | None]] = {
    "U1": {"x1": 50, "x2": 100},
    "U2": {"x1": 60, "x2": 120},
    "U3": {"x1": 40, "x2": 40},
}


@pytest.fixture
def two(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> tuple[IndicatorSystem, Dataset]:
    return make_system(TWO), make_dataset({2024: VALUES})


def test_gap_to_the_unit_above_by_hand(two: tuple[IndicatorSystem, Dataset]) -> None:
    system, data = two
    gap = gap_to_unit_above(evaluate(system, data, 2024), "U1")
    # U2 is directly above (60 > 50). Contributions 0.5·score: x1 30 − 25 = 5, x2 30 − 25 = 5; gap 10.
    assert gap.above == "U2"
    assert gap.gap == pytest.approx(10.0)
    diff = gap.table.set_index("node_code")["difference"]
    assert diff["x1"] == pytest.approx(5.0) and diff["x2"] == pytest.approx(5.0)
    assert diff["D"] == pytest.approx(10.0)


def test_the_first_unit_has_nobody_above(two: tuple[IndicatorSystem, Dataset]) -> None:
    system, data = two
    gap = gap_to_unit_above(evaluate(system, data, 2024), "U2")
    assert gap.above is None and gap.gap == 0.0


def test_gap_contributions_add_up_for_every_sample_unit(
    jinan: IndicatorSystem, jinan_2024: Evaluation
) -> None:
    indicators = set(jinan.indicator_codes)
    for unit in jinan.unit_codes:
        gap = gap_to_unit_above(jinan_2024, unit)
        if gap.above is None:
            continue
        table = gap.table
        assert table.loc[table["node_code"].isin(indicators), "difference"].sum() == pytest.approx(
            gap.gap, abs=1e-9
        )
        assert table.loc[table["level"] == 1, "difference"].sum() == pytest.approx(gap.gap, abs=1e-9)
        assert gap.gap > 0


def test_reaching_a_goal_by_hand(two: tuple[IndicatorSystem, Dataset]) -> None:
    system, data = two
    raw, not_applicable = data_matrices(system, data)
    goals = reach_goals(system, raw, not_applicable, 2024, "U1").set_index("indicator_code")
    # x1 reaches its target 80: (80 + 50)/2 = 65 > 60 → rank 1, one place up
    assert goals.at["x1", "goal_source"] == "target"
    assert goals.at["x1", "composite"] == pytest.approx(65.0)
    assert (goals.at["x1", "rank"], goals.at["x1", "rank_gain"]) == (1, 1)
    # x2 has no target: the upper goalpost 200 scores 100 → (50 + 100)/2 = 75
    assert goals.at["x2", "goal_source"] == "goalpost"
    assert goals.at["x2", "composite"] == pytest.approx(75.0)
    assert goals.at["x2", "others_moved"] == 0  # fixed goalposts: nobody else moves


def test_marginal_gain_of_one_percent_of_the_range_by_hand(two: tuple[IndicatorSystem, Dataset]) -> None:
    system, data = two
    raw, not_applicable = data_matrices(system, data)
    gains = marginal_gains(system, raw, not_applicable, 2024, "U1").set_index("indicator_code")
    # x1: 1 % of 100 = +1 → score +1 → composite +0.5; x2: 1 % of 200 = +2 → score +1 → composite +0.5
    assert gains.at["x1", "step"] == pytest.approx(1.0)
    assert gains.at["x1", "composite_gain"] == pytest.approx(0.5)
    assert gains.at["x2", "step"] == pytest.approx(2.0)
    assert gains.at["x2", "composite_gain"] == pytest.approx(0.5)
    # the valid range caps the step: from 199.5 only +0.5 (to 200) = +0.25 score = +0.125 composite
    raw.loc[(2024, "U1"), "x2"] = 199.5
    capped = marginal_gains(system, raw, not_applicable, 2024, "U1").set_index("indicator_code")
    assert capped.at["x2", "new_value"] == 200
    assert capped.at["x2", "composite_gain"] == pytest.approx(0.125)


def test_data_driven_normalisation_moves_other_units(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    # min-max: U1 reaching x1's target 80 makes 80 the new maximum, so U2's x1 score falls from 100 to 50.
    system = make_system(TWO.replace("normalise: goalpost", "normalise: minmax"))
    raw, not_applicable = data_matrices(system, make_dataset({2024: VALUES}))
    goals = reach_goals(system, raw, not_applicable, 2024, "U1").set_index("indicator_code")
    assert goals.at["x1", "others_moved"] == 1
    # x1: U1 100, U2 (60 − 40)/40·100 = 50; x2: U1 (100 − 40)/80·100 = 75 → U1 (100 + 75)/2 = 87.5
    assert goals.at["x1", "composite"] == pytest.approx(87.5)


def test_whatif_text_and_unknown_unit(two: tuple[IndicatorSystem, Dataset]) -> None:
    system, data = two
    result = whatif_analysis(system, data, 2024, "U1")
    assert result.rank == 2 and result.score == pytest.approx(50.0)
    assert "相差 10.00 分" in result.text
    assert result.text == whatif_analysis(system, data, 2024, "U1").text
    with pytest.raises(PipelineError) as error:
        whatif_analysis(system, data, 2024, "U9")
    assert error.value.problems[0].code == "analysis.unknown_unit"
    assert np.isfinite(result.gains["composite_gain"]).all()
