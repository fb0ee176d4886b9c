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
        "指标口径",
        "采集方式",
        "提供单位",
        "数据来源",
        "备注",
    ]
    rows = [[cell.value for cell in row[:6]] for row in sheet.iter_rows(min_row=9, max_row=14)]
    assert [r[0] for r in rows] == system.indicator_codes
    assert rows[0] == ["DI-01", "数字基础设施", "每万人5G基站数", "个/万人", "正向", "≥ 0"]
    assert rows[1][5] == "0 ~ 100"
    assert rows[4][2] == "省级特色软件产业园区数（选填）"
    assert rows[5][4:] == ["逆向", "不限"]
    assert sheet["L9"].value == "工信局"
    assert sheet["M9"].value is None  # the 备注 column is the district's: empty on the blank form


def test_form_is_protected_with_only_year_and_remark_cells_open(
    system: IndicatorSystem, tmp_path: Path
) -> None:
    path = tmp_path / "form.xlsx"
    write_template(system, "370102", path, [2023, 2024])
    sheet = openpyxl.load_workbook(path)["数据填报"]

    assert sheet.protection.sheet
    unlocked = {
        cell.coordinate
        for row in sheet.iter_rows(min_row=1, max_row=14, max_col=13)
        for cell in row
        if cell.protection.locked is False
    }
    expected = {f"{col}{row}" for row in range(9, 15) for col in "GHM"}
    assert unlocked == expected


def test_year_cells_validate_range_or_not_applicable(system: IndicatorSystem, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    write_template(system, "370102", path, [2023, 2024])
    sheet = openpyxl.load_workbook(path)["数据填报"]

    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert set(rules) == {f"G{r}:H{r}" for r in range(9, 15)}
    assert rules["G10:H10"].type == "custom"
    # 不适用 only where the system allows it (DI-02); 数据缺失 (with its reason in 备注) everywhere
    assert rules["G10:H10"].formula1 == ('OR(G10="不适用",G10="数据缺失",AND(ISNUMBER(G10),G10>=0,G10<=100))')
    assert rules["G9:H9"].formula1 == 'OR(G9="数据缺失",AND(ISNUMBER(G9),G9>=0))'
    assert rules["G14:H14"].formula1 == 'OR(G14="数据缺失",ISNUMBER(G14))'  # DI-31: no range
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
    sheet["M9"] = "统计口径：年末数"
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


def test_form_shows_definition_collection_and_provider_never_the_internal_remark(
    system: IndicatorSystem, tmp_path: Path
) -> None:
    nodes = {node.code: node for node in system.indicators}
    tree = [
        dimension.model_copy(
            update={
                "children": [
                    child.model_copy(
                        update={
                            "definition": "年末已开通5G基站数 ÷ 年末常住人口（万人）。",
                            "guidance": "没有基站的区县如实填 0。",
                            "collection": "statistics",
                            "remark": "设计说明：可把阈值改为 [0, 15]。",
                        }
                    )
                    if child.code == "DI-01"
                    else child
                    for child in dimension.children or []
                ]
            }
        )
        for dimension in system.tree
    ]
    assert nodes["DI-01"].remark is None
    described = system.model_copy(update={"tree": tree})
    path = tmp_path / "form.xlsx"
    write_template(described, "370102", path, [2024])
    sheet = openpyxl.load_workbook(path)["数据填报"]
    header = [cell.value for cell in sheet[8]]
    column = {name: header.index(name) + 1 for name in ("指标口径", "采集方式", "提供单位", "备注")}
    assert sheet.cell(9, column["指标口径"]).value == (
        "年末已开通5G基站数 ÷ 年末常住人口（万人）。\n填报提示：没有基站的区县如实填 0。"
    )
    assert sheet.cell(9, column["采集方式"]).value == "统计报表"
    assert sheet.cell(9, column["提供单位"]).value == "区县填报"
    assert sheet.cell(10, column["采集方式"]).value == "—"  # DI-02 does not say
    # DI-02 allows 不适用: its definition cell says so
    assert "可填“不适用”" in sheet.cell(10, column["指标口径"]).value
    texts = [str(c.value) for sheet in openpyxl.load_workbook(path) for row in sheet.iter_rows() for c in row]
    assert not any("设计说明" in text or "[0, 15]" in text for text in texts)
    assert all(sheet.cell(row, column["备注"]).value is None for row in range(9, 15))


def test_blank_form_print_setup(system: IndicatorSystem, tmp_path: Path) -> None:
    """Landscape A4, every column on one page's width, the header row repeated on every page, the print area
    the whole table (nothing cut off on the right), page numbers in the footer (issue 17)."""
    path = tmp_path / "form.xlsx"
    write_template(system, "370102", path, [2022, 2023, 2024])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["数据填报"]
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth in (None, 1)) and setup.fitToHeight == 0  # 1 page wide (OOXML default 1)
    assert sheet.print_title_rows == "$8:$8"
    last_column = sheet.max_column
    assert [cell.value for cell in sheet[8]][last_column - 1] == "备注"
    assert sheet.print_area == f"'数据填报'!$A$1:${openpyxl.utils.get_column_letter(last_column)}${8 + 6}"
    assert "&P" in sheet.oddFooter.center.text
    instructions = workbook["填报说明"]
    assert instructions.print_area == f"'填报说明'!$A$1:$A${instructions.max_row}"
    # every wrapped row is given a height: Excel does not grow the rows of a written file
    assert all(sheet.row_dimensions[row].height for row in range(9, 15))


def test_provider_column_names_the_department(tmp_path: Path) -> None:
    """提供单位: the department an indicator's provider names (digital government: 市政务服务中心 …), else 区县填报."""
    from scoring.system import load_system

    system = load_system(Path(__file__).resolve().parents[2] / "indicators" / "jinan_digital_government.yaml")
    path = tmp_path / "form.xlsx"
    write_template(system, "370102", path, [2024])
    sheet = openpyxl.load_workbook(path)["数据填报"]
    header = [cell.value for cell in sheet[8]]
    col = header.index("提供单位") + 1
    shown = {sheet.cell(row, 1).value: sheet.cell(row, col).value for row in range(9, sheet.max_row + 1)}
    expected = {
        node.code: system.department_names[node.provider] if node.provider else "区县填报"
        for node in system.collected
    }
    assert shown == expected
    assert {"区县填报", "市政务服务中心"} <= set(shown.values())


def test_printed_form_cuts_nothing_off(tmp_path: Path) -> None:
    """Printed (issue 17): the composite system's 一级指标 (数字经济（区县数字化发展水平）, three lines in its
    column) gets rows high enough; the header block's values span two columns, so jinan-digital-composite is
    not cut at the narrow 一级指标 column; the instructions number their points in order (no 九之一, which read
    as a drafting mark), name the system by its name and print page numbers."""
    from scoring.system import load_system

    system = load_system(Path(__file__).resolve().parents[2] / "indicators" / "jinan_digital_composite.yaml")
    path = tmp_path / "form.xlsx"
    write_template(system, "370102", path, [2023, 2024])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["数据填报"]
    assert {"B2:C2", "B4:C4", "B6:C6"} <= {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["B4"].value == system.id
    for row in range(9, sheet.max_row + 1):
        dimension = str(sheet.cell(row, 2).value)
        # 12 characters wide: about 5 CJK characters a line, 15 points a line
        lines = math.ceil(sum(2 if ord(ch) > 0x2E80 else 1.1 for ch in dimension) / 11)
        assert (sheet.row_dimensions[row].height or 15) >= 15 * lines, (row, dimension)
    instructions = workbook["填报说明"]
    text = [str(c.value) for c in instructions["A"] if c.value]
    assert not any("之一" in line or "之二" in line for line in text)
    assert any(line.startswith("（1）以下指标") for line in text)
    assert any(system.name in line and line.startswith("指标体系：") for line in text)
    assert "&P" in instructions.oddFooter.center.text
