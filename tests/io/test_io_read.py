"""Reading forms, long and wide tables: the values kept, and exactly which problem is reported where."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from scoring.io import read_bytes, read_data, write_template
from scoring.problems import Severity, SubmissionError
from scoring.system.models import IndicatorSystem, Node

LONG_HEADER = ["unit_code", "indicator_code", "year", "value"]


def values_of(dataset: Any) -> dict[tuple[str, str, int], tuple[float | None, str]]:
    """(unit, indicator, year) → (value or None for NaN, status)."""
    return {
        (r.unit_code, r.indicator_code, r.year): (None if math.isnan(r.value) else r.value, r.status)
        for r in dataset.values.itertuples()
    }


def fill_form(path: Path, cells: dict[str, Any]) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["数据填报"]
    for ref, value in cells.items():
        sheet[ref] = value
    workbook.save(path)


# ------------------------------------------------------------------------------------------------ district form


def test_form_reports_each_bad_cell_once_with_its_place(
    system: IndicatorSystem, tmp_path: Path, kit: Any
) -> None:
    path = tmp_path / "form_370102.xlsx"
    write_template(system, "370102", path, [2023, 2024])
    # rows: 9 DI-01 (个/万人, ≥0), 10 DI-02 (%, 0–100), 11 DI-08 (亿元), 12 DI-09 (%, −100–1000),
    # 13 DI-12 (个, optional), 14 DI-31 (起, no range); G = 2023, H = 2024
    fill_form(
        path,
        {
            "G9": "abc",
            "H9": "1,234.5",
            "G10": "35%",
            "H10": 135,
            "G11": "=SUM(1,2)",
            "H11": "#DIV/0!",
            "G12": "12%",
            "H12": "1,23",
            "H13": "N/A",
            "G14": "5%",
        },
    )

    dataset = read_data([path], system)

    got = [(p.code, p.severity, p.location.cell, p.unit, p.indicator, p.year) for p in dataset.problems]
    assert got == [
        ("cell.not_number", Severity.ERROR, "G9", "370102", "DI-01", 2023),
        ("cell.thousands_separator", Severity.INFO, "H9", "370102", "DI-01", 2024),
        ("cell.percent_sign", Severity.INFO, "G10", "370102", "DI-02", 2023),
        ("cell.out_of_range", Severity.ERROR, "H10", "370102", "DI-02", 2024),
        ("cell.formula_no_value", Severity.ERROR, "G11", "370102", "DI-08", 2023),
        ("cell.not_number", Severity.ERROR, "H11", "370102", "DI-08", 2024),
        ("cell.percent_sign", Severity.INFO, "G12", "370102", "DI-09", 2023),
        ("cell.ambiguous_separator", Severity.ERROR, "H12", "370102", "DI-09", 2024),
        # DI-12 is optional but the system does not let a unit mark it 不适用
        ("cell.not_applicable_refused", Severity.ERROR, "H13", "370102", "DI-12", 2024),
        ("cell.percent_ambiguous", Severity.ERROR, "G14", "370102", "DI-31", 2023),
        ("cell.required_missing", Severity.ERROR, "H14", "370102", "DI-31", 2024),
    ]
    assert {(p.location.file, p.location.sheet) for p in dataset.problems} == {
        ("form_370102.xlsx", "数据填报")
    }
    by_cell = {p.location.cell: p for p in dataset.problems}
    assert by_cell["H11"].params["value"] == "#DIV/0!"
    assert by_cell["G11"].params["formula"] == "=SUM(1,2)"
    assert by_cell["H10"].message_zh == (
        "“千兆宽带用户占比”的数值 135 超出允许范围 [0, 100]（计量单位：%）；请核对数值和计量单位后重新填写"
    )
    assert by_cell["G14"].message_zh.startswith(
        "数值“5%”含百分号，但该指标的计量单位是“起”，无法确定含义；请去掉百分号"
    )
    for problem in dataset.problems:
        assert kit.has_chinese(problem.message_zh), problem
        assert "{" not in problem.message_zh + problem.message_en, problem

    values = values_of(dataset)
    assert values[("370102", "DI-01", 2024)] == (1234.5, "value")
    assert values[("370102", "DI-02", 2023)] == (35.0, "value")
    assert values[("370102", "DI-09", 2023)] == (12.0, "value")
    # cells with an error stay in the data as missing; the empty optional cell too, without a problem
    for key in [("370102", "DI-01", 2023), ("370102", "DI-02", 2024), ("370102", "DI-08", 2023)]:
        assert values[key] == (None, "missing")
    assert values[("370102", "DI-12", 2023)] == (None, "missing")
    assert values[("370102", "DI-12", 2024)] == (None, "missing")  # 不适用 refused: an error, not used
    assert len(values) == 12


def test_form_of_a_unit_outside_the_system(system: IndicatorSystem, tmp_path: Path, kit: Any) -> None:
    path = tmp_path / "form.xlsx"
    write_template(system, "370112", path, [2024])
    fill_form(path, {"G9": "x"})
    smaller = system.model_copy(update={"units": system.units[:2]})

    dataset = read_data([path], smaller)

    unknown = kit.by_code(dataset.problems, "data.unknown_unit")
    assert [kit.where(p) for p in unknown] == [("form.xlsx", "数据填报", "B2", "370112", None, None)]
    assert unknown[0].message_zh == "区县编码 370112 不在区县名单中；请填写名单中的区县编码，如 370102"
    # the cells are still checked, but nothing of an unknown unit is kept, and no value is "missing"
    assert [p.location.cell for p in kit.by_code(dataset.problems, "cell.not_number")] == ["G9"]
    assert not kit.by_code(dataset.problems, "cell.required_missing")
    assert dataset.values.empty


def test_form_written_for_another_version_and_with_a_row_deleted(
    system: IndicatorSystem, tmp_path: Path, kit: Any
) -> None:
    path = tmp_path / "form.xlsx"
    write_template(system, "370102", path, [2024])
    workbook = openpyxl.load_workbook(path)
    workbook["数据填报"].delete_rows(11)  # the DI-08 row
    workbook.save(path)
    newer = system.model_copy(update={"version": "2026.1"})

    dataset = read_data([path], newer)

    mismatch = kit.by_code(dataset.problems, "form.system_mismatch")
    assert [(p.severity, p.location.cell) for p in mismatch] == [(Severity.WARNING, "B4")]
    assert "2026.1" in mismatch[0].message_zh
    missing_row = kit.by_code(dataset.problems, "form.missing_indicator")
    assert [(p.indicator, p.unit, p.location.cell) for p in missing_row] == [("DI-08", "370102", "")]
    assert ("370102", "DI-08", 2024) not in values_of(dataset)


def test_form_with_unknown_indicator_row_and_bad_year_header(
    system: IndicatorSystem, tmp_path: Path, kit: Any
) -> None:
    path = tmp_path / "form.xlsx"
    write_template(system, "370102", path, [2023, 2024])
    fill_form(path, {"A9": "DI-99", "G9": 5, "H8": "2024上半年", "H10": 50})

    dataset = read_data([path], system)

    assert [kit.where(p) for p in kit.by_code(dataset.problems, "data.unknown_indicator")] == [
        ("form.xlsx", "数据填报", "A9", "370102", "DI-99", None)
    ]
    assert [p.location.cell for p in kit.by_code(dataset.problems, "data.bad_year")] == ["H8"]
    assert [p.indicator for p in kit.by_code(dataset.problems, "form.missing_indicator")] == ["DI-01"]
    assert set(dataset.values["year"]) == {2023}  # the column with the bad year is not read


# ------------------------------------------------------------------------------------------------ long tables


LONG_ROWS: list[list[object]] = [
    ["区县编码", "指标编码", "年份", "数值", "备注"],
    ["370102", "DI-01", "2024", "45.5", "年末数"],
    ["370102", "DI-02", "2024", "不适用", ""],
    ["370103", "DI-01", "2024", "１２．５", ""],
    ["370103", "DI-99", "2024", "3", ""],
    ["999999", "DI-01", "2024", "3", ""],
    ["370104", "DI-01", "二〇二四", "3", ""],
    ["", "DI-01", "2024", "3", ""],
    ["", "", "", "", ""],
    ["370104", "DI-08", "2024年", "", ""],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_long_csv_in_each_encoding(system: IndicatorSystem, tmp_path: Path, kit: Any, encoding: str) -> None:
    path = kit.csv(tmp_path / "long.csv", LONG_ROWS, encoding)

    dataset = read_data([path], system)

    assert values_of(dataset) == {
        ("370102", "DI-01", 2024): (45.5, "value"),
        ("370102", "DI-02", 2024): (None, "not_applicable"),
        ("370103", "DI-01", 2024): (12.5, "value"),
        ("370104", "DI-08", 2024): (None, "missing"),
    }
    got = [(p.code, p.location.cell, p.unit, p.indicator, p.year) for p in dataset.problems]
    assert got == [
        ("data.unknown_indicator", "B5", "370103", "DI-99", None),
        ("data.bad_year", "C7", "370104", "DI-01", None),
        ("data.unknown_unit", "A6", "999999", None, None),
        ("data.missing_unit_code", "A8", None, None, None),
        ("cell.not_applicable", "D3", "370102", "DI-02", 2024),
        ("cell.full_width", "D4", "370103", "DI-01", 2024),
        ("cell.required_missing", "D10", "370104", "DI-08", 2024),
    ]
    assert all(p.location.file == "long.csv" and p.location.sheet == "" for p in dataset.problems)
    assert dataset.values.loc[0, "location"] == "long.csv!D2"


def test_long_xlsx_with_english_headers_numbers_and_float_years(
    system: IndicatorSystem, tmp_path: Path, kit: Any
) -> None:
    path = kit.xlsx(
        tmp_path / "long.xlsx",
        {
            "data": [
                ["Unit Code", "Indicator_Code", "Year", "Value", "unit_name"],
                [370102, "DI-08", 2024.0, 1500, "历下区"],
                [370103, "DI-08", 2024, "=A2*2", "市中区"],
            ]
        },
    )
    dataset = read_data([path], system)
    assert values_of(dataset) == {
        ("370102", "DI-08", 2024): (1500.0, "value"),
        ("370103", "DI-08", 2024): (None, "missing"),
    }
    assert [(p.code, p.location.sheet, p.location.cell) for p in dataset.problems] == [
        ("cell.formula_no_value", "data", "D3")
    ]


# ------------------------------------------------------------------------------------------------ wide tables


def test_wide_xlsx_one_sheet_per_year(system: IndicatorSystem, tmp_path: Path, kit: Any) -> None:
    path = kit.xlsx(
        tmp_path / "wide.xlsx",
        {
            "2023": [
                ["区县编码", "区县名称", "DI-01", "DI-02", "DI-99"],
                [370102, "历下区", 40, 30, 1],
                [370103, "市中区", "#DIV/0!", 25, 1],
            ],
            "2024年": [
                ["unit_code", "DI-01", "DI-02"],
                ["370102", 42, "=1/0"],
                [None, None, None],
                ["370104", "  ", 28],
            ],
            "说明": [["本表由统计局提供"]],
        },
    )

    dataset = read_data([path], system)

    assert values_of(dataset) == {
        ("370102", "DI-01", 2023): (40.0, "value"),
        ("370102", "DI-02", 2023): (30.0, "value"),
        ("370103", "DI-01", 2023): (None, "missing"),
        ("370103", "DI-02", 2023): (25.0, "value"),
        ("370102", "DI-01", 2024): (42.0, "value"),
        ("370102", "DI-02", 2024): (None, "missing"),
        ("370104", "DI-01", 2024): (None, "missing"),
        ("370104", "DI-02", 2024): (28.0, "value"),
    }
    got = [
        (p.code, p.severity, p.location.sheet, p.location.cell, p.unit, p.indicator, p.year)
        for p in dataset.problems
    ]
    assert got == [
        ("data.unknown_indicator", Severity.ERROR, "2023", "E1", None, "DI-99", None),
        ("file.sheet_ignored", Severity.WARNING, "说明", "", None, None, None),
        ("cell.not_number", Severity.ERROR, "2023", "C3", "370103", "DI-01", 2023),
        ("cell.formula_no_value", Severity.ERROR, "2024年", "C2", "370102", "DI-02", 2024),
        ("cell.required_missing", Severity.ERROR, "2024年", "B4", "370104", "DI-01", 2024),
    ]
    assert dataset.problems[2].params == {"value": "#DIV/0!"}


def test_wide_csv_year_from_file_name_or_column(system: IndicatorSystem, tmp_path: Path, kit: Any) -> None:
    by_name = kit.csv(tmp_path / "wide_2024.csv", [["unit_code", "DI-01"], ["370102", "50"]])
    by_column = kit.csv(
        tmp_path / "wide.csv",
        [["年份", "区县编码", "DI-01"], ["2022", "370102", "44"], ["2O23", "370102", "45"]],
    )

    dataset = read_data([by_name, by_column], system)

    assert values_of(dataset) == {
        ("370102", "DI-01", 2024): (50.0, "value"),
        ("370102", "DI-01", 2022): (44.0, "value"),
    }
    assert [(p.code, p.location.file, p.location.cell, p.params) for p in dataset.problems] == [
        ("data.bad_year", "wide.csv", "A3", {"value": "2O23"})
    ]


def test_wide_csv_without_any_year_is_unusable(system: IndicatorSystem, tmp_path: Path, kit: Any) -> None:
    path = kit.csv(tmp_path / "wide_2023_2024.csv", [["unit_code", "DI-01"], ["370102", "50"]])
    with pytest.raises(SubmissionError) as caught:
        read_data([path], system)
    assert [(p.code, p.location.file, p.params) for p in caught.value.problems] == [
        ("data.bad_year", "wide_2023_2024.csv", {"value": "wide_2023_2024.csv"})
    ]


# ------------------------------------------------------------------------------------------------ across cells


def test_duplicates_within_and_across_files_keep_the_first(
    system: IndicatorSystem, tmp_path: Path, kit: Any
) -> None:
    form = tmp_path / "form.xlsx"
    write_template(system, "370102", form, [2024])
    fill_form(form, {"G9": 40, "G10": 30, "G11": 100, "G12": 5, "G13": "", "G14": 2})
    long = kit.csv(
        tmp_path / "long.csv",
        [
            LONG_HEADER,
            ["370102", "DI-01", "2024", "41"],
            ["370103", "DI-01", "2024", "7"],
            ["370103", "DI-01", "2024", "8"],
        ],
    )

    dataset = read_data([form, long], system)

    duplicates = kit.by_code(dataset.problems, "data.duplicate")
    assert [(kit.where(p), p.params["other"]) for p in duplicates] == [
        (("long.csv", "", "D2", "370102", "DI-01", 2024), "form.xlsx!数据填报!G9"),
        (("long.csv", "", "D4", "370103", "DI-01", 2024), "long.csv!D3"),
    ]
    assert duplicates[0].message_zh.startswith(
        "指标 DI-01“每万人5G基站数”在 2024 年重复填报（另见 form.xlsx!数据填报!G9）；请只保留一处"
    )
    values = values_of(dataset)
    assert values[("370102", "DI-01", 2024)] == (40.0, "value")
    assert values[("370103", "DI-01", 2024)] == (7.0, "value")
    assert len(dataset.values) == 6 + 1


def test_an_empty_cell_is_no_duplicate_and_not_missing_when_another_file_has_the_value(
    system: IndicatorSystem, tmp_path: Path, kit: Any
) -> None:
    form = tmp_path / "form.xlsx"
    write_template(system, "370102", form, [2024])
    fill_form(form, {"G9": 40, "G10": 30, "G11": 100, "G12": 5, "G13": 1})  # DI-31 (row 14) left empty
    long = kit.csv(tmp_path / "long.csv", [LONG_HEADER, ["370102", "DI-31", "2024", "3"]])

    dataset = read_data([form, long], system)

    assert dataset.problems == []
    assert values_of(dataset)[("370102", "DI-31", 2024)] == (3.0, "value")
    assert dataset.values.set_index("indicator_code").loc["DI-31", "location"] == "long.csv!D2"


def test_wrong_magnitude_against_the_median_of_the_others(
    system: IndicatorSystem, tmp_path: Path, kit: Any
) -> None:
    path = kit.csv(
        tmp_path / "wide_2024.csv",
        [
            ["unit_code", "DI-08", "DI-02", "DI-09", "DI-01"],
            ["370102", "100", "30", "-5", "50"],
            ["370103", "120", "35", "0.01", "0"],
            ["370104", "90", "40", "20", "0"],
            ["370105", "110", "38", "15", "0"],
            ["370112", "1000000", "0.35", "12", "0.1"],
        ],
    )

    dataset = read_data([path], system)

    warnings = kit.by_code(dataset.problems, "cell.wrong_magnitude")
    # DI-08: others 90, 100, 110, 120 → median 105, 1 000 000 / 105 ≈ 9524
    # DI-02: others 30, 35, 38, 40 → median 36.5, 36.5 / 0.35 ≈ 104
    # DI-09 has a negative value: skipped; DI-01 has only one other positive value: not compared
    assert [(p.location.cell, p.unit, p.indicator, p.params) for p in warnings] == [
        ("B6", "370112", "DI-08", {"value": "1000000", "factor": "9524", "median": "105"}),
        ("C6", "370112", "DI-02", {"value": "0.35", "factor": "104", "median": "36.5"}),
    ]
    assert all(p.severity is Severity.WARNING for p in warnings)
    assert len(dataset.problems) == 2
    # a warning does not drop the value
    assert values_of(dataset)[("370112", "DI-08", 2024)] == (1_000_000.0, "value")


# ------------------------------------------------------------------------------------------------ more


def test_read_bytes_matches_read_data(system: IndicatorSystem, tmp_path: Path, kit: Any) -> None:
    path = kit.csv(tmp_path / "long.csv", LONG_ROWS, "gbk")
    from_disk = read_data([path], system)
    from_memory = read_bytes(path.read_bytes(), "long.csv", system)
    pd.testing.assert_frame_equal(from_disk.values, from_memory.values)
    assert from_disk.problems == from_memory.problems


def test_dataset_columns_have_the_long_table_types(system: IndicatorSystem, tmp_path: Path, kit: Any) -> None:
    path = kit.csv(tmp_path / "wide_2024.csv", [["unit_code", "DI-01"], ["370102", "50"]])
    values = read_data([path], system).values
    # every value keeps its 备注 (issue 12): a wide table has none per value
    columns = ["unit_code", "indicator_code", "year", "value", "status", "location", "remark"]
    assert list(values.columns) == columns
    assert values["year"].dtype == "int64"
    assert values["value"].dtype == "float64"
    assert values.iloc[0].to_dict() == {
        "unit_code": "370102",
        "indicator_code": "DI-01",
        "year": 2024,
        "value": 50.0,
        "status": "value",
        "location": "wide_2024.csv!B2",
        "remark": "",
    }


def test_a_system_with_an_indicator_at_the_top_level(
    system: IndicatorSystem, tmp_path: Path, kit: Any
) -> None:
    flat = system.model_copy(update={"tree": [*system.tree, Node(code="Z-1", name="顶层指标", unit="个")]})
    path = tmp_path / "form.xlsx"
    write_template(flat, "370102", path, [2024])
    assert openpyxl.load_workbook(path)["数据填报"]["B15"].value in (None, "")  # no dimension to name
    fill_form(path, {"G15": 3})
    assert values_of(read_data([path], flat))[("370102", "Z-1", 2024)] == (3.0, "value")


def test_not_applicable_only_where_the_system_allows_it(
    system: IndicatorSystem, tmp_path: Path, kit: Any
) -> None:
    """DI-02 allows 不适用 for every unit; DI-01 for none: there the cell is an error that names the unit, the
    indicator and the cell and says what to write instead, in Chinese and English; the value is not used."""
    path = tmp_path / "form_370102.xlsx"
    write_template(system, "370102", path, [2024])
    fill_form(path, {"G9": "不适用", "G10": "不适用", "G11": 1, "G12": 2, "G14": 3})

    dataset = read_data([path], system)

    assert [(p.code, p.location.cell) for p in dataset.problems] == [
        ("cell.not_applicable_refused", "G9"),
        ("cell.not_applicable", "G10"),
    ]
    refused = dataset.problems[0]
    assert refused.severity is Severity.ERROR
    assert "历下区" in refused.message_zh and "DI-01" in refused.message_zh and "G9" in refused.message_zh
    assert "请填写数值" in refused.message_zh and "数据缺失" in refused.message_zh
    assert "not allowed" in refused.message_en and "G9" in refused.message_en
    assert "allowed for: none" in refused.message_en
    got = values_of(dataset)
    assert got[("370102", "DI-01", 2024)] == (None, "missing")
    assert got[("370102", "DI-02", 2024)] == (None, "not_applicable")


def test_not_applicable_for_listed_units_only(system: IndicatorSystem, tmp_path: Path) -> None:
    """``not_applicable: [codes]``: only the listed units may write it."""
    tree = [
        dimension.model_copy(
            update={
                "children": [
                    child.model_copy(update={"not_applicable": ["370103"]})
                    if child.code == "DI-01"
                    else child
                    for child in dimension.children or []
                ]
            }
        )
        for dimension in system.tree
    ]
    listed = system.model_copy(update={"tree": tree})
    rows = [["unit_code", "indicator_code", "year", "value"]]
    rows += [["370102", "DI-01", "2024", "不适用"], ["370103", "DI-01", "2024", "不适用"]]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")

    dataset = read_data([path], listed)

    refused = [p for p in dataset.problems if p.code == "cell.not_applicable_refused"]
    assert [(p.unit, p.location.cell) for p in refused] == [("370102", "D2")]
    assert "市中区" in refused[0].message_zh  # the unit that may
    assert values_of(dataset)[("370103", "DI-01", 2024)] == (None, "not_applicable")
