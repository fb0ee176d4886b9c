"""Missing data (docs/methods.md §1) through ``evaluate``: renormalise, group_mean, fail, and 不适用 cells.

Both indicators use goalposts [0, 100] and equal weights, so a normalised score equals the raw value and the
composite is the mean of what is present: (X1 + X2)/2, or the one value present.
"""

from __future__ import annotations

import pandas as pd
import pytest

from scoring.evaluate import Evaluation, evaluate
from scoring.problems import PipelineError

NA = "不适用"  # make_dataset's marker for a cell the unit marked not applicable

# U1–U3 in group east, U4 alone in west, U5 and U6 without a group (they form one group together).
UNITS = [("U1", "east"), ("U2", "east"), ("U3", "east"), ("U4", "west"), "U5", "U6"]


def system_body(missing: str) -> str:
    return f"""
        method: {{normalise: goalpost, weighting: equal, missing: {missing}}}
        tree:
          - {{code: X1, name: x1, goalposts: [0, 100]}}
          - {{code: X2, name: x2, goalposts: [0, 100]}}
    """


# 2024: X1 is missing for U2 (east), U4 (west, alone) and U6 (no group). 2023 has other X1 values for east that
# must not leak into 2024's means.
DATA = {
    2023: {u: {"X1": 100, "X2": 100} for u in ("U1", "U2", "U3", "U4", "U5", "U6")},
    2024: {
        "U1": {"X1": 10, "X2": 60},
        "U2": {"X1": None, "X2": 60},
        "U3": {"X1": 30, "X2": 60},
        "U4": {"X1": None, "X2": 40},
        "U5": {"X1": 50, "X2": 40},
        "U6": {"X1": None, "X2": 40},
    },
}


def run(make_system, make_dataset, missing: str, data: dict = DATA) -> Evaluation:
    return evaluate(make_system(system_body(missing), units=UNITS), make_dataset(data), 2024)


def flags_of(ev: Evaluation, unit: str, year: int = 2024) -> set[tuple[str, str]]:
    f = ev.flags[(ev.flags["unit_code"] == unit) & (ev.flags["year"] == year)]
    return set(zip(f["node_code"], f["flag"], strict=True))


def test_renormalise_skips_the_gap_and_flags_the_parent(make_system, make_dataset) -> None:
    ev = run(make_system, make_dataset, "renormalise")
    # U1: (10 + 60)/2 = 35; U2: X1 missing → w' = 0, 1 → 60
    assert ev.scores.loc[(2024, "U1"), "INDEX"] == pytest.approx(35.0)
    assert ev.scores.loc[(2024, "U2"), "INDEX"] == pytest.approx(60.0)
    assert ev.applied_weights["INDEX"].loc[(2024, "U2")].tolist() == [0.0, 1.0]
    assert flags_of(ev, "U2") == {("X1", "missing"), ("INDEX", "renormalised")}
    assert flags_of(ev, "U1") == set()
    assert pd.isna(ev.imputed.loc[(2024, "U2"), "X1"])  # nothing imputed


def test_group_mean_uses_the_same_group_in_the_same_year(make_system, make_dataset) -> None:
    ev = run(make_system, make_dataset, "group_mean")
    # U2 (east): mean of U1, U3 in 2024 = (10 + 30)/2 = 20 (not pulled up by 2023's 100s) → composite (20 + 60)/2 = 40
    assert ev.imputed.loc[(2024, "U2"), "X1"] == pytest.approx(20.0)
    assert ev.scores.loc[(2024, "U2"), "INDEX"] == pytest.approx(40.0)
    assert flags_of(ev, "U2") == {("X1", "imputed")}
    # U6 (no group): the ungrouped units form one group; U5 is its only value → 50 → (50 + 40)/2 = 45
    assert ev.imputed.loc[(2024, "U6"), "X1"] == pytest.approx(50.0)
    assert ev.scores.loc[(2024, "U6"), "INDEX"] == pytest.approx(45.0)
    # U4 (west): its group has no X1 value in 2024 → stays missing, then renormalised → composite = X2 = 40
    assert pd.isna(ev.imputed.loc[(2024, "U4"), "X1"])
    assert ev.scores.loc[(2024, "U4"), "INDEX"] == pytest.approx(40.0)
    assert flags_of(ev, "U4") == {("X1", "missing"), ("INDEX", "renormalised")}
    # the raw matrix keeps the gap; the log lists the imputed cells
    assert pd.isna(ev.raw.loc[(2024, "U2"), "X1"])
    step = next(s for s in ev.log if s.stage == "impute")
    assert step.method == "group_mean"
    assert {(c["unit_code"], c["indicator_code"], c["year"], c["value"]) for c in step.detail["imputed"]} == {
        ("U2", "X1", 2024, 20.0),
        ("U6", "X1", 2024, 50.0),
    }


def test_fail_stops_with_every_missing_cell(make_system, make_dataset) -> None:
    with pytest.raises(PipelineError) as caught:
        run(make_system, make_dataset, "fail")
    problem = caught.value.problems[0]
    assert problem.code == "pipeline.missing_values"
    # each cell by its unit, indicator (code and name) and year, in both languages
    cells = [f"unit {u} X1 x1 2024 年" for u in ("U2", "U4", "U6")]  # the units' names are "unit U2" …
    assert problem.params["cells"].split("；") == cells
    assert problem.params["cells_en"].split("; ") == [f"unit {u} X1 x1 (2024)" for u in ("U2", "U4", "U6")]
    assert "unit U2 X1 x1 2024 年" in str(caught.value)


def with_not_applicable() -> dict:
    """DATA with U2's X1 marked 不适用 instead of left empty, and no other gap."""
    data = {year: {u: dict(v) for u, v in by_unit.items()} for year, by_unit in DATA.items()}
    data[2024]["U2"]["X1"] = NA
    data[2024]["U4"]["X1"] = 20
    data[2024]["U6"]["X1"] = 20
    return data


def test_not_applicable_is_never_imputed(make_system, make_dataset) -> None:
    ev = run(make_system, make_dataset, "group_mean", with_not_applicable())
    # stays missing although east has values; its weight goes to X2 → composite 60
    assert pd.isna(ev.imputed.loc[(2024, "U2"), "X1"])
    assert ev.scores.loc[(2024, "U2"), "INDEX"] == pytest.approx(60.0)
    assert flags_of(ev, "U2") == {("X1", "not_applicable"), ("INDEX", "renormalised")}


def test_not_applicable_never_fails(make_system, make_dataset) -> None:
    ev = run(make_system, make_dataset, "fail", with_not_applicable())
    assert ev.scores.loc[(2024, "U2"), "INDEX"] == pytest.approx(60.0)
    # U4: (20 + 40)/2 = 30
    assert ev.scores.loc[(2024, "U4"), "INDEX"] == pytest.approx(30.0)


def test_not_applicable_under_renormalise(make_system, make_dataset) -> None:
    ev = run(make_system, make_dataset, "renormalise", with_not_applicable())
    assert ev.scores.loc[(2024, "U2"), "INDEX"] == pytest.approx(60.0)
    assert ("X1", "not_applicable") in flags_of(ev, "U2")
    assert ("X1", "missing") not in flags_of(ev, "U2")


def test_screening_drops_rows_below_min_coverage(make_system, make_dataset) -> None:
    # min_coverage 0.75: U2, U4, U6 have 1 of 2 indicators (50 %) in 2024 → dropped with a warning;
    # a 不适用 mark counts as available
    body = system_body("renormalise").replace(
        "missing: renormalise", "missing: renormalise, min_coverage: 0.75"
    )
    data = with_not_applicable()
    data[2024]["U4"]["X1"] = None
    ev = evaluate(make_system(body, units=UNITS), make_dataset(data), 2024)
    units_2024 = set(ev.scores.xs(2024, level="year").index)
    assert units_2024 == {"U1", "U2", "U3", "U5", "U6"}  # U2 is 不适用, not missing: 100 % covered
    assert [(p.code, p.unit, p.year) for p in ev.problems] == [("pipeline.screened", "U4", 2024)]
