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
