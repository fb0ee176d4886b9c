"""七、年度变化: previous and current rank and score, and the change split into each dimension's Δ(w′·S) with the
dimension that drove it (table and diverging stacked bar chart); the workbook's 年度变化 sheet."""

from __future__ import annotations

from scoring.analysis.report_data import ReportData
from scoring.report import narrative
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.charts import OKABE_ITO
from scoring.report.excel import Book, Column, category_axis, unit_chart_scale
from scoring.report.language import _
from scoring.report.model import Document
from scoring.report.options import ReportOptions


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading(_("年度变化"), "change")
    w.paragraphs(narrative.change_text(data))
    if data.previous_year is None or not len(data.change):
        return
    dims = data.parts
    rows = []
    for unit, row in data.ranking.iterrows():
        delta = data.change.loc[unit] if unit in data.change.index else None
        driver = delta["driver"] if delta is not None else None
        rows.append(
            [
                str(row["unit_name"]),
                fmt.rank(row["previous_rank"]),
                fmt.rank(row["rank"]),
                fmt.rank_move(row["rank_change"]),
                fmt.score(row["previous_score"]),
                fmt.score(row["score"]),
                fmt.signed(row["score_change"]),
            ]
            + [fmt.signed(float(delta[d.code])) if delta is not None else fmt.MISSING for d in dims]
            + [data.system.nodes[driver].name if isinstance(driver, str) else ""]
        )
    w.table(
        "change",
        _("{year} 年较 {previous_year} 年的变化及维度贡献", year=data.year, previous_year=data.previous_year),
        [_("区县"), _("上年排名"), _("本年排名"), _("位次变化"), _("上年得分"), _("本年得分"), _("得分变化")]
        + [f"Δ{d.name}" for d in dims]
        + [_("主要因素")],
        rows,
        align="lrrrrrr" + "r" * len(dims) + "l",
        note=_("Δ维度为该维度对综合得分贡献 ⟦w'_d S_d⟧ 的变化，各维度之和等于得分变化。"),
        compact=True,
    )
    w.unit_figures(data, "change", _("{year} 年综合得分变化的维度分解", year=data.year))


def sheets(book: Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet(_("年度变化"))
    if data.previous_year is None or not len(data.change):
        sheet.write_string(0, 0, _("数据中没有 {value} 年的评价结果，不作年度比较。", value=data.year - 1))
        return
    frame = data.ranking
    change = data.change.reindex(frame.index)
    dims = data.parts
    columns = [
        Column(_("区县编码"), list(frame.index)),
        Column(_("区县名称"), list(frame["unit_name"])),
        Column(_("上年排名"), list(frame["previous_rank"]), "rank"),
        Column(_("本年排名"), list(frame["rank"]), "rank"),
        Column(_("位次变化"), list(frame["rank_change"]), "int"),
        Column(_("上年得分"), list(frame["previous_score"]), "score"),
        Column(_("本年得分"), list(frame["score"]), "score"),
        Column(_("得分变化"), list(frame["score_change"]), "signed"),
    ]
    columns += [Column(f"Δ{d.name}", list(change[d.code]), "signed") for d in dims]
    columns.append(
        Column(
            _("主要因素"),
            [data.system.nodes[d].name if isinstance(d, str) else None for d in change["driver"]],
        )
    )
    book.table(sheet, columns, freeze=2)
    n = len(frame)
    chart = book.workbook.add_chart({"type": "bar", "subtype": "stacked"})
    for j in range(len(dims)):
        col = 8 + j
        chart.add_series(
            {
                "name": [_("年度变化"), 0, col],
                "categories": [_("年度变化"), 1, 1, n, 1],
                "values": [_("年度变化"), 1, col, n, col],
                "fill": {"color": OKABE_ITO[j % len(OKABE_ITO)]},
            }
        )
    chart.set_title(
        {"name": _("得分变化的维度分解（较 {previous_year} 年）", previous_year=data.previous_year)}
    )
    chart.set_y_axis(category_axis(label_position="low"))  # labels left of the diverging bars
    chart.set_x_axis({"num_format": "0.0", "num_font": {"size": 9}})
    chart.set_legend({"position": "bottom"})
    book.chart(sheet, n + 2, 0, chart, x_scale=1.8, y_scale=unit_chart_scale(n))


CHAPTER = Chapter("change", "年度变化", blocks, sheets)
