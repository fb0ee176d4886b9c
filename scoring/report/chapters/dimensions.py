"""五、分维度评价: the heat map units × dimensions, and per dimension a sentence and the units ranked by it with
the scores of its children; one workbook sheet per dimension (``A 数字基础设施``, …)."""

from __future__ import annotations

from scoring.analysis.report_data import ReportData
from scoring.report import narrative
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.excel import Book, Column, bar_chart
from scoring.report.language import _
from scoring.report.model import Document
from scoring.report.options import ReportOptions


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading(_("分维度评价"), "dimensions")
    if w.charts:
        w.paragraphs([_("各单元分维度得分见下图（单元按综合排名排列，颜色越亮得分越高）。")])
    w.unit_figures(data, "heatmap", _("各单元分维度得分"))
    scores = data.evaluation.scores.xs(data.year, level="year")
    ranks = data.evaluation.ranks.xs(data.year, level="year")
    for dim in data.dimensions:
        w.section_heading(dim.name, f"dimension-{dim.code}")
        w.paragraphs([narrative.dimension_text(data, dim.code)])
        children = list(dim.children or [])
        rows = []
        for unit in data.dimension_orders[dim.code]:
            rows.append(
                [
                    fmt.rank(ranks.at[unit, dim.code]),
                    data.name(unit),
                    fmt.score(scores.at[unit, dim.code]),
                ]
                + [fmt.score(scores.at[unit, c.code]) for c in children]
            )
        w.table(
            f"dimension:{dim.code}",
            _("{name}得分与排名", name=dim.name),
            [_("排名"), _("区县"), _("维度得分")] + [c.code for c in children],
            rows,
            align="rlr" + "r" * len(children),
            note=_("；").join(f"{c.code} {c.name}" for c in children) + _("（下级得分）。"),
            compact=len(children) > 6,
        )


def sheets(book: Book, data: ReportData, document: Document) -> None:
    scores = data.evaluation.scores.xs(data.year, level="year")
    ranks = data.evaluation.ranks.xs(data.year, level="year")
    changes = data.evaluation.score_change.xs(data.year, level="year")
    for dim in data.dimensions:
        sheet = book.sheet(f"{dim.code} {dim.name}")
        sheet_name = sheet.get_name()
        units = data.dimension_orders[dim.code]
        children = list(dim.children or [])
        columns = [
            Column(_("排名"), [ranks.at[u, dim.code] for u in units], "rank"),
            Column(_("区县编码"), list(units)),
            Column(_("区县名称"), [data.name(u) for u in units]),
            Column(_("{name}得分", name=dim.name), [scores.at[u, dim.code] for u in units], "score"),
            Column(_("得分变化"), [changes.at[u, dim.code] for u in units], "signed"),
        ]
        columns += [
            Column(f"{c.code} {c.name}", [scores.at[u, c.code] for u in units], "score") for c in children
        ]
        book.table(sheet, columns, freeze=3)
        bar_chart(
            book,
            sheet,
            sheet_name,
            len(units),
            2,
            3,
            _("{name}得分", name=dim.name),
            maximum=float(data.system.method.scale[1]),
        )


CHAPTER = Chapter("dimensions", "分维度评价", blocks, sheets)
