"""Interval (适度) indicators, docs/methods.md §3 "Interval indicators": best within [a, b], scored down outside it
on both sides. Every number is computed by hand in the comment next to it."""

from __future__ import annotations

import pytest

from scoring.evaluate import evaluate
from scoring.problems import SystemDefinitionError
from tests.conftest import build_dataset, build_system


def scores(normalise: str, extra: str, values: list[float | None]) -> list[float]:
    system = build_system(
        f"""
        method: {{normalise: {normalise}}}
        tree:
          - code: D
            name: d
            weight: 1
            children:
              - {{code: X, name: x, weight: 1, interval: [40, 60]{extra}}}
        """,
        units=[f"U{i}" for i in range(len(values))],
    )
    data = build_dataset({2024: {f"U{i}": {"X": v} for i, v in enumerate(values)}})
    return evaluate(system, data, 2024).scores.xs(2024, level="year")["X"].tolist()


def test_minmax_interval_is_the_standard_interval_transform() -> None:
    # best range [40, 60]; values 20, 40, 50, 60, 70, 100: distances 20, 0, 0, 0, 10, 40; D = max(40 − 20,
    # 100 − 60) = 40; y = 100·(1 − dist/40): 50, 100, 100, 100, 75, 0
    got = scores("minmax", "", [20, 40, 50, 60, 70, 100])
    assert got == pytest.approx([50, 100, 100, 100, 75, 0], abs=1e-12)


def test_minmax_interval_all_inside_gets_the_top() -> None:
    # every distance 0 → D = 0: the top of the scale for all
    assert scores("minmax", "", [45, 55, 40]) == [100, 100, 100]


def test_goalpost_interval_uses_tolerance_bounds_on_each_side() -> None:
    # tolerance [20, 100]: below: 1 − (40 − x)/20, above: 1 − (x − 60)/40
    # 10 → clip(1 − 30/20) = 0; 30 → 1 − 10/20 = 0.5; 50 → 1; 80 → 1 − 20/40 = 0.5; 120 → 0
    got = scores("goalpost", ", goalposts: [20, 100]", [10, 30, 50, 80, 120])
    assert got == pytest.approx([0, 50, 100, 50, 0], abs=1e-12)


def test_rank_interval_ranks_by_distance() -> None:
    # distances 20, 0, 10 → nearer is better: ranks (ascending in −dist) 1, 3, 2 → 0, 100, 50
    assert scores("rank", "", [20, 50, 70]) == pytest.approx([0, 100, 50], abs=1e-12)


@pytest.mark.parametrize("normalise", ["zscore", "target", "efficacy"])
def test_interval_is_refused_where_the_formula_has_no_best_range(normalise: str) -> None:
    extra = ", target: {value: 50}" if normalise in {"target", "efficacy"} else ""
    with pytest.raises(SystemDefinitionError) as caught:
        scores(normalise, extra, [1, 2, 3])
    (problem,) = caught.value.problems
    assert problem.code == "system.interval_unsupported"
    assert problem.location.cell == "tree[0].children[0].interval"
    assert normalise in problem.message_en and "goalpost" in problem.message_en
    assert "适度指标" in problem.message_zh


@pytest.mark.parametrize(
    ("extra", "message"),
    [(", direction: -1", "no direction"), (", goalposts: [45, 100]", "L < a ≤ b < U")],
)
def test_interval_shape_is_checked(extra: str, message: str) -> None:
    with pytest.raises(SystemDefinitionError) as caught:
        scores("goalpost", extra if "goalposts" in extra else extra + ", goalposts: [0, 100]", [1, 2])
    assert message in caught.value.problems[0].message_en
