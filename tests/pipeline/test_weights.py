"""Weights (docs/methods.md §4): fixed, equal, entropy, CRITIC, AHP and combined, each on a hand-sized example."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from scoring.pipeline.weights import WEIGHTING, ahp_weights, critic_weights, entropy_weights
from scoring.problems import PipelineError, SystemDefinitionError
from scoring.system import IndicatorSystem
from scoring.system.models import Combine, Method, Node

nan = np.nan
ln = math.log


def parent(
    *weights: float | None, combine: Combine | None = None, ahp: list[list[float]] | None = None
) -> Node:
    """A parent node P with children c0, c1, … carrying the given weights (None: no weight)."""
    children = [Node(code=f"c{i}", name=f"c{i}", weight=w) for i, w in enumerate(weights)]
    return Node(code="P", name="P", children=children, combine=combine, ahp=ahp)


def assert_weights(actual: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-9)
    assert actual.sum() == pytest.approx(1.0, abs=1e-12)


# ------------------------------------------------------------------------------------------- fixed and equal


def test_fixed_weights_are_rescaled_to_sum_to_one() -> None:
    # 2, 1, 1 → 2/4, 1/4, 1/4
    scores = np.zeros((2, 3))
    assert_weights(WEIGHTING["fixed"](parent(2, 1, 1), scores, Method()), [0.5, 0.25, 0.25])
    # already global weights (.05, .05, .10 of the composite) give their local shares .25, .25, .5
    assert_weights(WEIGHTING["fixed"](parent(0.05, 0.05, 0.10), scores, Method()), [0.25, 0.25, 0.5])


def test_fixed_weights_need_a_weight_on_every_child() -> None:
    with pytest.raises(PipelineError, match="c1"):
        WEIGHTING["fixed"](parent(2, None, 1), np.zeros((2, 3)), Method())


def test_equal_weights() -> None:
    # k = 3: 1/3 each, whatever the written weights
    assert_weights(WEIGHTING["equal"](parent(5, 1, 1), np.zeros((2, 3)), Method()), [1 / 3, 1 / 3, 1 / 3])


# ---------------------------------------------------------------------------------------------------- entropy

# Three units × three children. Column a has a zero, column b a missing value, column c is constant.
ENTROPY_EXAMPLE = np.array(
    [
        [0.0, 2.0, 5.0],
        [1.0, nan, 5.0],
        [3.0, 6.0, 5.0],
    ]
)


def test_entropy_weights_by_hand() -> None:
    # a: Σ = 4, p = 0, 1/4, 3/4; 0·ln 0 = 0; e_a = −(¼ ln ¼ + ¾ ln ¾)/ln 3 = 0.5623351/1.0986123 = 0.5118612
    # b: n_b = 2 present, Σ = 8, p = 1/4, 3/4;  e_b = 0.5623351/ln 2 = 0.5623351/0.6931472 = 0.8112781
    # c: p = 1/3 each;                          e_c = ln 3/ln 3 = 1 (no information)
    # 1 − e = 0.4881388, 0.1887219, 0 (Σ = 0.6768607) → w = 0.7211813, 0.2788187, 0
    h = -(0.25 * ln(0.25) + 0.75 * ln(0.75))
    e_a, e_b, e_c = h / ln(3), h / ln(2), 1.0
    d = np.array([1 - e_a, 1 - e_b, 1 - e_c])
    w = entropy_weights(ENTROPY_EXAMPLE)
    assert_weights(w, list(d / d.sum()))
    np.testing.assert_allclose(w, [0.7211813, 0.2788187, 0.0], atol=1e-7)


def test_entropy_is_the_registered_weighting() -> None:
    w = WEIGHTING["entropy"](parent(1, 1, 1), ENTROPY_EXAMPLE, Method())
    np.testing.assert_allclose(w, entropy_weights(ENTROPY_EXAMPLE), atol=0)


def test_entropy_column_with_one_value_or_zero_sum_has_no_weight() -> None:
    # column b has n_b = 1 (e = 1), column c sums to 0 (e = 1): all the weight goes to column a
    y = np.array([[1.0, nan, 0.0], [3.0, 4.0, 0.0], [nan, nan, 0.0]])
    assert_weights(entropy_weights(y), [1.0, 0.0, 0.0])


def test_entropy_without_information_anywhere_gives_equal_weights() -> None:
    # every column constant: e_j = 1 for all j → 1/3 each
    assert_weights(entropy_weights(np.full((4, 3), 7.0)), [1 / 3, 1 / 3, 1 / 3])


def test_entropy_refuses_negative_scores() -> None:
    with pytest.raises(PipelineError) as caught:
        entropy_weights(np.array([[-1.0, 2.0], [3.0, 4.0]]))
    assert caught.value.problems[0].code == "pipeline.entropy_negative"


# ----------------------------------------------------------------------------------------------------- CRITIC


def test_critic_weights_by_hand() -> None:
    # columns a = 0, 50, 100; b = 100, 50, 0; c = 0, 100, 50; every sample sd = 50
    # r_ab = −1; r_ac = (−50·−50 + 0·50 + 50·0)/5000 = 0.5; r_bc = (50·−50 + 0 + 0)/5000 = −0.5
    # C_a = 50·((1 − 1) + (1 + 1) + (1 − 0.5)) = 125; C_b = 50·(2 + 0 + 1.5) = 175; C_c = 50·(0.5 + 1.5 + 0) = 100
    # ΣC = 400 → w = 0.3125, 0.4375, 0.25
    y = np.array([[0.0, 100.0, 0.0], [50.0, 50.0, 100.0], [100.0, 0.0, 50.0]])
    assert_weights(critic_weights(y), [0.3125, 0.4375, 0.25])
    assert_weights(WEIGHTING["critic"](parent(1, 1, 1), y, Method()), [0.3125, 0.4375, 0.25])


def test_critic_constant_column_has_no_weight_and_no_correlation() -> None:
    # b is constant: σ_b = 0 and r_ab counts as 0 → C_a = 50·(1 − 0) = 50, C_b = 0 → 1, 0
    y = np.array([[0.0, 20.0], [50.0, 20.0], [100.0, 20.0]])
    assert_weights(critic_weights(y), [1.0, 0.0])


def test_critic_with_a_missing_value_uses_pairwise_complete_correlation() -> None:
    # a = 0, 50, 100, NaN; b = 0, 100, 50, 30
    # σ_a = sd(0, 50, 100) = 50; σ_b: mean 45, Σ dev² = 2025 + 3025 + 25 + 225 = 5300 → sqrt(5300/3) = 42.031734
    # r_ab over the 3 complete rows = 0.5 (as above)
    # C_a = 50·0.5 = 25, C_b = 42.031734·0.5 = 21.015867 → w_a = 25/46.015867 = 0.5432909
    sigma_b = math.sqrt(5300 / 3)
    c = np.array([50 * 0.5, sigma_b * 0.5])
    y = np.array([[0.0, 0.0], [50.0, 100.0], [100.0, 50.0], [nan, 30.0]])
    w = critic_weights(y)
    assert_weights(w, list(c / c.sum()))
    assert w[0] == pytest.approx(0.5432909, abs=1e-7)


def test_critic_weights_do_not_depend_on_rounding_noise() -> None:
    # two units (goalpost scores 55.7, 35.8 and 10.3, 6.2): any two non-constant columns have r = 1 exactly,
    # so C_a = σ_a·(1 − 1) = 0 = C_b → equal weights 0.5, 0.5, whatever the order of the rows
    y = np.array([[557.0, 103.0], [358.0, 62.0]]) / 1000 * 100
    assert_weights(critic_weights(y[::-1]), [0.5, 0.5])  # the reversed order happens to give r = 1.0
    assert_weights(critic_weights(y), [0.5, 0.5])  # this order gives r = 1 − 1e-16 → 0.8292, 0.1708


def test_critic_one_child_or_no_contrast() -> None:
    assert_weights(critic_weights(np.array([[1.0], [5.0]])), [1.0])  # one child: weight 1
    assert_weights(critic_weights(np.full((3, 2), 4.0)), [0.5, 0.5])  # every C_j = 0: equal


# -------------------------------------------------------------------------------------------------------- AHP


def power_iteration(a: list[list[float]], steps: int = 200) -> tuple[np.ndarray, float]:
    """Independent reference: principal eigenvector (sum 1) and λmax = mean of (A w)_i / w_i."""
    m = np.array(a, dtype=float)
    w = np.full(len(m), 1.0 / len(m))
    for _ in range(steps):
        w = m @ w
        w /= w.sum()
    return w, float(np.mean((m @ w) / w))


def test_ahp_consistent_matrix_gives_the_ratios_and_cr_zero() -> None:
    # a_ij = w_i/w_j with w ∝ 4 : 2 : 1 → eigenvector 4/7, 2/7, 1/7; λmax = n = 3; CI = CR = 0
    result = ahp_weights([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]])
    assert_weights(result.weights, [4 / 7, 2 / 7, 1 / 7])
    assert result.lambda_max == pytest.approx(3.0, abs=1e-9)
    assert result.ci == pytest.approx(0.0, abs=1e-9)
    assert result.cr == pytest.approx(0.0, abs=1e-9)


def test_ahp_saaty_example_against_power_iteration() -> None:
    # A = [[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]]: w ≈ 0.6370, 0.2583, 0.1047; λmax ≈ 3.0385
    # CI = (3.0385 − 3)/2 = 0.0193; CR = 0.0193/RI(3) = 0.0193/0.58 = 0.0332 < 0.1: acceptable
    a = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]
    w, lam = power_iteration(a)
    result = ahp_weights(a)
    assert_weights(result.weights, list(w))
    assert result.lambda_max == pytest.approx(lam, abs=1e-9)
    assert result.ci == pytest.approx((lam - 3) / 2, abs=1e-9)
    assert result.cr == pytest.approx((lam - 3) / 2 / 0.58, abs=1e-9)
    np.testing.assert_allclose(result.weights, [0.6370, 0.2583, 0.1047], atol=1e-4)
    assert result.cr == pytest.approx(0.0332, abs=1e-4)


def test_ahp_four_by_four_uses_ri_0_90() -> None:
    a = [[1, 2, 3, 4], [1 / 2, 1, 2, 3], [1 / 3, 1 / 2, 1, 2], [1 / 4, 1 / 3, 1 / 2, 1]]
    w, lam = power_iteration(a)
    result = ahp_weights(a)
    assert_weights(result.weights, list(w))
    # λmax ≈ 4.0310, CI = (λmax − 4)/3 ≈ 0.01033, CR = CI/0.90 ≈ 0.01148
    assert result.cr == pytest.approx((lam - 4) / 3 / 0.90, abs=1e-9)
    assert result.cr == pytest.approx(0.01148, abs=1e-5)


def test_ahp_two_by_two_is_always_consistent() -> None:
    # [[1, 3], [1/3, 1]] → 3/4, 1/4; n ≤ 2: CR = 0
    result = ahp_weights([[1, 3], [1 / 3, 1]])
    assert_weights(result.weights, [0.75, 0.25])
    assert result.cr == 0.0


def test_ahp_cyclic_matrix_is_inconsistent() -> None:
    # a says 1 ≫ 2 ≫ 3 ≫ 1. Each row sums to 1 + 9 + 1/9 = 91/9, so (1, 1, 1) is the eigenvector for
    # λmax = 91/9 = 10.1111; CI = (91/9 − 3)/2 = 32/9 = 3.5556; CR = 3.5556/0.58 = 6.1303 ≥ 0.1
    result = ahp_weights([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    assert_weights(result.weights, [1 / 3, 1 / 3, 1 / 3])
    assert result.lambda_max == pytest.approx(91 / 9, abs=1e-9)
    assert result.ci == pytest.approx(32 / 9, abs=1e-9)
    assert result.cr == pytest.approx(32 / 9 / 0.58, abs=1e-9)


def test_ahp_is_the_registered_weighting() -> None:
    node = parent(None, None, None, ahp=[[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]])
    assert_weights(WEIGHTING["ahp"](node, np.zeros((2, 3)), Method()), [4 / 7, 2 / 7, 1 / 7])


CYCLIC = "[[1, 9, 0.1111111], [0.1111111, 1, 9], [9, 0.1111111, 1]]"
CHILDREN3 = "[{code: X1, name: x1}, {code: X2, name: x2}, {code: X3, name: x3}]"


def refused(make_system: Callable[..., IndicatorSystem], body: str) -> list[tuple[str, str]]:
    with pytest.raises(SystemDefinitionError) as caught:
        make_system(body)
    return [(p.code, p.location.cell) for p in caught.value.problems]


def test_inconsistent_ahp_matrix_is_refused_on_load_with_its_path(make_system) -> None:
    body = f"""
        method: {{weighting: equal}}
        tree:
          - code: D1
            name: d1
            weighting: ahp
            ahp: {CYCLIC}
            children: {CHILDREN3}
    """
    assert refused(make_system, body) == [("system.ahp_inconsistent", "tree[0].ahp")]


def test_inconsistent_ahp_matrix_deeper_in_the_tree_and_on_the_composite(make_system) -> None:
    body = f"""
        method: {{weighting: equal}}
        composite: {{weighting: ahp, ahp: {CYCLIC}}}
        tree:
          - {{code: D1, name: d1, children: [{{code: X0, name: x0}}]}}
          - code: D2
            name: d2
            children:
              - {{code: S1, name: s1, weighting: ahp, ahp: {CYCLIC}, children: {CHILDREN3}}}
          - {{code: D3, name: d3, children: [{{code: X4, name: x4}}]}}
    """
    problems = refused(make_system, body)
    assert ("system.ahp_inconsistent", "composite.ahp") in problems
    assert ("system.ahp_inconsistent", "tree[1].children[0].ahp") in problems
    assert len(problems) == 2


def test_consistent_ahp_matrix_is_accepted_and_used(make_system, make_dataset) -> None:
    from scoring.evaluate import evaluate

    system = make_system(
        """
        tree:
          - code: D1
            name: d1
            weighting: ahp
            ahp: [[1, 3, 5], [0.3333333, 1, 3], [0.2, 0.3333333, 1]]
            children: [{code: X1, name: x1}, {code: X2, name: x2}, {code: X3, name: x3}]
        composite: {weighting: equal}
        """
    )
    data = make_dataset({2024: {"U1": {"X1": 1, "X2": 2, "X3": 3}, "U2": {"X1": 3, "X2": 1, "X3": 2}}})
    weights = evaluate(system, data, 2024).weights
    d1 = weights[weights["parent"] == "D1"]
    np.testing.assert_allclose(d1["weight"], [0.6370, 0.2583, 0.1047], atol=1e-4)
    assert set(d1["method"]) == {"ahp"}


def test_non_reciprocal_ahp_matrix_is_refused(make_system) -> None:
    body = """
        method: {weighting: ahp}
        composite: {weighting: equal}
        tree:
          - {code: D1, name: d1, ahp: [[1, 2], [2, 1]], children: [{code: X1, name: x1}, {code: X2, name: x2}]}
    """
    with pytest.raises(SystemDefinitionError, match="reciprocal"):
        make_system(body)


# --------------------------------------------------------------------------------------------------- combined


def test_combined_weights_mix_fixed_and_entropy_with_alpha() -> None:
    # subjective fixed 3 : 1 → 0.75, 0.25; objective entropy of columns a, b of ENTROPY_EXAMPLE:
    # 1 − e = 0.4881388, 0.1887219 → 0.7211813, 0.2788187
    # α = 0.2: 0.2·0.75 + 0.8·0.7211813 = 0.7269450;  0.2·0.25 + 0.8·0.2788187 = 0.2730550
    h = -(0.25 * ln(0.25) + 0.75 * ln(0.75))
    d = np.array([1 - h / ln(3), 1 - h / ln(2)])
    entropy = d / d.sum()
    scores = ENTROPY_EXAMPLE[:, :2]
    node = parent(3, 1, combine=Combine(alpha=0.2))
    w = WEIGHTING["combined"](node, scores, Method())
    assert_weights(w, list(0.2 * np.array([0.75, 0.25]) + 0.8 * entropy))
    np.testing.assert_allclose(w, [0.7269450, 0.2730550], atol=1e-7)


def test_combined_without_a_node_spec_uses_method_combine() -> None:
    # default method.combine: α = 0.5, fixed + entropy → 0.5·0.75 + 0.5·0.7211813 = 0.7355906
    scores = ENTROPY_EXAMPLE[:, :2]
    w = WEIGHTING["combined"](parent(3, 1), scores, Method())
    assert w[0] == pytest.approx(0.7355906, abs=1e-7)
    # method.combine with CRITIC (α = 1 would be pure fixed; α = 0 pure CRITIC)
    y = np.array([[0.0, 100.0, 0.0], [50.0, 50.0, 100.0], [100.0, 0.0, 50.0]])
    method = Method(combine=Combine(alpha=0.0, objective="critic"))
    assert_weights(WEIGHTING["combined"](parent(1, 1, 1), y, method), [0.3125, 0.4375, 0.25])


def test_combined_with_ahp_as_subjective_part() -> None:
    # α = 0.5: 0.5·(4/7, 2/7, 1/7) + 0.5·(CRITIC 0.3125, 0.4375, 0.25)
    y = np.array([[0.0, 100.0, 0.0], [50.0, 50.0, 100.0], [100.0, 0.0, 50.0]])
    node = parent(
        None,
        None,
        None,
        ahp=[[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]],
        combine=Combine(subjective="ahp", objective="critic"),
    )
    expected = 0.5 * np.array([4 / 7, 2 / 7, 1 / 7]) + 0.5 * np.array([0.3125, 0.4375, 0.25])
    assert_weights(WEIGHTING["combined"](node, y, Method()), list(expected))


def test_combined_with_ahp_from_method_combine_needs_no_child_weights(make_system) -> None:
    system = make_system(
        """
        method:
          weighting: combined
          combine: {alpha: 0.5, subjective: ahp, objective: entropy}
        composite: {ahp: [[1, 2], [0.5, 1]]}
        tree:
          - {code: D1, name: d1, weighting: equal, children: [{code: X1, name: x1}]}
          - {code: D2, name: d2, weighting: equal, children: [{code: X2, name: x2}]}
        """
    )
    assert system.root.ahp is not None
