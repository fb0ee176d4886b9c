"""Coupling coordination, obstacle degrees, disparity and group ranks (docs/analysis.md §6–§9): each formula
against a number computed by hand in the comment, and against an independent implementation where one exists
(PySAL's ``inequality`` for Gini, Theil and its decomposition; scipy's ``gaussian_kde`` for the density)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from scoring.analysis.coordination import coordination_analysis, coupling_coordination, grade_index
from scoring.analysis.disparity import (
    dagum_gini,
    disparity_analysis,
    gini,
    kernel_density,
    silverman_bandwidth,
    theil,
    theil_decomposition,
)
from scoring.analysis.obstacles import obstacle_analysis, obstacle_degrees
from scoring.analysis.regional import regional_analysis
from scoring.analysis.unit_groups import group_ranking
from scoring.data import Dataset
from scoring.evaluate import evaluate
from scoring.problems import DigiscoreError, SystemDefinitionError
from scoring.system import IndicatorSystem

# --------------------------------------------------------------------------------- coupling coordination


def test_three_subsystems_by_hand() -> None:
    # U = (0.4, 0.6, 0.8): Π U = 0.192, geometric mean 0.192^(1/3) = 0.576900, arithmetic mean 0.6,
    # C = 3·[0.192/1.8³]^(1/3) = 0.576900/0.6 = 0.961500; T = (0.4 + 0.6 + 0.8)/3 = 0.6;
    # D = √(0.961500·0.6) = √0.576900 = 0.759539 → 中级协调 (0.7–0.8)
    c, t, d = coupling_coordination(np.array([[0.4, 0.6, 0.8]]), np.array([1, 1, 1]) / 3)
    assert c[0] == pytest.approx(0.961500, abs=1e-6)
    assert t[0] == pytest.approx(0.6)
    assert d[0] == pytest.approx(0.759539, abs=1e-6)
    assert grade_index(d)[0] == 7


def test_two_subsystems_reduce_to_the_classic_form() -> None:
    # U = (0.25, 1): C = 2·√(U1·U2)/(U1 + U2) = 2·0.5/1.25 = 0.8; T = 0.5·0.25 + 0.5·1 = 0.625; D = √0.5 = 0.707107
    # weights 0.2 / 0.8: T = 0.05 + 0.8 = 0.85, D = √(0.8·0.85) = √0.68 = 0.824621
    u = np.array([[0.25, 1.0]])
    c, t, d = coupling_coordination(u, np.array([0.5, 0.5]))
    assert (c[0], t[0], d[0]) == pytest.approx((0.8, 0.625, 0.707107), abs=1e-6)
    _, t, d = coupling_coordination(u, np.array([0.2, 0.8]))
    assert (t[0], d[0]) == pytest.approx((0.85, 0.824621), abs=1e-6)


def test_edges_of_the_domain() -> None:
    # all zero: C = 0/0 undefined, T = 0 so D = 0 (极度失调); one zero: Π U = 0 so C = 0 and D = 0;
    # all equal 0.09: C = 1, T = 0.09, D = 0.3 exactly → grade 3 (轻度失调), not 2 by rounding
    c, t, d = coupling_coordination(np.array([[0.0, 0.0], [0.0, 0.5], [0.09, 0.09]]), np.array([0.5, 0.5]))
    assert np.isnan(c[0]) and t[0] == 0 and d[0] == 0
    assert c[1] == 0 and d[1] == 0
    assert c[2] == pytest.approx(1.0) and d[2] == pytest.approx(0.3)
    assert list(grade_index(d)) == [0, 0, 3]
    assert list(grade_index(np.array([1.0, 0.95, np.nan]))) == [9, 9, -1]


COUPLED = """
method: {normalise: goalpost}
coordination: {subsystems: [A, B], weights: [3, 1]}
tree:
  - code: A
    name: 甲
    weight: 1
    children: [{code: A1, name: a, weight: 1, goalposts: [0, 100]}]
  - code: B
    name: 乙
    weight: 1
    children: [{code: B1, name: b, weight: 1, goalposts: [0, 100]}]
"""


def test_through_a_system(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    # U1: A = 40, B = 90 → U = (0.4, 0.9); C = 2·√0.36/1.3 = 1.2/1.3 = 0.923077; T = 0.75·0.4 + 0.25·0.9 = 0.525;
    # D = √(0.923077·0.525) = √0.484615 = 0.696143 → 初级协调, A lags; U2: (0.5, 0.55) in step (spread 0.05 ≤ 0.1)
    system = make_system(COUPLED, units=("U1", "U2"))
    data = make_dataset({2024: {"U1": {"A1": 40, "B1": 90}, "U2": {"A1": 50, "B1": 55}}})
    result = coordination_analysis(system, evaluate(system, data, 2024).scores)
    row = result.table.loc[(2024, "U1")]
    assert result.weights == (0.75, 0.25)
    assert (row["C"], row["T"], row["D"]) == pytest.approx((0.923077, 0.525, 0.696143), abs=1e-6)
    assert (row["grade"], row["lagging"], row["synchronous"]) == ("初级协调", "A", False)
    assert bool(result.table.loc[(2024, "U2"), "synchronous"])
    assert result.lag_counts(2024) == {"A": 2, "B": 0, "同步": 1}


def test_refuses_scores_without_a_fixed_range(make_system: Callable[..., IndicatorSystem]) -> None:
    system = make_system(COUPLED.replace("normalise: goalpost", "normalise: zscore"))
    scores = pd.DataFrame({"A": [1.0], "B": [-0.5]}, index=pd.MultiIndex.from_tuples([(2024, "U1")]))
    with pytest.raises(DigiscoreError) as caught:
        coordination_analysis(system, scores)
    problem = caught.value.problems[0]
    assert problem.code == "analysis.domain"
    assert "zscore" in problem.message_zh and "bounded" in problem.message_en


def test_default_subsystems_are_the_dimensions(make_system: Callable[..., IndicatorSystem]) -> None:
    # no coordination key: the top-level dimensions with equal weights; one dimension or eleven: refused
    system = make_system(COUPLED.replace("coordination: {subsystems: [A, B], weights: [3, 1]}\n", ""))
    scores = pd.DataFrame({"A": [40.0], "B": [90.0]}, index=pd.MultiIndex.from_tuples([(2024, "U1")]))
    assert coordination_analysis(system, scores).weights == (0.5, 0.5)
    single = make_system(
        "tree:\n  - {code: A, name: a, weight: 1, children: [{code: A1, name: b, weight: 1}]}\n"
    )
    with pytest.raises(DigiscoreError, match="top-level dimensions"):
        coordination_analysis(single, scores)
    dims = "".join(
        f"  - {{code: D{i}, name: d{i}, weight: 1, children: [{{code: I{i}, name: i{i}, weight: 1}}]}}\n"
        for i in range(11)
    )
    with pytest.raises(DigiscoreError, match="top-level dimensions"):
        coordination_analysis(make_system("tree:\n" + dims), scores)


def test_refuses_scores_outside_the_scale(make_system: Callable[..., IndicatorSystem]) -> None:
    scores = pd.DataFrame({"A": [104.0], "B": [50.0]}, index=pd.MultiIndex.from_tuples([(2024, "U1")]))
    with pytest.raises(DigiscoreError, match="outside the scale"):
        coordination_analysis(make_system(COUPLED), scores)


@pytest.mark.parametrize(
    ("coordination", "message"),
    [
        ("{subsystems: [A, X]}", "X is not a node"),
        ("{subsystems: [A, A1]}", "A1 lies inside A"),
        ("{subsystems: [A, B], weights: [1]}", "one weight per subsystem"),
        ("{subsystems: [A]}", "coordination.subsystems"),
    ],
)
def test_the_loader_refuses_bad_subsystems(
    make_system: Callable[..., IndicatorSystem], coordination: str, message: str
) -> None:
    with pytest.raises(SystemDefinitionError, match=message):
        make_system(COUPLED.replace("{subsystems: [A, B], weights: [3, 1]}", coordination))


# ------------------------------------------------------------------------------------------- obstacles

OBSTACLES = """
method: {normalise: goalpost}
tree:
  - code: A
    name: 基础
    weight: 60
    children: [{code: A1, name: 指标甲, weight: 1, goalposts: [0, 100]}]
  - code: B
    name: 应用
    weight: 40
    children: [{code: B1, name: 指标乙, weight: 1, goalposts: [0, 50]}]
"""


def test_obstacle_degrees_by_hand() -> None:
    # F = (0.6, 0.4), I = (0.5, 1): F·I = (0.3, 0.4), O = (0.3/0.7, 0.4/0.7) = (42.857 %, 57.143 %);
    # a row at the top everywhere (I = 0) has no obstacle; a missing deviation is left out
    degrees = obstacle_degrees(np.array([[0.5, 1.0], [0.0, 0.0], [np.nan, 0.5]]), np.array([0.6, 0.4]))
    assert degrees[0] == pytest.approx([42.857143, 57.142857])
    assert list(degrees[1]) == [0.0, 0.0]
    assert np.isnan(degrees[2, 0]) and degrees[2, 1] == pytest.approx(100.0)


def test_obstacles_through_the_pipeline(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    # U1: A1 = 60 → y 60, B1 = 30 of [0, 50] → y 60: I = (0.4, 0.4), F·I = (0.24, 0.16) → O = (60 %, 40 %)
    # U2: y = (70, 40): I = (0.3, 0.6), F·I = (0.18, 0.24) → O = (42.857 %, 57.143 %), main dimension B
    system = make_system(OBSTACLES)
    data = make_dataset(
        {2024: {"U1": {"A1": 60, "B1": 30}, "U2": {"A1": 70, "B1": 20}, "U3": {"A1": 90, "B1": 50}}}
    )
    result = obstacle_analysis(evaluate(system, data, 2024))
    assert result.factor.to_dict() == pytest.approx({"A1": 0.6, "B1": 0.4})
    assert result.indicators.loc["U1"].tolist() == pytest.approx([60.0, 40.0])
    assert result.dimensions.loc["U2"].tolist() == pytest.approx([42.857143, 57.142857])
    assert result.main_dimension("U2") == "B"
    # U3: y = (90, 100): only A1 is an obstacle (100 %); B1 at its best is not listed
    top = result.top[result.top["unit_code"] == "U3"]
    assert top["indicator_code"].tolist() == ["A1"] and top["obstacle"].iloc[0] == pytest.approx(100)
    frequency = result.frequency()
    assert frequency.loc["A1", "units"] == 3 and frequency.loc["B1", "units"] == 2


# ------------------------------------------------------------------------------------------- disparity

X = np.array([1.0, 2.0, 3.0, 6.0])
GROUPS = np.array(["a", "a", "b", "b"])


def test_gini_theil_cv_by_hand() -> None:
    # μ = 3; Σ_i Σ_j |x_i − x_j| = 2·(1 + 2 + 5 + 1 + 4 + 3) = 32; G = 32/(2·16·3) = 1/3
    # x/μ = (1/3, 2/3, 1, 2): T = (−0.366204 − 0.270310 + 0 + 1.386294)/4 = 0.187445
    from inequality.gini import Gini
    from inequality.theil import Theil, TheilD

    assert gini(X) == pytest.approx(1 / 3)
    assert theil(X) == pytest.approx(0.187445, abs=1e-6)
    assert gini(X) == pytest.approx(Gini(X).g)
    assert theil(X) == pytest.approx(float(Theil(X).T))
    # between: s = (3/12, 9/12), n_g/n = 1/2: 0.25·ln 0.5 + 0.75·ln 1.5 = 0.130812;
    # within: both groups have x/μ_g = (2/3, 4/3), T_g = (−0.270310 + 0.383576)/2 = 0.056633
    parts = theil_decomposition(X, GROUPS)
    assert parts.between == pytest.approx(0.130812, abs=1e-6)
    assert parts.within == pytest.approx(0.056633, abs=1e-6)
    assert parts.within + parts.between == pytest.approx(parts.total)
    pysal = TheilD(X, GROUPS)
    assert parts.between == pytest.approx(float(pysal.bg[0]))
    assert parts.within == pytest.approx(float(pysal.wg[0]))


def test_dagum_without_overlap() -> None:
    # a = {1, 2} (μ 1.5), b = {3, 6} (μ 4.5); p = (0.5, 0.5), s = (0.25, 0.75)
    # G_aa = 2/(2·4·1.5) = 1/6, G_bb = 6/(2·4·4.5) = 1/6 → G_w = (1/6)(0.5·0.25 + 0.5·0.75) = 1/12
    # G_ba = (2 + 1 + 5 + 4)/(2·2·6) = 0.5; no b below any a: d = 3, p = 0, D = 1; weight 0.5·0.25 + 0.5·0.75 = 0.5
    # G_nb = 0.5·0.5·1 = 0.25, G_t = 0; 1/12 + 1/4 = 1/3 = G
    found = dagum_gini(X, GROUPS)
    assert (found.within, found.between, found.transvariation) == pytest.approx((1 / 12, 0.25, 0.0))
    assert found.within + found.between + found.transvariation == pytest.approx(found.gini)


def test_dagum_with_transvariation() -> None:
    # a = {1, 4} (μ 2.5), b = {2, 5} (μ 3.5), μ = 3; G = 2·14/(2·16·3) = 0.291667
    # G_aa = 6/(2·4·2.5) = 0.3, G_bb = 6/(2·4·3.5) = 0.214286; s = (5/12, 7/12): G_w = 0.0625 + 0.0625 = 0.125
    # b − a: (1, −2, 4, 1): G_ba = 8/(4·6) = 1/3, d = 6/4 = 1.5, p = 2/4 = 0.5, D = 1/2; weight 0.5
    # G_nb = G_t = (1/3)·0.5·0.5 = 0.083333; 0.125 + 0.083333 + 0.083333 = 0.291667 = G
    found = dagum_gini(np.array([1.0, 4.0, 2.0, 5.0]), GROUPS)
    assert found.gini == pytest.approx(0.291667, abs=1e-6)
    assert (found.within, found.between, found.transvariation) == pytest.approx((0.125, 1 / 12, 1 / 12))
    assert found.pairs.loc[0, "D"] == pytest.approx(0.5)
    assert sum(found.shares.values()) == pytest.approx(1.0)


def test_dagum_adds_up_on_random_data() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        x = rng.gamma(2.0, 10.0, size=int(rng.integers(5, 40)))
        groups = rng.choice(np.array(["a", "b", "c", "d"]), size=len(x))
        found = dagum_gini(x, groups)
        assert found.within + found.between + found.transvariation == pytest.approx(found.gini, abs=1e-12)
        # independent: the brute-force Gini over all pairs, one pair at a time
        brute = sum(abs(a - b) for a in x for b in x) / (2 * len(x) ** 2 * x.mean())
        assert found.gini == pytest.approx(brute)


def test_kernel_density_by_hand_and_against_scipy() -> None:
    # x = (0, 1): s = √0.5, h = √0.5·(3·2/4)^(−1/5) = 0.652029; f(0.5) = 2·φ(0.5/h)/(2h) = φ(0.766837)/h = 0.455987
    from scipy.stats import gaussian_kde

    x = np.array([0.0, 1.0])
    assert silverman_bandwidth(x) == pytest.approx(0.652029, abs=1e-6)
    assert kernel_density(x, np.array([0.5]))[0] == pytest.approx(0.455987, abs=1e-6)
    sample = np.random.default_rng(3).normal(50, 15, 30)
    grid = np.linspace(0, 100, 51)
    assert kernel_density(sample, grid) == pytest.approx(gaussian_kde(sample, "silverman")(grid), rel=1e-10)


def test_disparity_over_years_and_refusals() -> None:
    # 2023: (1, 2, 3, 6): σ = √3.5 = 1.870829, CV = 0.623610; 2024: (2, 3, 4, 5): σ = √1.25 = 1.118034 → σ-convergence
    index = pd.MultiIndex.from_product([[2023, 2024], ["U1", "U2", "U3", "U4"]], names=["year", "unit_code"])
    scores = pd.DataFrame({"INDEX": [1.0, 2, 3, 6, 2, 3, 4, 5]}, index=index)
    groups = {"U1": "a", "U2": "a", "U3": "b", "U4": None}
    result = disparity_analysis(scores, groups, "INDEX", 2024, (0.0, 100.0))
    assert result.years.loc[2023, "sd"] == pytest.approx(1.870829, abs=1e-6)
    assert result.years.loc[2023, "cv"] == pytest.approx(0.623610, abs=1e-6)
    assert result.years.loc[2024, "sd"] == pytest.approx(1.118034, abs=1e-6)
    assert result.converging is True
    assert set(result.theil.groups.index) == {"a", "b", "未分组"}
    assert result.density.shape == (101, 2)
    negative = scores.assign(INDEX=scores["INDEX"] - 3)
    with pytest.raises(DigiscoreError, match="negative"):
        disparity_analysis(negative, groups, "INDEX", 2024, (0.0, 100.0))


# ---------------------------------------------------------------------------------------------- groups

GROUPED = """
method: {normalise: goalpost}
tiers: {quantile: [前, 后]}
tree:
  - code: A
    name: 甲
    weight: 1
    children: [{code: A1, name: a, weight: 1, goalposts: [0, 100]}]
"""


def test_ranks_and_quantile_tiers_within_groups(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    # 城区: U1 80, U2 60, U3 60 → ranks 1, 2, 2 (ties share), tiers ⌊(r − 1)·2/3⌋: 前, 前, 前;
    # 县: U4 50, U5 30 → ranks 1, 2, tiers ⌊0⌋ = 前, ⌊2/2⌋ = 后. Overall U4 is 4th of 5 (后).
    units = [("U1", "城区"), ("U2", "城区"), ("U3", "城区"), ("U4", "县"), ("U5", "县")]
    system = make_system(GROUPED, units=units)
    values = {"U1": 80, "U2": 60, "U3": 60, "U4": 50, "U5": 30}
    evaluation = evaluate(system, make_dataset({2024: {u: {"A1": v} for u, v in values.items()}}), 2024)
    frame = group_ranking(evaluation)
    assert list(frame.index) == ["U1", "U2", "U3", "U4", "U5"]
    assert frame["group_rank"].tolist() == [1, 2, 2, 1, 2]
    assert frame["group_size"].tolist() == [3, 3, 3, 2, 2]
    assert frame["group_tier"].tolist() == ["前", "前", "前", "前", "后"]
    assert frame.loc["U4", "tier"] == "后" and frame.loc["U4", "rank"] == 4


def test_regional_analysis_gives_reasons_instead_of_numbers(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    system = make_system(COUPLED.replace("normalise: goalpost", "normalise: zscore"))
    data = make_dataset(
        {2024: {"U1": {"A1": 1, "B1": 2}, "U2": {"A1": 2, "B1": 1}, "U3": {"A1": 3, "B1": 3}}}
    )
    regional = regional_analysis(evaluate(system, data, 2024))
    assert regional.coordination is None and regional.obstacles is None and regional.disparity is None
    assert set(regional.skipped) == {"coordination", "obstacles", "disparity"}
    assert all(p.code == "analysis.domain" for p in regional.skipped.values())
    assert len(regional.groups) == 3
