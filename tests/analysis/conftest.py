"""The shipped Jinan sample (14 units, 31 indicators, 2022–2024), read once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

import scoring.system  # noqa: F401  (the system package first: see tests/pipeline/test_imports.py)
from scoring.data import Dataset
from scoring.evaluate import Evaluation, evaluate
from scoring.io import read_data
from scoring.system import IndicatorSystem, load_system

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_inputs" / "jinan" / "long_table.csv"


@pytest.fixture(scope="session")
def jinan() -> IndicatorSystem:
    return load_system(ROOT / "indicators" / "jinan_district_digital.yaml")


@pytest.fixture(scope="session")
def jinan_data(jinan: IndicatorSystem) -> Dataset:
    return read_data([SAMPLE], jinan)


@pytest.fixture(scope="session")
def jinan_2024(jinan: IndicatorSystem, jinan_data: Dataset) -> Evaluation:
    return evaluate(jinan, jinan_data, 2024)
