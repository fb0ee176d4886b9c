"""The report as format-neutral blocks: the cover, then the chapters of :data:`scoring.report.chapters.CHAPTERS`
in order. Tables and figures are numbered in reading order across chapters (:class:`scoring.report.chapter.Writer`).
"""

from __future__ import annotations

from collections.abc import Sequence

from scoring.analysis.report_data import ReportData
from scoring.report.chapter import Chapter, Writer
from scoring.report.chapters import CHAPTERS
from scoring.report.model import Cover, Document
from scoring.report.options import ReportOptions


def report_title(data: ReportData, options: ReportOptions) -> str:
    """The title on the cover: the office's, or ``<system name>综合评价报告（<year> 年度）``."""
    if options.title:
        return options.title
    name = data.system.name.removesuffix("指标体系").removesuffix("评价")
    return f"{name}综合评价报告（{data.year} 年度）"


def build_document(
    data: ReportData, options: ReportOptions | None = None, chapters: Sequence[Chapter] = CHAPTERS
) -> Document:
    """The whole report as blocks, from the analysed evaluation: each chapter's blocks in turn (the robustness
    appendix only when ``data`` carries its analysis, see :func:`scoring.analysis.report_data.analyse`)."""
    options = options or ReportOptions()
    w = Writer(options.charts)
    for chapter in chapters:
        chapter.blocks(w, data, options)
    lines = [
        f"评价体系：{data.system.name}（{data.system.version} 版）",
        f"评价年度：{data.year} 年",
        f"评价单元：{len(data.ranking)} 个",
    ]
    if options.edition:
        lines.append(options.edition)
    if options.issuer:
        lines.append(f"编制单位：{options.issuer}")
    if options.issued:
        lines.append(f"发布日期：{options.issued.year} 年 {options.issued.month} 月 {options.issued.day} 日")
    return Document(Cover(report_title(data, options), data.system.name, tuple(lines)), tuple(w.blocks))
