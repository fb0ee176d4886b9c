"""The chapters of the annual report, in the order users expect (DOMAIN.md).

The report is this list: each entry is a chapter module's ``CHAPTER`` (:class:`scoring.report.chapter.Chapter`),
which writes its Word / HTML blocks and its Excel sheets. A new chapter is one module here and one line below.
"""

from __future__ import annotations

from scoring.report.chapter import Chapter
from scoring.report.chapters import (
    appendix,
    change,
    city,
    coordination,
    dimensions,
    disparity,
    methods,
    obstacles,
    profiles,
    ranking,
    recommendations,
    robustness,
    summary,
    targets,
    versions,
)

CHAPTERS: tuple[Chapter, ...] = (
    summary.CHAPTER,  # 摘要
    methods.CHAPTER,  # 评价体系与方法
    city.CHAPTER,  # 全市总体情况
    ranking.CHAPTER,  # 区县综合排名与梯队
    dimensions.CHAPTER,  # 分维度评价
    targets.CHAPTER,  # 目标完成度
    change.CHAPTER,  # 年度变化
    profiles.CHAPTER,  # 区县画像
    coordination.CHAPTER,  # 协同发展分析
    obstacles.CHAPTER,  # 障碍因子诊断
    disparity.CHAPTER,  # 区域差异分析 (with 分类评价)
    recommendations.CHAPTER,  # 问题与建议
    appendix.CHAPTER,  # 附录一—四
    robustness.CHAPTER,  # 附录五 稳健性分析 (when asked for)
    versions.CHAPTER,  # 附录六 指标体系版本变化 (when the previous round used another version)
)

__all__ = ["CHAPTERS", "Chapter"]
