"""Write the blank department sheet (部门报表): every unit × the indicators one department supplies, as a long
table the long-table reader reads back (``区县编码, 指标编码, 年份, 数值, 备注``), with the same data validation
as the district form."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from scoring.io import form
from scoring.io.template import A4, _lines
from scoring.io.template import _validation as value_validation
from scoring.problems import DigiscoreError, Location, Problem
from scoring.system.models import IndicatorSystem

DEPARTMENT_SHEET = "部门填报"
HEADER_ROW = 4  # row 5: the table header (a long table's header must lie within its first rows)
# the columns of the table; the reader takes 区县编码, 指标编码, 年份, 数值 and 备注, the others are for people
HEADERS = ("区县编码", "区县名称", "指标编码", "指标名称", "计量单位", "允许范围", "年份", "数值", "备注")
VALUE_COL = HEADERS.index("数值")
INSTRUCTIONS_WIDTH = 110  # characters: the instructions' one column
REMARK_COL = HEADERS.index("备注")


def write_department_sheet(
    system: IndicatorSystem, department: str, path: Path | str, years: Sequence[int]
) -> None:
    """Write the blank sheet of ``department`` for ``years`` to ``path`` (``.xlsx``): a 填报说明 sheet and a
    部门填报 sheet with one row per (unit, indicator, year), units in the system's order. Value cells carry the
    district form's validation (a number in the indicator's range, or 不适用); the sheet is protected so that
    only 数值 and 备注 can be edited. Raises :class:`DigiscoreError` (``submission.unknown_department``) for a
    department that supplies nothing in ``system``."""
    supplied = system.supplied_by(department)
    if not supplied:
        raise DigiscoreError(
            Problem(
                "submission.unknown_department",
                location=Location(),
                params={"department": department, "system": system.id},
            )
        )
    name = system.department_names[department]
    year_list = sorted({int(y) for y in years})
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(target))
    try:
        instructions = workbook.add_worksheet(form.INSTRUCTIONS_SHEET)
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        instructions.set_column(0, 0, INSTRUCTIONS_WIDTH)
        codes = "、".join(f"{node.code} {node.name}" for node in supplied)
        lines = [
            f"{system.name}（{system.version}）部门报表填报说明",
            f"提供部门：{name}（部门编码 {department}）；填报年份：{'、'.join(str(y) for y in year_list)}",
            f"本部门为全部 {len(system.units)} 个区县提供以下指标：{codes}。",
            f"一、请在“{DEPARTMENT_SHEET}”工作表的“数值”列（黄色）按计量单位填写，每行为一个区县、一项指标、一个年份；"
            "需要说明的情况写在“备注”列。其他列已锁定。",
            f"二、指标对某区县不适用时填写“{form.NOT_APPLICABLE_TEXT}”；确无数据时留空并在“备注”中说明原因。",
            "三、请不要增删行列、不要修改区县编码、指标编码和年份；也可以上传同样列名的 CSV 长表或宽表。",
            "四、只能上传本部门提供的指标；其他指标或名单以外的区县会被拒绝并指明所在单元格。",
        ]
        heading = workbook.add_format({"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"})
        for row, text in enumerate(lines):
            instructions.write_string(row, 0, text, heading if row == 0 else wrap)
            # Excel does not grow the rows of a written file: as high as the wrapped text
            instructions.set_row(row, _lines(text, INSTRUCTIONS_WIDTH, 11.0) * 15.0 + 2.0)
        _print_setup(instructions, len(lines) - 1, 0, None)

        sheet = workbook.add_worksheet(DEPARTMENT_SHEET)
        sheet.activate()
        title = workbook.add_format({"bold": True, "font_size": 14})
        header = workbook.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "align": "center"})
        locked = workbook.add_format({"border": 1})
        value = workbook.add_format({"border": 1, "bg_color": "#FFF2CC", "locked": False})
        remark = workbook.add_format({"border": 1, "locked": False, "text_wrap": True})
        sheet.write_string(0, 0, f"{system.name}（{system.version}）部门报表", title)
        sheet.write_string(1, 0, f"提供部门：{name}")
        sheet.write_string(2, 0, f"部门编码：{department}")
        for col, text in enumerate(HEADERS):
            sheet.write_string(HEADER_ROW, col, text, header)
        row = HEADER_ROW
        for unit in system.units:
            for node in supplied:
                for year in year_list:
                    row += 1
                    # strings, so that a code like 370102 keeps its exact text
                    for col, text in enumerate(
                        (unit.code, unit.name, node.code, node.name, node.unit or "", form.range_text(node))
                    ):
                        sheet.write_string(row, col, text, locked)
                    sheet.write_number(row, HEADERS.index("年份"), year, locked)
                    sheet.write_blank(row, VALUE_COL, None, value)
                    sheet.write_blank(row, REMARK_COL, None, remark)
                    sheet.data_validation(
                        row, VALUE_COL, row, VALUE_COL, value_validation(node, unit, row, VALUE_COL)
                    )
        for col, width in enumerate((10, 10, 12, 36, 10, 12, 8, 12, 30)):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        _print_setup(sheet, row, len(HEADERS) - 1, HEADER_ROW)
        sheet.autofilter(HEADER_ROW, 0, row, len(HEADERS) - 1)
        sheet.protect(
            "",
            {
                "select_locked_cells": True,
                "select_unlocked_cells": True,
                "format_columns": True,
                "autofilter": True,
                "sort": False,
            },
        )
    finally:
        workbook.close()


def _print_setup(sheet: Any, last_row: int, last_col: int, header_row: int | None) -> None:
    """A4 landscape (the table's nine columns are wider than a portrait page), every column on the page's width
    and as many pages down as it takes, the table's header repeated on every page, page numbers in the footer."""
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.print_area(0, 0, last_row, last_col)
    sheet.fit_to_pages(1, 0)
    if header_row is not None:
        sheet.repeat_rows(header_row)
    sheet.set_footer("&C第 &P 页，共 &N 页")
