"""Decomposition (docs/methods.md §10): each indicator's contribution to the unit's composite.

The indicators' contributions add up to the composite (1e-9); under arithmetic aggregation each one is the
indicator's score times the product of the applied weights along its path (``overall_weight``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scoring.evaluate import Evaluation, evaluate
from scoring.problems import PipelineError

MAIN = """
    method: {normalise: minmax}
    tree:
      - code: D1
        name: d1
        weight: 0.6
        children:
          - {code: X1, name: x1, weight: 1}
          - {code: X2, name: x2, weight: 1, direction: -1}
      - code: D2
        name: d2
        weight: 0.4
        children:
          - {code: X3, name: x3, weight: 3}
          - {code: X4, name: x4, weight: 1, normalise: goalpost, goalposts: [0, 200]}
"""
MAIN_DATA = {
    2023: {
        "U1": {"X1": 10, "X2": 5, "X3": 2, "X4": 50},
        "U2": {"X1": 20, "X2": 15, "X3": 6, "X4": 100},
        "U3": {"X1": 30, "X2": 10, "X3": 4, "X4": 150},
    },
    2024: {
        "U1": {"X1": 20, "X2": 5, "X3": None, "X4": 100},
        "U2": {"X1": 40, "X2": 25, "X3": 8, "X4": 200},
        "U3": {"X1": 30, "X2": 15, "X3": 6, "X4": 150},
    },
}

# composite geometric over D1 (arithmetic: X1, X2) and D2 (X3); goalposts [0, 100] so scores = raw values
GEOMETRIC = """
    method: {{normalise: goalpost}}
    composite: {{aggregate: geometric}}
    tree:
      - code: D1
        name: d1
        weight: {w1}
        children:
          - {{code: X1, name: x1, weight: 1, goalposts: [0, 100]}}
          - {{code: X2, name: x2, weight: 1, goalposts: [0, 100]}}
      - code: D2
        name: d2
        weight: {w2}
        children:
          - {{code: X3, name: x3, weight: 1, goalposts: [0, 100]}}
"""


def by_node(ev: Evaluation, unit: str, year: int) -> pd.DataFrame:
    return ev.explain(unit, year).set_index("node_code")


def indicators_sum(table: pd.DataFrame, ev: Evaluation) -> float:
    return float(table.loc[ev.system.indicator_codes, "contribution"].sum())


def test_arithmetic_contributions_by_hand(make_system, make_dataset) -> None:
    ev = evaluate(make_system(MAIN), make_dataset(MAIN_DATA), 2023)
    t = by_node(ev, "U1", 2023)
    # U1 2023: scores X1 0, X2 100, X3 0, X4 25; overall weights 0.6·½ = 0.3, 0.3, 0.4·¾ = 0.3, 0.4·¼ = 0.1
    # contributions 0·0.3 = 0, 100·0.3 = 30, 0·0.3 = 0, 25·0.1 = 2.5 → Σ = 32.5 = composite
    np.testing.assert_allclose(
        t.loc[["X1", "X2", "X3", "X4"], "overall_weight"], [0.3, 0.3, 0.3, 0.1], atol=1e-12
    )
    np.testing.assert_allclose(t.loc[["X1", "X2", "X3", "X4"], "contribution"], [0, 30, 0, 2.5], atol=1e-9)
    # D1 = 0.6·50 = 30, D2 = 0.4·6.25 = 2.5
    np.testing.assert_allclose(t.loc[["D1", "D2"], "contribution"], [30, 2.5], atol=1e-9)
    assert t.loc["INDEX", "contribution"] == pytest.approx(32.5)
    assert indicators_sum(t, ev) == pytest.approx(32.5, abs=1e-9)
    # raw values travel with the table ("back to the data")
    assert t.loc["X4", "raw_value"] == 50
    assert t.loc["X2", "share"] == pytest.approx(30 / 32.5)


def test_arithmetic_with_a_missing_indicator(make_system, make_dataset) -> None:
    ev = evaluate(make_system(MAIN), make_dataset(MAIN_DATA), 2024)
    t = by_node(ev, "U1", 2024)
    # U1 2024: X3 missing → D2's applied weights 0, 1; X1 0, X2 100 (2024 bounds), X4 100/200 = 50
    # overall weights: X1 0.3, X2 0.3, X3 0.4·0 = 0, X4 0.4·1 = 0.4
    # contributions 0, 30, 0, 50·0.4 = 20 → Σ = 50 = composite (0.6·50 + 0.4·50)
    np.testing.assert_allclose(
        t.loc[["X1", "X2", "X3", "X4"], "overall_weight"], [0.3, 0.3, 0.0, 0.4], atol=1e-12
    )
    np.testing.assert_allclose(t.loc[["X1", "X2", "X3", "X4"], "contribution"], [0, 30, 0, 20], atol=1e-9)
    assert t.loc["INDEX", "score"] == pytest.approx(50)
    assert indicators_sum(t, ev) == pytest.approx(50, abs=1e-9)


def test_arithmetic_contribution_is_score_times_overall_weight_for_every_unit(
    make_system, make_dataset
) -> None:
    ev = evaluate(make_system(MAIN), make_dataset(MAIN_DATA), 2024)
    for year in (2023, 2024):
        for unit in ("U1", "U2", "U3"):
            t = by_node(ev, unit, year)
            leaves = t.loc[ev.system.indicator_codes]
            expected = leaves["score"].fillna(0) * leaves["overall_weight"]
            np.testing.assert_allclose(leaves["contribution"], expected, atol=1e-9)
            assert indicators_sum(t, ev) == pytest.approx(t.loc["INDEX", "score"], abs=1e-9)
            assert leaves["share"].sum() == pytest.approx(1.0, abs=1e-12)


def test_geometric_composite_with_a_missing_indicator(make_system, make_dataset) -> None:
    system = make_system(GEOMETRIC.format(w1=1, w2=1))
    data = make_dataset(
        {2024: {"U1": {"X1": 16, "X2": None, "X3": 81}, "U2": {"X1": 50, "X2": 50, "X3": 50}}}
    )
    ev = evaluate(system, data, 2024)
    t = by_node(ev, "U1", 2024)
    # D1 = 16 (X2 missing), D2 = 81, INDEX = 16^½·81^½ = 36
    # shares: ½ln16/(½ln16 + ½ln81) = 2.772589/7.167038 = 0.386853 → D1 gets 36·0.386853 = 13.926701, D2 22.073299
    # inside D1 (arithmetic) X1 is the only child present, so X1 carries all of D1's contribution
    assert t.loc["INDEX", "score"] == pytest.approx(36)
    d1 = 36 * math.log(16) / math.log(16 * 81)
    np.testing.assert_allclose(t.loc[["D1", "D2"], "contribution"], [d1, 36 - d1], atol=1e-9)
    assert d1 == pytest.approx(13.926701, abs=1e-6)
    np.testing.assert_allclose(t.loc[["X1", "X2", "X3"], "contribution"], [d1, 0, 36 - d1], atol=1e-9)
    assert indicators_sum(t, ev) == pytest.approx(36, abs=1e-9)


def test_geometric_composite_with_unequal_weights(make_system, make_dataset) -> None:
    system = make_system(GEOMETRIC.format(w1=1, w2=3))
    data = make_dataset({2024: {"U1": {"X1": 16, "X2": 16, "X3": 81}}})
    t = by_node(evaluate(system, data, 2024), "U1", 2024)
    # INDEX = 16^¼·81^¾ = 2·27 = 54; shares ¼ln16 = 0.693147 and ¾ln81 = 3.295837 of ln 54 = 3.988984
    # → D1 54·0.173765 = 9.383329, D2 44.616671; X1 and X2 split D1's in proportion ½·16 : ½·16
    assert t.loc["INDEX", "score"] == pytest.approx(54)
    d1 = 54 * 0.25 * math.log(16) / math.log(54)
    assert d1 == pytest.approx(9.383329, abs=1e-6)
    np.testing.assert_allclose(
        t.loc[["X1", "X2", "X3"], "contribution"], [d1 / 2, d1 / 2, 54 - d1], atol=1e-9
    )


def test_geometric_zero_and_unit_composites(make_system, make_dataset) -> None:
    system = make_system(GEOMETRIC.format(w1=1, w2=1))
    data = make_dataset({2024: {"U1": {"X1": 40, "X2": 60, "X3": 0}, "U2": {"X1": 1, "X2": 1, "X3": 1}}})
    ev = evaluate(system, data, 2024)
    # U1: D2 = 0 → INDEX = 0: nothing contributes
    t = by_node(ev, "U1", 2024)
    assert t.loc["INDEX", "score"] == 0
    assert (t.loc[["X1", "X2", "X3"], "contribution"] == 0).all()
    # U2: D1 = D2 = 1 → INDEX = 1, Σ w ln S = 0 → the weights ½, ½ are the shares
    t = by_node(ev, "U2", 2024)
    np.testing.assert_allclose(t.loc[["D1", "D2"], "contribution"], [0.5, 0.5], atol=1e-12)
    assert indicators_sum(t, ev) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("aggregate", ["arithmetic", "geometric"])
@pytest.mark.parametrize("seed", range(5))
def test_contributions_add_up_on_random_data(make_system, make_dataset, aggregate, seed) -> None:
    system = make_system(
        f"""
        method: {{normalise: minmax, aggregate: {aggregate}, scale: [1, 100], weighting: entropy}}
        composite: {{weighting: fixed}}
        tree:
          - code: D1
            name: d1
            weight: 2
            children:
              - {{code: S1, name: s1, children: [{{code: X1, name: x1}}, {{code: X2, name: x2, direction: -1}}]}}
              - {{code: X3, name: x3}}
          - {{code: D2, name: d2, weight: 1, children: [{{code: X4, name: x4}}, {{code: X5, name: x5}}]}}
        """,
        units=[f"U{i}" for i in range(1, 9)],
    )
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 100, size=(8, 5))
    values[rng.integers(0, 8), rng.integers(0, 5)] = np.nan  # one missing indicator
    data = {
        2024: {
            f"U{i + 1}": {f"X{j + 1}": (None if np.isnan(v) else float(v)) for j, v in enumerate(row)}
            for i, row in enumerate(values)
        }
    }
    ev = evaluate(system, make_dataset(data), 2024)
    for unit in ev.system.unit_codes:
        t = by_node(ev, unit, 2024)
        composite = t.loc["INDEX", "score"]
        assert indicators_sum(t, ev) == pytest.approx(composite, abs=1e-9)
        # every level adds up too: the children's contributions give their parent's
        for parent in ("D1", "S1", "D2"):
            children = t.index[t["parent"] == parent]
            assert t.loc[children, "contribution"].sum() == pytest.approx(
                t.loc[parent, "contribution"], abs=1e-9
            )
        if aggregate == "arithmetic":
            leaves = t.loc[ev.system.indicator_codes]
            expected = leaves["score"].fillna(0) * leaves["overall_weight"]
            np.testing.assert_allclose(leaves["contribution"], expected, atol=1e-9)


def test_explaining_an_unknown_unit_is_an_error(make_system, make_dataset) -> None:
    ev = evaluate(make_system(MAIN), make_dataset(MAIN_DATA), 2024)
    with pytest.raises(PipelineError):
        ev.explain("NOPE", 2024)
