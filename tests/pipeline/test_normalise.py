"""Normalisation (docs/methods.md §3), one registered method at a time, on columns small enough to check by hand.

Every call goes through the registry as the pipeline does: ``NORMALISATION[name](x, ColumnParams(...), Method(...))``,
with ``x`` a units × indicators block (here mostly one column), which returns the scores and what the method
learned. Default scale [lo, hi] = [0, 100].
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.pipeline.normalise import NORMALISATION, ColumnParams
from scoring.system.models import Efficacy, Method

nan = np.nan


def params(
    direction: int = 1, goalposts: tuple[float, float] = (nan, nan), target: float = nan
) -> ColumnParams:
    """Parameters of a single column."""
    return ColumnParams(
        direction=np.array([direction], dtype=float),
        lower=np.array([goalposts[0]], dtype=float),
        upper=np.array([goalposts[1]], dtype=float),
        target=np.array([target], dtype=float),
    )


def normalise(name: str, values: list[float], method: Method | None = None, **column: object) -> np.ndarray:
    """Normalise one column of raw values with the registered method ``name``."""
    x = np.array(values, dtype=float).reshape(-1, 1)
    y, _ = NORMALISATION[name](x, params(**column), method or Method())  # type: ignore[arg-type]
    assert y.shape == x.shape
    return y[:, 0]


def assert_close(actual: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_allclose(actual, np.array(expected, dtype=float), rtol=0, atol=1e-9)  # NaN == NaN here


# ---------------------------------------------------------------------------------------------------- minmax


def test_minmax_more_is_better() -> None:
    # min 1, max 9: (1 − 1)/8·100 = 0, (5 − 1)/(9 − 1)·100 = 50, (9 − 1)/8·100 = 100
    assert_close(normalise("minmax", [1, 5, 9]), [0, 50, 100])


def test_minmax_less_is_better_is_max_minus_x_over_range() -> None:
    # d = −1: (max − x)/(max − min)·100 = (9 − 1)/8·100 = 100, (9 − 5)/8·100 = 50, (9 − 9)/8·100 = 0;
    # (9 − 7)/8·100 = 25
    assert_close(normalise("minmax", [1, 5, 9, 7], direction=-1), [100, 50, 0, 25])


def test_minmax_keeps_missing_values_missing_and_ignores_them_for_the_bounds() -> None:
    # bounds over the present values only: min 2, max 6 → (4 − 2)/4·100 = 50
    assert_close(normalise("minmax", [2, nan, 4, 6]), [0, nan, 50, 100])


def test_minmax_constant_column_gets_the_top_of_the_scale() -> None:
    # max = min = 4: every present value gets hi = 100; the missing one stays missing
    assert_close(normalise("minmax", [4, 4, nan, 4]), [100, 100, nan, 100])
    # a single value is a constant column too
    assert_close(normalise("minmax", [nan, 7]), [nan, 100])


def test_minmax_on_another_scale() -> None:
    # scale [1, 100]: 1 + 99·(2 − 0)/(4 − 0) = 1 + 49.5 = 50.5; a constant column gets hi = 100
    method = Method(scale=(1, 100))
    assert_close(normalise("minmax", [0, 2, 4], method), [1, 50.5, 100])
    assert_close(normalise("minmax", [3, 3], method), [100, 100])


def test_minmax_block_uses_each_columns_own_bounds_and_direction() -> None:
    # column a (d = +1): min 10, max 30 → 0, 50, 100; column b (d = −1): max 8, min 0 → (8 − x)/8·100
    x = np.array([[10, 0], [20, 2], [30, 8]], dtype=float)
    p = ColumnParams(
        direction=np.array([1.0, -1.0]),
        lower=np.full(2, nan),
        upper=np.full(2, nan),
        target=np.full(2, nan),
    )
    y, _ = NORMALISATION["minmax"](x, p, Method())
    np.testing.assert_allclose(y, [[0, 100], [50, 75], [100, 0]], atol=1e-9)


# ---------------------------------------------------------------------------------------------------- zscore

# x = 2, 4, 6, 8: mean 5, sample sd = sqrt((9 + 1 + 1 + 9)/3) = sqrt(20/3) = 2.5819889
SD = math.sqrt(20 / 3)


def test_zscore_uses_the_sample_standard_deviation() -> None:
    # (2 − 5)/2.5819889 = −1.1618950, (4 − 5)/2.5819889 = −0.3872983, …
    assert_close(normalise("zscore", [2, 4, 6, 8]), [-3 / SD, -1 / SD, 1 / SD, 3 / SD])
    assert pytest.approx(1.1618950, abs=1e-7) == 3 / SD  # not 3/sqrt(5) = 1.3416 (population sd)


def test_zscore_less_is_better_flips_the_sign() -> None:
    # d = −1: z of −x, so 2 gets +1.1618950 and 8 gets −1.1618950
    assert_close(normalise("zscore", [2, 4, 6, 8], direction=-1), [3 / SD, 1 / SD, -1 / SD, -3 / SD])


def test_zscore_rescaled_to_mean_and_sd() -> None:
    # (m, s) = (50, 10): 50 + 10·(−1.1618950) = 38.381050, 50 + 10·(−0.3872983) = 46.127017, …
    method = Method(zscore=(50, 10))
    y = normalise("zscore", [2, 4, 6, 8, nan], method)
    assert_close(y, [50 - 30 / SD, 50 - 10 / SD, 50 + 10 / SD, 50 + 30 / SD, nan])
    assert y[0] == pytest.approx(38.381050, abs=1e-6)


@pytest.mark.filterwarnings("ignore:Degrees of freedom:RuntimeWarning")
def test_zscore_constant_column_or_single_value_gets_m() -> None:
    method = Method(zscore=(50, 10))
    assert_close(normalise("zscore", [3, 3, 3], method), [50, 50, 50])  # sd = 0 → m
    assert_close(normalise("zscore", [nan, 3], method), [nan, 50])  # one value: sd undefined → m
    assert_close(normalise("zscore", [3, 3]), [0, 0])  # default (m, s) = (0, 1)


# -------------------------------------------------------------------------------------------------- goalpost


def test_goalpost_more_is_better_with_clipping() -> None:
    # [L, U] = [0, 200]: (50 − 0)/200·100 = 25; −10 → clip(−0.05) = 0; 250 → clip(1.25) = 1 → 100
    y = normalise("goalpost", [-10, 0, 50, 200, 250, nan], goalposts=(0, 200))
    assert_close(y, [0, 0, 25, 100, 100, nan])


def test_goalpost_less_is_better() -> None:
    # d = −1: (U − x)/(U − L): (200 − 50)/200·100 = 75; −10 → clip(1.05) → 100; 250 → clip(−0.25) → 0
    y = normalise("goalpost", [-10, 0, 50, 200, 250], direction=-1, goalposts=(0, 200))
    assert_close(y, [100, 100, 75, 0, 0])


def test_goalpost_ignores_the_data_and_uses_the_scale() -> None:
    # fixed bounds: a lone value is not "constant → hi"; scale [1, 100]: 1 + 99·(50/200) = 25.75
    assert_close(normalise("goalposts", [50], Method(scale=(1, 100)), goalposts=(0, 200)), [25.75])


# ------------------------------------------------------------------------------------------ target, efficacy


def test_target_with_the_lower_goalpost_as_floor() -> None:
    # floor = L = 20, target 80: (50 − 20)/(80 − 20)·100 = 50; 10 is below the floor → 0; 100 beyond → capped 100
    y = normalise("target", [10, 20, 50, 80, 100, nan], goalposts=(20, 200), target=80)
    assert_close(y, [0, 0, 50, 100, 100, nan])


def test_target_with_the_observed_floor() -> None:
    # no goalposts: floor = min observed = 20; (50 − 20)/(80 − 20)·100 = 50; (100 − 20)/60 > 1 → 100
    assert_close(normalise("target", [20, 50, 100, nan], target=80), [0, 50, 100, nan])


def test_target_equal_to_the_floor_gives_the_top_score() -> None:
    # target = floor = 20: y = lo + (hi − lo) = 100 for every present value
    assert_close(normalise("target", [10, 20, 30], goalposts=(20, 90), target=20), [100, 100, 100])
    # observed floor: min = 30 = target
    assert_close(normalise("target", [30, 40, nan], target=30), [100, 100, nan])


def test_target_less_is_better_with_the_upper_goalpost_as_floor() -> None:
    # d = −1, goalposts [0, 100] → floor = U = 100, target 20 below it: r = (x − 100)/(20 − 100)
    # 100 → 0; 60 → 40/80 = 0.5 → 50; 20 → 1 → 100; 10 → 1.125 → capped 100; 120 → −0.25 → 0
    y = normalise("target", [100, 60, 20, 10, 120], direction=-1, goalposts=(0, 100), target=20)
    assert_close(y, [0, 50, 100, 100, 0])


def test_target_less_is_better_with_the_observed_floor() -> None:
    # d = −1, no goalposts: floor = max observed = 60, target 20: r = (x − 60)/(20 − 60)
    # 10 → 1.25 → 100; 40 → 0.5 → 50; 60 → 0
    assert_close(normalise("target", [10, 40, 60], direction=-1, target=20), [100, 50, 0])


def test_efficacy_is_60_plus_40_times_the_target_ratio() -> None:
    # same ratios as the first target example: 60 + 40·(0, 0, 0.5, 1, 1) = 60, 60, 80, 100, 100
    y = normalise("efficacy", [10, 20, 50, 80, 100, nan], goalposts=(20, 200), target=80)
    assert_close(y, [60, 60, 80, 100, 100, nan])


def test_efficacy_with_its_own_base_and_span() -> None:
    # base 50, span 50: 50 + 50·(50 − 20)/(80 − 20) = 75; d = −1 with observed floor 60, target 20: 40 → 50 + 25
    method = Method(efficacy=Efficacy(base=50, span=50))
    assert_close(normalise("efficacy", [50], method, goalposts=(20, 200), target=80), [75])
    assert_close(normalise("efficacy", [10, 40, 60], method, direction=-1, target=20), [100, 75, 50])


# ------------------------------------------------------------------------------------------------ percentile


def test_percentile_ties_take_the_average_rank() -> None:
    # ascending ranks of 10, 20, 20, 40: 1, 2.5, 2.5, 4; n = 4: 100·(r − 1)/3 = 0, 50, 50, 100
    assert_close(normalise("percentile", [10, 20, 20, 40]), [0, 50, 50, 100])


def test_percentile_less_is_better_ranks_minus_x() -> None:
    # ranks of −x: 4, 2.5, 2.5, 1 → 100, 50, 50, 0
    assert_close(normalise("percentile", [10, 20, 20, 40], direction=-1), [100, 50, 50, 0])


def test_percentile_skips_missing_values_and_rank_is_an_alias() -> None:
    # n = 2 present values: ranks 1, 2 → 0, 100; the gap stays missing
    assert_close(normalise("percentile", [10, nan, 30]), [0, nan, 100])
    assert_close(normalise("rank", [10, nan, 30]), [0, nan, 100])
    # n = 5, scale [1, 100]: 1 + 99·(r − 1)/4 with r = 1, 2, 3, 4, 5 → 1, 25.75, 50.5, 75.25, 100
    assert_close(
        normalise("percentile", [5, 1, 4, 2, 3], Method(scale=(1, 100))), [100, 1, 75.25, 25.75, 50.5]
    )


def test_percentile_single_value_gets_the_top() -> None:
    # n = 1: y = hi
    assert_close(normalise("percentile", [nan, 7, nan]), [nan, 100, nan])
