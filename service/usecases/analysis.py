"""Analyses of a round's results: rank intervals and sensitivity under the one default uncertainty design
(``scoring.analysis.design.DEFAULT_UNCERTAINTY``: the seed, the replications and the assumptions varied), the
design the CLI's ``uncertainty`` and the report's robustness appendix use, so that one round shows the same
rank intervals everywhere.

The runs are costly (about a thousand scorings of the round); published results never change, so the outcome
is computed once per published snapshot and worker and kept in the results cache; a preview is computed afresh.
"""

from __future__ import annotations

from typing import Any

from scoring.analysis.design import DEFAULT_UNCERTAINTY
from scoring.outputs import records
from service.context import ServiceContext
from service.usecases.read import RoundRead


def rank_intervals(context: ServiceContext, read: RoundRead) -> dict[str, Any]:
    """Rank intervals (5–95 %) and sensitivity indices of the round under the default design: ``runs``,
    ``seed``, ``units`` and ``sensitivity`` — or ``{"error": ...}``, the reason they could not be computed.

    The analysis is the report's robustness appendix's (``scoring.analysis.report_data.robustness_analysis``)
    on the evaluation behind the round's results, so the two cannot disagree."""
    design = DEFAULT_UNCERTAINTY

    def build() -> dict[str, Any]:
        from scoring.analysis.report_data import robustness_analysis  # the analysis stack loads on first use

        robustness = robustness_analysis(read.evaluation(), design)
        if robustness.skipped is not None or robustness.result is None:
            return {"error": robustness.skipped.message_zh if robustness.skipped else "not computed"}
        result = robustness.result
        return {
            "runs": result.replications,
            "seed": design.seed,
            "units": records(result.units),
            "sensitivity": records(result.sensitivity),
        }

    found: dict[str, Any] = read.derived(context, ("uncertainty", design), build)
    return found
