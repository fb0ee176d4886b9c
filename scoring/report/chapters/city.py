"""三、全市总体情况: the city averages by year (table and line chart) and the city average of every targeted
indicator against its target and schedule; the workbook's 全市概况 sheet."""

from __future__ import annotations

import math

from scoring.analysis.report_data import ReportData
from scoring.report import narrative
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.charts import OKABE_ITO
from scoring.report.excel import CHART_PX, ROW_PX, Book, Column, value_axis
from scoring.report.language import _
from scoring.report.model import Document
from scoring.report.options import ReportOptions


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading(_("全市总体情况"), "city")
    w.paragraphs(narrative.overview(data))
    dims = list(data.dimensions)
    rows = []
    for year in data.years:
        row = data.city_mean.loc[year]
        rows.append(
            [str(year), fmt.score(float(row[data.composite]))] + [fmt.score(float(row[d.code])) for d in dims]
        )
    w.table(
        "city_trend",
        _("全市综合指数与各维度平均得分"),
        [_("年份"), data.system.composite.name] + [d.name for d in dims],
        rows,
        align="l" + "r" * (len(dims) + 1),
    )
    w.figure("trend", _("全市综合指数与各维度平均得分变化"), 14)
    if data.targets:
        header = (
            [_("指标"), _("单位"), _("目标值（年）")]
            + [_("{y} 年全市平均", y=y) for y in data.years]
            + [
                _("{year} 年序时进度应达", year=data.year),
                _("完成度"),
                _("状态"),
            ]
        )
        rows = []
        for t in data.targets:
            rows.append(
                [
                    t.name,
                    t.unit,
                    _("{target}（{value}）", target=fmt.value(t.target), value=t.target_year or "—"),
                ]
                + [fmt.value(t.city_values.get(y)) for y in data.years]
                + [fmt.value(t.expected), fmt.percent(t.city_attainment), _(t.city_status)]
            )
        w.table(
            "city_targets",
            _("全市平均值的目标完成情况"),
            header,
            rows,
            align="llr" + "r" * len(data.years) + "rrl",
            note=_("全市平均为各评价单元的简单平均；目标值为指标体系中折算到评价单元的目标。"),
            compact=True,
        )


def sheets(book: Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet(_("全市概况"))
    dims = list(data.dimensions)
    columns = [
        Column(_("年份"), list(data.years), "int"),
        Column(data.system.composite.name, list(data.city_mean[data.composite]), "score"),
    ]
    columns += [Column(d.name, list(data.city_mean[d.code]), "score") for d in dims]
    end = book.table(sheet, columns, freeze=0)
    sheet.freeze_panes(1, 0)
    chart = book.workbook.add_chart({"type": "line"})
    for j in range(1, len(columns)):
        colour = "#000000" if j == 1 else OKABE_ITO[(j - 2) % len(OKABE_ITO)]
        chart.add_series(
            {
                "name": [_("全市概况"), 0, j],
                "categories": [_("全市概况"), 1, 0, len(data.years), 0],
                "values": [_("全市概况"), 1, j, len(data.years), j],
                "line": {"color": colour, "width": 2.5 if j == 1 else 1.5},
                "marker": {
                    "type": "circle",
                    "size": 5,
                    "fill": {"color": colour},
                    "border": {"color": colour},
                },
            }
        )
    chart.set_title({"name": _("全市平均得分")})
    chart.set_y_axis(value_axis(name=_("得分")))
    chart.set_x_axis({"interval_unit": 1, "num_font": {"size": 9}})
    chart.set_legend({"position": "bottom"})
    book.chart(sheet, end + 1, 0, chart, x_scale=1.3, y_scale=1.1)
    if not data.targets:
        return
    start = end + 1 + math.ceil(CHART_PX[1] * 1.1 / ROW_PX) + 2
    targets = list(data.targets)
    columns = [
        Column(_("指标编码"), [t.code for t in targets]),
        Column(_("指标"), [t.name for t in targets]),
        Column(_("单位"), [t.unit for t in targets]),
        Column(_("目标值"), [t.target for t in targets], "value"),
        Column(_("目标年份"), [t.target_year for t in targets], "int"),
    ]
    columns += [
        Column(_("{y} 年全市平均", y=y), [t.city_values.get(y) for t in targets], "decimal")
        for y in data.years
    ]
    columns += [
        Column(_("{year} 年序时进度应达", year=data.year), [t.expected for t in targets], "decimal"),
        Column(_("完成度"), [t.city_attainment for t in targets], "percent"),
        Column(_("状态"), [_(t.city_status) for t in targets]),
    ]
    book.table(sheet, columns, first_row=start)


CHAPTER = Chapter("city", "全市总体情况", blocks, sheets)
