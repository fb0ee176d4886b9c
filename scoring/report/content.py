"""The report as format-neutral blocks: the cover, then the chapters of :data:`scoring.report.chapters.CHAPTERS`
in order. Tables and figures are numbered in reading order across chapters (:class:`scoring.report.chapter.Writer`).
"""

from __future__ import annotations

from collections.abc import Sequence

from scoring.analysis.report_data import ReportData
from scoring.report.chapter import Chapter, Writer
from scoring.report.chapters import CHAPTERS
from scoring.report.language import _
from scoring.report.model import Cover, Document
from scoring.report.options import ReportOptions


def report_title(data: ReportData, options: ReportOptions) -> str:
    """The title on the cover: the office's, or ``<system name>综合评价报告（<year> 年度）``."""
    if options.title:
        return options.title
    name = data.system.name
    for suffix in ("指标体系", "评价", " Indicator System", " Evaluation"):  # the title says 评价报告 itself
        name = name.removesuffix(suffix)
    return _("{name}综合评价报告（{year} 年度）", name=name, year=data.year)


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
        _("评价体系：{name}（{version} 版）", name=data.system.name, version=data.system.version),
        _("评价年度：{year} 年", year=data.year),
        _("评价单元：{ranking} 个", ranking=len(data.ranking)),
    ]
    if options.edition:
        lines.append(options.edition)
    if options.issuer:
        lines.append(_("编制单位：{issuer}", issuer=options.issuer))
    if options.issued:
        lines.append(
            _(
                "发布日期：{year} 年 {month} 月 {day} 日",
                year=options.issued.year,
                month=options.issued.month,
                day=options.issued.day,
            )
        )
    return Document(Cover(report_title(data, options), data.system.name, tuple(lines)), tuple(w.blocks))
