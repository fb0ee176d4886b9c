"""一、摘要: the key sentences and the key-figures table; the workbook's 摘要 sheet (cover lines, the sentences
and the key figures at full precision)."""

from __future__ import annotations

from typing import Any

from scoring.analysis.report_data import ReportData
from scoring.outputs import escape_text
from scoring.report import narrative
from scoring.report import numbers as fmt
from scoring.report.chapter import Chapter, Writer
from scoring.report.excel import Book
from scoring.report.language import _
from scoring.report.model import Document
from scoring.report.options import ReportOptions


def blocks(w: Writer, data: ReportData, options: ReportOptions) -> None:
    w.chapter_heading(_("摘要"), "summary")
    w.paragraphs(narrative.summary(data), lead=True)
    ranked = data.ranking[data.ranking["rank"].notna()]
    rows = [
        [_("评价单元数"), str(len(data.ranking))],
        [_("维度数 / 指标数"), f"{len(data.dimensions)} / {len(data.system.indicators)}"],
        [_("综合指数全市平均"), fmt.score(float(data.city_mean.loc[data.year, data.composite]))],
    ]
    if len(ranked):
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        rows += [
            [_("最高分"), f"{top['unit_name']} {fmt.score(top['score'])}"],
            [_("最低分"), f"{bottom['unit_name']} {fmt.score(bottom['score'])}"],
        ]
    for name, count in data.tier_counts.get(data.year, {}).items():
        rows.append([_("梯队：{name}", name=name), str(count)])
    if data.targets:
        counts = data.city_status_counts
        rows.append([_("设有规划目标的指标"), str(len(data.targets))])
        rows.extend([_("其中（按全市平均）：{s}", s=_(s)), str(n)] for s, n in counts.items() if n)
    w.table(
        "key_figures", _("{year} 年评价主要数据", year=data.year), [_("项目"), _("数值")], rows, align="lr"
    )


def sheets(book: Book, data: ReportData, document: Document) -> None:
    sheet = book.sheet(_("摘要"))
    sheet.set_column(0, 0, 90)  # a portrait page's width
    sheet.write_string(0, 0, str(escape_text(document.cover.title)), book.title)
    for i, line in enumerate(document.cover.lines, start=1):
        sheet.write_string(i, 0, str(escape_text(line)))
    row = len(document.cover.lines) + 2
    for sentence in narrative.summary(data):
        book.paragraph(sheet, row, sentence, width=90)
        row += 1
    row += 1
    ranked = data.ranking[data.ranking["rank"].notna()]
    labels: list[Any] = [_("评价单元数"), _("维度数"), _("指标数"), _("综合指数全市平均")]
    values: list[Any] = [
        len(data.ranking),
        len(data.dimensions),
        len(data.system.indicators),
        float(data.city_mean.loc[data.year, data.composite]),
    ]
    kinds = ["int", "int", "int", "score"]
    if len(ranked):
        labels += [
            _("最高分（{iloc}）", iloc=ranked["unit_name"].iloc[0]),
            _("最低分（{iloc}）", iloc=ranked["unit_name"].iloc[-1]),
        ]
        values += [float(ranked["score"].iloc[0]), float(ranked["score"].iloc[-1])]
        kinds += ["score", "score"]
    for name, count in data.tier_counts.get(data.year, {}).items():
        labels.append(_("梯队：{name}", name=name))
        values.append(count)
        kinds.append("int")
    sheet.write_string(row, 0, _("主要数据"), book.header)
    sheet.write_string(row, 1, _("数值"), book.header)
    sheet.set_column(1, 1, 14)
    for i, (label, value, kind) in enumerate(zip(labels, values, kinds, strict=True), start=row + 1):
        sheet.write_string(i, 0, str(escape_text(label)))
        book.cell(sheet, i, 1, value, kind, book.formats[kind])


CHAPTER = Chapter("summary", "摘要", blocks, sheets)
