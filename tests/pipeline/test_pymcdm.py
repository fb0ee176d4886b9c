"""Cross-checks against pymcdm (an independent implementation) on random positive matrices, to 1e-9."""

from __future__ import annotations

import numpy as np
import pytest
from pymcdm.methods import TOPSIS
from pymcdm.weights import critic_weights as pymcdm_critic
from pymcdm.weights import entropy_weights as pymcdm_entropy

from scoring.pipeline.normalise import ColumnParams, normalise_minmax
from scoring.pipeline.topsis import topsis
from scoring.pipeline.weights import critic_weights, entropy_weights
from scoring.system.models import Method

# pymcdm warns about dominated alternatives in small random matrices; harmless here
pytestmark = pytest.mark.filterwarnings("ignore:Alternatives with indices:UserWarning")

SHAPES = [(3, 2), (5, 3), (8, 4), (12, 6), (30, 5)]


def random_matrix(seed: int, shape: tuple[int, int]) -> np.ndarray:
    """Strictly positive values of different magnitudes per column (pymcdm's entropy mishandles zeros)."""
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.integers(0, 4, size=shape[1])
    return rng.uniform(0.5, 10.0, size=shape) * scale


def minmax(
    m: np.ndarray, types: np.ndarray | None = None, scale: tuple[float, float] = (0, 100)
) -> np.ndarray:
    k = m.shape[1]
    direction = np.ones(k) if types is None else types.astype(float)
    p = ColumnParams(
        direction=direction, lower=np.full(k, np.nan), upper=np.full(k, np.nan), target=np.full(k, np.nan)
    )
    return normalise_minmax(m, p, Method(scale=scale))[0]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_entropy_weights_match_pymcdm(seed: int, shape: tuple[int, int]) -> None:
    m = random_matrix(seed, shape)
    np.testing.assert_allclose(entropy_weights(m), pymcdm_entropy(m), rtol=0, atol=1e-9)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_critic_on_minmax_scores_matches_pymcdm(seed: int, shape: tuple[int, int]) -> None:
    # pymcdm min-max normalises to [0, 1] inside critic_weights; ours sees the engine's [0, 100] scores.
    # σ scales by 100 for every column, so the weights are the same.
    m = random_matrix(seed, shape)
    np.testing.assert_allclose(critic_weights(minmax(m)), pymcdm_critic(m), rtol=0, atol=1e-9)
    np.testing.assert_allclose(critic_weights(minmax(m, scale=(0, 1))), pymcdm_critic(m), rtol=0, atol=1e-9)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_topsis_on_minmax_scores_matches_pymcdm(seed: int, shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(100 + seed)
    m = random_matrix(seed, shape)
    types = rng.choice([-1, 1], size=shape[1])
    types[0] = -1  # at least one cost criterion
    w = rng.uniform(0.1, 1.0, size=shape[1])
    w /= w.sum()
    ours = topsis(minmax(m, types), w)
    np.testing.assert_allclose(ours, TOPSIS()(m, w, types), rtol=0, atol=1e-9)
