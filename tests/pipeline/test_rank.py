"""Ranks and tiers (docs/methods.md §6): rank 1 = best, ties share the smallest rank, tiers by threshold or rank."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.evaluate import evaluate
from scoring.pipeline.rank import assign_tiers, rank_scores
from scoring.system.models import QuantileTiers, Tier

nan = np.nan


def frame(year_scores: dict[int, list[float]]) -> pd.DataFrame:
    """Composite scores per year for units U1, U2, … as a (year, unit_code)-indexed frame."""
    rows = [(y, f"U{i + 1}", s) for y, scores in year_scores.items() for i, s in enumerate(scores)]
    index = pd.MultiIndex.from_tuples([(y, u) for y, u, _ in rows], names=["year", "unit_code"])
    return pd.DataFrame({"INDEX": [s for _, _, s in rows]}, index=index)


def ranks_of(year_scores: dict[int, list[float]]) -> dict[int, list[float]]:
    r = rank_scores(frame(year_scores))["INDEX"]
    return {y: r.xs(y, level="year").tolist() for y in year_scores}


def test_highest_score_is_rank_one_and_ties_share_the_best_rank() -> None:
    # 90, 90, 70 → 1, 1, 3 ("min": the next rank skips)
    assert ranks_of({2024: [90, 90, 70]}) == {2024: [1, 1, 3]}
    # 80, 90, 80, 70 → 2, 1, 2, 4
    assert ranks_of({2024: [80, 90, 80, 70]}) == {2024: [2, 1, 2, 4]}


def test_missing_scores_are_unranked_and_years_ranked_separately() -> None:
    r = ranks_of({2023: [10, nan, 30], 2024: [50, 40, nan]})
    assert r[2023][0] == 2 and np.isnan(r[2023][1]) and r[2023][2] == 1
    assert r[2024][:2] == [1, 2] and np.isnan(r[2024][2])


def test_every_column_is_ranked_on_its_own() -> None:
    scores = frame({2024: [1, 2, 3]}).assign(D1=[3.0, nan, 1.0])
    r = rank_scores(scores)
    assert r["INDEX"].tolist() == [3, 2, 1]
    assert r["D1"].tolist()[0] == 1 and np.isnan(r["D1"].tolist()[1]) and r["D1"].tolist()[2] == 2


def tiers_of(scores: list[float], tiers: list[Tier] | QuantileTiers) -> list[str | None]:
    s = frame({2024: scores})["INDEX"]
    t = assign_tiers(s, rank_scores(frame({2024: scores}))["INDEX"], tiers)
    return [None if pd.isna(v) else v for v in t]


def test_tiers_by_thresholds() -> None:
    # the tier with the highest min not above the score: 85 → A (≥ 80), 80 → A (min is inclusive),
    # 79.9 → B (≥ 60), 50 → below every min: no tier; a missing score: no tier
    tiers = [Tier(name="B", min=60), Tier(name="A", min=80)]  # order in the file does not matter
    assert tiers_of([85, 80, 79.9, 50, nan], tiers) == ["A", "A", "B", None, None]


def test_tiers_by_quantile() -> None:
    # k = 3 names, n = 5 ranked: t = ⌊(r − 1)·3/5⌋ → r = 1: 0, 2: ⌊0.6⌋ = 0, 3: ⌊1.2⌋ = 1, 4: ⌊1.8⌋ = 1, 5: ⌊2.4⌋ = 2
    tiers = QuantileTiers(quantile=["top", "middle", "bottom"])
    assert tiers_of([50, 40, 30, 20, 10], tiers) == ["top", "top", "middle", "middle", "bottom"]


def test_tiers_by_quantile_with_ties_and_a_missing_score() -> None:
    # ranks 1, 1, 3, 4 of n = 4 ranked units (the missing one is not counted), k = 2: t = ⌊(r − 1)·2/4⌋
    # → 0, 0, ⌊1⌋ = 1, ⌊1.5⌋ = 1: tied units share the tier
    tiers = QuantileTiers(quantile=["upper", "lower"])
    assert tiers_of([90, 90, 70, 60, nan], tiers) == ["upper", "upper", "lower", "lower", None]


def test_no_tiers_configured() -> None:
    assert tiers_of([1, 2], None) == [None, None]  # type: ignore[arg-type]


def test_tiers_and_ranks_through_evaluate(make_system, make_dataset) -> None:
    system = make_system(
        """
        method: {normalise: goalpost}
        tiers: [{name: 领先, min: 80}, {name: 追赶, min: 50}]
        tree:
          - {code: X1, name: x1, weight: 1, goalposts: [0, 100]}
        """,
        units=["U1", "U2", "U3", "U4"],
    )
    data = make_dataset({2024: {"U1": {"X1": 90}, "U2": {"X1": 50}, "U3": {"X1": 90}, "U4": {"X1": 49}}})
    ev = evaluate(system, data, 2024)
    table = ev.long_table()
    composite = table[table["node_code"] == "INDEX"].set_index("unit_code")
    assert composite["rank"].to_dict() == {"U1": 1, "U3": 1, "U2": 3, "U4": 4}
    # 90 ≥ 80 → 领先; 50 ≥ 50 → 追赶; 49 is below every min → no tier
    tiers = {u: None if pd.isna(t) else t for u, t in composite["tier"].items()}
    assert tiers == {"U1": "领先", "U3": "领先", "U2": "追赶", "U4": None}
    assert table[table["node_code"] == "X1"]["tier"].isna().all()  # tiers are for the composite only


@pytest.mark.parametrize(("k", "expected"), [(1, ["all"] * 3), (4, ["q1", "q2", "q3"])])
def test_quantile_tiers_with_few_or_many_names(k: int, expected: list[str]) -> None:
    # k = 4 > n = 3: t = ⌊(r − 1)·4/3⌋ = 0, 1, 2 for r = 1, 2, 3
    names = ["all"] if k == 1 else ["q1", "q2", "q3", "q4"]
    assert tiers_of([3, 2, 1], QuantileTiers(quantile=names)) == expected


def test_scores_equal_by_hand_share_a_rank(make_system, make_dataset) -> None:
    system = make_system(
        """
        method: {normalise: goalpost, weighting: equal}
        tree:
          - {code: X1, name: x1, goalposts: [0, 100]}
          - {code: X2, name: x2, goalposts: [0, 100]}
          - {code: X3, name: x3, goalposts: [0, 100]}
        """
    )
    # U1: (0 + 0 + 60)/3 = 20; U2: (0 + 10 + 50)/3 = 20; U3: (0 + 0 + 30)/3 = 10 → ranks 1, 1, 3
    data = make_dataset(
        {
            2024: {
                "U1": {"X1": 0, "X2": 0, "X3": 60},
                "U2": {"X1": 0, "X2": 10, "X3": 50},
                "U3": {"X1": 0, "X2": 0, "X3": 30},
            }
        }
    )
    ev = evaluate(system, data, 2024)
    # in floating point U2's sum is 19.999999999999996; scores are compared rounded to 9 decimals
    assert ev.scores["INDEX"].tolist() == pytest.approx([20, 20, 10], abs=1e-12)
    assert ev.ranks["INDEX"].tolist() == [1, 1, 3]


def test_ranks_equal_scipys_rankdata_with_ties_and_gaps() -> None:
    """rank_scores uses pandas' rank so the engine starts without scipy; the ranks are scipy's ``min`` ranks."""
    from scipy.stats import rankdata

    rng = np.random.default_rng(16)
    for _ in range(50):
        values = rng.integers(0, 5, size=(12, 3)).astype(float)  # few distinct values: many ties
        values[rng.random(values.shape) < 0.2] = np.nan
        index = pd.MultiIndex.from_product(
            [[2023, 2024], [f"u{i}" for i in range(6)]], names=["year", "unit"]
        )
        ranks = rank_scores(pd.DataFrame(values, index=index, columns=["a", "b", "c"])).to_numpy()
        for year_rows in (slice(0, 6), slice(6, 12)):
            expected = rankdata(-values[year_rows], method="min", axis=0, nan_policy="omit")
            np.testing.assert_array_equal(ranks[year_rows], expected)
