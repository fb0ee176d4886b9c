"""Missing data: leave gaps for the aggregation to skip (renormalise), impute a group mean, or refuse.

Each method takes the raw matrix (rows (year, unit), columns indicators) and returns the matrix to carry on
with and a boolean mask of the cells it imputed. Cells a unit marked 不适用 (not applicable) are never imputed:
they stay missing and their weight goes to the indicators present.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.methods import Stage
from scoring.problems import PipelineError, Problem
from scoring.registry import Registry
from scoring.system.models import IndicatorSystem


@dataclass(frozen=True)
class MissingContext:
    """What imputation may use besides the values: unit groups and the cells marked not applicable."""

    groups: dict[str, str]
    not_applicable: pd.DataFrame


MissingMethod = Callable[[pd.DataFrame, MissingContext], tuple[pd.DataFrame, pd.DataFrame]]
MISSING: Registry[MissingMethod] = Registry(Stage.MISSING)


def _nothing_imputed(x: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(False, index=x.index, columns=x.columns)


@MISSING.register("renormalise")
def missing_renormalise(x: pd.DataFrame, context: MissingContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Impute nothing; aggregation rescales the weights over the children present (COINr's default)."""
    return x, _nothing_imputed(x)


@MISSING.register("group_mean")
def missing_group_mean(x: pd.DataFrame, context: MissingContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill a gap with the mean of the same indicator over the units of the same group in the same year.

    Units without a group form one group together. A gap whose group has no value stays missing (and is then
    renormalised over by the aggregation).
    """
    units = x.index.get_level_values("unit_code")
    group = pd.Index([context.groups.get(u) or "" for u in units])
    year = x.index.get_level_values("year")
    means = x.groupby([year, group]).transform("mean")
    na = context.not_applicable.reindex(index=x.index, columns=x.columns, fill_value=False).to_numpy(
        dtype=bool
    )
    fill = x.isna().to_numpy() & ~na & means.notna().to_numpy()
    filled = x.mask(fill, means)
    return filled, pd.DataFrame(fill, index=x.index, columns=x.columns)


@MISSING.register("fail")
def missing_fail(x: pd.DataFrame, context: MissingContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Refuse to score when any value is missing (except those marked not applicable)."""
    na = context.not_applicable.reindex(index=x.index, columns=x.columns, fill_value=False).to_numpy(
        dtype=bool
    )
    gaps = x.isna().to_numpy() & ~na
    if gaps.any():
        rows, cols = np.nonzero(gaps)
        cells = [f"{x.index[r][1]}/{x.columns[c]}/{x.index[r][0]}" for r, c in zip(rows, cols, strict=True)]
        raise PipelineError(Problem("pipeline.missing_values", params={"cells": ", ".join(cells[:50])}))
    return x, _nothing_imputed(x)


# ------------------------------------------------------------------------------------------------- the stage


@dataclass(frozen=True)
class Imputed:
    """The missing-data stage: the matrix to carry on with and the cells it imputed."""

    method: str
    values: pd.DataFrame
    mask: pd.DataFrame

    def log_detail(self) -> dict[str, Any]:
        """Every imputed cell with its value."""
        rows, cols = np.nonzero(self.mask.to_numpy())
        return {
            "imputed": [
                {
                    "year": int(self.values.index[r][0]),
                    "unit_code": self.values.index[r][1],
                    "indicator_code": self.values.columns[c],
                    "value": float(self.values.iat[r, c]),
                }
                for r, c in zip(rows, cols, strict=True)
            ]
        }


def impute_stage(raw: pd.DataFrame, not_applicable: pd.DataFrame, system: IndicatorSystem) -> Imputed:
    """The system's missing-data method on the raw matrix."""
    name = system.method.missing
    groups = {u.code: u.group or "" for u in system.units}
    values, mask = MISSING[name](raw, MissingContext(groups, not_applicable))
    return Imputed(name, values, mask)
