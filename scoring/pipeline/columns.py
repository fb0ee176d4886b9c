"""Column statistics that skip missing values and leave a column with too few values missing, quietly.

numpy's ``nanmin``/``nanstd``/… warn on a column with no values (or one value for a sample sd). Such columns are
ordinary here (an indicator nobody reported in a group), so the statistic is simply NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def column_stat(reduce: Callable[..., Any], x: np.ndarray, min_count: int = 1, **kwargs: Any) -> np.ndarray:
    """``reduce(x, axis=0, **kwargs)`` over the columns with at least ``min_count`` values; NaN for the others."""
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape[1], np.nan)
    enough = (~np.isnan(x)).sum(axis=0) >= min_count
    if enough.all():
        return np.asarray(reduce(x, axis=0, **kwargs), dtype=float)
    if enough.any():
        out[enough] = reduce(x[:, enough], axis=0, **kwargs)
    return out
