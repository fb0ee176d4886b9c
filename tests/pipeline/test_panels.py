"""Panels (docs/methods.md §0 "Comparability across years", §1): imputation across years and frozen
comparability, under which adding a year never changes a published year's scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring.data import Dataset
from scoring.evaluate import evaluate
from scoring.io import read_data
from scoring.problems import PipelineError
from scoring.system import load_system
from tests.conftest import build_dataset, build_system

ROOT = Path(__file__).resolve().parents[2]


def jinan(comparability: str, **extra: object):  # type: ignore[no-untyped-def]
    """The default Jinan system with data-driven bounds (min-max) and weights (entropy) in every dimension."""
    system = load_system(ROOT / "indicators" / "jinan_district_digital.yaml")
    method = system.method.model_copy(
        update={"normalise": "minmax", "weighting": "entropy", "comparability": comparability, **extra}
    )
    tree = [node.model_copy(update={"weighting": None}) for node in system.tree]
    indicators = {i.code: i.model_copy(update={"normalise": None}) for i in system.indicators}

    def strip(node):  # type: ignore[no-untyped-def]
        if node.children:
            return node.model_copy(update={"children": [strip(c) for c in node.children], "weighting": None})
        return indicators[node.code]

    return system.model_copy(update={"method": method, "tree": [strip(n) for n in tree]})


def panel_2022_2025() -> tuple[Dataset, Dataset]:
    """The shipped 2022–2024 sample, and the same with a 2025 made from 2024 (+8 %, a few values moved)."""
    system = load_system(ROOT / "indicators" / "jinan_district_digital.yaml")
    published = read_data([ROOT / "sample_inputs" / "jinan" / "long_table.csv"], system)
    later = published.values[published.values["year"] == 2024].copy()
    later["year"] = 2025
    later["value"] = later["value"] * 1.08
    later.loc[later.index[::7], "value"] *= 1.9  # some far beyond the base years' bounds
    return published, Dataset(pd.concat([published.values, later], ignore_index=True))


def test_frozen_mode_leaves_the_published_years_identical_when_a_year_is_added() -> None:
    published, extended = panel_2022_2025()
    frozen = jinan("frozen", base_years=(2022, 2024))
    before = evaluate(frozen, published, 2024)
    after = evaluate(frozen, extended, 2025)
    old = after.scores.loc[before.scores.index]
    pd.testing.assert_frame_equal(old, before.scores, check_exact=True)
    # the new year is scored against the base years' bounds and weights, within the scale
    new = after.scores.xs(2025, level="year")
    assert new["INDEX"].notna().all()
    assert (
        ((new >= 0) & (new <= 100) | new.isna()).all().all()
    )  # 不适用 cells of the functional zones stay NaN
    assert ("comparability", "frozen") in [(s.stage, s.method) for s in after.log]
    # pooled rescores the published years (and says so); frozen does not
    pooled_before = evaluate(jinan("pooled"), published, 2024)
    pooled_after = evaluate(jinan("pooled"), extended, 2025)
    moved = (pooled_after.scores.loc[pooled_before.scores.index] - pooled_before.scores).abs().max().max()
    assert moved > 0.1
    (step,) = [s for s in pooled_after.log if s.stage == "comparability"]
    assert step.detail["rescored"] == [2022, 2023, 2024]


def test_frozen_minmax_by_hand() -> None:
    system = build_system(
        """
        method: {normalise: minmax, comparability: frozen, base_years: [2023, 2023]}
        tree:
          - code: D
            name: d
            weight: 1
            children:
              - {code: X, name: x, weight: 1}
        """
    )
    data = build_dataset(
        {
            2023: {"U1": {"X": 10}, "U2": {"X": 20}, "U3": {"X": 30}},
            2024: {"U1": {"X": 15}, "U2": {"X": 25}, "U3": {"X": 40}},
        }
    )
    scores = evaluate(system, data, 2024).scores["X"]
    # bounds of 2023: 10 and 30; 2024: (15 − 10)/20·100 = 25, (25 − 10)/20·100 = 75, 40 → 150 clipped to 100
    assert scores.xs(2024, level="year").tolist() == pytest.approx([25, 75, 100], abs=1e-12)
    assert scores.xs(2023, level="year").tolist() == pytest.approx([0, 50, 100], abs=1e-12)
    missing_base = build_dataset({2024: {"U1": {"X": 1}, "U2": {"X": 2}}})
    with pytest.raises(PipelineError) as caught:
        evaluate(system, missing_base, 2024)
    assert "2023" in caught.value.problems[0].message_en


def test_linear_and_carry_forward_fill_panel_gaps_and_flag_them() -> None:
    body = """
        method: {{normalise: goalpost, missing: {missing}, max_gap: 1}}
        tree:
          - code: D
            name: d
            weight: 1
            children:
              - {{code: X, name: x, weight: 1, goalposts: [0, 100], required: false}}
              - {{code: Y, name: y, weight: 1, goalposts: [0, 100]}}
        """
    data = build_dataset(
        {
            2022: {"U1": {"X": 10, "Y": 1}},
            2023: {"U1": {"X": None, "Y": 1}},
            2024: {"U1": {"X": 30, "Y": 1}},
            2025: {"U1": {"X": None, "Y": 1}},
        }
    )
    linear = evaluate(build_system(body.format(missing="linear"), units=["U1"]), data, 2025)
    # 2023 between 10 (2022) and 30 (2024): 10 + 20·1/2 = 20; 2025 after the last known year: missing
    assert linear.imputed.loc[(2023, "U1"), "X"] == pytest.approx(20.0)
    assert np.isnan(linear.imputed.loc[(2025, "U1"), "X"])
    carried = evaluate(build_system(body.format(missing="carry_forward"), units=["U1"]), data, 2025)
    # 2023 takes 2022's 10, 2025 takes 2024's 30 (1 year on ≤ max_gap 1)
    assert carried.imputed.xs("U1", level="unit_code")["X"].tolist() == [10, 10, 30, 30]
    flags = carried.flags[carried.flags["flag"] == "imputed"]
    assert flags[["year", "node_code"]].values.tolist() == [[2023, "X"], [2025, "X"]]
