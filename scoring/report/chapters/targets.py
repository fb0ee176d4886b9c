"""六、目标完成度: per targeted indicator how many units are in each status, the mean attainment (table and
stacked bar chart), the lagging units and per unit the count of indicators in each status; the workbook's
目标完成度 and 完成度明细 sheets."""

from __future__ import annotations

from scoring.analysis.report_data import NO_DATA, NOT_APPLICABLE, NOT_MET, STATUSES, ReportData
from scoring.report import narrative
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.charts import STATUS_COLOURS
from scoring.report.excel import Book, Column, category_axis, unit_chart_scale, value_axis
from scoring.report.labels import DIRECTION_TEXT
from scoring.report.language import _
from scoring.report.model import Document
from scoring.report.options import ReportOptions


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading(_("目标完成度"), "targets")
    w.paragraphs(narrative.targets_text(data))
    if not data.targets:
        return
    statuses = shown_statuses(data)
    rows = []
    for t in data.targets:
        rows.append(
            [
                t.name,
                _("{target}（{value}）", target=fmt.value(t.target), value=t.target_year or "—"),
                fmt.value(t.expected),
                *(str(t.counts[s]) for s in statuses),
                fmt.percent(t.mean_attainment),
            ]
        )
    note = _("“{NOT_MET}”：未达到目标，且目标没有基期值，无法按序时进度判断。", NOT_MET=_(NOT_MET))
    if NOT_APPLICABLE in statuses:
        note += _(
            "“{NOT_APPLICABLE}”：单元标注该指标不适用，不计入完成情况。", NOT_APPLICABLE=_(NOT_APPLICABLE)
        )
    w.table(
        "attainment",
        _("{year} 年各指标目标完成情况（单元数）", year=data.year),
        [_("指标"), _("目标值（年）"), _("序时进度应达"), *(_(s) for s in statuses), _("平均完成度")],
        rows,
        align="lrr" + "r" * len(statuses) + "r",
        note=note + _("平均完成度为各单元完成度的简单平均。"),
        compact=True,
    )
    w.figure("attainment", _("{year} 年各指标目标完成情况", year=data.year), 15)
    rows = [
        [data.name(str(unit))] + [str(int(row[s])) for s in statuses]
        for unit, row in data.unit_targets.iterrows()
    ]
    w.table(
        "unit_attainment",
        _("各单元目标完成情况（指标数）"),
        [_("区县"), *(_(s) for s in statuses)],
        rows,
        align="l" + "r" * len(statuses),
    )


def shown_statuses(data: ReportData) -> list[str]:
    """The statuses the report's tables list: every status of a target, then 无数据 and 不适用 when some unit
    has them (so the counts of a row add up to the units, or the targets, it counts)."""
    return [
        s for s in STATUSES if s not in (NO_DATA, NOT_APPLICABLE) or any(t.counts[s] for t in data.targets)
    ]


def sheets(book: Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet(_("目标完成度"))
    targets = list(data.targets)
    columns = [
        Column(_("指标编码"), [t.code for t in targets]),
        Column(_("指标"), [t.name for t in targets]),
        Column(_("单位"), [t.unit for t in targets]),
        Column(_("方向"), [_(DIRECTION_TEXT[t.direction]) for t in targets]),
        Column(_("目标值"), [t.target for t in targets], "value"),
        Column(_("目标年份"), [t.target_year for t in targets], "int"),
        Column(_("基期值"), [t.baseline for t in targets], "value"),
        Column(_("基期年份"), [t.baseline_year for t in targets], "int"),
        Column(_("目标来源"), [t.source for t in targets]),
        Column(_("{year} 年序时进度应达", year=data.year), [t.expected for t in targets], "decimal"),
    ]
    columns += [Column(_(s), [t.counts[s] for t in targets], "int") for s in STATUSES]
    columns += [Column(_("平均完成度"), [t.mean_attainment for t in targets], "percent")]
    book.table(sheet, columns, freeze=2)
    if targets:
        chart = book.workbook.add_chart({"type": "bar", "subtype": "stacked"})
        first = 10
        for j, status in enumerate(STATUSES):
            chart.add_series(
                {
                    "name": [_("目标完成度"), 0, first + j],
                    "categories": [_("目标完成度"), 1, 1, len(targets), 1],
                    "values": [_("目标完成度"), 1, first + j, len(targets), first + j],
                    "fill": {"color": STATUS_COLOURS[status]},
                }
            )
        chart.set_title({"name": _("{year} 年各指标目标完成情况（单元数）", year=data.year)})
        chart.set_y_axis(category_axis())
        chart.set_x_axis(value_axis(max=len(data.ranking)))
        chart.set_legend({"position": "bottom"})
        book.chart(sheet, len(targets) + 2, 0, chart, x_scale=1.8, y_scale=unit_chart_scale(len(targets)))
    detail = book.sheet(_("完成度明细"))
    table = data.attainment_detail
    nodes = data.system.nodes
    book.table(
        detail,
        [
            Column(_("区县编码"), list(table["unit_code"])),
            Column(_("区县名称"), [data.name(str(u)) for u in table["unit_code"]]),
            Column(_("指标编码"), list(table["indicator_code"])),
            Column(_("指标"), [nodes[str(c)].name for c in table["indicator_code"]]),
            Column(_("数值"), list(table["value"]), "value"),
            Column(_("目标值"), list(table["target"]), "value"),
            Column(_("目标年份"), list(table["target_year"]), "int"),
            Column(_("序时进度应达"), list(table["expected"]), "decimal"),
            Column(_("完成度"), list(table["attainment"]), "percent"),
            Column(_("状态"), [_(s) if isinstance(s, str) else s for s in table["status"]]),
        ],
        freeze=2,
    )


CHAPTER = Chapter("targets", "目标完成度", blocks, sheets)
