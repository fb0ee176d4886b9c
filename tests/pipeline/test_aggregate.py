"""Aggregation (docs/methods.md §5): a parent's score from its children's scores and weights.

``AGGREGATION[name](scores, weights, node)`` returns the parent's scores and the weights actually applied per
row (missing children skipped, the others rescaled to sum to 1).
"""

from __future__ import annotations

import numpy as np
import pytest

from scoring.pipeline.aggregate import AGGREGATION, applied_weights
from scoring.problems import PipelineError

nan = np.nan


def aggregate(name: str, rows: list[list[float]], weights: list[float]) -> tuple[np.ndarray, np.ndarray]:
    return AGGREGATION[name](np.array(rows, dtype=float), np.array(weights, dtype=float), "P")


def test_arithmetic_weighted_mean() -> None:
    # 0.5·80 + 0.3·60 + 0.2·40 = 40 + 18 + 8 = 66
    score, used = aggregate("arithmetic", [[80, 60, 40]], [0.5, 0.3, 0.2])
    assert score[0] == pytest.approx(66.0, abs=1e-12)
    np.testing.assert_allclose(used, [[0.5, 0.3, 0.2]])


def test_arithmetic_skips_a_missing_child_and_rescales_the_others() -> None:
    # child 2 missing: w' = 0.5/0.7, 0, 0.2/0.7 = 0.7142857, 0, 0.2857143
    # S = (0.5·80 + 0.2·40)/0.7 = 48/0.7 = 68.5714286
    score, used = aggregate("arithmetic", [[80, nan, 40]], [0.5, 0.3, 0.2])
    assert score[0] == pytest.approx(48 / 0.7, abs=1e-12)
    np.testing.assert_allclose(used, [[0.5 / 0.7, 0.0, 0.2 / 0.7]], atol=1e-15)
    assert used.sum() == pytest.approx(1.0)


def test_all_children_missing_gives_a_missing_score() -> None:
    for name in ("arithmetic", "geometric"):
        score, used = aggregate(name, [[nan, nan], [10, 30]], [0.5, 0.5])
        assert np.isnan(score[0])
        np.testing.assert_array_equal(used[0], [0.0, 0.0])
        assert score[1] == pytest.approx(20.0 if name == "arithmetic" else np.sqrt(300))


def test_applied_weights_row_by_row() -> None:
    # row 1 complete: 0.25, 0.25, 0.5; row 2 misses the last: 0.5, 0.5, 0; row 3 misses all: 0, 0, 0
    w = applied_weights(
        np.array([[1, 2, 3], [1, 2, nan], [nan, nan, nan]], dtype=float), np.array([0.25, 0.25, 0.5])
    )
    np.testing.assert_allclose(w, [[0.25, 0.25, 0.5], [0.5, 0.5, 0.0], [0.0, 0.0, 0.0]])


def test_geometric_weighted_mean() -> None:
    # 16^0.5·81^0.5 = 4·9 = 36;  8^(1/3)·27^(1/3)·64^(1/3) = 2·3·4 = 24;  100^0.5·1^0.5 = 10
    score, _ = aggregate("geometric", [[16, 81, nan], [8, 27, 64]], [1 / 3, 1 / 3, 1 / 3])
    assert score[1] == pytest.approx(24.0, abs=1e-9)
    assert score[0] == pytest.approx(36.0, abs=1e-9)  # missing third child: w' = 1/2, 1/2
    score, _ = aggregate("geometric", [[100, 1]], [0.5, 0.5])
    assert score[0] == pytest.approx(10.0, abs=1e-12)


def test_geometric_with_unequal_weights_and_a_missing_child() -> None:
    # w = 0.25, 0.5, 0.25; the middle child is missing → w' = 0.5, 0, 0.5 → 16^0.5·81^0.5 = 36
    score, used = aggregate("geometric", [[16, nan, 81]], [0.25, 0.5, 0.25])
    assert score[0] == pytest.approx(36.0, abs=1e-9)
    np.testing.assert_allclose(used, [[0.5, 0.0, 0.5]])
    # all present: 16^0.25·4^0.5·81^0.25 = 2·2·3 = 12
    score, _ = aggregate("geometric", [[16, 4, 81]], [0.25, 0.5, 0.25])
    assert score[0] == pytest.approx(12.0, abs=1e-9)


def test_geometric_zero_child_makes_the_parent_zero() -> None:
    # 0^0.5·50^0.5 = 0: the value of the product, nothing shifted
    score, _ = aggregate("geometric", [[0, 50], [50, 50]], [0.5, 0.5])
    assert score[0] == 0.0
    assert score[1] == pytest.approx(50.0)


def test_geometric_negative_child_is_an_error_naming_the_node() -> None:
    with pytest.raises(PipelineError) as caught:
        aggregate("geometric", [[-1, 50]], [0.5, 0.5])
    problem = caught.value.problems[0]
    assert problem.code == "pipeline.geometric_negative"
    assert problem.params["node"] == "P"


def test_arithmetic_allows_negative_children() -> None:
    # z-scores may be negative: 0.5·(−1) + 0.5·3 = 1
    score, _ = aggregate("arithmetic", [[-1, 3]], [0.5, 0.5])
    assert score[0] == pytest.approx(1.0)
