"""The report's numbers, on the three-unit example of conftest.py (checked by hand) and on the Jinan sample."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from scoring.analysis.report_data import NO_DATA, NOT_APPLICABLE, NOT_MET, analyse, lower_third, upper_third
from scoring.data import Dataset
from scoring.evaluate import Evaluation, evaluate
from scoring.pipeline.attainment import AHEAD, BEHIND, ON_TRACK
from scoring.system import IndicatorSystem
from tests.conftest import NA
from tests.report.conftest import SMALL_DATA, SMALL_SYSTEM


def test_ranking_is_in_rank_order_with_last_years_rank(small: Evaluation) -> None:
    # 2024: U3 94, U1 60, U2 58;  2023: U2 74, U1 38, U3 16
    data = analyse(small)
    assert list(data.ranking.index) == ["U3", "U1", "U2"]
    assert list(data.ranking["score"]) == pytest.approx([94, 60, 58])
    assert list(data.ranking["previous_rank"]) == [3, 2, 1]
    assert list(data.ranking["rank_change"]) == [2, 0, -2]
    # tiers: 好 from 60 points, so U2 (58) is 差
    assert list(data.ranking["tier"]) == ["好", "好", "差"]
    assert data.tier_counts[2024] == {"好": 2, "差": 1}
    assert data.tier_counts[2023] == {"好": 1, "差": 2}


def test_change_splits_into_weighted_dimension_changes(small: Evaluation) -> None:
    # U1: A 50 → 60, B 20 → 60: ΔcA = 0.6·10 = 6, ΔcB = 0.4·40 = 16, total 22, driven by B
    # U2: A 70 → 70, B 80 → 40: ΔcA = 0, ΔcB = 0.4·(−40) = −16, total −16, dragged by B
    # U3: A 20 → 90, B 10 → 100: ΔcA = 0.6·70 = 42, ΔcB = 0.4·90 = 36, total 78, driven by A
    change = analyse(small).change
    assert change.loc["U1", ["A", "B", "total"]].tolist() == pytest.approx([6, 16, 22])
    assert change.loc["U2", ["A", "B", "total"]].tolist() == pytest.approx([0, -16, -16])
    assert change.loc["U3", ["A", "B", "total"]].tolist() == pytest.approx([42, 36, 78])
    assert change["driver"].tolist() == ["B", "B", "A"]


def test_city_averages_are_plain_means_of_the_units(small: Evaluation) -> None:
    # 2024 composite: (60 + 58 + 94)/3 = 70.666…; dimension B: (60 + 40 + 100)/3 = 66.666…
    means = analyse(small).city_mean
    assert means.loc[2024, "INDEX"] == pytest.approx(212 / 3)
    assert means.loc[2024, "B"] == pytest.approx(200 / 3)
    assert means.loc[2023, "INDEX"] == pytest.approx((38 + 74 + 16) / 3)


def test_targets_count_units_against_the_schedule(small: Evaluation) -> None:
    # A1 expects 70 in 2024: U3 (90) has met the target 80, U2 (70) is on schedule, U1 (60) is behind.
    # The city average (60 + 70 + 90)/3 = 73.33 is above 70 but below 80: on schedule; attainment 73.33/80.
    (target,) = analyse(small).targets
    assert target.expected == pytest.approx(70)
    assert target.counts == {AHEAD: 1, ON_TRACK: 1, BEHIND: 1, NOT_MET: 0, NO_DATA: 0, NOT_APPLICABLE: 0}
    assert target.behind_units == ("U1",)
    assert target.city_values[2024] == pytest.approx(220 / 3)
    assert target.city_status == ON_TRACK
    assert target.city_attainment == pytest.approx(220 / 3 / 80)
    # mean of the units' attainments: (60/80 + 70/80 + 1)/3, capped at 100 %
    assert target.mean_attainment == pytest.approx((0.75 + 0.875 + 1) / 3)


def test_profile_gap_to_the_leader_adds_up_over_dimensions(small: Evaluation) -> None:
    # U1 (60) vs the leader U3 (94): 34 points = 0.6·(90 − 60) + 0.4·(100 − 60) = 18 + 16
    profile = {p.unit_code: p for p in analyse(small).profiles}["U1"]
    assert profile.gap_to_leader == pytest.approx(34)
    assert [d.gap_to_leader for d in profile.dimensions] == pytest.approx([18, 16])
    leader = {p.unit_code: p for p in analyse(small).profiles}["U3"]
    assert leader.lead_over_next == pytest.approx(94 - 60)


def test_contributions_and_changes_add_up_on_the_jinan_sample(jinan: Evaluation) -> None:
    data = analyse(jinan)
    dims = [d.code for d in data.dimensions]
    composite = jinan.scores["INDEX"]
    assert np.allclose(data.contributions[dims].sum(axis=1), composite)
    change = data.change
    assert np.allclose(change["total"], jinan.score_change.xs(2024, level="year")["INDEX"].loc[change.index])


def test_not_applicable_is_a_status_of_its_own_not_missing(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    # U1 marked A1 不适用, U2 left it empty: 不适用 and 无数据, never the one counted as the other
    data = {year: {u: dict(v) for u, v in by_unit.items()} for year, by_unit in SMALL_DATA.items()}
    data[2024]["U1"]["A1"] = NA
    data[2024]["U2"]["A1"] = None
    report = analyse(evaluate(make_system(SMALL_SYSTEM), make_dataset(data), 2024))
    (target,) = report.targets
    assert target.counts == {AHEAD: 1, ON_TRACK: 0, BEHIND: 0, NOT_MET: 0, NO_DATA: 1, NOT_APPLICABLE: 1}
    assert report.unit_targets.loc["U1", NOT_APPLICABLE] == 1 and report.unit_targets.loc["U1", NO_DATA] == 0
    assert dict(
        zip(report.attainment_detail["unit_code"], report.attainment_detail["status"], strict=True)
    ) == {
        "U1": NOT_APPLICABLE,
        "U2": NO_DATA,
        "U3": AHEAD,
    }


def test_upper_and_lower_third() -> None:
    # of 14: 1st–4th are the upper third, 11th–14th the lower; of 2 (and 3) the first and the last
    assert [r for r in range(1, 15) if upper_third(r, 14)] == [1, 2, 3, 4]
    assert [r for r in range(1, 15) if lower_third(r, 14)] == [11, 12, 13, 14]
    assert [r for r in (1, 2) if upper_third(r, 2)] == [1] and [r for r in (1, 2) if lower_third(r, 2)] == [2]


def test_strengths_and_weaknesses_are_the_units_best_and_worst_ranked_indicators(jinan: Evaluation) -> None:
    data = analyse(jinan)
    ranks = jinan.ranks.xs(2024, level="year")
    without = 0
    for profile in data.profiles:
        assert len(profile.strengths) <= 3 and len(profile.weaknesses) <= 3
        assert not {p.code for p in profile.strengths} & {p.code for p in profile.weaknesses}
        for p in (*profile.strengths, *profile.weaknesses):
            assert p.rank == ranks.at[profile.unit_code, p.code]
        # a strength ranks in the best third, a weakness in the worst third (11th–12th of 14 is no strength)
        assert all(p.rank <= p.ranked // 3 for p in profile.strengths)
        assert all(p.rank > p.ranked - p.ranked // 3 for p in profile.weaknesses)
        without += not profile.strengths
    assert without  # the sample has units without a clear strength (the last ones)
