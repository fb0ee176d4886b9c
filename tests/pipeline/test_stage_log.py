"""The evaluation log is built from what each stage returned it learned (docs/methods.md, "The log")."""

from __future__ import annotations

import math

import pytest

from scoring.evaluate import evaluate

SYSTEM = """
    method: {normalise: minmax, weighting: fixed}
    tree:
      - code: D1
        name: d1
        weight: 1
        children:
          - {code: X1, name: x1, weight: 1}
          - {code: X2, name: x2, weight: 1, direction: -1}
          - {code: X3, name: x3, weight: 1, normalise: target, target: {value: 80}}
          - {code: X4, name: x4, weight: 1, normalise: target, target: {value: 80}, goalposts: [10, 100]}
          - {code: X5, name: x5, weight: 1, normalise: goalpost, goalposts: [0, 10], transform: log}
"""
DATA = {
    2024: {
        "U1": {"X1": 1, "X2": 1, "X3": 20, "X4": 20, "X5": 0},
        "U2": {"X1": 5, "X2": 5, "X3": 60, "X4": 60, "X5": 4},
        "U3": {"X1": 9, "X2": 9, "X3": 100, "X4": 100, "X5": 9},
    }
}


@pytest.fixture
def log(make_system, make_dataset):
    return evaluate(make_system(SYSTEM), make_dataset(DATA), 2024).log


def learned(log, method: str) -> dict[str, dict[str, object]]:
    step = next(s for s in log if s.stage == "normalise" and s.method == method)
    return {entry["indicator_code"]: entry for entry in step.detail.get("learned", [])}


def test_minmax_logs_the_bounds_it_used_in_raw_units(log) -> None:
    # X2 is less-is-better: the method works on −x, but the log gives min 1 and max 9 of x itself
    bounds = learned(log, "minmax")
    assert {code: (e["min"], e["max"], e["years"]) for code, e in bounds.items()} == {
        "X1": (1.0, 9.0, [2024]),
        "X2": (1.0, 9.0, [2024]),
    }


def test_target_logs_its_floor_observed_or_from_the_goalposts(log) -> None:
    # regression: the target normalisation's observed floor was not logged. X3 has no goalposts: floor = the
    # worst observed value, min 20; X4 takes its lower goalpost 10
    floors = learned(log, "target")
    assert (floors["X3"]["floor"], floors["X3"]["floor_observed"]) == (20.0, True)
    assert (floors["X4"]["floor"], floors["X4"]["floor_observed"]) == (10.0, False)


def test_fixed_goalposts_learn_nothing(log) -> None:
    step = next(s for s in log if s.stage == "normalise" and s.method == "goalpost")
    assert step.detail == {"indicators": ["X5"]}


def test_the_declared_transform_is_logged(log) -> None:
    step = next(s for s in log if s.stage == "transform")
    assert (step.method, step.detail) == ("log", {"indicators": ["X5"]})


def test_the_weights_step_lists_the_nominal_weights(log) -> None:
    step = next(s for s in log if s.stage == "weights")
    rows = {(r["parent"], r["child"]): r["weight"] for r in step.detail["weights"]}
    assert rows[("D1", "X1")] == pytest.approx(0.2) and rows[("INDEX", "D1")] == 1.0
    assert math.isclose(sum(w for (p, _), w in rows.items() if p == "D1"), 1.0)
