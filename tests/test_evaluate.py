"""The whole evaluation on small systems whose every number is worked out by hand (docs/methods.md §0–§8).

The main example: 3 units, 2 years, 2 dimensions, 4 indicators.

    INDEX ─┬─ D1 (0.6) ─┬─ X1 (1)  minmax, more is better
           │            └─ X2 (1)  minmax, less is better
           └─ D2 (0.4) ─┬─ X3 (3)  minmax, more is better
                        └─ X4 (1)  goalposts [0, 200]

Fixed weights rescaled per parent: D1 → X1 ½, X2 ½; D2 → X3 ¾, X4 ¼; INDEX → D1 0.6, D2 0.4.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scoring.evaluate import Evaluation, evaluate
from scoring.pipeline.weights import entropy_weights
from scoring.problems import PipelineError

SYSTEM = """
    method: {{normalise: minmax, comparability: {comparability}, weighting: {weighting}}}
    tree:
      - code: D1
        name: 数字基础设施
        weight: 0.6
        children:
          - {{code: X1, name: x1, weight: 1}}
          - {{code: X2, name: x2, weight: 1, direction: -1}}
      - code: D2
        name: 数字产业化
        weight: 0.4
        children:
          - {{code: X3, name: x3, weight: 3}}
          - {{code: X4, name: x4, weight: 1, normalise: goalpost, goalposts: [0, 200]}}
"""

#            X1  X2  X3   X4
DATA = {
    2023: {
        "U1": {"X1": 10, "X2": 5, "X3": 2, "X4": 50},
        "U2": {"X1": 20, "X2": 15, "X3": 6, "X4": 100},
        "U3": {"X1": 30, "X2": 10, "X3": 4, "X4": 150},
    },
    2024: {
        "U1": {"X1": 20, "X2": 5, "X3": 4, "X4": 100},
        "U2": {"X1": 40, "X2": 25, "X3": 8, "X4": 200},
        "U3": {"X1": 30, "X2": 15, "X3": 6, "X4": 150},
    },
}


def run(make_system, make_dataset, comparability: str = "per_year", weighting: str = "fixed") -> Evaluation:
    system = make_system(SYSTEM.format(comparability=comparability, weighting=weighting))
    return evaluate(system, make_dataset(DATA), 2024)


def column(ev: Evaluation, year: int, node: str, frame: str = "scores") -> list[float]:
    return getattr(ev, frame).xs(year, level="year")[node].loc[["U1", "U2", "U3"]].tolist()


def close(actual: list[float], expected: list[float]) -> None:
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-9)


def test_per_year_every_score_by_hand(make_system, make_dataset) -> None:
    ev = run(make_system, make_dataset)
    # 2023 ----------------------------------------------------------------------------------------------------
    # X1 10, 20, 30: (x − 10)/20·100 → 0, 50, 100
    # X2 5, 15, 10 (d = −1): (15 − x)/(15 − 5)·100 → 100, 0, 50
    # X3 2, 6, 4: (x − 2)/4·100 → 0, 100, 50
    # X4 50, 100, 150 (goalposts 0–200): x/200·100 → 25, 50, 75
    close(column(ev, 2023, "X1"), [0, 50, 100])
    close(column(ev, 2023, "X2"), [100, 0, 50])
    close(column(ev, 2023, "X3"), [0, 100, 50])
    close(column(ev, 2023, "X4"), [25, 50, 75])
    # D1 = ½X1 + ½X2 → 50, 25, 75;  D2 = ¾X3 + ¼X4 → 0 + 6.25, 75 + 12.5, 37.5 + 18.75 = 6.25, 87.5, 56.25
    close(column(ev, 2023, "D1"), [50, 25, 75])
    close(column(ev, 2023, "D2"), [6.25, 87.5, 56.25])
    # INDEX = 0.6·D1 + 0.4·D2 → 30 + 2.5, 15 + 35, 45 + 22.5 = 32.5, 50, 67.5
    close(column(ev, 2023, "INDEX"), [32.5, 50, 67.5])
    # 2024 ----------------------------------------------------------------------------------------------------
    # X1 20, 40, 30 → 0, 100, 50;  X2 5, 25, 15 (d = −1): (25 − x)/20·100 → 100, 0, 50
    # X3 4, 8, 6 → 0, 100, 50;     X4 100, 200, 150 → 50, 100, 75
    # D1 → 50, 50, 50;  D2 → 0 + 12.5, 75 + 25, 37.5 + 18.75 = 12.5, 100, 56.25
    # INDEX → 30 + 5, 30 + 40, 30 + 22.5 = 35, 70, 52.5
    close(column(ev, 2024, "X1"), [0, 100, 50])
    close(column(ev, 2024, "X2"), [100, 0, 50])
    close(column(ev, 2024, "D1"), [50, 50, 50])
    close(column(ev, 2024, "D2"), [12.5, 100, 56.25])
    close(column(ev, 2024, "INDEX"), [35, 70, 52.5])


def test_ranks_and_year_over_year_change(make_system, make_dataset) -> None:
    ev = run(make_system, make_dataset)
    # INDEX 2023: 32.5, 50, 67.5 → ranks 3, 2, 1;  2024: 35, 70, 52.5 → 3, 1, 2
    assert column(ev, 2023, "INDEX", "ranks") == [3, 2, 1]
    assert column(ev, 2024, "INDEX", "ranks") == [3, 1, 2]
    assert column(ev, 2024, "D1", "ranks") == [1, 1, 1]  # 50, 50, 50: all tied at the top
    # score change 35 − 32.5 = 2.5, 70 − 50 = 20, 52.5 − 67.5 = −15;  places gained 3 − 3 = 0, 2 − 1 = 1, 1 − 2 = −1
    close(column(ev, 2024, "INDEX", "score_change"), [2.5, 20, -15])
    assert column(ev, 2024, "INDEX", "rank_change") == [0, 1, -1]
    assert all(math.isnan(v) for v in column(ev, 2023, "INDEX", "score_change"))  # no 2022
    # the long table of the reported year carries the same numbers
    table = ev.long_table()
    index = table[table["node_code"] == "INDEX"].set_index("unit_code")
    assert index.loc["U2", ["score", "rank", "score_change", "rank_change"]].tolist() == [70, 1, 20, 1]
    assert table["level"].tolist().count(2) == 4 * 3  # four indicators at depth 2, three units


def test_weights_in_use_are_recorded(make_system, make_dataset) -> None:
    ev = run(make_system, make_dataset)
    w = ev.weights[ev.weights["year"] == 2023].set_index(["parent", "child"])["weight"]
    assert w.to_dict() == pytest.approx(
        {
            ("INDEX", "D1"): 0.6,
            ("INDEX", "D2"): 0.4,
            ("D1", "X1"): 0.5,
            ("D1", "X2"): 0.5,
            ("D2", "X3"): 0.75,
            ("D2", "X4"): 0.25,
        }
    )


def test_pooled_comparability_uses_one_scale_for_all_years(make_system, make_dataset) -> None:
    ev = run(make_system, make_dataset, comparability="pooled")
    # bounds over all six rows: X1 10–40, X2 5–25 (d = −1), X3 2–8; X4 keeps its goalposts
    # X1 = (x − 10)/30·100:  2023 → 0, 33.33, 66.67;  2024 → 33.33, 100, 66.67
    # X2 = (25 − x)/20·100:  2023 → 100, 50, 75;      2024 → 100, 0, 50
    # X3 = (x − 2)/6·100:    2023 → 0, 66.67, 33.33;  2024 → 33.33, 100, 66.67
    close(column(ev, 2023, "X1"), [0, 100 / 3, 200 / 3])
    close(column(ev, 2023, "X2"), [100, 50, 75])
    close(column(ev, 2024, "X3"), [100 / 3, 100, 200 / 3])
    # 2023: D1 = ½(0 + 100), ½(33.33 + 50), ½(66.67 + 75) = 50, 41.667, 70.833
    #       D2 = ¾·0 + ¼·25, ¾·66.67 + ¼·50, ¾·33.33 + ¼·75 = 6.25, 62.5, 43.75
    #       INDEX = 0.6·D1 + 0.4·D2 = 30 + 2.5, 25 + 25, 42.5 + 17.5 = 32.5, 50, 60
    close(column(ev, 2023, "D1"), [50, 125 / 3, 425 / 6])
    close(column(ev, 2023, "D2"), [6.25, 62.5, 43.75])
    close(column(ev, 2023, "INDEX"), [32.5, 50, 60])
    # 2024: D1 = ½(33.33 + 100), ½(100 + 0), ½(66.67 + 50) = 66.667, 50, 58.333
    #       D2 = ¾·33.33 + ¼·50, ¾·100 + ¼·100, ¾·66.67 + ¼·75 = 37.5, 100, 68.75
    #       INDEX = 40 + 15, 30 + 40, 35 + 27.5 = 55, 70, 62.5
    close(column(ev, 2024, "D1"), [200 / 3, 50, 175 / 3])
    close(column(ev, 2024, "D2"), [37.5, 100, 68.75])
    close(column(ev, 2024, "INDEX"), [55, 70, 62.5])
    # per_year gave U3 67.5 in 2023 and U1 35 in 2024; on the pooled scale U1 gains 55 − 32.5 = 22.5
    close(column(ev, 2024, "INDEX", "score_change"), [22.5, 20, 2.5])
    # ranks stay per year: 2024 → 3, 1, 2
    assert column(ev, 2024, "INDEX", "ranks") == [3, 1, 2]


def test_pooled_data_driven_weights_are_computed_once_over_all_years(make_system, make_dataset) -> None:
    pooled = run(make_system, make_dataset, comparability="pooled", weighting="entropy")
    per_year = run(make_system, make_dataset, weighting="entropy")
    for ev in (pooled, per_year):
        assert set(ev.weights["method"]) == {"entropy"}

    def d1_weights(ev: Evaluation, year: int) -> list[float]:
        w = ev.weights[(ev.weights["year"] == year) & (ev.weights["parent"] == "D1")]
        return w["weight"].tolist()

    # pooled: one set of weights, the entropy of the six normalised rows of X1 and X2
    assert d1_weights(pooled, 2023) == d1_weights(pooled, 2024)
    close(d1_weights(pooled, 2023), list(entropy_weights(pooled.normalised[["X1", "X2"]].to_numpy())))
    # per year: each year's own three rows (here X1 and X2 are both 0, 50, 100 up to order in 2023 → ½, ½)
    close(d1_weights(per_year, 2023), [0.5, 0.5])
    rows_2024 = per_year.normalised.xs(2024, level="year")[["X1", "X2"]].to_numpy()
    close(d1_weights(per_year, 2024), list(entropy_weights(rows_2024)))


def test_topsis_over_all_indicators(make_system, make_dataset) -> None:
    ev = run(make_system, make_dataset)
    # overall nominal weights: X1 0.6·½ = 0.3, X2 0.3, X3 0.4·¾ = 0.3, X4 0.4·¼ = 0.1
    # 2023 v = w·y: U1 (0, 30, 0, 2.5), U2 (15, 0, 30, 5), U3 (30, 15, 15, 7.5)
    # ideal (30, 30, 30, 7.5), anti-ideal (0, 0, 0, 2.5)
    # U1: D+ = sqrt(900 + 0 + 900 + 25) = sqrt(1825), D− = 30              → C = 30/(42.72 + 30) = 0.412541
    # U2: D+ = sqrt(225 + 900 + 0 + 6.25) = D− = sqrt(225 + 0 + 900 + 6.25) → C = 0.5
    # U3: D+ = sqrt(0 + 225 + 225 + 0) = sqrt(450), D− = sqrt(900 + 225 + 225 + 25) = sqrt(1375)
    #                                                                       → C = 37.081/(21.213 + 37.081) = 0.636100
    topsis = ev.topsis.xs(2023, level="year").loc[["U1", "U2", "U3"]].tolist()
    close(topsis, [30 / (math.sqrt(1825) + 30), 0.5, math.sqrt(1375) / (math.sqrt(450) + math.sqrt(1375))])
    np.testing.assert_allclose(topsis, [0.412541, 0.5, 0.636100], atol=1e-6)


def test_three_level_tree_with_a_geometric_node(make_system, make_dataset) -> None:
    system = make_system(
        """
        method: {normalise: goalpost}
        tree:
          - code: D1
            name: d1
            weight: 1
            children:
              - code: S1
                name: s1
                weight: 1
                aggregate: geometric
                children:
                  - {code: X1, name: x1, weight: 1, goalposts: [0, 100]}
                  - {code: X2, name: x2, weight: 1, goalposts: [0, 100]}
              - code: S2
                name: s2
                weight: 3
                children:
                  - {code: X3, name: x3, weight: 1, goalposts: [0, 100]}
          - {code: X4, name: x4, weight: 1, goalposts: [0, 100]}
        """,
        units=["U1", "U2"],
    )
    data = make_dataset(
        {
            2024: {
                "U1": {"X1": 16, "X2": 64, "X3": 40, "X4": 62},
                "U2": {"X1": 25, "X2": 100, "X3": 10, "X4": 40},
            }
        }
    )
    ev = evaluate(system, data, 2024)
    assert system.depth == {"INDEX": 0, "D1": 1, "S1": 2, "X1": 3, "X2": 3, "S2": 2, "X3": 3, "X4": 1}
    assert list(ev.scores.columns) == ["INDEX", "D1", "S1", "X1", "X2", "S2", "X3", "X4"]
    scores = ev.scores.xs(2024, level="year")
    # U1: S1 = 16^½·64^½ = 4·8 = 32 (geometric on this node only); S2 = 40; D1 = ¼·32 + ¾·40 = 8 + 30 = 38
    #     INDEX = ½·38 + ½·62 = 50
    # U2: S1 = 5·10 = 50; S2 = 10; D1 = 12.5 + 7.5 = 20; INDEX = ½·20 + ½·40 = 30
    close(scores["S1"].tolist(), [32, 50])
    close(scores["D1"].tolist(), [38, 20])
    close(scores["INDEX"].tolist(), [50, 30])


def test_declared_log_transform_applies_to_values_goalposts_and_target(make_system, make_dataset) -> None:
    system = make_system(
        """
        method: {normalise: goalpost}
        tree:
          - {code: X1, name: x1, weight: 1, transform: log, goalposts: [0, 99]}
          - {code: X2, name: x2, weight: 1, transform: log, normalise: target, target: {value: 99}, goalposts: [0, 999]}
        """
    )
    data = make_dataset(
        {2024: {"U1": {"X1": 9, "X2": 9}, "U2": {"X1": 0, "X2": 999}, "U3": {"X1": 99, "X2": 0}}}
    )
    ev = evaluate(system, data, 2024)
    # X1: ln(1 + x) against [ln 1, ln 100]: 9 → ln 10/ln 100·100 = 50; 0 → 0; 99 → 100
    close(column(ev, 2024, "X1"), [50, 0, 100])
    # X2: floor ln(1 + 0) = 0, target ln 100: 9 → 50; 999 → ln 1000/ln 100 = 1.5 → capped 100; 0 → 0
    close(column(ev, 2024, "X2"), [50, 100, 0])
    # attainment is computed on raw values: 9/99 = 0.0909; 999/99 capped at 1; 0/99 = 0
    attainment = ev.attainment.set_index("unit_code")["attainment"]
    close(attainment.loc[["U1", "U2", "U3"]].tolist(), [9 / 99, 1, 0])


def test_year_over_year_needs_the_previous_calendar_year(make_system, make_dataset) -> None:
    system = make_system(
        """
        method: {normalise: goalpost}
        tree: [{code: X1, name: x1, weight: 1, goalposts: [0, 100]}]
        """
    )
    # U3 has no 2023 row; 2021 → 2023 is not a previous calendar year
    data = make_dataset(
        {
            2021: {"U1": {"X1": 10}},
            2023: {"U1": {"X1": 40}, "U2": {"X1": 60}},
            2024: {"U1": {"X1": 50}, "U2": {"X1": 30}, "U3": {"X1": 80}},
        }
    )
    ev = evaluate(system, data, 2024)
    change = ev.score_change["INDEX"]
    assert change.loc[(2024, "U1")] == pytest.approx(10)  # 50 − 40
    assert change.loc[(2024, "U2")] == pytest.approx(-30)  # 30 − 60
    assert math.isnan(change.loc[(2024, "U3")])
    assert math.isnan(change.loc[(2023, "U1")])  # no 2022
    # 2024 ranks U3 1, U1 2, U2 3; 2023 ranks U2 1, U1 2 → U1 0 places, U2 1 − 3 = −2
    assert ev.rank_change["INDEX"].loc[(2024, "U1")] == 0
    assert ev.rank_change["INDEX"].loc[(2024, "U2")] == -2


def test_units_outside_the_unit_list_are_left_out(make_system, make_dataset) -> None:
    system = make_system(
        """
        method: {normalise: minmax}
        tree: [{code: X1, name: x1, weight: 1}]
        """,
        units=["U1", "U2"],
    )
    data = make_dataset({2024: {"U1": {"X1": 1}, "U2": {"X1": 3}, "ZZ": {"X1": 1000}}})
    ev = evaluate(system, data, 2024)
    # ZZ's 1000 is not the max: U1 0, U2 100
    assert ev.scores["INDEX"].to_dict() == {(2024, "U1"): 0.0, (2024, "U2"): 100.0}


def test_a_year_without_data_is_an_error(make_system, make_dataset) -> None:
    system = make_system("tree: [{code: X1, name: x1, weight: 1}]")
    with pytest.raises(PipelineError) as caught:
        evaluate(system, make_dataset({2024: {"U1": {"X1": 1}}}), 2025)
    assert caught.value.problems[0].code == "pipeline.no_year"


def test_rows_without_any_value_are_not_evaluated(make_system, make_dataset) -> None:
    system = make_system(
        """
        method: {normalise: minmax}
        tree: [{code: X1, name: x1, weight: 1}, {code: X2, name: x2, weight: 1}]
        """
    )
    data = make_dataset(
        {2024: {"U1": {"X1": 1, "X2": 2}, "U2": {"X1": 3, "X2": 4}, "U3": {"X1": None, "X2": None}}}
    )
    ev = evaluate(system, data, 2024)
    assert list(ev.scores.index) == [(2024, "U1"), (2024, "U2")]


def test_flags_missing_and_renormalised_in_the_main_example(make_system, make_dataset) -> None:
    data = {year: {u: dict(v) for u, v in rows.items()} for year, rows in DATA.items()}
    data[2024]["U1"]["X3"] = None
    system = make_system(SYSTEM.format(comparability="per_year", weighting="fixed"))
    ev = evaluate(system, make_dataset(data), 2024)
    flags = ev.flags[ev.flags["year"] == 2024]
    assert set(zip(flags["unit_code"], flags["node_code"], flags["flag"], strict=True)) == {
        ("U1", "X3", "missing"),
        ("U1", "D2", "renormalised"),
    }
    # X3 without U1: 8, 6 → 100, 0; U1's D2 = X4 alone = 50; INDEX = 0.6·50 + 0.4·50 = 50
    assert ev.scores.loc[(2024, "U1"), "D2"] == pytest.approx(50)
    assert ev.scores.loc[(2024, "U1"), "INDEX"] == pytest.approx(50)
    assert ev.applied_weights["D2"].loc[(2024, "U1")].tolist() == [0.0, 1.0]
    assert isinstance(ev.flags, pd.DataFrame)
