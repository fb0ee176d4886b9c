"""Write the district form (填报表): one workbook per district, laid out as :mod:`scoring.io.form` says."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from scoring.io import form
from scoring.problems import DigiscoreError, Location, Problem
from scoring.system.models import IndicatorSystem, Node, Unit


@dataclass(frozen=True)
class FormFill:
    """What a filled copy of a form holds: values by (indicator, year) — a number, or None for 不适用 — and
    comments on cells by (indicator, year), each shown as an Excel comment on a marked cell."""

    values: Mapping[tuple[str, int], float | None] = field(default_factory=dict)
    comments: Mapping[tuple[str, int], str] = field(default_factory=dict)
    author: str = "评价办"


def write_template(
    system: IndicatorSystem,
    unit_code: str,
    path: Path | str,
    years: Sequence[int],
    fill: FormFill | None = None,
) -> None:
    """Write the form of one district for ``years`` to ``path`` (an ``.xlsx`` file): blank, or with ``fill``
    the values of a version and the reviewer's comments on its cells (the copy a district gets back).

    The form has a 填报说明 sheet and a 数据填报 sheet: a header block with the district code in B2, the table
    header in row 8 and one indicator per row from row 9, one column per year from G. Year cells carry Excel
    data validation (a number in the indicator's accepted range, or the text 不适用); the sheet is protected
    so that only the year cells and the 备注 column can be edited. Raises :class:`DigiscoreError` with
    ``data.unknown_unit`` when the unit is not in the system.
    """
    unit = _unit(system, unit_code)
    year_list = _years(years)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(target))
    try:
        _write_instructions(workbook, system, unit, year_list)
        _write_data_sheet(workbook, system, unit, year_list, fill or FormFill())
    finally:
        workbook.close()


def write_all_templates(system: IndicatorSystem, out_dir: Path | str, years: Sequence[int]) -> list[Path]:
    """Write one form per unit of the system into ``out_dir``; returns the paths written.

    File names are ``{unit code}_{unit name}.xlsx`` (characters that are not allowed in file names replaced
    by ``_``).
    """
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for unit in system.units:
        path = directory / f"{_safe_file_name(unit.code)}_{_safe_file_name(unit.name)}.xlsx"
        write_template(system, unit.code, path, years)
        written.append(path)
    return written


def _unit(system: IndicatorSystem, unit_code: str) -> Unit:
    for unit in system.units:
        if unit.code == unit_code:
            return unit
    raise DigiscoreError(
        Problem("data.unknown_unit", location=Location(), unit=unit_code, params={"unit": unit_code})
    )


def _years(years: Sequence[int]) -> list[int]:
    result = sorted({int(y) for y in years})
    if not result:
        raise ValueError("a form needs at least one year")
    return result


def _safe_file_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "_"


def _write_instructions(
    workbook: xlsxwriter.Workbook, system: IndicatorSystem, unit: Unit, years: list[int]
) -> None:
    sheet = workbook.add_worksheet(form.INSTRUCTIONS_SHEET)
    title = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 110)
    year_text = "、".join(str(y) for y in years)
    first_year_cell = xl_rowcol_to_cell(form.FIRST_INDICATOR_ROW, form.FIRST_YEAR_COL)
    lines: list[tuple[str, object]] = [
        (f"{system.name} 数据填报说明", title),
        (f"区县：{unit.name}（区县编码 {unit.code}）", bold),
        (f"指标体系：{system.id}，版本 {system.version}；共 {len(system.collected)} 项填报数据", bold),
        (f"填报年份：{year_text}", bold),
        ("", wrap),
        (
            "一、请在“数据填报”工作表中，按年份在黄色单元格（自 "
            f"{first_year_cell} 起）内填写各指标的数值。其他单元格已锁定，不能修改。",
            wrap,
        ),
        (
            "二、请按“计量单位”列所示单位填写。例如单位为“亿元”时填写 12.5，不要填写以“万元”计的 125000；"
            "单位为“%”时填写 35 表示 35%，不要填写 0.35。",
            wrap,
        ),
        (
            "三、单元格中只填写数字，不要填写单位、文字或千位分隔符（1,234.5 请填写为 1234.5）；"
            "需要说明的情况请写在“备注”列。",
            wrap,
        ),
        (
            f"四、指标对本区县不适用时，请填写“{form.NOT_APPLICABLE_TEXT}”；确无数据时请留空，并在“备注”中说明原因。"
            "必填指标留空将被判为数据缺失。",
            wrap,
        ),
        ("五、数值应在“允许范围”列所示范围内，超出范围时 Excel 会提示并拒绝输入。", wrap),
        (
            "六、请不要增加或删除行、列，不要修改指标编码、区县编码、表头和工作表名称，不要合并或拆分单元格。",
            wrap,
        ),
        (
            "七、请直接填写数值，不要使用公式；如确需用公式计算，请在 Excel 中计算并保存后再上传"
            "（建议复制后“选择性粘贴 → 数值”），只有公式而没有计算结果的单元格无法读取。不要引用其他工作簿。",
            wrap,
        ),
        ("八、“数据来源”列说明该指标的统计口径和来源部门，供填报时参考。", wrap),
        *_supplied_lines(system, wrap),
        *_derived_lines(system, wrap),
        ("九、填报完成后请保存为 .xlsx 格式上传，不要另存为其他格式，也不要修改文件中的区县编码。", wrap),
    ]
    for row, (text, cell_format) in enumerate(lines):
        sheet.write_string(row, 0, text, cell_format)


def _supplied_lines(system: IndicatorSystem, wrap: object) -> list[tuple[str, object]]:
    """The instruction on the indicators departments supply, when the system has any."""
    if not system.providers:
        return []
    by_department = "；".join(
        f"{name}：{'、'.join(node.code for node in system.supplied_by(code))}"
        for code, name in system.department_names.items()
    )
    shown = (
        "这些指标在本表中以灰色只读显示，区县不需填写，填写的数值不作为本区县数据"
        if system.department_indicators == "read_only"
        else "这些指标不在本表中"
    )
    return [(f"八之二、以下指标由部门为各区县统一提供（{by_department}），{shown}。", wrap)]


def _derived_lines(system: IndicatorSystem, wrap: object) -> list[tuple[str, object]]:
    """The instruction on derived indicators, when the system has any: they are computed, not filled in."""
    if not system.derived:
        return []
    formulas = "；".join(f"{node.code} {node.name} = {node.formula}" for node in system.derived)
    return [
        (
            f"八之一、以下指标由系统根据填报的基础数据计算，不需填写：{formulas}。"
            f"“{form.BASE_DATA_DIMENSION}”（如常住人口、地区生产总值）每年只填一次，供多项指标共用。",
            wrap,
        )
    ]


def _write_data_sheet(
    workbook: xlsxwriter.Workbook, system: IndicatorSystem, unit: Unit, years: list[int], fill: FormFill
) -> None:
    sheet = workbook.add_worksheet(form.DATA_SHEET)
    sheet.activate()
    title = workbook.add_format({"bold": True, "font_size": 14})
    label = workbook.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1})
    fixed = workbook.add_format({"border": 1})
    header = workbook.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "align": "center"})
    locked = workbook.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    value = workbook.add_format({"border": 1, "bg_color": "#FFF2CC", "locked": False})
    remark = workbook.add_format({"border": 1, "locked": False, "text_wrap": True})
    flagged = workbook.add_format(
        {"border": 2, "border_color": "#C00000", "bg_color": "#F8CBAD", "locked": False}
    )

    sheet.write_string(form.TITLE_ROW, 0, f"{system.name}（{system.version}）数据填报表", title)
    block = [
        (form.UNIT_CODE_ROW, form.LABEL_UNIT_CODE, unit.code),
        (form.UNIT_NAME_ROW, form.LABEL_UNIT_NAME, unit.name),
        (form.SYSTEM_ID_ROW, form.LABEL_SYSTEM_ID, system.id),
        (form.SYSTEM_VERSION_ROW, form.LABEL_SYSTEM_VERSION, system.version),
        (form.MARKER_ROW, form.LABEL_MARKER, form.FORM_MARKER),
    ]
    for row, text, content in block:
        sheet.write_string(row, form.LABEL_COL, text, label)
        # strings, so that a code like 370102 keeps its exact text
        sheet.write_string(row, form.VALUE_COL, content, fixed)

    year_cols = list(range(form.FIRST_YEAR_COL, form.FIRST_YEAR_COL + len(years)))
    source_col = form.FIRST_YEAR_COL + len(years)
    remark_col = source_col + 1
    for col, text in enumerate(form.LEADING_HEADERS):
        sheet.write_string(form.HEADER_ROW, col, text, header)
    for col, year in zip(year_cols, years, strict=True):
        sheet.write_number(form.HEADER_ROW, col, year, header)
    sheet.write_string(form.HEADER_ROW, source_col, form.HEAD_SOURCE, header)
    sheet.write_string(form.HEADER_ROW, remark_col, form.HEAD_REMARK, header)

    supplied = workbook.add_format({"border": 1, "bg_color": "#E7E6E6", "font_color": "#595959"})
    for offset, indicator in enumerate(form.form_rows(system)):
        row = form.FIRST_INDICATOR_ROW + offset
        department = system.department_names.get(indicator.provider or "")
        if department is not None:
            # supplied by a department for every unit: shown for reference, not filled in by the district
            _write_supplied_row(
                sheet, system, indicator, row, year_cols, source_col, remark_col, locked, supplied
            )
            continue
        cells = [
            indicator.code,
            form.dimension_name(system, indicator),
            indicator.name
            + ("" if indicator.required else "（选填）")
            + form.used_by_text(system, indicator),
            indicator.unit or "",
            form.direction_text(indicator),
            form.range_text(indicator),
        ]
        for col, text in enumerate(cells):
            sheet.write_string(row, col, text, locked)
        for col, year in zip(year_cols, years, strict=True):
            key = (indicator.code, year)
            comment = fill.comments.get(key)
            cell_format = flagged if comment else value
            if key not in fill.values:
                sheet.write_blank(row, col, None, cell_format)
            elif fill.values[key] is None:
                sheet.write_string(row, col, form.NOT_APPLICABLE_TEXT, cell_format)
            else:
                sheet.write_number(row, col, fill.values[key], cell_format)
            if comment:
                sheet.write_comment(row, col, comment, {"author": fill.author, "x_scale": 2, "y_scale": 2})
        sheet.write_string(row, source_col, indicator.source or "", locked)
        sheet.write_string(row, remark_col, indicator.remark or "", remark)
        sheet.data_validation(
            row, year_cols[0], row, year_cols[-1], _validation(indicator, row, year_cols[0])
        )

    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 2, 36)
    sheet.set_column(3, 5, 11)
    sheet.set_column(year_cols[0], year_cols[-1], 12)
    sheet.set_column(source_col, source_col, 24)
    sheet.set_column(remark_col, remark_col, 30)
    sheet.freeze_panes(form.FIRST_INDICATOR_ROW, form.FIRST_YEAR_COL)
    # No password: protection keeps the structure from accidental edits; the reader re-checks every value anyway.
    sheet.protect(
        "",
        {
            "select_locked_cells": True,
            "select_unlocked_cells": True,
            "format_columns": True,
            "format_rows": True,
        },
    )


def _write_supplied_row(
    sheet: Worksheet,
    system: IndicatorSystem,
    indicator: Node,
    row: int,
    year_cols: list[int],
    source_col: int,
    remark_col: int,
    locked: object,
    supplied: object,
) -> None:
    """A row of an indicator a department supplies: every cell locked, the year cells grey and empty, the name
    and the source naming the department (a value typed there is not taken as the district's)."""
    department = system.department_names[indicator.provider or ""]
    cells = [
        indicator.code,
        form.dimension_name(system, indicator),
        f"{indicator.name}{form.supplied_text(department)}",
        indicator.unit or "",
        form.direction_text(indicator),
        form.range_text(indicator),
    ]
    for col, text in enumerate(cells):
        sheet.write_string(row, col, text, locked)
    for col in year_cols:
        sheet.write_blank(row, col, None, supplied)
    source = f"{department}统一提供，区县不填" + (f"；{indicator.source}" if indicator.source else "")
    sheet.write_string(row, source_col, source, locked)
    sheet.write_string(row, remark_col, "", locked)


def _validation(indicator: Node, row: int, first_col: int) -> dict[str, object]:
    """Excel validation of one indicator row: a number in the accepted range, or the text 不适用.

    Excel's "decimal" rule cannot also accept a text, so this is a custom formula relative to the first year
    cell of the row; Excel shifts the reference for the other year cells of the range.
    """
    cell = xl_rowcol_to_cell(row, first_col)
    low, high = indicator.valid if indicator.valid is not None else (None, None)
    checks = [f"ISNUMBER({cell})"]
    if low is not None:
        checks.append(f"{cell}>={form.format_number(low)}")
    if high is not None:
        checks.append(f"{cell}<={form.format_number(high)}")
    number_rule = checks[0] if len(checks) == 1 else f"AND({','.join(checks)})"
    formula = f'=OR({cell}="{form.NOT_APPLICABLE_TEXT}",{number_rule})'
    allowed = form.range_text(indicator)
    message = f"单位：{indicator.unit or '—'}；允许范围：{allowed}。不适用请填写“{form.NOT_APPLICABLE_TEXT}”，无数据请留空。"
    return {
        "validate": "custom",
        "value": formula,
        "ignore_blank": True,
        "input_title": indicator.code,
        "input_message": message[:255],
        "error_type": "stop",
        "error_title": "数值不符合要求",
        "error_message": (f"请填写 {allowed} 范围内的数值，或填写“{form.NOT_APPLICABLE_TEXT}”。")[:255],
    }
