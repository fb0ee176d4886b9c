"""Done-when of issue 15, end to end on the shipped samples through the CLI: a plan-monitoring run of the IT 14th
FYP system against its 9 % annual-rate target and its 2023 and 2025 targets, and a frozen-mode evaluation to
which a 2025 is added leaving the published 2022–2024 results files identical."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.system import load_system

ROOT = Path(__file__).resolve().parents[1]
PLAN_FORM = ROOT / "sample_inputs" / "jinan_industry_it_14th" / "forms" / "370100_济南市.xlsx"
JINAN_YAML = ROOT / "indicators" / "jinan_district_digital.yaml"
JINAN_LONG = ROOT / "sample_inputs" / "jinan" / "long_table.csv"
runner = CliRunner(env={"COLUMNS": "250"})


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_plan_monitoring_of_the_it_14th_fyp_uses_the_annual_rate_and_the_dated_targets(
    tmp_path: Path, year: int
) -> None:
    out = tmp_path / "monitor.csv"
    run("monitor", "-s", "jinan_industry_it_14th", "-y", str(year), str(PLAN_FORM), "--out", str(out))
    table = pd.read_csv(out, encoding="utf-8-sig").drop_duplicates().set_index("indicator_code")
    # 规上工业增加值 against 年均增长 9 % from 2500 (2020): the path 2500·1.09^(t − 2020) is the year's
    # expected value, its 2025 level 2500·1.09^5 = 3846.56 the target
    growth = table.loc["IT-A-02"]
    assert growth["expected"] == pytest.approx(2500 * 1.09 ** (year - 2020), rel=1e-12)
    assert growth["target"] == pytest.approx(2500 * 1.09**5, rel=1e-12) and growth["target_year"] == 2025
    assert growth["attainment"] == pytest.approx(growth["value"] / growth["expected"], rel=1e-12)
    # 5G 基站数: 40 000 due in 2023 (measured against it up to 2023), then 50 000 due in 2025
    fiveg = table.loc["IT-F-01"]
    if year <= 2023:
        assert (fiveg["target"], fiveg["target_year"]) == (40000, 2023)
        # 2022: 14 000 (2020) + 26 000·2/3 = 31 333.33; 2023: the target itself
        assert fiveg["expected"] == pytest.approx({2022: 14000 + 26000 * 2 / 3, 2023: 40000}[year])
    else:
        # 2024: halfway from the 2023 target to the 2025 one, 40 000 + 10 000·1/2
        assert (fiveg["target"], fiveg["target_year"]) == (50000, 2025)
        assert fiveg["expected"] == pytest.approx(45000)


def _system_file(tmp_path: Path, comparability: str) -> Path:
    """The Jinan system with data-driven bounds (min-max) and weights (entropy), frozen on 2022–2024 or pooled."""
    text = JINAN_YAML.read_text(encoding="utf-8")
    extra = (
        "comparability: frozen\n  base_years: [2022, 2024]"
        if comparability == "frozen"
        else "comparability: pooled"
    )
    for old, new in (
        ("  normalise: goalpost\n", "  normalise: minmax\n"),
        ("  weighting: fixed\n", "  weighting: entropy\n"),
        ("  comparability: per_year\n", f"  {extra}\n"),
    ):
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "units").mkdir(exist_ok=True)
    shutil.copy(JINAN_YAML.parent / "units" / "jinan.yaml", tmp_path / "units" / "jinan.yaml")
    path = tmp_path / f"jinan_{comparability}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _year_2025(tmp_path: Path) -> Path:
    """A 2025 return: every 2024 value up 5 % (within its accepted range), every seventh halved (below the base
    years' bounds)."""
    system = load_system(JINAN_YAML)
    upper = {node.code: (node.valid or (None, None))[1] for node in system.collected}
    table = pd.read_csv(JINAN_LONG, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    later = table[table["year"] == "2024"].copy()
    later["year"] = "2025"
    numeric = pd.to_numeric(later["value"], errors="coerce") * 1.05
    numeric.iloc[::7] /= 2.1
    texts = []
    for text, x, code in zip(later["value"], numeric, later["indicator_code"], strict=True):
        top = upper[code]
        texts.append(text if pd.isna(x) else f"{round(min(x, top) if top is not None else x, 2):g}")
    later["value"] = texts
    path = tmp_path / "y2025.csv"
    later.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _results(system: Path, year: int, files: list[Path], out: Path) -> dict[str, object]:
    run("score", "-s", str(system), "-y", str(year), *map(str, files), "--out", str(out))
    document: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return document


def test_a_frozen_evaluation_with_2025_added_leaves_the_published_years_results_identical(
    tmp_path: Path,
) -> None:
    frozen, pooled = _system_file(tmp_path, "frozen"), _system_file(tmp_path, "pooled")
    later = _year_2025(tmp_path)
    moved = 0.0
    for year in (2022, 2023, 2024):
        published = _results(frozen, year, [JINAN_LONG], tmp_path / f"published_{year}.json")
        again = _results(frozen, year, [JINAN_LONG, later], tmp_path / f"again_{year}.json")
        # the results (scores, ranks, tiers, changes), weights and attainment of the year: the same file content
        for key in ("results", "weights", "attainment", "flags"):
            assert again[key] == published[key], (year, key)
        before = _results(pooled, year, [JINAN_LONG], tmp_path / f"pooled_{year}.json")
        after = _results(pooled, year, [JINAN_LONG, later], tmp_path / f"pooled_again_{year}.json")
        pairs = zip(before["results"], after["results"], strict=True)  # type: ignore[call-overload]
        moved = max(moved, *(abs(a["score"] - b["score"]) for a, b in pairs if a["score"] is not None))
    assert moved > 0.1  # pooled rescores the published years when 2025 comes in; frozen does not
    scored = _results(frozen, 2025, [JINAN_LONG, later], tmp_path / "y2025.json")
    index = [r for r in scored["results"] if r["node_code"] == "INDEX"]  # type: ignore[union-attr]
    assert len(index) == 14 and all(0 <= r["score"] <= 100 for r in index)
