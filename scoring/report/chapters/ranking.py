"""四、区县综合排名与梯队: every unit's rank, score, tier, change and dimension scores, the bar chart coloured by
tier and the tier members; the workbook's 综合排名 sheet."""

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
    w.chapter_heading(_("区县综合排名与梯队"), "ranking")
    w.paragraphs(narrative.ranking_text(data))
    rows = []
    for _code, row in data.ranking.iterrows():
        rows.append(
            [
                fmt.rank(row["rank"]),
                str(row["unit_name"]),
                fmt.score(row["score"]),
                row["tier"] or "",
                fmt.signed(row["score_change"]),
                fmt.rank_move(row["rank_change"]),
            ]
            + [fmt.score(row[d.code]) for d in data.dimensions]
        )
    w.table(
        "ranking",
        _("{year} 年综合得分与排名", year=data.year),
        [_("排名"), _("区县"), _("综合得分"), _("梯队"), _("得分变化"), _("位次变化")]
        + [d.name for d in data.dimensions],
        rows,
        align="rlrlrr" + "r" * len(data.dimensions),
        note=_("得分变化、位次变化与上一年度相比；位次变化 ↑ 为上升。"),
        compact=True,
    )
    # the short tier table before the tall chart, so neither is left alone on a page
    if data.tier_names:
        rows = []
        for name in data.tier_names:
            members = data.ranking[data.ranking["tier"] == name]["unit_name"]
            rows.append([name, str(len(members)), _("、").join(members)])
        w.table("tiers", _("梯队划分"), [_("梯队"), _("单元数"), _("单元")], rows, align="lrl")
    w.unit_figures(data, "ranking", _("{year} 年综合得分（按梯队着色）", year=data.year))


def sheets(book: Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet(_("综合排名"))
    frame = data.ranking
    columns = [
        Column(_("排名"), list(frame["rank"]), "rank"),
        Column(_("区县编码"), list(frame.index)),
        Column(_("区县名称"), list(frame["unit_name"])),
        Column(_("综合得分"), list(frame["score"]), "score"),
        Column(_("梯队"), list(frame["tier"])),
        Column(_("得分变化"), list(frame["score_change"]), "signed"),
        Column(_("上年排名"), list(frame["previous_rank"]), "rank"),
        Column(_("位次变化"), list(frame["rank_change"]), "int"),
        Column(_("TOPSIS 贴近度"), list(frame["topsis"]), "weight"),
    ]
    columns += [Column(d.name, list(frame[d.code]), "score") for d in data.dimensions]
    book.table(sheet, columns, freeze=3)
    n = len(frame)
    first_dim = 9
    sheet.conditional_format(
        1,
        first_dim,
        n,
        first_dim + len(data.dimensions) - 1,
        {"type": "2_color_scale", "min_color": "#F7FBFF", "max_color": "#6BAED6"},
    )
    bar_chart(
        book,
        sheet,
        _("综合排名"),
        n,
        category_col=2,
        value_col=3,
        title=_("{year} 年综合得分", year=data.year),
        maximum=float(data.system.method.scale[1]),
    )


CHAPTER = Chapter("ranking", "区县综合排名与梯队", blocks, sheets)
