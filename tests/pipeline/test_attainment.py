"""Target attainment (目标完成度) and the schedule (序时进度), docs/methods.md §9."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.evaluate import evaluate
from scoring.pipeline.attainment import (
    AHEAD,
    BEHIND,
    ON_TRACK,
    attainment_ratio,
    attainment_table,
    expected_value,
    schedule_status,
)
from scoring.system.models import Baseline, Node, Target

nan = np.nan


def ratio(values: list[float], target: float, direction: int, cap: float = 1.0) -> list[float]:
    return attainment_ratio(np.array(values, dtype=float), target, direction, cap).tolist()


def test_attainment_more_is_better_capped_at_100_percent() -> None:
    # x/target: 40/80 = 0.5, 80/80 = 1, 120/80 = 1.5 → cap 1; missing stays missing
    r = ratio([40, 80, 120, nan], 80, 1)
    assert r[:3] == [0.5, 1.0, 1.0] and np.isnan(r[3])
    # cap 1.2: 120/80 = 1.5 → 1.2
    assert ratio([120], 80, 1, cap=1.2) == [pytest.approx(1.2)]


def test_attainment_less_is_better_is_target_over_x() -> None:
    # target/x: 20/40 = 0.5, 20/20 = 1, 20/10 = 2 → cap 1; x = 0 → cap
    assert ratio([40, 20, 10, 0], 20, -1) == [0.5, 1.0, 1.0, 1.0]
    assert ratio([40, 20, 10, 0], 20, -1, cap=1.5) == [0.5, 1.0, 1.5, 1.5]


def indicator(
    direction: int, target: float, year: int | None = None, baseline: Baseline | None = None
) -> Node:
    return Node(
        code="X", name="x", direction=direction, target=Target(value=target, year=year, baseline=baseline)
    )


def test_expected_value_is_linear_from_the_baseline_and_clamped() -> None:
    # baseline 40 in 2021, target 80 in 2025: 2023 → 40 + (80 − 40)·(2023 − 2021)/(2025 − 2021) = 60
    x = indicator(1, 80, 2025, Baseline(value=40, year=2021))
    assert expected_value(x, 2023) == pytest.approx(60.0)
    assert expected_value(x, 2024) == pytest.approx(70.0)  # 40 + 40·3/4
    assert expected_value(x, 2026) == 80  # from the target year on: the target
    assert expected_value(x, 2019) == 40  # before the baseline year: the baseline
    assert expected_value(indicator(1, 80, 2025), 2023) is None  # no baseline: no schedule


def test_schedule_status_more_is_better() -> None:
    # 2023, expected 60, target 80: 85 and 80 meet the target → 提前完成; 65 and 60 ≥ 60 → 符合预期; 55 → 滞后
    x = indicator(1, 80, 2025, Baseline(value=40, year=2021))
    status = schedule_status(np.array([85, 80, 65, 60, 55, nan]), x, 2023).tolist()
    assert status == [AHEAD, AHEAD, ON_TRACK, ON_TRACK, BEHIND, None]
    assert (AHEAD, ON_TRACK, BEHIND) == ("提前完成", "符合预期", "滞后")


def test_schedule_status_less_is_better() -> None:
    # baseline 60 (2021) down to target 20 (2025): expected 2023 = 60 + (20 − 60)·2/4 = 40
    # d·x ≥ d·target ⇔ x ≤ 20: 15 → 提前完成; x ≤ 40: 35, 40 → 符合预期; 45 → 滞后
    x = indicator(-1, 20, 2025, Baseline(value=60, year=2021))
    assert schedule_status(np.array([15, 35, 40, 45.0]), x, 2023).tolist() == [
        AHEAD,
        ON_TRACK,
        ON_TRACK,
        BEHIND,
    ]


def test_without_a_baseline_only_ahead_can_be_said() -> None:
    x = indicator(1, 80, 2025)
    assert schedule_status(np.array([90, 50.0]), x, 2023).tolist() == [AHEAD, None]


def test_attainment_table_through_evaluate(make_system, make_dataset) -> None:
    system = make_system(
        """
        method: {normalise: target, attainment_cap: 1.2}
        tree:
          - code: X1
            name: x1
            weight: 1
            goalposts: [0, 100]
            target: {value: 80, year: 2025, baseline: {value: 40, year: 2021}}
          - {code: X2, name: x2, weight: 1, direction: -1, target: {value: 20}}
        """
    )
    data = make_dataset(
        {2023: {"U1": {"X1": 100, "X2": 10}, "U2": {"X1": 62, "X2": 40}, "U3": {"X1": 50, "X2": 25}}}
    )
    table = evaluate(system, data, 2023).attainment.set_index(["indicator_code", "unit_code"])
    # X1: 100/80 = 1.25 → cap 1.2; 62/80 = 0.775; 50/80 = 0.625; expected 2023 = 60
    assert table.loc["X1", "attainment"].tolist() == pytest.approx([1.2, 0.775, 0.625])
    assert table.loc["X1", "status"].tolist() == [AHEAD, ON_TRACK, BEHIND]
    assert table.loc["X1", "expected"].tolist() == [60.0] * 3
    # X2 (d = −1, no baseline): 20/10 = 2 → 1.2; 20/40 = 0.5; 20/25 = 0.8; only 提前完成 or nothing
    assert table.loc["X2", "attainment"].tolist() == pytest.approx([1.2, 0.5, 0.8])
    assert [None if pd.isna(s) else s for s in table.loc["X2", "status"]] == [AHEAD, None, None]


# --- targets as plans write them (issue 15 item 2) -------------------------------------------------------------


def test_annual_rate_target_follows_the_compound_path() -> None:
    # 年均增长 9 % from 100 in 2020 to 2025: path 100·1.09^(t − 2020)
    x = Node(
        code="X",
        name="x",
        target=Target(annual_rate=9, year=2025, baseline=Baseline(value=100, year=2020)),
    )
    assert x.final_target is not None
    assert x.final_target.level == pytest.approx(153.8624, abs=1e-4)  # 1.09⁵ = 1.5386239549
    assert expected_value(x, 2022) == pytest.approx(118.81, abs=1e-9)  # 100·1.09² = 118.81
    assert expected_value(x, 2027) == pytest.approx(153.86239549, abs=1e-8)  # after its year: the target
    # 2022: 120 ≥ 118.81 → 符合预期; 118 < 118.81 → 滞后; 160 ≥ 153.86 → 提前完成
    assert schedule_status(np.array([120, 118, 160.0]), x, 2022).tolist() == [ON_TRACK, BEHIND, AHEAD]
    raw = pd.DataFrame(
        {"X": [118.0]}, index=pd.MultiIndex.from_tuples([(2022, "U1")], names=["year", "unit_code"])
    )
    table = attainment_table(raw, [x], 1.0)
    # attainment against the path, not the 2025 level: 118 / 118.81 = 0.993182
    assert table["attainment"].item() == pytest.approx(118 / 118.81, abs=1e-12)


def test_several_dated_targets_each_year_against_the_one_due() -> None:
    x = Node(
        code="X",
        name="x",
        targets=[
            Target(value=50000, year=2025),
            Target(value=40000, year=2023, baseline=Baseline(value=14000, year=2020)),
        ],
    )
    assert [t.year for t in x.all_targets] == [2023, 2025]  # sorted by year
    # 2021: 14 000 + 26 000·1/3 = 22 666.67 towards 2023's 40 000
    assert expected_value(x, 2021) == pytest.approx(22666.666667, abs=1e-5)
    # 2024: from 2023's 40 000 to 50 000: 45 000
    assert expected_value(x, 2024) == pytest.approx(45000)
    # 2024: 41 000 met 2023's target but is behind 2025's schedule → 滞后
    assert schedule_status(np.array([41000.0]), x, 2024).tolist() == [BEHIND]
    assert x.final_target is not None and x.final_target.level == 50000


def test_per_unit_targets_in_attainment_and_target_scoring() -> None:
    from tests.conftest import build_dataset, build_system

    system = build_system(
        """
        method: {normalise: target}
        tree:
          - code: D
            name: d
            weight: 1
            children:
              - {code: X, name: x, weight: 1, goalposts: [0, 200],
                 target: {value: 100, year: 2025, by_unit: {U2: 200}}}
        """
    )
    data = build_dataset({2024: {"U1": {"X": 50}, "U2": {"X": 50}, "U3": {"X": 100}}})
    evaluation = evaluate(system, data, 2024)
    table = evaluation.attainment.set_index("unit_code")
    # U1: 50/100 = 0.5; U2 against its own 200: 50/200 = 0.25; U3: 100/100 = 1
    assert table["attainment"].tolist() == pytest.approx([0.5, 0.25, 1.0])
    assert table["target"].tolist() == [100, 200, 100]
    # target scoring, floor 0: U1 100·50/100 = 50; U2 100·50/200 = 25; U3 100
    scores = evaluation.scores.xs(2024, level="year")["X"]
    assert scores.tolist() == pytest.approx([50.0, 25.0, 100.0], abs=1e-12)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"value": 1, "annual_rate": 9, "year": 2025, "baseline": {"value": 1, "year": 2020}}, "not both"),
        ({"annual_rate": 9, "year": 2025}, "baseline"),
        ({}, "either a value or an annual_rate"),
    ],
)
def test_target_shapes_refused(target: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Target.model_validate(target)
