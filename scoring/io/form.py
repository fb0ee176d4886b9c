"""The layout of the district form (DESIGN.md contract 2), shared by the writer and the reader.

Every position here is part of a public contract documented in ``docs/data-formats.md``: change it only with a
new :data:`FORM_MARKER`, so that forms already sent to districts can still be read.
Rows and columns are 0-based here; the documentation gives the same cells in A1 notation.
"""

from __future__ import annotations

from typing import Final

from scoring.system.models import IndicatorSystem, Node

FORM_MARKER: Final = "digiscore-form-1"  # B6: tells a district form from any other workbook

DATA_SHEET: Final = "数据填报"
INSTRUCTIONS_SHEET: Final = "填报说明"

# Header block: label in column A, value in column B.
TITLE_ROW: Final = 0  # A1
LABEL_COL: Final = 0  # A
VALUE_COL: Final = 1  # B
UNIT_CODE_ROW: Final = 1  # A2 区县编码 / B2
UNIT_NAME_ROW: Final = 2  # A3 区县名称 / B3
SYSTEM_ID_ROW: Final = 3  # A4 指标体系 / B4
SYSTEM_VERSION_ROW: Final = 4  # A5 体系版本 / B5
MARKER_ROW: Final = 5  # A6 表单格式 / B6

LABEL_UNIT_CODE: Final = "区县编码"
LABEL_UNIT_NAME: Final = "区县名称"
LABEL_SYSTEM_ID: Final = "指标体系"
LABEL_SYSTEM_VERSION: Final = "体系版本"
LABEL_MARKER: Final = "表单格式"

HEADER_ROW: Final = 7  # row 8: the table header
FIRST_INDICATOR_ROW: Final = 8  # row 9: the first indicator, then one row per indicator in system order

# Fixed columns before the year columns (A–F), then one column per year from G, then source and remark.
HEAD_CODE: Final = "指标编码"
HEAD_DIMENSION: Final = "一级指标"
HEAD_NAME: Final = "指标名称"
HEAD_UNIT: Final = "计量单位"
HEAD_DIRECTION: Final = "方向"
HEAD_RANGE: Final = "允许范围"
HEAD_DEFINITION: Final = "指标口径"
HEAD_COLLECTION: Final = "采集方式"
HEAD_PROVIDER: Final = "提供单位"
HEAD_SOURCE: Final = "数据来源"
HEAD_REMARK: Final = "备注"
LEADING_HEADERS: Final = (HEAD_CODE, HEAD_DIMENSION, HEAD_NAME, HEAD_UNIT, HEAD_DIRECTION, HEAD_RANGE)
# After the years, found by their header text (forms written before the definition columns have only 数据来源 and
# 备注 there, and read the same way): the definition, how and by whom the value is collected, the source, and the
# district's own 备注 (empty on the blank form).
TRAILING_HEADERS: Final = (HEAD_DEFINITION, HEAD_COLLECTION, HEAD_PROVIDER, HEAD_SOURCE, HEAD_REMARK)
FIRST_YEAR_COL: Final = len(LEADING_HEADERS)  # G

NOT_APPLICABLE_TEXT: Final = "不适用"
# A required value that does not exist, declared so (数据缺失说明): this text in the value cell, the reason in the
# row's 备注 (a long table: the remark column). See docs/data-formats.md §1.
UNAVAILABLE_TEXT: Final = "数据缺失"

# 采集方式 of an indicator's ``collection`` (scoring.system.models.Collection)
COLLECTION_TEXT: Final = {
    "statistics": "统计报表",
    "survey": "问卷调查",
    "platform": "平台采集",
    "self_report": "区县自报",
}
DEFAULT_COLLECTION: Final = "—"  # the system does not say
DEFAULT_PROVIDER: Final = "区县填报"


BASE_DATA_DIMENSION: Final = "基础数据"  # the dimension column of a component (not in the tree)


def form_rows(system: IndicatorSystem) -> list[Node]:
    """The collected values a district form lists, in order: all of them, or (``department_indicators: omit``)
    those a district fills in itself."""
    if system.department_indicators == "omit":
        return system.district_collected
    return system.collected


def supplied_text(department: str) -> str:
    """``（由市统计局提供）`` after the name of an indicator a department supplies."""
    return f"（由{department}提供）"


def dimension_name(system: IndicatorSystem, indicator: Node) -> str:
    """Name of the first-level dimension an indicator belongs to ("" for an indicator at the top level;
    :data:`BASE_DATA_DIMENSION` for a component, the part of derived indicators)."""
    if indicator.code not in system.nodes:
        return BASE_DATA_DIMENSION
    path = system.path(indicator.code)
    # path = [composite, dimension, ..., indicator]; an indicator directly under the composite has no dimension
    return system.nodes[path[1]].name if len(path) > 2 else ""


def used_by_text(system: IndicatorSystem, indicator: Node) -> str:
    """``（用于计算 DI-01、DI-07）`` after the name of a collected value that derived indicators use, else ""."""
    users = [node.code for node in system.derived if indicator.code in _formula_codes(node.formula or "")]
    return f"（用于计算 {'、'.join(users)}）" if users else ""


def _formula_codes(text: str) -> tuple[str, ...]:
    from scoring.system.formula import parse_formula  # only forms of systems with derived indicators need it

    return parse_formula(text).codes


def direction_text(indicator: Node) -> str:
    """正向 / 逆向, or 适度 with the best range of an interval indicator (``适度 40~60``)."""
    if indicator.interval is not None:
        low, high = indicator.interval
        return f"适度 {format_number(low)}~{format_number(high)}"
    return "正向" if indicator.direction == 1 else "逆向"


def format_number(x: float) -> str:
    """A number as people write it: no trailing ``.0``, no exponent for ordinary magnitudes."""
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)  # int() of these would raise
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return format(x, ".15g")


def range_text(indicator: Node) -> str:
    """The accepted range as shown in the form: ``0 ~ 100``, ``≥ 0``, ``≤ 30`` or ``不限``."""
    low, high = indicator.valid if indicator.valid is not None else (None, None)
    if low is not None and high is not None:
        return f"{format_number(low)} ~ {format_number(high)}"
    if low is not None:
        return f"≥ {format_number(low)}"
    if high is not None:
        return f"≤ {format_number(high)}"
    return "不限"


def collection_text(indicator: Node) -> str:
    """采集方式 as the form shows it: the indicator's ``collection`` in words, else a dash."""
    return COLLECTION_TEXT.get(indicator.collection or "", DEFAULT_COLLECTION)


def provider_text(system: IndicatorSystem, indicator: Node) -> str:
    """提供单位: who supplies the value — the name of the department the indicator's ``provider`` names, else
    区县填报 (each district on its own form)."""
    if indicator.provider is None:
        return DEFAULT_PROVIDER
    return system.department_names.get(indicator.provider, indicator.provider)


def definition_text(indicator: Node, unit_code: str) -> str:
    """指标口径 as the form shows it: the definition, then the system's 填报提示 (``guidance``) and whether the
    unit may write 不适用 — what a district needs to fill the row, never the system's internal remarks."""
    parts = [indicator.definition.strip()] if indicator.definition else []
    if indicator.guidance:
        parts.append(f"填报提示：{indicator.guidance.strip()}")
    if indicator.allows_not_applicable(unit_code):
        parts.append(f"本指标不适用于本区县时可填“{NOT_APPLICABLE_TEXT}”。")
    return "\n".join(parts)
