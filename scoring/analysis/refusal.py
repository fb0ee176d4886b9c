"""Why an analysis cannot be computed for a system or its data: one problem code, ``analysis.domain``, naming
the analysis and the reason in Chinese and English (the CLI, the API and the report's chapters all show it)."""

from __future__ import annotations

from scoring.problems import DigiscoreError, Problem


def refused(analysis_zh: str, analysis_en: str, detail_zh: str, detail_en: str) -> DigiscoreError:
    """The error refusing an input outside the analysis's domain."""
    return DigiscoreError(
        Problem(
            "analysis.domain",
            params={
                "analysis_zh": analysis_zh,
                "analysis_en": analysis_en,
                "detail_zh": detail_zh,
                "detail_en": detail_en,
            },
        )
    )
