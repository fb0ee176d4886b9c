"""What the narrative states, computed in the analysis layer (``ReportData.findings``), on the three-unit example
of conftest.py: 2024 U3 94, U1 60, U2 58; 2023 U2 74, U1 38, U3 16."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from scoring.analysis.report_data import analyse
from scoring.data import Dataset
from scoring.evaluate import Evaluation, evaluate
from scoring.system import IndicatorSystem
from tests.report.conftest import SMALL_DATA, SMALL_SYSTEM


def test_spread_and_moves(small: Evaluation) -> None:
    found = analyse(small).findings
    assert found.spread == pytest.approx(94 - 58)
    # ranks 2023 → 2024: U3 3 → 1 (up 2), U1 2 → 2, U2 1 → 3 (down 2)
    assert found.moves is not None
    assert (found.moves.up, found.moves.down, found.moves.same) == (1, 1, 1)
    assert (found.moves.riser, found.moves.faller) == ("U3", "U2")
    # composite changes: U1 +22, U2 −16, U3 +78
    assert (found.rising, found.changed) == (2, 3)
    assert found.falling == ("U2",)


def test_dimension_summaries_and_the_weakest_dimension(small: Evaluation) -> None:
    found = analyse(small).findings
    # A 2024: U1 60, U2 70, U3 90, mean 220/3 = 73.33: only U3 above it
    a = found.dimensions["A"]
    assert (a.best, a.worst, a.above) == ("U3", "U1", 1)
    assert a.mean == pytest.approx(220 / 3)
    # B 2024 (B1 on [0, 50]): U1 30 → 60, U2 20 → 40, U3 50 → 100, mean 200/3 = 66.67
    b = found.dimensions["B"]
    assert (b.best, b.worst, b.above) == ("U3", "U2", 1)
    assert (found.strongest_dimension, found.weakest_dimension) == ("A", "B")
    assert found.weakest_children == ("B1",)


def test_targets_behind_and_lagging(small: Evaluation) -> None:
    # A1: the schedule expects 70 in 2024; U1 60 behind, U2 70 on track, U3 90 ahead; the city average 73.33 is
    # on track, and 1 of 3 units behind is less than half, so A1 is behind for one unit but does not lag
    found = analyse(small).findings
    assert found.most_behind is not None and found.most_behind.code == "A1"
    assert [t.code for t in found.behind_targets] == ["A1"]
    assert found.lagging_targets == ()


def test_a_single_year_has_no_moves(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    evaluation = evaluate(make_system(SMALL_SYSTEM), make_dataset({2024: SMALL_DATA[2024]}), 2024)
    found = analyse(evaluation).findings
    assert found.moves is None and found.falling == () and found.changed == 0
    assert not math.isnan(found.spread)


def test_the_widest_gap_to_the_leader(small: Evaluation) -> None:
    # leader U3 (A 90, B 100); U2 (A 70, B 40): weighted gaps A 0.6·20 = 12, B 0.4·60 = 24 → B
    profile = next(p for p in analyse(small).profiles if p.unit_code == "U2")
    assert profile.widest_gap.code == "B"
    assert profile.widest_gap.gap_to_leader == pytest.approx(24)
    # and its difference from the city average: B 40 − 200/3
    (b,) = [d for d in profile.dimensions if d.code == "B"]
    assert b.difference == pytest.approx(40 - 200 / 3)
