"""The declared transform of an indicator (``transform: log``), applied before treatment and normalisation.

The same transform is applied to the indicator's goalposts and target (see
:func:`scoring.pipeline.normalise.column_params`), so the file gives them in raw units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.methods import Stage
from scoring.registry import Registry
from scoring.system.models import Node

Transform = Callable[[Any], Any]
TRANSFORM: Registry[Transform] = Registry(Stage.TRANSFORM)


@TRANSFORM.register("log")
def transform_log(values: Any) -> Any:
    """``ln(1 + x)``: defined at 0, for counts and capacities."""
    with np.errstate(all="ignore"):
        return np.log1p(values)


def transform_values(values: np.ndarray | float, transform: str | None) -> Any:
    """An indicator's declared transform of its values (unchanged when it declares none)."""
    if transform is None:
        return values
    return TRANSFORM[transform](values)


@dataclass(frozen=True)
class Transformed:
    """The transform stage: the matrix after every declared transform, and which indicators had which."""

    values: pd.DataFrame
    transformed: dict[str, list[str]]  # transform → indicator codes

    def log_detail(self, transform: str) -> dict[str, Any]:
        return {"indicators": self.transformed[transform]}


def transform_stage(x: pd.DataFrame, indicators: list[Node]) -> Transformed:
    """Apply each indicator's declared transform to its column."""
    by_transform: dict[str, list[str]] = {}
    for indicator in indicators:
        if indicator.transform is not None:
            by_transform.setdefault(indicator.transform, []).append(indicator.code)
    if not by_transform:
        return Transformed(x, {})
    out = x.copy()
    for transform, codes in by_transform.items():
        out[codes] = transform_values(out[codes].to_numpy(), transform)
    return Transformed(out, by_transform)
