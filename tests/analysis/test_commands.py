"""The ``uncertainty``, ``whatif`` and ``audit`` commands (scoring/cli/analysis.py) on the shipped sample."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from scoring.cli import app

SAMPLE = Path(__file__).resolve().parents[2] / "sample_inputs" / "jinan" / "long_table.csv"
runner = CliRunner(env={"COLUMNS": "250"})


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_uncertainty_writes_rank_intervals_and_sensitivity(tmp_path: Path) -> None:
    out = tmp_path / "u.json"
    code, output = run(
        "uncertainty", "--year", "2024", str(SAMPLE), "--out", str(out), "--replications", "60", "--seed", "9"
    )
    assert code == 0, output
    document = json.loads(out.read_text(encoding="utf-8"))
    # seven assumptions vary on the district system → blocks of k + 2 = 9 runs: 60 rounds up to 63
    assert document["seed"] == 9 and document["replications"] == 63
    assert len(document["units"]) == 14
    assert {"median_rank", "rank_q05", "rank_q95", "p_领先"} <= set(document["units"][0])
    assert [row["assumption"] for row in document["sensitivity"]] == [
        "weights",
        "normalisation",
        "aggregation",
        "missing",
        "treatment",
        "goalposts",
        "exclusion",
    ]
    again = tmp_path / "again.json"
    run(
        "uncertainty",
        "--year",
        "2024",
        str(SAMPLE),
        "--out",
        str(again),
        "--replications",
        "60",
        "--seed",
        "9",
    )
    assert json.loads(again.read_text(encoding="utf-8"))["units"] == document["units"]


def test_uncertainty_xlsx_and_csv(tmp_path: Path) -> None:
    xlsx = tmp_path / "u.xlsx"
    code, output = run(
        "uncertainty",
        "-y",
        "2024",
        str(SAMPLE),
        "--out",
        str(xlsx),
        "--replications",
        "30",
        "--weights",
        "dirichlet",
    )
    assert code == 0, output
    assert openpyxl.load_workbook(xlsx, read_only=True).sheetnames == [
        "units",
        "sensitivity",
        "unit_sensitivity",
        "settings",
    ]
    csv = tmp_path / "u.csv"
    code, output = run(
        "uncertainty",
        "-y",
        "2024",
        str(SAMPLE),
        "--out",
        str(csv),
        "--replications",
        "30",
        "--normalisations",
        "",
    )
    assert code == 0, output
    assert len(pd.read_csv(csv, encoding="utf-8-sig")) == 14
    sensitivity = pd.read_csv(tmp_path / "u_sensitivity.csv", encoding="utf-8-sig")
    assert "normalisation" not in set(sensitivity["assumption"])


def test_whatif_prints_the_gap_and_the_goals(tmp_path: Path) -> None:
    out = tmp_path / "w.xlsx"
    code, output = run("whatif", "--year", "2024", "--unit", "370112", str(SAMPLE), "--out", str(out))
    assert code == 0, output
    assert "历城区（370112）2024 年综合得分 61.28，排名第 3 位" in output
    assert "与排名上一位的历下区" in output
    assert openpyxl.load_workbook(out, read_only=True).sheetnames == ["gap", "goals", "gains", "text"]
    code, output = run("whatif", "--year", "2024", "--unit", "999999", str(SAMPLE))
    assert code == 2 and "999999" in output


def test_audit_prints_the_explanation(tmp_path: Path) -> None:
    code, output = run("audit", "--year", "2024", str(SAMPLE), "--out", str(tmp_path / "a.csv"))
    assert code == 0, output
    assert "DI-18" in output and "Cronbach" in output
    assert (tmp_path / "a_pairs.csv").exists()


def test_uncertainty_runs_on_the_jinan_composite_with_its_bonus_and_deductions(tmp_path: Path) -> None:
    # issue 14: this exited 2 (bonus / deduction indicators refused); the points now count in every run
    out = tmp_path / "composite.json"
    composite = SAMPLE.parents[1] / "jinan_digital_composite" / "long_table.csv"
    code, output = run(
        "uncertainty",
        "--system",
        "jinan_digital_composite",
        "--year",
        "2024",
        str(composite),
        "--out",
        str(out),
        "--replications",
        "45",
    )
    assert code == 0, output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert len(document["units"]) == 14 and document["replications"] == 45  # 7 factors: blocks of 9
    assert {"tier_flip", "p_领先"} <= set(document["units"][0])
    assert {row["assumption"] for row in document["sensitivity"]} >= {"goalposts", "exclusion"}
