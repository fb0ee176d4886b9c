"""Missing data: leave gaps for the aggregation to skip (renormalise), impute a group mean, carry the unit's
last value forward or interpolate between its years (panels), or refuse.

Each method takes the raw matrix (rows (year, unit), columns indicators) and returns the matrix to carry on
with and a boolean mask of the cells it imputed. Cells a unit marked 不适用 (not applicable) are never imputed:
they stay missing and their weight goes to the indicators present.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    max_gap: int = 2  # years: carry_forward and linear fill no gap longer than this
    # units' and indicators' names (Chinese, English) by code, for messages that name a cell
    names: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def cell(self, unit: str, indicator: str, year: int, language: int) -> str:
        """A cell as messages name it: ``历下区 DI-01 每万人5G基站数 2024 年`` / ``Lixia DI-01 5G … (2024)``."""
        unit_name = self.names.get(unit, (unit, unit))[language]
        name = self.names.get(indicator, ("", ""))[language]
        where = f"{unit_name} {indicator}{' ' + name if name and name != indicator else ''}"
        return f"{where} {year} 年" if language == 0 else f"{where} ({year})"


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


def _by_unit_and_year(x: pd.DataFrame, code: str) -> pd.DataFrame:
    """One indicator as a units × years frame (years sorted)."""
    return x[code].unstack("year").sort_index(axis=1)


def _fill_across_years(
    x: pd.DataFrame, context: MissingContext, fill: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill each indicator's gaps from the same unit's other years; ``fill(values, years, gap)`` returns the
    units × years values filled (NaN where it cannot). 不适用 cells are never filled."""
    na = context.not_applicable.reindex(index=x.index, columns=x.columns, fill_value=False)
    out = x.copy()
    for code in x.columns:
        wide = _by_unit_and_year(x, code)
        years = wide.columns.to_numpy(dtype=float)
        filled = fill(wide.to_numpy(dtype=float), years, np.asarray(context.max_gap, dtype=float))
        long = pd.DataFrame(filled, index=wide.index, columns=wide.columns).stack(future_stack=True)
        long.index = long.index.swaplevel(0, 1)
        candidates = long.reindex(x.index).to_numpy()
        take = x[code].isna().to_numpy() & ~na[code].to_numpy(dtype=bool) & ~np.isnan(candidates)
        out[code] = np.where(take, candidates, x[code].to_numpy())
    mask = out.notna() & x.isna()
    return out, mask


def _last_known(values: np.ndarray, years: np.ndarray, forward: bool) -> tuple[np.ndarray, np.ndarray]:
    """For every cell, the nearest earlier (``forward``) or later known value of its row and that value's year."""
    known_year = np.where(np.isnan(values), np.nan, years[np.newaxis, :])
    frame_values, frame_years = pd.DataFrame(values), pd.DataFrame(known_year)
    if forward:
        return frame_values.ffill(axis=1).to_numpy(), frame_years.ffill(axis=1).to_numpy()
    return frame_values.bfill(axis=1).to_numpy(), frame_years.bfill(axis=1).to_numpy()


@MISSING.register("carry_forward")
def missing_carry_forward(x: pd.DataFrame, context: MissingContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Last value carried forward: a gap in year t takes the unit's latest earlier value (year s) when
    ``t − s ≤ max_gap``; a gap with no earlier value, or an older one, stays missing."""

    def fill(values: np.ndarray, years: np.ndarray, gap: np.ndarray) -> np.ndarray:
        before, before_year = _last_known(values, years, forward=True)
        return np.where(years[np.newaxis, :] - before_year <= gap, before, np.nan)

    return _fill_across_years(x, context, fill)


@MISSING.register("linear")
def missing_linear(x: pd.DataFrame, context: MissingContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Linear between years: a gap in year t between the unit's known values x_s (s < t) and x_u (u > t) takes
    ``x_s + (x_u − x_s)·(t − s)/(u − s)`` when the run of missing years is at most ``max_gap`` long
    (``u − s − 1 ≤ max_gap``); a gap before the first or after the last known year stays missing."""

    def fill(values: np.ndarray, years: np.ndarray, gap: np.ndarray) -> np.ndarray:
        before, before_year = _last_known(values, years, forward=True)
        after, after_year = _last_known(values, years, forward=False)
        t = years[np.newaxis, :]
        with np.errstate(all="ignore"):
            line = before + (after - before) * (t - before_year) / (after_year - before_year)
        # years absent from the panel count as missing years of the run
        return np.where(after_year - before_year - 1 <= gap, line, np.nan)

    return _fill_across_years(x, context, fill)


@MISSING.register("fail")
def missing_fail(x: pd.DataFrame, context: MissingContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Refuse to score when any value is missing (except those marked not applicable)."""
    na = context.not_applicable.reindex(index=x.index, columns=x.columns, fill_value=False).to_numpy(
        dtype=bool
    )
    gaps = x.isna().to_numpy() & ~na
    if gaps.any():
        rows, cols = np.nonzero(gaps)
        found = [
            (str(x.index[r][1]), str(x.columns[c]), int(x.index[r][0]))
            for r, c in zip(rows, cols, strict=True)
        ]
        more = len(found) - 50
        cells, cells_en = (
            "；".join(context.cell(*f, 0) for f in found[:50]),
            "; ".join(context.cell(*f, 1) for f in found[:50]),
        )
        if more > 0:
            cells, cells_en = f"{cells} 等 {len(found)} 处", f"{cells_en} and {more} more"
        raise PipelineError(Problem("pipeline.missing_values", params={"cells": cells, "cells_en": cells_en}))
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
    names = {u.code: (u.name, u.name_en or u.name) for u in system.units} | {
        n.code: (n.name, n.name_en or n.name) for n in system.indicators
    }
    values, mask = MISSING[name](raw, MissingContext(groups, not_applicable, system.method.max_gap, names))
    return Imputed(name, values, mask)
