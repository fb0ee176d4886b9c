"""Upload validation of derived indicators (issue 15 item 1): a derivation the data leave impossible — a divisor
given as 0, a part left empty — is reported when the file is validated, naming the components and pointing at the
part's cell, not only later when the year is scored; a value given for a derived indicator itself is refused with
its parts named."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from scoring.cli import app
from scoring.io import EXIT_CLEAN, EXIT_PROBLEMS, read_data, validate_paths
from scoring.pipeline.derive import derivation_problems
from scoring.system import load_system

ROOT = Path(__file__).resolve().parents[2]
JINAN = load_system(ROOT / "indicators" / "jinan_district_digital.yaml")
FORM = ROOT / "sample_inputs" / "jinan" / "forms" / "370102_历下区.xlsx"


def form_with(tmp_path: Path, cells: dict[tuple[str, int], object]) -> Path:
    """The sample form of 历下区 with some (code, year) cells changed (columns G, H, I are 2022–2024)."""
    path = tmp_path / FORM.name
    shutil.copy(FORM, path)
    book = openpyxl.load_workbook(path)
    sheet = book["数据填报"]
    rows = {sheet.cell(r, 1).value: r for r in range(9, sheet.max_row + 1)}
    for (code, year), value in cells.items():
        sheet.cell(rows[code], 7 + (year - 2022)).value = value
    book.save(path)
    return path


def test_the_sample_forms_give_no_derivation_problem() -> None:
    dataset = read_data(sorted(FORM.parent.glob("*.xlsx")), JINAN)
    assert derivation_problems(JINAN, dataset) == []


def test_a_zero_population_and_an_empty_gdp_are_reported_at_validation_naming_the_parts(
    tmp_path: Path,
) -> None:
    path = form_with(tmp_path, {("C-POP", 2024): 0, ("C-GDP", 2023): None})
    dataset, code = validate_paths([path], JINAN)
    assert code == EXIT_PROBLEMS  # the empty GDP is a required value missing (an error of its own)
    derived = {
        (p.code, p.indicator, p.year): p for p in dataset.problems if p.code.startswith("pipeline.derived")
    }
    # C-POP divides DI-01 (5G per 10 000 residents) and DI-06; C-GDP divides DI-07 and DI-28
    assert sorted(derived) == [
        ("pipeline.derived_missing_part", "DI-07", 2023),
        ("pipeline.derived_missing_part", "DI-28", 2023),
        ("pipeline.derived_zero_division", "DI-01", 2024),
        ("pipeline.derived_zero_division", "DI-06", 2024),
    ]
    zero = derived[("pipeline.derived_zero_division", "DI-01", 2024)]
    assert zero.severity.value == "warning" and zero.unit == "370102"
    assert zero.params["components"] == "C-POP"
    assert "C-POP 年末常住人口" in zero.message_zh and "为 0" in zero.message_zh
    assert "C-POP Resident population at year end" in zero.message_en and "is 0" in zero.message_en
    rows = {c.value: c.row for c in openpyxl.load_workbook(path)["数据填报"]["A"]}
    assert (zero.location.sheet, zero.location.cell) == (
        "数据填报",
        f"I{rows['C-POP']}",
    )  # the divisor's cell
    missing = derived[("pipeline.derived_missing_part", "DI-07", 2023)]
    assert "请填写 C-GDP 地区生产总值" in missing.message_zh and "fill in C-GDP" in missing.message_en
    assert missing.location.cell == f"H{rows['C-GDP']}"


def test_a_part_another_file_may_give_is_not_reported(tmp_path: Path) -> None:
    # a long table of the 5G count alone (a provider's file): no population in it, nothing to report yet
    path = tmp_path / "5g.csv"
    path.write_text("unit_code,indicator_code,year,value\n370102,C-5G,2024,6000\n", encoding="utf-8")
    dataset, code = validate_paths([path], JINAN)
    assert code == EXIT_CLEAN and not [p for p in dataset.problems if p.code.startswith("pipeline.derived")]
    # the same with the population given as 0: the division by zero is reported
    path.write_text(
        "unit_code,indicator_code,year,value\n370102,C-5G,2024,6000\n370102,C-POP,2024,0\n", encoding="utf-8"
    )
    dataset, _ = validate_paths([path], JINAN)
    [zero] = [p for p in dataset.problems if p.indicator == "DI-01"]
    assert zero.code == "pipeline.derived_zero_division" and str(zero.location) == "5g.csv!D3"


def test_a_value_typed_for_a_derived_indicator_is_refused_naming_its_parts(tmp_path: Path) -> None:
    path = tmp_path / "ratio.csv"
    path.write_text("unit_code,indicator_code,year,value\n370102,DI-07,2024,12.5\n", encoding="utf-8")
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["validate", str(path)])
    assert result.exit_code == EXIT_PROBLEMS, result.output
    assert (
        "指标 DI-07“数字经济核心产业增加值占GDP比重”由公式 数字经济核心产业增加值 ÷ 地区生产总值 × 100 计算，不填报"
        in result.output
    )
    assert "C-COREVA 数字经济核心产业增加值、C-GDP 地区生产总值" in result.output
    assert "give its parts instead" in result.output
    dataset = read_data([path], JINAN)
    assert [p.code for p in dataset.problems] == ["data.derived_indicator"]
    assert dataset.problems[0].params["parts"] == "C-COREVA 数字经济核心产业增加值、C-GDP 地区生产总值"
