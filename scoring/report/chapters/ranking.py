"""四、区县综合排名与梯队: every unit's rank, score, tier, change and dimension scores, the bar chart coloured by
tier and the tier members; the workbook's 综合排名 sheet."""

from __future__ import annotations

from scoring.analysis.report_data import ReportData
from scoring.report import narrative
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.excel import Book, Column, bar_chart
from scoring.report.model import Document
from scoring.report.options import ReportOptions


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading("区县综合排名与梯队", "ranking")
    w.paragraphs(narrative.ranking_text(data))
    rows = []
    for _, row in data.ranking.iterrows():
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
        f"{data.year} 年综合得分与排名",
        ["排名", "区县", "综合得分", "梯队", "得分变化", "位次变化"] + [d.name for d in data.dimensions],
        rows,
        align="rlrlrr" + "r" * len(data.dimensions),
        note="得分变化、位次变化与上一年度相比；位次变化 ↑ 为上升。",
        compact=True,
    )
    w.unit_figures(data, "ranking", f"{data.year} 年综合得分（按梯队着色）")
    if data.tier_names:
        rows = []
        for name in data.tier_names:
            members = data.ranking[data.ranking["tier"] == name]["unit_name"]
            rows.append([name, str(len(members)), "、".join(members)])
        w.table("tiers", "梯队划分", ["梯队", "单元数", "单元"], rows, align="lrl")


def sheets(book: Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet("综合排名")
    frame = data.ranking
    columns = [
        Column("排名", list(frame["rank"]), "rank"),
        Column("区县编码", list(frame.index)),
        Column("区县名称", list(frame["unit_name"])),
        Column("综合得分", list(frame["score"]), "score"),
        Column("梯队", list(frame["tier"])),
        Column("得分变化", list(frame["score_change"]), "signed"),
        Column("上年排名", list(frame["previous_rank"]), "rank"),
        Column("位次变化", list(frame["rank_change"]), "int"),
        Column("TOPSIS 贴近度", list(frame["topsis"]), "weight"),
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
        "综合排名",
        n,
        category_col=2,
        value_col=3,
        title=f"{data.year} 年综合得分",
        maximum=float(data.system.method.scale[1]),
    )


CHAPTER = Chapter("ranking", "区县综合排名与梯队", blocks, sheets)
