"""Year-over-year change of every node's score and rank."""

from __future__ import annotations

import pandas as pd


def year_over_year(scores: pd.DataFrame, ranks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Change from the previous calendar year: score difference, and places gained (previous rank − rank).

    Missing where the unit has no score (rank) in the previous calendar year.
    """
    previous = scores.rename(index=lambda y: y + 1, level="year").reindex(scores.index)
    previous_rank = ranks.rename(index=lambda y: y + 1, level="year").reindex(ranks.index)
    return scores - previous, previous_rank - ranks
