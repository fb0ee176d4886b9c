"""A district form read under another system (issue 17): a form of an unrelated system is one error that names
both systems, not one error per row and per missing indicator; a form of a system that a composite includes is
read under the composite without errors or warnings about the rows the other included systems have."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.io import read_data
from scoring.problems import Severity, SubmissionError
from scoring.shipped import sample_inputs_dir, shipped_systems_dir
from scoring.system import IndicatorSystem, load_system

SMART_CITY_FORM = sorted((sample_inputs_dir() / "jinan_smart_city" / "forms").glob("*.xlsx"))[0]


def system(name: str) -> IndicatorSystem:
    return load_system(shipped_systems_dir() / f"{name}.yaml")


def test_a_form_of_another_system_is_one_error_naming_both_systems() -> None:
    with pytest.raises(SubmissionError) as raised:
        read_data([SMART_CITY_FORM], system("jinan_district_digital"))
    [problem] = raised.value.problems
    assert problem.code == "form.other_system" and problem.severity is Severity.ERROR
    assert problem.location.cell == "B4" and problem.unit == "370102"
    assert problem.message_zh.startswith(
        "这份填报表属于另一个指标体系 jinan-smart-city（版本 2025.1），不是本次评价所用的"
        "“济南市区县数字化发展水平评价指标体系”（jinan-district-digital）"
    )
    assert "check the form against the system jinan-smart-city" in problem.message_en


def test_a_form_of_an_included_system_is_read_under_the_composite(tmp_path: Path) -> None:
    dataset = read_data([SMART_CITY_FORM], system("jinan_digital_composite"))
    codes = {p.code for p in dataset.problems}
    assert "form.system_mismatch" not in codes and "form.missing_indicator" not in codes
    assert not dataset.has_errors
    assert dataset.values["indicator_code"].str.startswith("SC-").all() and len(dataset.values) > 0
