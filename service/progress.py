"""The 进度表 (progress sheet) of a round as an xlsx workbook: one row per unit — its state (not uploaded, failed
the checks, awaiting review, returned, accepted), latest version and when, errors and warnings, the version results
use, the evidence its latest version lacks, timeliness and the review comment — under a title and a summary of
the counts, set up to print: A4 landscape, fit to the page width, the header row repeated on every page, the
page number in the footer.

The words are this module's own table (Chinese and English), as the dashboard's are ``service.web.i18n``'s; the
numbers and states are the use case's (``service.usecases.progress``).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import xlsxwriter

from service.web.ui import CHINA_TIME

WORDS: dict[str, tuple[str, str]] = {
    "sheet": ("填报进度", "Progress"),
    "title": ("{system} {year} 年度填报进度表", "{system}: submissions of {year}"),
    "subtitle": (
        "轮次状态：{status}；截止时间：{deadline}；生成时间：{generated}（北京时间）",
        "Round: {status}; deadline: {deadline}; made {generated} (Beijing time)",
    ),
    "summary": (
        "共 {total} 个区县：已接受 {accepted}，待审核 {pending}，已退回 {returned}，未通过校验 {rejected}，"
        "未上传 {missing}",
        "{total} units: {accepted} accepted, {pending} awaiting review, {returned} returned, {rejected} failed "
        "the checks, {missing} not uploaded",
    ),
    "no_deadline": ("无", "none"),
    "unit_code": ("区县编码", "Code"),
    "unit_name": ("区县", "Unit"),
    "state": ("状态", "State"),
    "versions": ("上传次数", "Uploads"),
    "latest_version": ("最新版本", "Latest"),
    "uploaded_at": ("最新上传时间（北京时间）", "Uploaded (Beijing time)"),
    "errors": ("错误", "Errors"),
    "warnings": ("警告", "Warnings"),
    "used_version": ("采用版本", "Used"),
    "evidence_missing": ("缺少的佐证材料", "Evidence missing"),
    "timeliness": ("是否按时", "On time?"),
    "comment": ("审核意见", "Review comment"),
    "state.missing": ("未上传", "not uploaded"),
    "state.rejected": ("未通过校验", "failed the checks"),
    "state.pending": ("待审核", "awaiting review"),
    "state.returned": ("已退回", "returned"),
    "state.accepted": ("已接受", "accepted"),
    "round.open": ("填报中", "open"),
    "round.closed": ("已截止", "closed"),
    "round.published": ("已发布", "published"),
    "round.cancelled": ("已取消", "cancelled"),
    "timeliness.on_time": ("按时", "on time"),
    "timeliness.late": ("逾期提交", "late"),
    "timeliness.missing": ("逾期未交", "missing"),
    "timeliness.due": ("尚未提交", "not yet"),
    "footer": ("第 &P 页，共 &N 页", "Page &P of &N"),
    "departments": ("提供数据的部门", "Departments that supply data"),
    "department_summary": (
        "共 {total} 个部门：已接受 {accepted}，待审核 {pending}，已退回 {returned}，未通过校验 {rejected}，"
        "未上传 {missing}",
        "{total} departments: {accepted} accepted, {pending} awaiting review, {returned} returned, {rejected} "
        "failed the checks, {missing} not uploaded",
    ),
    "department_code": ("部门编码", "Code"),
    "department_name": ("部门", "Department"),
    "supplies": ("提供指标", "Indicators supplied"),
}

# column key → width in characters (CJK characters count about two)
COLUMNS: list[tuple[str, float]] = [
    ("unit_code", 10),
    ("unit_name", 14),
    ("state", 17),
    ("versions", 8),
    ("latest_version", 8),
    ("uploaded_at", 18),
    ("errors", 8),
    ("warnings", 9),
    ("used_version", 8),
    ("evidence_missing", 26),
    ("timeliness", 10),
    ("comment", 40),
]
# a state's fill and font colours (the dashboard's badges)
STATE_COLOURS = {
    "accepted": ("#D6F0DD", "#0F4D22"),
    "pending": ("#DCE8FB", "#133E7C"),
    "returned": ("#FDF0C8", "#5E3B00"),
    "rejected": ("#FDE2DF", "#8A1C14"),
    "missing": ("#E6E8EB", "#2B323B"),
}
HEADER_ROW = 3  # zero-based: title, subtitle, summary, then the header


def word(key: str, lang: str, **params: Any) -> str:
    """``key`` in ``lang`` (zh or en), formatted with ``params``."""
    zh, en = WORDS[key]
    return (en if lang == "en" else zh).format(**params)


def progress_workbook(progress: dict[str, Any], lang: str = "zh") -> bytes:
    """The 进度表 of ``progress`` (``service.usecases.progress.round_progress``) as xlsx bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(word("sheet", lang))
    base = {"font_name": "Noto Sans CJK SC", "font_size": 10, "valign": "top"}
    title = book.add_format(base | {"bold": True, "font_size": 14})
    note = book.add_format(base | {"font_color": "#4A5563"})
    header = book.add_format(
        base
        | {
            "bold": True,
            "bg_color": "#1F3B63",
            "font_color": "#FFFFFF",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
        }
    )
    cell = book.add_format(base | {"border": 1, "text_wrap": True})
    number = book.add_format(base | {"border": 1, "align": "center"})
    states = {
        state: book.add_format(base | {"border": 1, "bg_color": fill, "font_color": font, "bold": True})
        for state, (fill, font) in STATE_COLOURS.items()
    }
    system = progress["system"]
    counts = progress["counts"]
    deadline = progress.get("deadline")
    sheet.write(0, 0, word("title", lang, system=system["name"], year=progress["year"]), title)
    sheet.set_row(0, 21)  # the 14-point title's own height: in a default row it runs into the line below
    sheet.write(
        1,
        0,
        word(
            "subtitle",
            lang,
            status=word(f"round.{progress['status']}", lang),
            deadline=_moment(deadline) if deadline else word("no_deadline", lang),
            generated=_moment(progress["generated_at"]),
        ),
        note,
    )
    sheet.write(2, 0, word("summary", lang, total=len(progress["units"]), **counts), note)
    for column, (key, width) in enumerate(COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write(HEADER_ROW, column, word(key, lang), header)
    for offset, unit in enumerate(progress["units"], start=1):
        row = HEADER_ROW + offset
        values: dict[str, Any] = unit | {
            "state": word(f"state.{unit['state']}", lang),
            "uploaded_at": _moment(unit["uploaded_at"]) if unit["uploaded_at"] else "",
            "evidence_missing": "、".join(unit["evidence_missing"]),
            "timeliness": word(f"timeliness.{unit['timeliness']}", lang) if unit["timeliness"] else "",
            "comment": unit["comment"] or "",
        }
        _row(sheet, row, values, (states[unit["state"]], number, cell))
    last = HEADER_ROW + len(progress["units"])
    sheet.autofilter(HEADER_ROW, 0, last, len(COLUMNS) - 1)
    if progress.get("departments"):
        last = _departments(sheet, progress, last + 2, lang, title, note, header, cell, number, states)
    sheet.freeze_panes(HEADER_ROW + 1, 2)
    sheet.set_row(HEADER_ROW, 30)
    # print: A4 landscape, one page wide (as many tall as needed), the header row on every page
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)
    sheet.print_area(0, 0, last, len(COLUMNS) - 1)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header(f"&L&9{word('title', lang, system=system['name'], year=progress['year'])}")
    sheet.set_footer(f"&C&9{word('footer', lang)}")
    book.close()
    return buffer.getvalue()


def _departments(
    sheet: Any,
    progress: dict[str, Any],
    first: int,
    lang: str,
    title: Any,
    note: Any,
    header: Any,
    cell: Any,
    number: Any,
    states: dict[str, Any],
) -> int:
    """The departments' block below the units' table, in the same columns (the evidence column names the
    indicators each supplies); returns its last row."""
    suppliers = progress["departments"]
    sheet.write(first, 0, word("departments", lang), title)
    sheet.write(
        first + 1,
        0,
        word("department_summary", lang, total=len(suppliers), **progress["department_counts"]),
        note,
    )
    heading = first + 2
    names = {"unit_code": "department_code", "unit_name": "department_name", "evidence_missing": "supplies"}
    for column, (key, _) in enumerate(COLUMNS):
        sheet.write(heading, column, word(names.get(key, key), lang), header)
    sheet.set_row(heading, 30)
    for offset, department in enumerate(suppliers, start=1):
        row = heading + offset
        name = department["name_en"] if lang == "en" and department.get("name_en") else department["name"]
        values: dict[str, Any] = department | {
            "unit_code": department["department_code"],
            "unit_name": name,
            "state": word(f"state.{department['state']}", lang),
            "uploaded_at": _moment(department["uploaded_at"]) if department["uploaded_at"] else "",
            "evidence_missing": " ".join(department["indicators"]),
            "timeliness": word(f"timeliness.{department['timeliness']}", lang)
            if department["timeliness"]
            else "",
            "comment": department["comment"] or "",
        }
        _row(sheet, row, values, (states[department["state"]], number, cell))
    return heading + len(suppliers)


def _row(sheet: Any, row: int, values: dict[str, Any], formats: tuple[Any, Any, Any]) -> None:
    """One unit's or department's row in :data:`COLUMNS`: the state in its colour (``formats``: the state's,
    numbers', text's), as high as its wrapped cells' lines (spreadsheets do not grow a row a program writes)."""
    state, number, cell = formats
    lines = max(_lines(str(values[key] or ""), width) for key, width in COLUMNS)
    if lines > 1:
        sheet.set_row(row, 14 * lines)
    for column, (key, _) in enumerate(COLUMNS):
        value = values[key]
        if key == "state":
            sheet.write_string(row, column, value, state)
        elif isinstance(value, int):
            sheet.write_number(row, column, value, number)
        else:
            sheet.write_string(row, column, "" if value is None else str(value), cell)


def _lines(text: str, width: float) -> int:
    """About how many lines ``text`` takes in a column ``width`` characters wide (a CJK character is two)."""
    if not text:
        return 1
    length = sum(2 if ord(char) > 0x2E80 else 1 for char in text)
    return max(1, -(-length // int(width - 1)))


def _moment(iso: str) -> str:
    """An ISO 8601 time as ``YYYY-MM-DD HH:MM`` in Beijing time, as the dashboard shows times."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
