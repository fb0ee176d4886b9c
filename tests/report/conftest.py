"""Fixtures of the report tests: the Jinan sample round (14 units × 2022–2024) with its three report files built
once per session, and a three-unit system small enough to check every number by hand."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import scoring.system  # noqa: F401  (the system package first: see tests/pipeline/test_imports.py)
from scoring.data import Dataset
from scoring.evaluate import Evaluation, evaluate
from scoring.io import read_data
from scoring.report import build_reports
from scoring.system import IndicatorSystem, load_system

ROOT = Path(__file__).resolve().parents[2]
sys.path.append(str(ROOT))  # for ``tests.report.support`` (pytest puts ``tests/`` on the path, not the root)
FORMS = sorted((ROOT / "sample_inputs" / "jinan" / "forms").glob("*.xlsx"))
PREVIEW_DIR = ROOT / "out" / "test-report"  # /out/ is git-ignored; open the files here to look at them

# Two dimensions weighted 60 / 40, one indicator each, goalposts [0, 100] and [0, 50]: a dimension's score is
# its indicator's score, and the composite is S = 0.6·A + 0.4·B. A1 has a target of 80 by 2025 from a baseline
# of 40 in 2021, so the schedule expects 40 + 40·(2024 − 2021)/(2025 − 2021) = 70 in 2024.
SMALL_SYSTEM = """
method: {normalise: goalpost}
tiers:
  - {name: 好, min: 60}
  - {name: 差, min: 0}
tree:
  - code: A
    name: 基础
    weight: 60
    children:
      - code: A1
        name: 指标甲
        unit: "%"
        weight: 1
        goalposts: [0, 100]
        target: {value: 80, year: 2025, baseline: {value: 40, year: 2021}}
  - code: B
    name: 应用
    weight: 40
    children:
      - {code: B1, name: 指标乙, unit: 个, weight: 1, goalposts: [0, 50]}
"""

# 2023: U1 A=50 B=20 → 38;  U2 A=70 B=80 → 74;  U3 A=20 B=10 → 16
# 2024: U1 A=60 B=60 → 60;  U2 A=70 B=40 → 58;  U3 A=90 B=100 → 94
SMALL_DATA: dict[int, dict[str, dict[str, float | str | None]]] = {
    2023: {"U1": {"A1": 50, "B1": 10}, "U2": {"A1": 70, "B1": 40}, "U3": {"A1": 20, "B1": 5}},
    2024: {"U1": {"A1": 60, "B1": 30}, "U2": {"A1": 70, "B1": 20}, "U3": {"A1": 90, "B1": 50}},
}


@pytest.fixture(scope="session")
def small(make_system: Callable[..., IndicatorSystem], make_dataset: Callable[..., Dataset]) -> Evaluation:
    return evaluate(make_system(SMALL_SYSTEM), make_dataset(SMALL_DATA), 2024)


@pytest.fixture(scope="session")
def jinan() -> Evaluation:
    system = load_system(ROOT / "indicators" / "jinan_district_digital.yaml")
    return evaluate(system, read_data(FORMS, system), 2024)


@pytest.fixture(scope="session")
def jinan_files(jinan: Evaluation) -> dict[str, bytes]:
    """report.docx, report.xlsx and report.html of the Jinan 2024 round, also written to PREVIEW_DIR."""
    files = build_reports(jinan)
    PREVIEW_DIR.mkdir(parents=True, exist_ok=True)
    for fmt, content in files.items():
        (PREVIEW_DIR / f"report.{fmt}").write_bytes(content)
    return files
