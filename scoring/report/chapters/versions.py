"""附录六 指标体系版本变化: when the round uses a new version of the system the previous round used, what changed
in the file, who moved and by how much on this year's data, and Spearman's ρ between the two rankings — from
:func:`scoring.analysis.versions.compare_evaluations` (``ReportData.versions``; docs/report.md says how the
report learns the previous version). The workbook's sheet 指标体系版本变化 lists every change (the Word table
stops at 60) and both versions' scores and ranks at full precision."""

from __future__ import annotations

import math

import pandas as pd

from scoring.analysis.report_data import ReportData
from scoring.analysis.versions import change_label, field_label
from scoring.outputs import escape_text
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.excel import Book, Column
from scoring.report.language import _
from scoring.report.model import Document
from scoring.report.options import ReportOptions

MAX_CHANGE_ROWS = 60  # the whole list is in the CLI's compare-systems output
SHEET_COLUMNS = 10  # the columns of the sheet's unit table, which the summary line spans
SUMMARY_WIDTH = 110  # half-width characters of the summary per line across them (about)


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    comparison = data.versions
    if comparison is None:
        return
    w.heading(_("附录六  指标体系版本变化"), 2, "appendix-versions")
    w.paragraphs(
        [
            _(
                "{text}下表列出两版指标体系文件的差异（节点、权重、目标值、阈值、方法；实际权重为节点在上级中所占比重），以及以本年度数据分别按两版计算的各区县得分和名次。",
                text=comparison.text(),
            )
        ]
    )
    changes = comparison.changes
    rows = [
        [
            change_label(str(r.kind)),
            str(r.code),
            str(r.name),
            field_label(str(r.field)),
            str(r.old),
            str(r.new),
        ]
        for r in changes.head(MAX_CHANGE_ROWS).itertuples()
    ]
    note = (
        _(
            "共 {changes} 处，表中列出前 {MAX_CHANGE_ROWS} 处。",
            changes=len(changes),
            MAX_CHANGE_ROWS=MAX_CHANGE_ROWS,
        )
        if len(changes) > MAX_CHANGE_ROWS
        else ""
    )
    w.table(
        "version-changes",
        _("两版指标体系的差异"),
        [_("类别"), _("编码"), _("名称"), _("项目"), _("原版"), _("新版")],
        rows or [["—", "", _("两版文件没有实质差异"), "", "", ""]],
        note=note,
        compact=True,
    )
    rows = [
        [
            str(r.unit_name),
            fmt.score(float(r.old_score)),
            fmt.score(float(r.new_score)),
            fmt.signed(float(r.score_change)),
            fmt.rank(_number(r.old_rank)),
            fmt.rank(_number(r.new_rank)),
            fmt.rank_move(_number(r.rank_change)),
        ]
        for r in comparison.units.itertuples()
    ]
    w.table(
        "version-moves",
        _("{year} 年数据按两版计算的综合得分与排名", year=data.year),
        [_("区县"), _("原版得分"), _("新版得分"), _("得分变化"), _("原版排名"), _("新版排名"), _("名次变化")],
        rows,
        align="lrrrrrr",
    )


def _number(value: object) -> float | None:
    """A number of the comparison table, None where it is missing (NaN or pandas' NA)."""
    return None if pd.isna(value) else float(value)  # type: ignore[arg-type]


def sheets(book: Book, data: ReportData, document: Document) -> None:
    """Sheet 指标体系版本变化: the summary line, every change of the file, then per unit both versions' score,
    rank and tier on this year's data (by new rank)."""
    comparison = data.versions
    if comparison is None:
        return
    sheet = book.sheet(_("指标体系版本变化"))
    # the summary across the width of the tables below (a one-cell table would squeeze it into column A)
    summary = comparison.text()
    half_widths = sum(2 if ord(ch) > 0x2E7F else 1 for ch in summary)
    sheet.merge_range(0, 0, 0, SHEET_COLUMNS - 1, str(escape_text(summary)), book.wrap)
    sheet.set_row(0, 15 * (math.ceil(half_widths / SUMMARY_WIDTH) + 1))
    end = 1
    changes = comparison.changes
    end = book.table(
        sheet,
        [
            Column(_("类别"), [change_label(str(k)) for k in changes["kind"]]),
            Column(_("编码"), [str(c) for c in changes["code"]]),
            Column(_("名称"), [str(n) for n in changes["name"]]),
            Column(_("项目"), [field_label(str(f)) for f in changes["field"]]),
            Column(_("原版"), [str(v) for v in changes["old"]]),
            Column(_("新版"), [str(v) for v in changes["new"]]),
        ],
        first_row=end + 1,
    )
    units = comparison.units
    book.table(
        sheet,
        [
            Column(_("区县编码"), [str(u) for u in units["unit_code"]]),
            Column(_("区县名称"), [str(n) for n in units["unit_name"]]),
            Column(
                _("原版得分（{version}）", version=comparison.old.version), list(units["old_score"]), "score"
            ),
            Column(
                _("新版得分（{version}）", version=comparison.new.version), list(units["new_score"]), "score"
            ),
            Column(_("得分变化"), list(units["score_change"]), "signed"),
            Column(_("原版排名"), [_number(v) for v in units["old_rank"]], "rank"),
            Column(_("新版排名"), [_number(v) for v in units["new_rank"]], "rank"),
            Column(_("名次变化"), [_number(v) for v in units["rank_change"]], "int"),
            Column(_("原版档次"), [None if pd.isna(t) else str(t) for t in units["old_tier"]]),
            Column(_("新版档次"), [None if pd.isna(t) else str(t) for t in units["new_tier"]]),
        ],
        first_row=end + 1,
    )


CHAPTER = Chapter("versions", "指标体系版本变化", blocks, sheets)
