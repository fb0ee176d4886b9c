"""Ranks (1 = best, ties share the best rank) and tiers of the composite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from scoring.methods import Stage
from scoring.registry import Registry
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
        # pandas' rank rather than scipy's rankdata (the same ``min`` ranks, NaN kept): the engine's commands
        # then start without importing scipy (issue 16 item 2)
        ranks[rows] = pd.DataFrame(-values[rows]).rank(method="min", axis=0, na_option="keep").to_numpy()
    return pd.DataFrame(ranks, index=scores.index, columns=scores.columns)


TierMethod = Callable[[pd.Series, pd.Series, Any], pd.Series]
TIERS: Registry[TierMethod] = Registry(Stage.TIERS)


def tier_method(tiers: list[Tier] | QuantileTiers) -> str:
    """The tier method a system's ``tiers`` ask for: ``quantile`` (by rank) or ``thresholds`` (by score)."""
    return "quantile" if isinstance(tiers, QuantileTiers) else "thresholds"


def assign_tiers(scores: pd.Series, ranks: pd.Series, tiers: list[Tier] | QuantileTiers | None) -> pd.Series:
    """The tier of each row (missing where none): by the system's tier method, none when it has no tiers."""
    if tiers is None:
        return pd.Series(pd.NA, index=scores.index, dtype="string")
    return TIERS[tier_method(tiers)](scores, ranks, tiers)


@TIERS.register("quantile")
def tiers_by_quantile(scores: pd.Series, ranks: pd.Series, tiers: QuantileTiers) -> pd.Series:
    """With k names, a unit ranked r of n ranked units in its year gets name number
    ``min(k − 1, ⌊(r − 1)·k/n⌋)`` (so tied units share a tier)."""
    out = pd.Series(pd.NA, index=scores.index, dtype="string")
    n = ranks.groupby(level="year").transform("count")
    names = quantile_tier_names(ranks.to_numpy(dtype=float), n.to_numpy(dtype=float), tiers.quantile)
    present = ranks.notna().to_numpy()
    out[present] = names[present]
    return out


def quantile_tier_names(ranks: np.ndarray, ranked: np.ndarray, names: list[str]) -> np.ndarray:
    """Name number ``min(k − 1, ⌊(r − 1)·k/n⌋)`` of ``names`` (k of them) for rank r among n ranked units (``ranked``,
    per row); None where the rank is NaN. Used for the year's units and for the units of a group alike."""
    k = len(names)
    with np.errstate(invalid="ignore"):
        position = np.minimum((ranks - 1.0) * k // ranked, k - 1)
    out = np.full(len(ranks), None, dtype=object)
    present = ~np.isnan(position)
    out[present] = np.array(names, dtype=object)[position[present].astype(int)]
    return out


@TIERS.register("thresholds")
def tiers_by_thresholds(scores: pd.Series, ranks: pd.Series, tiers: list[Tier]) -> pd.Series:
    """The tier with the highest ``min`` not above the score (none below every ``min``)."""
    out = pd.Series(pd.NA, index=scores.index, dtype="string")
    for tier in sorted(tiers, key=lambda t: t.min):
        out[scores >= tier.min] = tier.name
    return out
