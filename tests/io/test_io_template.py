"""The district form: its fixed cells, validation and protection, and the round trip through Excel."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from scoring.io import read_data, write_all_templates, write_template
from scoring.problems import DigiscoreError
from scoring.system.models import IndicatorSystem


def test_form_has_the_documented_fixed_cells(system: IndicatorSystem, tmp_path: Path) -> None:
    path = tmp_path / "370103.xlsx"
    write_template(system, "370103", path, [2024, 2023])

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["填报说明", "数据填报"]
    sheet = workbook["数据填报"]
    block = [(sheet[f"A{r}"].value, sheet[f"B{r}"].value) for r in range(2, 7)]
    assert block == [
        ("区县编码", "370103"),
        ("区县名称", "市中区"),
        ("指标体系", "test-district"),
        ("体系版本", "2025.1"),
        ("表单格式", "digiscore-form-1"),
    ]
    header = [cell.value for cell in sheet[8]]
    # years are sorted and written as numbers
    assert header == [
        "指标编码",
        "一级指标",
        "指标名称",
        "计量单位",
        "方向",
        "允许范围",
        2023,
        2024,
        "数据来源",
        "备注",
    ]
    rows = [[cell.value for cell in row[:6]] for row in sheet.iter_rows(min_row=9, max_row=14)]
    assert [r[0] for r in rows] == system.indicator_codes
    assert rows[0] == ["DI-01", "数字基础设施", "每万人5G基站数", "个/万人", "正向", "≥ 0"]
    assert rows[1][5] == "0 ~ 100"
    assert rows[4][2] == "省级特色软件产业园区数（选填）"
    assert rows[5][4:] == ["逆向", "不限"]
    assert sheet["I9"].value == "工信局"


def test_form_is_protected_with_only_year_and_remark_cells_open(
    system: IndicatorSystem, tmp_path: Path
) -> None:
    path = tmp_path / "form.xlsx"
    write_template(system, "370102", path, [2023, 2024])
    sheet = openpyxl.load_workbook(path)["数据填报"]

    assert sheet.protection.sheet
    unlocked = {
        cell.coordinate
        for row in sheet.iter_rows(min_row=1, max_row=14, max_col=10)
        for cell in row
        if cell.protection.locked is False
    }
    expected = {f"{col}{row}" for row in range(9, 15) for col in "GHJ"}
    assert unlocked == expected


def test_year_cells_validate_range_or_not_applicable(system: IndicatorSystem, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    write_template(system, "370102", path, [2023, 2024])
    sheet = openpyxl.load_workbook(path)["数据填报"]

    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert set(rules) == {f"G{r}:H{r}" for r in range(9, 15)}
    assert rules["G10:H10"].type == "custom"
    assert rules["G10:H10"].formula1 == 'OR(G10="不适用",AND(ISNUMBER(G10),G10>=0,G10<=100))'
    assert rules["G9:H9"].formula1 == 'OR(G9="不适用",AND(ISNUMBER(G9),G9>=0))'
    assert rules["G14:H14"].formula1 == 'OR(G14="不适用",ISNUMBER(G14))'  # DI-31: no range
    assert rules["G10:H10"].errorStyle in (None, "stop")  # absent means "stop" in OOXML
    assert rules["G10:H10"].showErrorMessage


def test_instructions_are_in_chinese_and_name_the_district(system: IndicatorSystem, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    write_template(system, "370104", path, [2024])
    text = "\n".join(str(c.value) for c in openpyxl.load_workbook(path)["填报说明"]["A"] if c.value)
    assert "槐荫区（区县编码 370104）" in text
    assert "不适用" in text
    assert "公式" in text
    assert "不要增加或删除行、列" in text


def test_unknown_unit_is_refused(system: IndicatorSystem, tmp_path: Path) -> None:
    with pytest.raises(DigiscoreError) as caught:
        write_template(system, "999999", tmp_path / "x.xlsx", [2024])
    assert caught.value.problems[0].code == "data.unknown_unit"


def test_write_all_templates_writes_one_form_per_unit(system: IndicatorSystem, tmp_path: Path) -> None:
    paths = write_all_templates(system, tmp_path / "forms", [2024])
    assert [p.name for p in paths] == [f"{u.code}_{u.name}.xlsx" for u in system.units]
    # each one reads back as that unit's form: every required value missing, nothing else wrong
    dataset = read_data(paths, system)
    assert sorted(dataset.values["unit_code"].unique()) == system.unit_codes
    assert {p.code for p in dataset.problems} == {"cell.required_missing"}
    assert len(dataset.problems) == 5 * 5  # five units × five required indicators


def test_round_trip_gives_exactly_the_values_filled_in(
    system: IndicatorSystem, tmp_path: Path, kit: Any
) -> None:
    path = tmp_path / "370105_天桥区.xlsx"
    write_template(system, "370105", path, [2023, 2024])
    filled: dict[tuple[str, int], Any] = {
        ("DI-01", 2023): 31.5,
        ("DI-01", 2024): 42,
        ("DI-02", 2023): 18.25,
        ("DI-02", 2024): "不适用",
        ("DI-08", 2023): 120.5,
        ("DI-08", 2024): 133,
        ("DI-09", 2023): -3.5,
        ("DI-09", 2024): 12,
        ("DI-12", 2023): 0,
        ("DI-12", 2024): None,  # optional: may stay empty
        ("DI-31", 2023): 7,
        ("DI-31", 2024): 5,
    }
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["数据填报"]
    for row in range(9, 15):
        code = str(sheet.cell(row, 1).value)
        for col, year in ((7, 2023), (8, 2024)):
            sheet.cell(row, col).value = filled[(code, year)]
    sheet["J9"] = "统计口径：年末数"
    workbook.save(path)

    dataset = read_data([path], system)

    assert kit.by_code(dataset.problems, "cell.not_applicable")[0].location.cell == "H10"
    assert [p.code for p in dataset.problems] == ["cell.not_applicable"]
    got = {
        (r.indicator_code, r.year): (r.value, r.status, r.location)
        for r in dataset.values.itertuples()
        if r.unit_code == "370105"
    }
    assert len(got) == len(filled) == len(dataset.values)
    for (code, year), given in filled.items():
        value, status, location = got[(code, year)]
        row = 9 + system.indicator_codes.index(code)
        assert location == f"370105_天桥区.xlsx!数据填报!{'G' if year == 2023 else 'H'}{row}"
        if isinstance(given, int | float):
            assert (value, status) == (float(given), "value")
        else:
            assert math.isnan(value)
            assert status == ("not_applicable" if given == "不适用" else "missing")
