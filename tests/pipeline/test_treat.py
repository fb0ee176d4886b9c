"""Outlier treatment (docs/methods.md §2): COINr's Winsorisation with the log_CT fallback.

Skewness and kurtosis are checked against scipy's bias-corrected estimators (type 2, as e1071 and Excel), an
implementation independent of the engine's pandas-based one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scoring.evaluate import evaluate
from scoring.pipeline.treat import TREATMENT, ColumnTreatment, log_ct, skew_kurtosis, skew_kurtosis_columns
from scoring.system.models import Treatment

nan = np.nan

# COINr's documentation example: 1, 2, …, 10 plus two outliers 30 and 100.
COINR_X = np.array([*range(1, 11), 30, 100], dtype=float)


def treat_column(name: str, x: np.ndarray, spec: Treatment) -> tuple[np.ndarray, ColumnTreatment]:
    """A method (which treats the columns of a matrix) on one column."""
    y, (outcome,) = TREATMENT[name](x[:, np.newaxis], spec)
    return y[:, 0], outcome


def reference(x: np.ndarray) -> tuple[float, float]:
    x = x[~np.isnan(x)]
    return float(stats.skew(x, bias=False)), float(stats.kurtosis(x, bias=False))


def test_skew_and_kurtosis_are_the_type_2_estimators() -> None:
    # scipy (bias=False): skew = 3.0632, excess kurtosis = 9.7414 for COINr's example
    skew, kurt = skew_kurtosis(COINR_X)
    assert (skew, kurt) == pytest.approx(reference(COINR_X), abs=1e-9)
    assert skew == pytest.approx(3.0632, abs=1e-4)
    assert kurt == pytest.approx(9.7414, abs=1e-4)
    # the formula of the docs: g1 = sqrt(n(n − 1))/(n − 2) · m3/m2^(3/2), m_k = Σ(x − x̄)^k/n
    n, dev = len(COINR_X), COINR_X - COINR_X.mean()
    m2, m3 = (dev**2).mean(), (dev**3).mean()
    assert skew == pytest.approx(math.sqrt(n * (n - 1)) / (n - 2) * m3 / m2**1.5, abs=1e-12)
    # excess kurtosis: ((n + 1)(n·Σdev⁴/(Σdev²)² − 3) + 6)(n − 1)/((n − 2)(n − 3))
    s2, s4 = (dev**2).sum(), (dev**4).sum()
    assert kurt == pytest.approx(
        ((n + 1) * (n * s4 / s2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)), abs=1e-12
    )


def test_skew_and_kurtosis_need_enough_values() -> None:
    skew, kurt = skew_kurtosis(np.array([1.0, 2.0, 10.0, nan]))  # n = 3: skew defined, kurtosis not
    assert not math.isnan(skew)
    assert math.isnan(kurt)
    assert all(math.isnan(v) for v in skew_kurtosis(np.array([1.0, 5.0])))


def test_winsorise_coinr_example_moves_the_top_value_once() -> None:
    # before: |skew| 3.06 > 2 and kurtosis 9.74 > 3.5 → fails; skew ≥ 0 → the max 100 becomes the next value 30
    # after:  1..10, 30, 30: skew 1.7120 < 2 → passes (one point moved)
    y, outcome = treat_column("winsorise", COINR_X, Treatment())
    np.testing.assert_array_equal(y, [*range(1, 11), 30, 30])
    assert outcome.action == "winsorised"
    assert outcome.winsorised == [11]
    assert (outcome.skew_before, outcome.kurtosis_before) == pytest.approx(reference(COINR_X))
    assert (outcome.skew_after, outcome.kurtosis_after) == pytest.approx(reference(y))
    assert outcome.skew_after == pytest.approx(1.7120, abs=1e-4)
    assert COINR_X[-1] == 100  # the input is not modified


def test_winsorise_negative_skew_moves_the_minimum_up() -> None:
    # mirror image: skew −3.06 → the min −100 becomes the next smallest −30
    y, outcome = treat_column("winsorise", -COINR_X, Treatment())
    np.testing.assert_array_equal(y, [-v for v in (*range(1, 11), 30, 30)])
    assert outcome.winsorised == [11]


def test_winsorise_moves_tied_extremes_together() -> None:
    # 1..20, 100, 100: skew 2.817, kurtosis 7.13 → fails; both 100s become 20 at once (two points moved)
    x = np.array([*range(1, 21), 100, 100], dtype=float)
    assert reference(x)[0] > 2 and reference(x)[1] > 3.5
    y, outcome = treat_column("winsorise", x, Treatment())
    np.testing.assert_array_equal(y, [*range(1, 21), 20, 20])
    assert sorted(outcome.winsorised) == [20, 21]


def test_winsorise_keeps_missing_values_and_ignores_them() -> None:
    x = np.array([*COINR_X, nan])
    y, outcome = treat_column("winsorise", x, Treatment())
    np.testing.assert_array_equal(y, [*range(1, 11), 30, 30, nan])
    assert outcome.winsorised == [11]


def test_a_column_that_passes_is_left_alone() -> None:
    # 1..10, 100, 100, 100: skew 1.435 < 2 → passes (COINr passes when |skew| < 2 or kurtosis < 3.5)
    x = np.array([*range(1, 11), 100, 100, 100], dtype=float)
    y, outcome = treat_column("winsorise", x, Treatment())
    np.testing.assert_array_equal(y, x)
    assert outcome.action == "none"
    # too few values for the statistics (n = 3): NaN never fails
    y, outcome = treat_column("winsorise", np.array([1.0, 2.0, 1000.0]), Treatment())
    assert outcome.action == "none"


def test_thresholds_come_from_the_method() -> None:
    # with a skew threshold of 4 the COINr example (skew 3.06) passes
    _, outcome = treat_column("winsorise", COINR_X, Treatment(skew=4))
    assert outcome.action == "none"


def test_still_failing_after_winmax_falls_back_to_log_ct_of_the_original() -> None:
    # 1..20, 200, 1000 with winmax = 1: moving 1000 → 200 leaves 1..20, 200, 200, which still fails
    x = np.array([*range(1, 21), 200, 1000], dtype=float)
    once = np.array([*range(1, 21), 200, 200], dtype=float)
    assert abs(reference(once)[0]) > 2 and reference(once)[1] > 3.5
    y, outcome = treat_column("winsorise", x, Treatment(winmax=1))
    # log_CT of the original column: ln(x − min + 0.01·(max − min)) = ln(x − 1 + 9.99)
    # x = 1 → ln 9.99 = 2.3016; x = 200 → ln 208.99 = 5.3423; x = 1000 → ln 1008.99 = 6.9167
    np.testing.assert_allclose(y, np.log(x - 1 + 9.99), rtol=0, atol=1e-12)
    assert y[0] == pytest.approx(2.3016, abs=1e-4)
    assert y[-1] == pytest.approx(6.9167, abs=1e-4)
    assert outcome.action == "log"
    assert (outcome.skew_after, outcome.kurtosis_after) == pytest.approx(reference(y))
    # with the default winmax = 5 two moves suffice: 1000 → 200, then both 200s → 20
    y5, outcome5 = treat_column("winsorise", x, Treatment())
    assert outcome5.action == "winsorised"
    np.testing.assert_array_equal(y5, [*range(1, 21), 20, 20])


def test_log_ct_by_hand() -> None:
    # min 2, max 12: ln(x − 2 + 0.1) → ln 0.1, ln 5.1, ln 10.1
    np.testing.assert_allclose(log_ct(np.array([2.0, 7.0, 12.0])), np.log([0.1, 5.1, 10.1]), atol=1e-12)


def test_winmax_counts_distinct_points_moved() -> None:
    # 1..40, 100, 200, 400, 800, 1600, 3200: each round merges the top values one step down
    # round 1 moves 1 point (3200 → 1600), round 2 moves 2 (→ 800), round 3 moves 3 (→ 400): 3 distinct points,
    # fewer than winmax = 5, and the column still fails → round 4 (4 points → 200), round 5 (5 points → 100),
    # after which 1..40, 100 × 6 passes (skew 1.657 < 2)
    x = np.array([*range(1, 41), 100, 200, 400, 800, 1600, 3200], dtype=float)
    y, outcome = treat_column("winsorise", x, Treatment())
    assert outcome.action == "winsorised"
    np.testing.assert_array_equal(y, [*range(1, 41), *[100] * 6])


def test_evaluate_treats_only_data_driven_indicators_and_logs_it(make_system, make_dataset) -> None:
    units = [f"U{i:02d}" for i in range(1, 13)]
    system = make_system(
        """
        method: {normalise: minmax, weighting: equal, treat: winsorise}
        tree:
          - {code: X1, name: minmax indicator}
          - {code: X2, name: goalpost indicator, normalise: goalpost, goalposts: [0, 100]}
        """,
        units=units,
    )
    data = {2024: {u: {"X1": v, "X2": v} for u, v in zip(units, COINR_X, strict=True)}}
    ev = evaluate(system, make_dataset(data), 2024)
    row = ev.treated.xs(2024, level="year")
    assert row.loc["U12", "X1"] == 30.0  # 100 → 30
    assert row.loc["U12", "X2"] == 100.0  # goalposts are in raw units: untouched
    # minmax after treatment: min 1, max 30 → U10: (10 − 1)/(30 − 1)·100 = 31.034483; U11 and U12: 100
    normalised = ev.normalised.xs(2024, level="year")
    assert normalised.loc["U10", "X1"] == pytest.approx(900 / 29, abs=1e-9)
    assert normalised.loc["U12", "X1"] == normalised.loc["U11", "X1"] == 100.0
    assert normalised.loc["U10", "X2"] == 10.0
    flags = ev.flags[ev.flags["flag"] == "winsorised"]
    assert list(zip(flags["unit_code"], flags["node_code"], strict=True)) == [("U12", "X1")]
    step = next(s for s in ev.log if s.stage == "treat")
    (detail,) = step.detail["treated"]
    assert detail["indicator_code"] == "X1"
    assert detail["action"] == "winsorised"
    assert detail["units"] == ["U12"]
    assert detail["skew_before"] == pytest.approx(3.0632, abs=1e-4)
    assert detail["skew_after"] == pytest.approx(1.7120, abs=1e-4)


LOG_UNITS = [f"U{i:02d}" for i in range(1, 24)]
LOG_VALUES = [*range(1, 21), 200, 1000, None]  # the log_CT example above, plus one unit without a value


def log_fallback_evaluation(make_system, make_dataset):
    system = make_system(
        """
        method: {normalise: minmax, treat: winsorise, treatment: {winmax: 1}}
        tree: [{code: X1, name: x1, weight: 1}, {code: X2, name: x2, weight: 1}]
        """,
        units=LOG_UNITS,
    )
    data = {2024: {u: {"X1": v, "X2": 1} for u, v in zip(LOG_UNITS, LOG_VALUES, strict=True)}}
    return evaluate(system, make_dataset(data), 2024)


def test_evaluate_log_fallback_is_normalised_and_flagged(make_system, make_dataset) -> None:
    ev = log_fallback_evaluation(make_system, make_dataset)
    # treated X1 = ln(x − 1 + 9.99); minmax over it: U21 (200) → (ln 208.99 − ln 9.99)/(ln 1008.99 − ln 9.99)·100
    #                                                        = (5.342286 − 2.301585)/(6.916705 − 2.301585)·100 = 65.8856
    y = ev.normalised.xs(2024, level="year")["X1"]
    expected = (math.log(208.99) - math.log(9.99)) / (math.log(1008.99) - math.log(9.99)) * 100
    assert y["U21"] == pytest.approx(expected, abs=1e-9)
    assert y["U21"] == pytest.approx(65.8856, abs=1e-4)
    assert (y["U01"], y["U22"]) == (0.0, 100.0)
    logged = ev.flags[ev.flags["flag"] == "log"]
    assert set(LOG_UNITS[:22]) <= set(logged["unit_code"])
    assert set(logged["node_code"]) == {"X1"}


def test_log_fallback_does_not_flag_missing_cells(make_system, make_dataset) -> None:
    ev = log_fallback_evaluation(make_system, make_dataset)
    flags = ev.flags[(ev.flags["unit_code"] == "U23") & (ev.flags["node_code"] == "X1")]
    assert flags["flag"].tolist() == ["missing"]


def test_winsorising_into_a_constant_column_leaves_it_untreated_as_coinr_does() -> None:
    # eleven zeros and one 100 (p = 1/12): population skew g1 = (1 − 2p)/√(p(1 − p)) = 10/√11, adjusted
    # G1 = g1·√(n(n − 1))/(n − 2) = 10/√11·√132/10 = √12 = 3.4641 > 2; population excess kurtosis
    # g2 = (1 − 6p(1 − p))/(p(1 − p)) = 78/11, adjusted G2 = (n − 1)/((n − 2)(n − 3))·((n + 1)·g2 + 6)
    # = 11/90·1080/11 = 12 > 3.5 → fails; moving 100 to the next value would make every value 0 (every unit
    # the same score): the column is returned as it was
    x = np.array([0.0] * 11 + [100.0])
    skew, kurt = skew_kurtosis(x)
    assert skew == pytest.approx(12**0.5, abs=1e-12) and kurt == pytest.approx(12.0, abs=1e-12)
    y, outcome = treat_column("winsorise", x, Treatment())
    assert outcome.action == "untreated_constant"
    np.testing.assert_array_equal(y, x)


def column_by_column(x: np.ndarray, spec: Treatment) -> tuple[np.ndarray, list[tuple[str, list[int]]]]:
    """The obvious implementation, independent of the batched one: one column at a time, pandas' skew and
    kurtosis recomputed after every move."""

    def stats_of(column: np.ndarray) -> tuple[float, float]:
        values = pd.Series(column[~np.isnan(column)])
        return float(values.skew()), float(values.kurt())

    def fails(column: np.ndarray) -> bool:
        skew, kurt = stats_of(column)
        return bool(abs(skew) > spec.skew and kurt > spec.kurtosis)

    out = x.copy()
    actions = []
    for j in range(x.shape[1]):
        column = x[:, j].copy()
        if not fails(column):
            actions.append(("none", []))
            continue
        moved: list[int] = []
        flattened = False
        while fails(column) and len(moved) < spec.winmax:
            up = stats_of(column)[0] >= 0
            extreme = np.nanmax(column) if up else np.nanmin(column)
            at = ~np.isnan(column) & (column == extreme)
            rest = column[~np.isnan(column) & ~at]
            if rest.size == 0:
                break
            if rest.min() == rest.max():
                flattened = True
                break
            column[at] = rest.max() if up else rest.min()
            moved.extend(int(i) for i in np.flatnonzero(at) if int(i) not in moved)
        if flattened:
            actions.append(("untreated_constant", []))
        elif fails(column):
            out[:, j] = np.log(
                x[:, j] - np.nanmin(x[:, j]) + 0.01 * (np.nanmax(x[:, j]) - np.nanmin(x[:, j]))
            )
            actions.append(("log", []))
        else:
            out[:, j] = column
            actions.append(("winsorised", moved))
    return out, actions


def test_columns_are_treated_together_as_one_by_one() -> None:
    # three hand examples side by side: COINr's (100 → 30), its mirror (−100 → −30) and a passing column; each
    # column of the matrix gets what it gets alone
    x = np.column_stack([COINR_X, -COINR_X, [*range(1, 10), 100, 100, 100]])
    y, outcomes = TREATMENT["winsorise"](x, Treatment())
    np.testing.assert_array_equal(y[:, 0], [*range(1, 11), 30, 30])
    np.testing.assert_array_equal(y[:, 1], [-v for v in (*range(1, 11), 30, 30)])
    np.testing.assert_array_equal(y[:, 2], x[:, 2])
    assert [o.action for o in outcomes] == ["winsorised", "winsorised", "none"]
    assert outcomes[0].skew_after == pytest.approx(1.7120, abs=1e-4)
    assert outcomes[1].skew_after == pytest.approx(-1.7120, abs=1e-4)


def test_batched_treatment_agrees_with_the_column_by_column_reference() -> None:
    # 120 skewed columns (lognormal, heavy tails, ties, missing cells, a column that would flatten, short
    # columns), every action represented, winmax 1 … 5: same values, actions and points moved
    rng = np.random.default_rng(3)
    x = rng.lognormal(0.0, rng.uniform(0.2, 2.5, 120), size=(60, 120)).round(1)
    x[rng.random(x.shape) < 0.05] = nan
    x[:, 0] = [0.0] * 59 + [100.0]  # would flatten: untreated
    x[:57, 1] = nan  # three values: statistics NaN, never fails
    for winmax in (1, 2, 5):
        spec = Treatment(winmax=winmax)
        y, outcomes = TREATMENT["winsorise"](x, spec)
        expected, actions = column_by_column(x, spec)
        np.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)
        assert [(o.action, o.winsorised) for o in outcomes] == actions
        if winmax == 5:
            assert {a for a, _ in actions} == {"none", "winsorised", "log", "untreated_constant"}
    skew, kurt = skew_kurtosis_columns(x)
    frame = pd.DataFrame(x)
    np.testing.assert_allclose(skew, frame.skew().to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(kurt, frame.kurt().to_numpy(), rtol=0, atol=1e-12)
