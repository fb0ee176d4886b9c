"""Coverage rules per node (``min_coverage`` on a dimension), docs/methods.md §5 "Coverage rules"."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.evaluate import evaluate
from scoring.problems import SystemDefinitionError
from tests.conftest import NA, build_dataset, build_system

SYSTEM = """
    method: {{normalise: goalpost}}
    tree:
      - code: A
        name: a
        weight: 1
        min_coverage: {threshold}
        coverage_by: {by}
        children:
          - {{code: A1, name: a1, weight: 3, goalposts: [0, 100], required: false}}
          - {{code: A2, name: a2, weight: 1, goalposts: [0, 100], required: false}}
          - {{code: A3, name: a3, weight: 1, goalposts: [0, 100], required: false}}
          - {{code: A4, name: a4, weight: 1, goalposts: [0, 100], required: false}}
      - code: B
        name: b
        weight: 1
        children:
          - {{code: B1, name: b1, weight: 1, goalposts: [0, 100]}}
"""
DATA = {
    2024: {
        # 4 of 4 present
        "U1": {"A1": 50, "A2": 50, "A3": 50, "A4": 50, "B1": 80},
        # 1 of 4 present (A1, weight 3 of 6)
        "U2": {"A1": 60, "A2": None, "A3": None, "A4": None, "B1": 40},
        # A2 不适用, A3 and A4 present, A1 missing: 2 of the 3 that apply
        "U3": {"A1": None, "A2": NA, "A3": 30, "A4": 70, "B1": 20},
    }
}


def run(threshold: float, by: str = "indicators"):  # type: ignore[no-untyped-def]
    return evaluate(build_system(SYSTEM.format(threshold=threshold, by=by)), build_dataset(DATA), 2024)


def test_a_node_below_its_indicator_coverage_is_missing_with_a_problem_and_a_flag() -> None:
    evaluation = run(0.5)
    scores = evaluation.scores.xs(2024, level="year")
    # U2: 1/4 = 25 % < 50 % → A missing; the composite renormalises over B: 40
    assert np.isnan(scores.loc["U2", "A"]) and scores.loc["U2", "INDEX"] == pytest.approx(40.0)
    # U3: 2/3 (不适用 A2 left out) = 67 % ≥ 50 % → A = (30 + 70)/2 = 50, composite (50 + 20)/2 = 35
    assert scores.loc["U3", "A"] == pytest.approx(50.0) and scores.loc["U3", "INDEX"] == pytest.approx(35.0)
    (problem,) = [p for p in evaluation.problems if p.code == "pipeline.node_coverage"]
    assert (problem.unit, problem.params["node"], problem.params["coverage"]) == ("U2", "A", 0.25)
    assert "25%" in problem.message_zh and "50%" in problem.message_en
    flags = evaluation.flags
    assert flags[flags["flag"] == "below_coverage"][["unit_code", "node_code"]].values.tolist() == [
        ["U2", "A"]
    ]
    assert any(step.stage == "coverage" for step in evaluation.log)


def test_weight_coverage_counts_the_childrens_nominal_weight() -> None:
    # U2 by weight: A1 has 3 of 6 = 50 % → kept at a threshold of 0.5, dropped at 0.6
    assert run(0.5, "weight").scores.loc[(2024, "U2"), "A"] == pytest.approx(60.0)
    assert np.isnan(run(0.6, "weight").scores.loc[(2024, "U2"), "A"])
    # U3 by weight: A3 + A4 = 2 of 6 = 33 % < 50 % → missing (不适用 counts as absent by weight)
    assert np.isnan(run(0.5, "weight").scores.loc[(2024, "U3"), "A"])


def test_min_coverage_only_on_a_dimension() -> None:
    with pytest.raises(SystemDefinitionError, match="only a dimension"):
        build_system(
            """
            tree:
              - code: A
                name: a
                weight: 1
                children:
                  - {code: A1, name: a1, weight: 1, min_coverage: 0.5}
            """
        )
