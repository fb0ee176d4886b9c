"""Systems other than the Jinan default: AHP weights, a single year, points, no tiers or targets, geometric means."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from scoring.analysis.report_data import analyse
from scoring.data import Dataset
from scoring.evaluate import Evaluation, evaluate
from scoring.pipeline.weights import ahp_weights
from scoring.report import ReportOptions, build_reports
from scoring.report.content import build_document
from scoring.report.model import Document
from scoring.system import IndicatorSystem

Build = Callable[[str, dict[int, dict[str, dict[str, float | str | None]]]], Evaluation]

THREE_DIMENSIONS = """
tree:
  - {code: A, name: 甲, weight: 1, children: [{code: A1, name: 指标一, weight: 1, goalposts: [0, 10]}]}
  - {code: B, name: 乙, weight: 1, children: [{code: B1, name: 指标二, weight: 1, goalposts: [0, 10]}]}
  - {code: C, name: 丙, weight: 1, children: [{code: C1, name: 指标三, weight: 1, goalposts: [0, 10]}]}
"""
VALUES = {
    "U1": {"A1": 2, "B1": 5, "C1": 9},
    "U2": {"A1": 6, "B1": 1, "C1": 4},
    "U3": {"A1": 8, "B1": 7, "C1": 3},
}


@pytest.fixture
def build(make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]) -> Build:
    def run(body: str, data: dict[int, dict[str, dict[str, float | str | None]]]) -> Evaluation:
        return evaluate(make_system(body), make_dataset(data), max(data))

    return run


def document(evaluation: Evaluation) -> Document:
    return build_document(analyse(evaluation), ReportOptions(charts=False))


def test_ahp_weights_come_with_their_consistency_check(build: Build) -> None:
    # A is twice as important as B and four times C, B twice C: a consistent matrix, weights 4/7, 2/7, 1/7
    matrix = [[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]
    body = (
        f"method: {{normalise: goalpost, weighting: fixed}}\ncomposite: {{weighting: ahp, ahp: {matrix}}}\n"
    )
    evaluation = build(body + THREE_DIMENSIONS, {2024: VALUES})
    (check,) = analyse(evaluation).ahp
    assert check.weights == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert check.cr == pytest.approx(ahp_weights(matrix).cr) and check.passed
    (row,) = document(evaluation).tables["ahp"].rows  # one matrix, one row
    assert row[0] == "INDEX 综合指数" and row[-1] == "通过"
    assert row[1] == "甲 0.5714、乙 0.2857、丙 0.1429"


def test_a_single_year_has_no_change_chapter_numbers(build: Build) -> None:
    evaluation = build("method: {normalise: goalpost}\n" + THREE_DIMENSIONS, {2024: VALUES})
    doc = document(evaluation)
    assert "change" not in doc.tables
    texts = [b.text for b in doc.blocks if hasattr(b, "text")]
    assert "数据中没有 2023 年的评价结果，本报告不作年度比较。" in texts
    files = build_reports(evaluation, options=ReportOptions(charts=False))
    assert set(files) == {"docx", "xlsx", "html"}


def test_points_are_part_of_the_change_decomposition(build: Build) -> None:
    # a bonus of 2 points per award, at most 5, added to the composite: U1 0 → 2 awards gains 4 points
    body = (
        "method: {normalise: goalpost}\n"
        + THREE_DIMENSIONS
        + "  - {code: X1, name: 表彰加分, role: bonus, points: {per_unit: 2, cap: 5}}\n"
    )
    before = {u: {**v, "X1": 0} for u, v in VALUES.items()}
    after = {u: {**v, "X1": 2 if u == "U1" else 0} for u, v in VALUES.items()}
    evaluation = build(body, {2023: before, 2024: after})
    data = analyse(evaluation)
    assert [p.code for p in data.parts] == ["A", "B", "C", "X1"]
    assert np.allclose(data.contributions.sum(axis=1), evaluation.scores["INDEX"])
    assert data.change.loc["U1", "X1"] == pytest.approx(4)
    assert data.change.loc["U1", "total"] == pytest.approx(4)
    assert document(evaluation).tables["change"].header[-2] == "Δ表彰加分"


def test_without_tiers_or_targets_those_parts_are_left_out(build: Build) -> None:
    evaluation = build("method: {normalise: minmax}\n" + THREE_DIMENSIONS, {2023: VALUES, 2024: VALUES})
    doc = document(evaluation)
    assert "tiers" not in doc.tables and "attainment" not in doc.tables
    texts = [b.text for b in doc.blocks if hasattr(b, "text")]
    assert "本指标体系未设置规划目标。" in texts


def test_quantile_tiers_and_geometric_means_report_like_the_rest(build: Build) -> None:
    body = "method: {normalise: goalpost, aggregate: geometric, scale: [1, 100]}\n"
    body += "tiers: {quantile: [第一梯队, 第二梯队]}\n"
    evaluation = build(
        body + THREE_DIMENSIONS, {2023: VALUES, 2024: {**VALUES, "U2": {"A1": 9, "B1": 9, "C1": 9}}}
    )
    data = analyse(evaluation)
    assert data.tier_counts[2024] == {"第一梯队": 2, "第二梯队": 1}
    assert np.allclose(data.contributions.sum(axis=1), evaluation.scores["INDEX"])
    tiers = document(evaluation).tables["tiers"].rows
    assert [row[:2] for row in tiers] == [("第一梯队", "2"), ("第二梯队", "1")]
