"""Write the district form (填报表): one workbook per district, laid out as :mod:`scoring.io.form` says."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from scoring.io import form
from scoring.problems import DigiscoreError, Location, Problem
from scoring.system.formula import formula_words
from scoring.system.models import IndicatorSystem, Node, Unit


@dataclass(frozen=True)
class FormFill:
    """What a filled copy of a form holds: values by (indicator, year) — a number, None for 不适用, or a text
    such as 数据缺失 written as it is —, the district's 备注 by indicator, and comments on cells by (indicator,
    year), each shown as an Excel comment on a marked cell."""

    values: Mapping[tuple[str, int], float | str | None] = field(default_factory=dict)
    comments: Mapping[tuple[str, int], str] = field(default_factory=dict)
    remarks: Mapping[str, str] = field(default_factory=dict)
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
    title = workbook.add_format({"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, _INSTRUCTIONS_WIDTH)
    year_text = "、".join(str(y) for y in years)
    first_year_cell = xl_rowcol_to_cell(form.FIRST_INDICATOR_ROW, form.FIRST_YEAR_COL)
    lines: list[tuple[str, object]] = [
        (f"{system.name} 数据填报说明", title),
        (f"区县：{unit.name}（区县编码 {unit.code}）", bold),
        (
            f"指标体系：{system.name}（体系编号 {system.id}），版本 {system.version}；"
            f"共 {len(system.collected)} 项填报数据",
            bold,
        ),
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
            "需要说明的情况请写在“备注”列（“备注”列由区县填写，下发时为空）。",
            wrap,
        ),
        (
            f"四、“{form.NOT_APPLICABLE_TEXT}”只能用于“指标口径”列注明“可填‘{form.NOT_APPLICABLE_TEXT}’”的指标"
            f"（本区县共 {_not_applicable_count(system, unit)} 项）；其他指标填写“{form.NOT_APPLICABLE_TEXT}”会被退回。",
            wrap,
        ),
        (
            f"五、数据缺失说明：必填指标确实没有数据（如尚未统计、统计口径调整）时，请在该年份单元格填写"
            f"“{form.UNAVAILABLE_TEXT}”，并在同一行“备注”中写明原因（如“2024 年起由市统计局统一核算，区县无分区数据”；"
            "多个年份原因不同时写“2023：…；2024：…”）。评价办公室审核认可原因后，该值按缺失处理（按体系规定插补或"
            "重新分配权重），原因写入评价报告的数据附录；未写原因的“数据缺失”会被退回。必填指标直接留空视为漏填，"
            "不能通过审核。",
            wrap,
        ),
        ("六、数值应在“允许范围”列所示范围内，超出范围时 Excel 会提示并拒绝输入。", wrap),
        (
            "七、请不要增加或删除行、列，不要修改指标编码、区县编码、表头和工作表名称，不要合并或拆分单元格。",
            wrap,
        ),
        (
            "八、请直接填写数值，不要使用公式；如确需用公式计算，请在 Excel 中计算并保存后再上传"
            "（建议复制后“选择性粘贴 → 数值”），只有公式而没有计算结果的单元格无法读取。不要引用其他工作簿。",
            wrap,
        ),
        (
            "九、“指标口径”列给出各指标的统计口径和填报提示，“采集方式”“提供单位”“数据来源”列说明数据如何采集、"
            "由谁提供，请按口径填报。",
            wrap,
        ),
        # what the 指标口径 columns say about particular indicators: points （1）（2）… of 九
        *((f"（{k}）{text}", fmt) for k, (text, fmt) in enumerate(_particular_lines(system, wrap), start=1)),
        ("十、填报完成后请保存为 .xlsx 格式上传，不要另存为其他格式，也不要修改文件中的区县编码。", wrap),
    ]
    for row, (text, cell_format) in enumerate(lines):
        sheet.write_string(row, 0, text, cell_format)
        # every line wraps (a long system name too): rows as high as their lines, the title's in 14 points
        points = 14.0 if row == 0 else 11.0
        sheet.set_row(row, _lines(text, _INSTRUCTIONS_WIDTH, points) * _LINE_POINTS * points / 11.0 + 2.0)
    sheet.set_paper(A4)
    sheet.set_margins(left=0.6, right=0.6, top=0.7, bottom=0.7)
    sheet.print_area(0, 0, len(lines) - 1, 0)  # the column fits the page's width at 100 %
    sheet.fit_to_pages(1, 0)  # a long system's instructions: as many pages down as they take
    sheet.set_footer("&C第 &P 页，共 &N 页")


def _particular_lines(system: IndicatorSystem, wrap: object) -> list[tuple[str, object]]:
    """The instructions on particular indicators (supplied by departments, derived, shared), when there are any."""
    return [*_supplied_lines(system, wrap), *_derived_lines(system, wrap), *_shared_lines(system, wrap)]


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
    return [(f"以下指标由部门为各区县统一提供（{by_department}），{shown}。", wrap)]


def _not_applicable_count(system: IndicatorSystem, unit: Unit) -> int:
    return sum(node.allows_not_applicable(unit.code) for node in system.collected)


def _shared_lines(system: IndicatorSystem, wrap: object) -> list[tuple[str, object]]:
    """The instruction on indicators shared by included systems (``same_as``): filled once."""
    if not system.same_as:
        return []
    pairs = "；".join(
        f"{code} {system.nodes[code].name} 同 {other}" for code, other in system.same_as.items()
    )
    return [
        (
            f"以下指标在多个体系中口径相同，只填一次，计分时两处共用同一数值：{pairs}。",
            wrap,
        )
    ]


def _derived_lines(system: IndicatorSystem, wrap: object) -> list[tuple[str, object]]:
    """The instruction on derived indicators, when the system has any: they are computed, not filled in."""
    if not system.derived:
        return []
    names = {node.code: node.name for node in system.collected}
    formulas = "；".join(
        f"{node.code} {node.name} = {formula_words(node.formula or '', names)}" for node in system.derived
    )
    return [
        (
            f"以下指标由系统根据填报的基础数据计算，不需填写：{formulas}。"
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
    small = workbook.add_format({"border": 1, "text_wrap": True, "valign": "vcenter", "font_size": 9})
    remark = workbook.add_format({"border": 1, "locked": False, "text_wrap": True, "valign": "vcenter"})
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
        # strings, so that a code like 370102 keeps its exact text; the value cell spans the next column too,
        # so that a system id such as jinan-district-digital is not cut at the narrow 一级指标 column
        sheet.merge_range(row, form.VALUE_COL, row, form.VALUE_COL + 1, "", fixed)
        sheet.write_string(row, form.VALUE_COL, content, fixed)

    year_cols = list(range(form.FIRST_YEAR_COL, form.FIRST_YEAR_COL + len(years)))
    trailing = {head: form.FIRST_YEAR_COL + len(years) + i for i, head in enumerate(form.TRAILING_HEADERS)}
    remark_col = trailing[form.HEAD_REMARK]
    for col, text in enumerate(form.LEADING_HEADERS):
        sheet.write_string(form.HEADER_ROW, col, text, header)
    for col, year in zip(year_cols, years, strict=True):
        sheet.write_number(form.HEADER_ROW, col, year, header)
    for head, col in trailing.items():
        sheet.write_string(form.HEADER_ROW, col, head, header)

    supplied = workbook.add_format({"border": 1, "bg_color": "#E7E6E6", "font_color": "#595959"})
    for offset, indicator in enumerate(form.form_rows(system)):
        row = form.FIRST_INDICATOR_ROW + offset
        department = system.department_names.get(indicator.provider or "")
        if department is not None:
            # supplied by a department for every unit: shown for reference, not filled in by the district
            _write_supplied_row(sheet, system, indicator, row, year_cols, trailing, locked, small, supplied)
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
            else:
                filled = fill.values[key]
                if filled is None:
                    sheet.write_string(row, col, form.NOT_APPLICABLE_TEXT, cell_format)
                elif isinstance(filled, str):
                    sheet.write_string(row, col, filled, cell_format)
                else:
                    sheet.write_number(row, col, filled, cell_format)
            if comment:
                sheet.write_comment(row, col, comment, {"author": fill.author, "x_scale": 2, "y_scale": 2})
        described = {
            form.HEAD_DEFINITION: form.definition_text(indicator, unit.code),
            form.HEAD_COLLECTION: form.collection_text(indicator),
            form.HEAD_PROVIDER: form.provider_text(system, indicator),
            form.HEAD_SOURCE: indicator.source or "",
        }
        for head, text in described.items():
            sheet.write_string(row, trailing[head], text, small)
        sheet.set_row(row, _row_height(cells[2], described, cells[1]))
        # the district's own 备注 (and the reason of a 数据缺失): empty on the blank form
        if fill.remarks.get(indicator.code):
            sheet.write_string(row, remark_col, fill.remarks[indicator.code], remark)
        else:
            sheet.write_blank(row, remark_col, None, remark)
        sheet.data_validation(
            row, year_cols[0], row, year_cols[-1], _validation(indicator, unit, row, year_cols[0])
        )

    for first, last, width in _column_widths(year_cols, trailing):
        sheet.set_column(first, last, width)
    sheet.freeze_panes(form.FIRST_INDICATOR_ROW, form.FIRST_YEAR_COL)
    _print_setup(sheet, form.FIRST_INDICATOR_ROW + len(form.form_rows(system)) - 1, remark_col)
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


# Column widths of the data sheet (characters): the leading columns, each year, then the trailing columns by
# header. Chosen so that the table of a form with three years fits one landscape A4 page wide at about 70 %.
_LEADING_WIDTHS: Final = (10, 12, 28, 9, 7, 10)
_YEAR_WIDTH: Final = 11
_TRAILING_WIDTHS: Final = {
    form.HEAD_DEFINITION: 42,
    form.HEAD_COLLECTION: 8,
    form.HEAD_PROVIDER: 9,
    form.HEAD_SOURCE: 18,
    form.HEAD_REMARK: 22,
}
A4: Final = 9  # xlsxwriter's paper code


_INSTRUCTIONS_WIDTH: Final = 68  # one column of text, within a portrait A4 page at 100 %
_LINE_POINTS: Final = 15.0  # one line of the 11-point body text
_SMALL_LINE_POINTS: Final = 12.0  # one line of the 9-point description columns


def _text_width(text: str, points: float) -> float:
    """Width of a line of text in Excel column units (a digit of the 11-point font is one unit; a CJK character
    about two), scaled to the font size."""
    units = sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)
    return units * points / 11.0


def _lines(text: str, width: float, points: float) -> int:
    """Lines a wrapped cell of ``width`` takes (Excel does not grow the row of a written file by itself)."""
    usable = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(_text_width(part, points) / usable)) for part in text.split("\n"))


def _row_height(name: str, described: Mapping[str, str], dimension: str = "") -> float:
    """The height (points) that shows every line of the row's wrapped cells: the name, the dimension (a
    composite system's 一级指标 such as 数字经济（区县数字化发展水平） takes three lines) and the descriptions."""
    name_lines = (
        max(_lines(name, _LEADING_WIDTHS[2], 11.0), _lines(dimension, _LEADING_WIDTHS[1], 11.0))
        * _LINE_POINTS
    )
    small_lines = max(
        _lines(text, _TRAILING_WIDTHS[head], 9.0) * _SMALL_LINE_POINTS for head, text in described.items()
    )
    return max(_LINE_POINTS + 3.0, name_lines + 3.0, small_lines + 3.0)


def _column_widths(year_cols: list[int], trailing: Mapping[str, int]) -> list[tuple[int, int, float]]:
    widths = [(col, col, float(w)) for col, w in enumerate(_LEADING_WIDTHS)]
    widths.append((year_cols[0], year_cols[-1], float(_YEAR_WIDTH)))
    widths.extend((col, col, float(_TRAILING_WIDTHS[head])) for head, col in trailing.items())
    return widths


def _print_setup(sheet: Worksheet, last_row: int, last_col: int) -> None:
    """The data sheet prints on landscape A4, every column on the page's width (as many pages down as it takes),
    the table header repeated on each page, the print area the form itself, page numbers in the footer."""
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(form.HEADER_ROW)
    sheet.print_area(0, 0, last_row, last_col)
    sheet.set_footer("&C第 &P 页，共 &N 页")


def _write_supplied_row(
    sheet: Worksheet,
    system: IndicatorSystem,
    indicator: Node,
    row: int,
    year_cols: list[int],
    trailing: Mapping[str, int],
    locked: object,
    small: object,
    supplied: object,
) -> None:
    """A row of an indicator a department supplies: every cell locked, the year cells grey and empty, the name
    and the provider naming the department (a value typed there is not taken as the district's)."""
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
    described = {
        form.HEAD_DEFINITION: indicator.definition or "",
        form.HEAD_COLLECTION: form.collection_text(indicator),
        form.HEAD_PROVIDER: department,
        form.HEAD_SOURCE: f"{department}统一提供，区县不填"
        + (f"；{indicator.source}" if indicator.source else ""),
    }
    for head, text in described.items():
        sheet.write_string(row, trailing[head], text, small)
    sheet.write_string(row, trailing[form.HEAD_REMARK], "", locked)
    sheet.set_row(row, _row_height(cells[2], described, cells[1]))


def _validation(indicator: Node, unit: Unit, row: int, first_col: int) -> dict[str, object]:
    """Excel validation of one indicator row: a number in the accepted range, the text 数据缺失 (with the reason
    in 备注), or 不适用 where the system allows it for the unit.

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
    texts = [form.UNAVAILABLE_TEXT]
    if indicator.allows_not_applicable(unit.code):
        texts.insert(0, form.NOT_APPLICABLE_TEXT)
    text_rules = ",".join(f'{cell}="{text}"' for text in texts)
    formula = f"=OR({text_rules},{number_rule})"
    allowed = form.range_text(indicator)
    quoted = "或".join(f"“{text}”" for text in texts)
    not_applicable = (
        f"不适用请填写“{form.NOT_APPLICABLE_TEXT}”；"
        if indicator.allows_not_applicable(unit.code)
        else "本指标不能填“不适用”；"
    )
    message = (
        f"单位：{indicator.unit or '—'}；允许范围：{allowed}。{not_applicable}"
        f"确无数据请填写“{form.UNAVAILABLE_TEXT}”并在备注中写明原因。"
    )
    return {
        "validate": "custom",
        "value": formula,
        "ignore_blank": True,
        "input_title": indicator.code,
        "input_message": message[:255],
        "error_type": "stop",
        "error_title": "数值不符合要求",
        "error_message": (f"请填写 {allowed} 范围内的数值，或填写{quoted}。")[:255],
    }
