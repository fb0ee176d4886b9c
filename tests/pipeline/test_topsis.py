"""TOPSIS (docs/methods.md §7) on hand-sized matrices; the cross-check against pymcdm is in test_pymcdm.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.pipeline.topsis import topsis

nan = np.nan


def test_topsis_by_hand() -> None:
    # y = [[100, 0], [50, 100], [0, 50]], w = 0.5, 0.5 → v = [[50, 0], [25, 50], [0, 25]]
    # ideal v+ = (50, 50), anti-ideal v− = (0, 0)
    # U1: D+ = 50, D− = 50 → C = 0.5
    # U2: D+ = sqrt(25² + 0) = 25, D− = sqrt(25² + 50²) = 55.901699 → C = 55.901699/80.901699 = 0.690983
    # U3: D+ = sqrt(50² + 25²) = 55.901699, D− = 25 → C = 25/80.901699 = 0.309017
    c = topsis(np.array([[100, 0], [50, 100], [0, 50]], dtype=float), np.array([0.5, 0.5]))
    d = math.sqrt(25**2 + 50**2)
    np.testing.assert_allclose(c, [0.5, d / (25 + d), 25 / (25 + d)], atol=1e-12)
    np.testing.assert_allclose(c, [0.5, 0.690983, 0.309017], atol=1e-6)


def test_topsis_uses_only_the_indicators_a_unit_has() -> None:
    # U3 misses column 2: D+ = |50 − 50| = 0 over column 1 alone, D− = 50 → C = 1
    # the ideal/anti-ideal of column 2 come from U1, U2 only: v = 0, 50
    c = topsis(np.array([[0, 0], [50, 100], [100, nan]], dtype=float), np.array([0.5, 0.5]))
    # U1: D+ = sqrt(50² + 50²) = 70.710678, D− = 0 → 0; U2: D+ = 25, D− = sqrt(25² + 50²) → 0.690983
    assert c[0] == pytest.approx(0.0)
    assert c[1] == pytest.approx(0.690983, abs=1e-6)
    assert c[2] == pytest.approx(1.0)


def test_topsis_all_equal_or_all_missing() -> None:
    # every unit equal: D+ + D− = 0 → C = 1; a unit with no value → missing
    c = topsis(np.array([[40, 60], [40, 60], [nan, nan]], dtype=float), np.array([0.7, 0.3]))
    assert c[:2].tolist() == [1.0, 1.0]
    assert np.isnan(c[2])


def test_topsis_weights_matter() -> None:
    # same matrix as the hand example, all weight on column 1: U1 (100) is the ideal → 1, U3 (0) → 0
    c = topsis(np.array([[100, 0], [50, 100], [0, 50]], dtype=float), np.array([1.0, 0.0]))
    np.testing.assert_allclose(c, [1.0, 0.5, 0.0], atol=1e-12)
