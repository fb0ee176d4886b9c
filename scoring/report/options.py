"""What the office may set on a report (title, cover, charts, the robustness appendix's design)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scoring.analysis.settings import DEFAULT_UNCERTAINTY, UncertaintySettings
from scoring.report.language import Language


@dataclass(frozen=True)
class ReportOptions:
    """What the office may set on a report; the numbers always come from the evaluation."""

    title: str | None = None  # default: "<system name>综合评价报告（<year> 年度）"
    issuer: str | None = None  # 编制单位, on the cover
    issued: date | None = (
        None  # 发布日期, on the cover (none: left out, so the bytes do not depend on the day)
    )
    charts: bool = True  # False: no figures (faster; the tables carry every number)
    # the results' version when a correction (更正) replaced the first publication: a line on the cover naming
    # the version, its reason and where the earlier versions are (the service sets it; None: first publication)
    edition: str | None = None
    # the design of 附录五 稳健性分析 (its seed is printed there); the default is the one design the CLI and the
    # dashboard use too, so a round shows the same rank intervals everywhere. None leaves the appendix out.
    robustness: UncertaintySettings | None = DEFAULT_UNCERTAINTY
    # the edition's language: "zh" (the report as the office issues it) or "en" (the English edition: the same
    # content, with the system's English names, name_en, where the file gives them; scoring.report.language)
    lang: Language = "zh"
