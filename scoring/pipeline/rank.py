"""Ranks (1 = best, ties share the best rank) and tiers of the composite."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from scoring.system.models import QuantileTiers, Tier

TIE_DECIMALS = 9


def rank_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Rank every column within each year: highest score = 1, ties share the best rank (``min``), NaN unranked.

    Scores are compared rounded to 9 decimals, so that equal scores reached by different floating-point sums
    (e.g. after reordering the units) are ties rather than ranked by rounding noise.
    """
    values = np.round(scores.to_numpy(dtype=float), TIE_DECIMALS)
    ranks = np.full(values.shape, np.nan)
    years = scores.index.get_level_values("year").to_numpy()
    for year in np.unique(years):
        rows = years == year
        ranks[rows] = rankdata(-values[rows], method="min", axis=0, nan_policy="omit")
    return pd.DataFrame(ranks, index=scores.index, columns=scores.columns)


def assign_tiers(scores: pd.Series, ranks: pd.Series, tiers: list[Tier] | QuantileTiers | None) -> pd.Series:
    """The tier of each row.

    Thresholds: the tier with the highest ``min`` not above the score. Quantiles with k names: a unit ranked r
    of n ranked units in its year gets name number ``min(k − 1, ⌊(r − 1)·k/n⌋)`` (so tied units share a tier).
    """
    out = pd.Series(pd.NA, index=scores.index, dtype="string")
    if tiers is None:
        return out
    if isinstance(tiers, QuantileTiers):
        k = len(tiers.quantile)
        n = ranks.groupby(level="year").transform("count")
        position = ((ranks.astype(float) - 1.0) * k // n.astype(float)).clip(upper=k - 1)
        names = np.array(tiers.quantile, dtype=object)
        present = position.notna()
        out[present] = names[position[present].astype(int).to_numpy()]
        return out
    for tier in sorted(tiers, key=lambda t: t.min):
        out[scores >= tier.min] = tier.name
    return out
