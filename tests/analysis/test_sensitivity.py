"""Variance-based sensitivity indices (docs/analysis.md §3) on toy models whose indices are known exactly."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from scoring.analysis.sensitivity import sobol_indices


def pick_freeze(model: Callable[[np.ndarray], np.ndarray], n: int, k: int, seed: int) -> np.ndarray:
    """Outputs of a pick-freeze sample of k binary factors (0/1, equally likely), in the design's layout:
    ``A_j, A_B^1_j, …, A_B^k_j, B_j`` for j = 1…n."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2, size=(n, k))
    b = rng.integers(0, 2, size=(n, k))
    blocks = [a]
    for i in range(k):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    blocks.append(b)
    x = np.stack(blocks, axis=1).reshape(n * (k + 2), k)
    return model(x.astype(float))


def test_additive_model_first_order_matches_the_variance_shares() -> None:
    # Y = X1 + 2·X2 with X1, X2 independent, each 0 or 1 with probability 1/2:
    # Var(X1) = 1/4, Var(2·X2) = 4·1/4 = 1, Var(Y) = 5/4  →  S1 = (1/4)/(5/4) = 0.2, S2 = 1/(5/4) = 0.8;
    # additive, so the total effects equal the first-order indices.
    y = pick_freeze(lambda x: x[:, 0] + 2 * x[:, 1], n=40_000, k=2, seed=11)
    indices = sobol_indices(y, 2)
    np.testing.assert_allclose(indices.first_order, [0.2, 0.8], atol=0.02)
    np.testing.assert_allclose(indices.total_effect, [0.2, 0.8], atol=0.02)


def test_interaction_shows_in_the_total_effect_only() -> None:
    # Y = X1·X2 (binary X): E[Y | X1] = X1/2, so Var(E[Y | X1]) = 1/16; Var(Y) = 1/4·3/4 = 3/16  →  S1 = S2 = 1/3.
    # Total effect: E_X2[Var(Y | X2)] = 1/2·Var(X1) = 1/8  →  ST1 = ST2 = (1/8)/(3/16) = 2/3.
    y = pick_freeze(lambda x: x[:, 0] * x[:, 1], n=40_000, k=2, seed=12)
    indices = sobol_indices(y, 2)
    np.testing.assert_allclose(indices.first_order, [1 / 3, 1 / 3], atol=0.02)
    np.testing.assert_allclose(indices.total_effect, [2 / 3, 2 / 3], atol=0.02)


def test_same_numbers_as_salib_on_the_same_runs() -> None:
    sobol = pytest.importorskip("SALib.analyze.sobol")
    y = pick_freeze(lambda x: x[:, 0] + 2 * x[:, 1] + x[:, 0] * x[:, 2], n=2_000, k=3, seed=13)
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
    reference = sobol.analyze(problem, y, calc_second_order=False, num_resamples=10, seed=1)
    ours = sobol_indices(y, 3)
    np.testing.assert_allclose(ours.first_order, reference["S1"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.total_effect, reference["ST"], rtol=1e-10, atol=1e-12)


def test_many_outputs_aggregate_as_a_variance_weighted_mean() -> None:
    # Two outputs: Y1 = X1 + 2·X2 and Y2 = 3·X2 (Var 9/4, all of it from X2), plus a constant output that has
    # no variance, no per-output index and no weight: S1 = (S1(Y1)·5/4 + 0·9/4)/(5/4 + 9/4).
    y = pick_freeze(
        lambda x: np.column_stack([x[:, 0] + 2 * x[:, 1], 3 * x[:, 1], 0 * x[:, 0]]), 20_000, 2, 14
    )
    indices = sobol_indices(y, 2)
    one = sobol_indices(y[:, 0], 2)
    assert np.isnan(indices.first_order_by_output[:, 2]).all()
    assert indices.variance[2] == 0
    weights = indices.variance[:2] / indices.variance[:2].sum()
    expected = indices.first_order_by_output[:, :2] @ weights
    np.testing.assert_allclose(indices.first_order, expected, rtol=1e-12)
    np.testing.assert_allclose(indices.first_order_by_output[:, 0], one.first_order, rtol=1e-12)
    assert indices.first_order[0] == pytest.approx(0.2 * 1.25 / 3.5, abs=0.02)


def test_the_number_of_runs_must_fit_the_design() -> None:
    with pytest.raises(ValueError, match="multiple"):
        sobol_indices(np.zeros(10), 2)
