"""District forms and department sheets of a system whose indicators departments supply: the form shows them
read-only with the department's name (or leaves them out), a value typed there anyway is not taken as the
district's but named in a warning, and the blank department sheet reads back as a long table."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from scoring.io import read_data, write_template
from scoring.io.department_sheet import DEPARTMENT_SHEET, write_department_sheet
from scoring.shipped import systems_dir
from scoring.system import load_system, parse_system

SMART = load_system(systems_dir() / "jinan_smart_city.yaml")


def _rows(path: Path) -> dict[str, list[object]]:
    sheet = openpyxl.load_workbook(path)["数据填报"]
    return {str(row[0].value): [c.value for c in row] for row in sheet.iter_rows(min_row=9)}


def test_a_value_typed_on_a_department_row_is_not_the_districts(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    write_template(SMART, "370102", path, [2023, 2024])
    rows = _rows(path)
    assert rows["SC-D-01"][2] == "千兆光网家庭覆盖率（由省通信管理局济南分局提供）"
    header = [cell.value for cell in openpyxl.load_workbook(path)["数据填报"][8]]
    assert rows["SC-D-01"][header.index("数据来源")].startswith("省通信管理局济南分局统一提供，区县不填")
    assert rows["SC-D-01"][header.index("提供单位")] == "省通信管理局济南分局"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["数据填报"]
    row = next(r for r in sheet.iter_rows(min_row=9) if r[0].value == "SC-D-01")
    assert row[6].protection.locked is not False  # the year cells of a department row stay locked
    row[6].value, row[7].value = 55, 56.5  # typed anyway (protection removed)
    own = next(r for r in sheet.iter_rows(min_row=9) if r[0].value == "SC-A1-01")
    own[7].value = 80
    workbook.save(path)
    data = read_data([path], SMART)
    assert set(data.values["indicator_code"]) == set(SMART.collected_codes) - set(SMART.providers)
    warned = [p for p in data.problems if p.code == "submission.department_value"]
    assert [(p.indicator, p.year, p.params["value"], p.location.cell) for p in warned] == [
        ("SC-D-01", 2023, "55", f"G{row[6].row}"),
        ("SC-D-01", 2024, "56.5", f"H{row[6].row}"),
    ]
    assert "不作为本区县数据" in warned[0].message_zh and "not taken as the unit's" in warned[0].message_en
    # the department's rows are not the district's to fill: no problem says they are missing
    assert not [
        p for p in data.problems if p.indicator in SMART.providers and p.code != "submission.department_value"
    ]


def test_omit_leaves_the_department_rows_out_of_the_form(tmp_path: Path) -> None:
    text = (systems_dir() / "jinan_smart_city.yaml").read_text(encoding="utf-8")
    omitted = parse_system(
        text.replace("department_indicators: read_only", "department_indicators: omit"), systems_dir()
    )
    path = tmp_path / "form.xlsx"
    write_template(omitted, "370102", path, [2024])
    codes = [code for code in _rows(path) if code != "None"]
    assert codes == [node.code for node in omitted.district_collected]
    data = read_data([path], omitted)
    assert not [p for p in data.problems if p.code == "form.missing_indicator"]


def test_the_blank_department_sheet_reads_back_as_a_long_table(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    write_department_sheet(SMART, "JN-DSJ", path, [2023, 2024])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[DEPARTMENT_SHEET]
    rows = list(sheet.iter_rows(min_row=6))
    # 14 units × SC-E-01, SC-E-02, SC-I-01, SC-I-02 × 2 years, units in the system's order
    assert len(rows) == 14 * 4 * 2
    assert [rows[i][0].value for i in (0, 8)] == ["370102", "370103"]
    for i, row in enumerate(rows):
        row[7].value = i % 100  # 0, 1, 2, … in row order (rates: within 0–100)
    rows[3][8].value = "平台导出"
    workbook.save(path)
    data = read_data([path], SMART)
    assert not data.problems
    values = data.values.set_index(["unit_code", "indicator_code", "year"])["value"]
    assert values[("370102", "SC-E-01", 2023)] == 0 and values[("370103", "SC-E-01", 2023)] == 8
    assert data.values["remark"].tolist().count("平台导出") == 1


def test_the_cli_writes_a_department_sheet_and_names_an_unknown_department(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from scoring.cli import app

    runner = CliRunner(env={"COLUMNS": "250"})
    system = str(systems_dir() / "jinan_smart_city.yaml")
    out = tmp_path / "tjj.xlsx"
    written = runner.invoke(
        app, ["template", "--system", system, "--department", "JN-TJJ", "--year", "2024", "--out", str(out)]
    )
    assert written.exit_code == 0, written.output
    rows = list(openpyxl.load_workbook(out)[DEPARTMENT_SHEET].iter_rows(min_row=6, values_only=True))
    assert len(rows) == 14 and {row[2] for row in rows} == {"SC-F-02"}  # 网络零售额增速, 14 units, 2024
    refused = runner.invoke(app, ["template", "--system", system, "--department", "XX", "--out", str(out)])
    assert refused.exit_code == 2 and "XX" in refused.output and "JN-TJJ" in refused.output


def test_the_department_sheet_prints(tmp_path: Path) -> None:
    """Printed (issue 17): A4 landscape, every column on the page's width, the table header on every page,
    page numbers; the instructions' rows as high as their wrapped text."""
    path = tmp_path / "dept.xlsx"
    write_department_sheet(SMART, "JN-DSJ", path, [2023, 2024])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[DEPARTMENT_SHEET]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$5:$5"
    assert sheet.print_area == f"'{DEPARTMENT_SHEET}'!$A$1:$I${sheet.max_row}"
    assert "&P" in sheet.oddFooter.center.text
    instructions = workbook["填报说明"]
    assert all(instructions.row_dimensions[r].height for r in range(1, instructions.max_row + 1))
