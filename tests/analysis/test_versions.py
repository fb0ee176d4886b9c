"""Comparing two versions of a system (docs/analysis.md §11): the changes in the file, who moved, Spearman's ρ;
and the ``compare-systems`` command on the shipped sample."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from scoring.analysis.versions import compare_evaluations, spearman, system_changes
from scoring.cli import app
from scoring.data import Dataset
from scoring.evaluate import evaluate
from scoring.system import IndicatorSystem

ROOT = Path(__file__).resolve().parents[2]

OLD = """
method: {normalise: goalpost, weighting: fixed}
tree:
  - {code: a1, name: a1, weight: 1, goalposts: [0, 10]}
  - {code: a2, name: a2, weight: 1, goalposts: [0, 10]}
"""
NEW = """
method: {normalise: goalpost, weighting: fixed}
tree:
  - {code: a1, name: a1, weight: 3, goalposts: [0, 10]}
  - {code: a2, name: a2, weight: 1, goalposts: [0, 10], target: {value: 8}}
"""
UNITS = ["U1", "U2", "U3", "U4"]
VALUES: dict[str, dict[str, float | str | None]] = {
    "U1": {"a1": 10, "a2": 0},
    "U2": {"a1": 0, "a2": 10},
    "U3": {"a1": 5, "a2": 6},
    "U4": {"a1": 2, "a2": 2},
}


def test_who_moved_and_spearman_by_hand(
    make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]
) -> None:
    # old (½, ½): U1 50, U2 50, U3 55, U4 20 → ranks 2, 2, 1, 4
    # new (¾, ¼): U1 75, U2 25, U3 37.5 + 15 = 52.5, U4 20 → ranks 1, 3, 2, 4
    old, new = make_system(OLD, units=UNITS), make_system(NEW, units=UNITS)
    data = make_dataset({2024: VALUES})
    result = compare_evaluations(evaluate(old, data, 2024), evaluate(new, data, 2024))
    units = result.units.set_index("unit_code")
    assert list(result.units["unit_code"]) == ["U1", "U3", "U2", "U4"]  # by new rank
    assert list(units.loc[["U1", "U2", "U3", "U4"], "old_rank"]) == [2, 2, 1, 4]
    assert list(units.loc[["U1", "U2", "U3", "U4"], "new_rank"]) == [1, 3, 2, 4]
    assert list(units.loc[["U1", "U2", "U3", "U4"], "rank_change"]) == [1, -1, -1, 0]  # > 0: moved up
    np.testing.assert_allclose(units.loc[["U1", "U2", "U3", "U4"], "score_change"], [25, -25, -2.5, 0])
    # Spearman on average ranks (ascending): old (2.5, 2.5, 4, 1), new (4, 2, 3, 1); deviations from 2.5:
    # (0, 0, 1.5, −1.5) and (1.5, −0.5, 0.5, −1.5): ρ = 3/√(4.5·5) = 2/√10 = 0.632456
    assert result.spearman == pytest.approx(2 / math.sqrt(10))
    assert result.ranked_both == 4
    changes = {(r.kind, r.code, r.field): (r.old, r.new) for r in result.changes.itertuples()}
    assert changes[("weight", "a1", "weight")] == ("1", "3")  # as declared in the file
    assert changes[("weight", "a1", "weight in INDEX")] == ("0.5000", "0.7500")  # as applied
    assert changes[("weight", "a2", "weight in INDEX")] == ("0.5000", "0.2500")
    assert changes[("target", "a2", "target")] == ("", "8")
    assert len(changes) == 4
    assert "2 个区县名次变化" not in result.text() and "3 个区县名次变化" in result.text()


def test_spearman_without_ties_is_one_minus_six_sum_d2() -> None:
    # ranks (1, 2, 3, 4, 5) and (2, 1, 4, 3, 5): Σd² = 4, ρ = 1 − 6·4/(5·24) = 0.8
    a = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    b = np.array([2.0, 1.0, 4.0, 3.0, 5.0])
    assert spearman(a, b) == pytest.approx(0.8)
    assert math.isnan(spearman(np.array([1.0, np.nan]), np.array([1.0, 2.0])))


def test_nodes_added_removed_moved_renamed_and_methods(make_system: Callable[..., IndicatorSystem]) -> None:
    old = make_system(
        """
        method: {normalise: goalpost}
        tree:
          - code: A
            name: A
            weight: 1
            children:
              - {code: a1, name: a1, weight: 1, goalposts: [0, 10]}
              - {code: a2, name: a2, weight: 1, goalposts: [0, 10]}
          - {code: b1, name: b1, weight: 1, goalposts: [0, 10]}
        """
    )
    new = make_system(
        """
        method: {normalise: goalpost}
        tiers:
          - {name: 高, min: 60}
          - {name: 低, min: 0}
        tree:
          - code: A
            name: A 维度
            weight: 1
            aggregate: geometric
            children:
              - {code: a1, name: a1, weight: 1, goalposts: [0, 12], normalise: minmax}
          - code: B
            name: B
            weight: 1
            children:
              - {code: a2, name: a2, weight: 1, goalposts: [0, 10], direction: -1}
          - {code: c1, name: c1, weight: 1, goalposts: [0, 10]}
        """
    )
    changes = {(r.kind, r.code, r.field): (r.old, r.new) for r in system_changes(old, new).itertuples()}
    assert changes == {
        ("system", "", "tiers"): ("", "高 ≥ 60, 低 ≥ 0"),
        ("added", "B", "parent"): ("", "INDEX"),
        ("added", "c1", "parent"): ("", "INDEX"),
        ("removed", "b1", "parent"): ("INDEX", ""),
        ("moved", "a2", "parent"): ("A", "B"),
        ("renamed", "A", "name"): ("A", "A 维度"),
        ("method", "A", "aggregate"): ("arithmetic", "geometric"),
        ("goalposts", "a1", "goalposts"): ("[0, 10]", "[0, 12]"),
        ("method", "a1", "normalise"): ("goalpost", "minmax"),
        ("setting", "a2", "direction"): ("1", "-1"),
    }


def test_the_command_compares_two_versions_on_the_sample(tmp_path: Path) -> None:
    # an "old" version of the district system: DI-01 weighed 0.08 (now 0.05) with target 42 (now 53)
    text = (ROOT / "indicators" / "jinan_district_digital.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "2025.1"', 'version: "2024.1"', 1)
    text = text.replace(
        "weight: 0.05\n        goalposts: [20, 90]", "weight: 0.08\n        goalposts: [20, 90]", 1
    )
    text = text.replace("value: 53\n", "value: 42\n", 1)
    (tmp_path / "units").mkdir()
    (tmp_path / "units" / "jinan.yaml").write_bytes(
        (ROOT / "indicators" / "units" / "jinan.yaml").read_bytes()
    )
    old = tmp_path / "district_2024.yaml"
    old.write_text(text, encoding="utf-8")
    out = tmp_path / "compare.json"
    sample = ROOT / "sample_inputs" / "jinan" / "long_table.csv"
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app,
        [
            "compare-systems",
            str(old),
            "jinan_district_digital",
            "--data",
            str(sample),
            "--year",
            "2024",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["old"] == "jinan-district-digital@2024.1" and document["new"].endswith("@2025.1")
    kinds = {(c["kind"], c["code"], c["field"]) for c in document["changes"]}
    assert {("weight", "DI-01", "weight"), ("target", "DI-01", "target")} <= kinds
    # DI-01's share of A: 0.08/0.23 = 0.3478 before, 0.05/0.20 = 0.25 now
    shares = {c["code"]: (c["old"], c["new"]) for c in document["changes"] if c["field"] == "weight in A"}
    assert shares["DI-01"] == ("0.3478", "0.2500")
    assert len(document["units"]) == 14 and 0.9 < document["spearman"] <= 1.0
    assert "斯皮尔曼" in result.output
