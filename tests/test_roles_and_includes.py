"""Bonus and deduction indicators, systems that include other systems, and plan-monitoring mode."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.data import Dataset
from scoring.evaluate import evaluate
from scoring.problems import SystemDefinitionError
from scoring.system import load_system, parse_system

UNITS = "units: [{code: A, name: 甲}, {code: B, name: 乙}]\n"


def dataset(values: dict[tuple[str, str], float], year: int = 2024) -> Dataset:
    rows = [(unit, code, year, value) for (unit, code), value in values.items()]
    return Dataset.from_long(pd.DataFrame(rows, columns=["unit_code", "indicator_code", "year", "value"]))


def test_deduction_takes_points_from_its_parent_outside_the_weights() -> None:
    system = parse_system(
        "id: t\nname: t\nversion: '1'\n"
        + UNITS
        + """
method: {normalise: goalpost}
tree:
  - code: D
    name: 维度
    weight: 1
    children:
      - {code: X, name: x, weight: 1, goalposts: [0, 10]}
      - {code: S, name: 安全事件, role: deduction, points: {per_unit: 2, cap: 5}}
"""
    )
    data = dataset({("A", "X"): 8, ("A", "S"): 1, ("B", "X"): 9, ("B", "S"): 4})
    scores = evaluate(system, data, 2024).scores.xs(2024, level="year")
    # A: X = 8/10·100 = 80, minus min(5, 2·1) = 2 → 78.  B: 90 − min(5, 2·4 = 8) = 90 − 5 = 85.
    assert scores.loc["A", "D"] == pytest.approx(78)
    assert scores.loc["B", "D"] == pytest.approx(85)
    assert scores.loc["A", "S"] == pytest.approx(-2)


def test_bonus_is_capped_and_the_score_clipped_to_the_scale() -> None:
    system = parse_system(
        "id: t\nname: t\nversion: '1'\n"
        + UNITS
        + """
method: {normalise: goalpost}
tree:
  - {code: X, name: x, weight: 1, goalposts: [0, 10]}
  - {code: P, name: 加分, role: bonus, points: {per_unit: 1, cap: 3}}
"""
    )
    data = dataset({("A", "X"): 5, ("A", "P"): 10, ("B", "X"): 10, ("B", "P"): 2})
    evaluation = evaluate(system, data, 2024)
    scores = evaluation.scores.xs(2024, level="year")
    # A: 50 + min(3, 10) = 53.  B: 100 + 2 = 102, clipped to the scale's 100.
    assert scores.loc["A", "INDEX"] == pytest.approx(53)
    assert scores.loc["B", "INDEX"] == pytest.approx(100)
    for unit in ("A", "B"):
        table = evaluation.explain(unit)
        leaves = table[table["node_code"].isin(["X", "P"])]
        assert leaves["contribution"].sum() == pytest.approx(table["score"].iloc[0], abs=1e-9)
    # A: X contributes 50 of 53 and the bonus 3
    table = evaluation.explain("A").set_index("node_code")
    assert table.loc["P", "contribution"] == pytest.approx(3)


def test_a_deduction_needs_points() -> None:
    with pytest.raises(SystemDefinitionError) as error:
        parse_system(
            "id: t\nname: t\nversion: '1'\n" + UNITS + "tree:\n  - {code: X, name: x, weight: 1}\n"
            "  - {code: S, name: s, role: deduction}\n"
        )
    assert "points" in str(error.value)


def test_included_systems_become_subtrees_with_their_own_methods(tmp_path: Path) -> None:
    (tmp_path / "part.yaml").write_text(
        "id: part\nname: 部分\nversion: '1'\n" + UNITS + "method: {normalise: minmax, weighting: equal}\n"
        "tree:\n  - {code: P1, name: p1}\n  - {code: P2, name: p2}\n",
        encoding="utf-8",
    )
    (tmp_path / "whole.yaml").write_text(
        "id: whole\nname: 总\nversion: '1'\n" + UNITS + "method: {normalise: goalpost}\n"
        "tree:\n"
        "  - {code: Q, name: q, weight: 3, goalposts: [0, 10]}\n"
        "  - {code: PART, name: 部分, weight: 1, include: part.yaml}\n",
        encoding="utf-8",
    )
    system = load_system(tmp_path / "whole.yaml")
    assert system.indicator_codes == ["Q", "P1", "P2"]
    assert system.nodes["P1"].normalise == "minmax"  # the included system's own default
    data = dataset(
        {("A", "Q"): 5, ("A", "P1"): 1, ("A", "P2"): 3, ("B", "Q"): 10, ("B", "P1"): 2, ("B", "P2"): 2}
    )
    scores = evaluate(system, data, 2024).scores.xs(2024, level="year")
    # PART: A = (0 + 100)/2 = 50, B = (100 + 0)/2 = 50; INDEX A = 0.75·50 + 0.25·50 = 50, B = 0.75·100 + 12.5 = 87.5
    assert scores.loc["A", "INDEX"] == pytest.approx(50)
    assert scores.loc["B", "INDEX"] == pytest.approx(87.5)


def test_a_system_that_includes_itself_is_refused(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").write_text(
        "id: loop\nname: l\nversion: '1'\n"
        + UNITS
        + "tree:\n  - {code: L, name: l, weight: 1, include: loop.yaml}\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemDefinitionError, match="includes itself"):
        load_system(tmp_path / "loop.yaml")


def test_monitor_reports_the_schedule_status(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(
        "id: plan\nname: 规划监测\nversion: '1'\nmode: monitoring\nunits: [{code: '370100', name: 济南市}]\n"
        "method: {normalise: target}\n"
        "tree:\n"
        "  - {code: G, name: 增速, weight: 1, target: {value: 10, year: 2025, baseline: {value: 5, year: 2020}}}\n"
        "  - {code: S, name: 占比, weight: 1, target: {value: 30, year: 2025, baseline: {value: 20, year: 2020}}}\n",
        encoding="utf-8",
    )
    data = tmp_path / "data.csv"
    # 2023: expected G = 5 + 5·3/5 = 8 → 8.5 on track; expected S = 20 + 10·3/5 = 26 → 25 behind
    data.write_text(
        "unit_code,indicator_code,year,value\n370100,G,2023,8.5\n370100,S,2023,25\n", encoding="utf-8"
    )
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["monitor", "--system", str(tmp_path / "plan.yaml"), "--year", "2023", str(data)]
    )
    assert result.exit_code == 0, result.output
    assert "符合预期 1 项" in result.output and "滞后 1 项" in result.output
