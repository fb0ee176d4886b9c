"""What a chapter of the report is: its Word / HTML blocks and its Excel sheets, from the analysed evaluation.

A chapter module (:mod:`scoring.report.chapters`) defines ``CHAPTER = Chapter(...)``; the report is the ordered
list :data:`scoring.report.chapters.CHAPTERS`. Chapters only format: every number comes from
:class:`~scoring.analysis.report_data.ReportData`, every cell is written by :mod:`scoring.report.numbers`, every
method label and formula comes from :mod:`scoring.report.methods_text`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scoring.report.charts import parts as chart_parts
from scoring.report.language import _, chapter_number, section_number, sentence
from scoring.report.model import Block, Figure, Heading, Paragraph, Table

if TYPE_CHECKING:
    from scoring.analysis.report_data import ReportData
    from scoring.report.excel import Book
    from scoring.report.model import Document
    from scoring.report.options import ReportOptions


class Writer:
    """Collects the blocks of the whole report and numbers chapters, sections, tables and figures in reading
    order (so a chapter writes ``表 n`` without knowing what came before it)."""

    def __init__(self, charts: bool):
        self.blocks: list[Block] = []
        self.charts = charts
        self.chapter = 0
        self.section = 0
        self.tables = 0
        self.figures = 0

    def chapter_heading(self, title: str, anchor: str) -> None:
        """``一、摘要``: the next numbered chapter."""
        self.chapter += 1
        self.section = 0
        self.blocks.append(Heading(chapter_number(self.chapter, title), 1, anchor))

    def section_heading(self, title: str, anchor: str) -> None:
        """``（一）指标体系``: the next numbered section of the chapter."""
        self.section += 1
        self.blocks.append(Heading(section_number(self.chapter, self.section, title), 2, anchor))

    def heading(self, text: str, level: int, anchor: str) -> None:
        """A heading numbered by its text (the appendix: ``附录一  指标解释``)."""
        self.blocks.append(Heading(text, level, anchor))

    def paragraphs(self, texts: list[str], lead: bool = False) -> None:
        self.blocks.extend(Paragraph(sentence(t), lead) for t in texts)

    def add(self, block: Block) -> None:
        """Any other block (formula, bullets, page break)."""
        self.blocks.append(block)

    def table(
        self,
        key: str,
        caption: str,
        header: list[str],
        rows: list[list[str]],
        align: str = "",
        note: str = "",
        compact: bool = False,
    ) -> None:
        """The next numbered table (``表 n  caption``); ``key`` names it for tests and the other formats."""
        self.tables += 1
        self.blocks.append(
            Table(
                key=key,
                caption=_("表 {n}  {caption}", n=self.tables, caption=caption),
                header=tuple(header),
                rows=tuple(tuple(r) for r in rows),
                align=align,
                note=note,
                compact=compact,
            )
        )

    def figure(self, chart: str, caption: str, width_cm: float = 15.0) -> None:
        """The next numbered figure, drawn from the chart ``chart`` (:mod:`scoring.report.charts`); nothing
        when the report has no charts."""
        if not self.charts:
            return
        self.figures += 1
        self.blocks.append(Figure(chart, _("图 {n}  {caption}", n=self.figures, caption=caption), width_cm))

    def unit_figures(self, data: ReportData, chart: str, caption: str) -> None:
        """A chart with one row per unit, split into parts that each fit a page."""
        n = chart_parts(len(data.ranking))
        for part in range(1, n + 1):
            self.figure(
                f"{chart}:{part}",
                caption if n == 1 else _("{caption}（{part}/{n}）", caption=caption, part=part, n=n),
            )


WriteBlocks = Callable[[Writer, "ReportData", "ReportOptions"], None]
WriteSheets = Callable[["Book", "ReportData", "Document"], None]


@dataclass(frozen=True)
class Chapter:
    """One chapter: ``blocks`` writes its Word / HTML blocks (both editions render the same blocks), ``sheets``
    its Excel sheets (``None``: the workbook has no sheet for it). ``key`` is its name in
    :data:`~scoring.report.chapters.CHAPTERS` and the anchor of its heading."""

    key: str
    title: str
    blocks: WriteBlocks
    sheets: WriteSheets | None = None
