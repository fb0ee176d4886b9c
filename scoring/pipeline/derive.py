"""Derived indicators (denomination): indicators computed from collected components before anything else.

A derived indicator's ``formula`` (:mod:`scoring.system.formula`) names collected values — the system's
``components`` (常住人口, 地区生产总值 …) or indicators collected as they are — and is evaluated over all rows at
once, e.g. ``DI-01 = {5G基站数} / {常住人口} × 10000``. This is COINr's ``Denominate`` step generalised: the
indicator divided by its denominator is the formula ``{x} / {denominator}``.

A row where a part is missing gets no value and a warning naming the missing parts; a row where a divisor is 0
gets no value and a warning naming the divisor; a row where a part is marked 不适用 is 不适用 itself. The derived
values then go through the pipeline as any collected value (screening, imputation, normalisation).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from scoring.data import Dataset
from scoring.problems import Location, Problem, Severity
from scoring.system.formula import Formula, parse_formula
from scoring.system.models import IndicatorSystem


@lru_cache(maxsize=512)
def formula_of(text: str) -> Formula:
    """The parsed formula (the loader has checked it; parsed once per text)."""
    return parse_formula(text)


@dataclass(frozen=True)
class Derived:
    """The stage's output: the indicator matrix (derived columns computed), its 不适用 mask, the parts the
    formulas used (rows × codes, for the explanation and the review page) and the problems found."""

    values: pd.DataFrame
    not_applicable: pd.DataFrame
    parts: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    computed: dict[str, int] = field(default_factory=dict)  # indicator → rows with a value

    def log_detail(self) -> dict[str, Any]:
        return {"derived": self.computed}


def derive_stage(
    raw: pd.DataFrame,
    not_applicable: pd.DataFrame,
    system: IndicatorSystem,
    given: pd.DataFrame | None = None,
) -> Derived:
    """Compute every derived indicator of ``system`` from the collected columns of ``raw``.

    ``raw`` and ``not_applicable`` have (year, unit_code) rows and at least the columns of the collected codes
    the formulas name (absent columns count as missing); the result has exactly the indicator columns.
    A derived column ``raw`` already holds while it holds none of the formula's parts is kept as it is: that
    is an evaluation's own ``raw`` matrix scored again by an analysis (what-if, uncertainty).
    ``given`` (same rows, boolean, optional) limits the missing-part problems to the parts the data hold a cell
    for (left empty or in error): upload validation does not report a part that another file may give.
    """
    codes = system.indicator_codes
    if not system.derived:
        values = raw.reindex(columns=codes)
        mask = not_applicable.reindex(columns=codes, fill_value=False).astype(bool)
        return Derived(values, mask, pd.DataFrame(index=raw.index))
    values = raw.reindex(columns=codes).copy()
    mask = not_applicable.reindex(columns=codes, fill_value=False).astype(bool).copy()
    used = list(
        dict.fromkeys(code for node in system.derived for code in formula_of(node.formula or "").codes)
    )
    parts = raw.reindex(columns=used)
    parts_na = not_applicable.reindex(columns=used, fill_value=False).astype(bool)
    problems: list[Problem] = []
    computed: dict[str, int] = {}
    names = {node.code: (node.name, node.name_en or node.name) for node in system.collected}
    years = raw.index.get_level_values("year").to_numpy()
    units = raw.index.get_level_values("unit_code").to_numpy()
    for node in system.derived:
        formula = formula_of(node.formula or "")
        if node.code in raw.columns and not any(code in raw.columns for code in formula.codes):
            # an evaluation's own matrix scored again (the analyses re-run ``Evaluation.raw``, which holds the
            # derived values and not their parts): the values stand as they are
            computed[node.code] = int(raw[node.code].notna().sum())
            continue
        columns = {code: parts[code].to_numpy(dtype=float) for code in formula.codes}
        value, zero = formula.evaluate(columns)
        part_missing = np.column_stack([np.isnan(columns[c]) for c in formula.codes])
        part_na = parts_na[list(formula.codes)].to_numpy(dtype=bool)
        na = part_na.any(axis=1)
        value = np.where(na, np.nan, value)
        values[node.code] = value
        mask[node.code] = na
        computed[node.code] = int((~np.isnan(value)).sum())
        lacking = part_missing & ~part_na
        if given is not None:
            lacking &= given.reindex(columns=list(formula.codes), fill_value=False).to_numpy(dtype=bool)
        for r in np.flatnonzero(lacking.any(axis=1) & ~na):
            missing = [c for c, gap in zip(formula.codes, lacking[r], strict=True) if gap]
            problems.append(
                _problem(
                    "pipeline.derived_missing_part", node.code, formula, missing, units[r], years[r], names
                )
            )
        divisors = formula.divisors()
        for r in np.flatnonzero(zero & ~na):
            zeros = [c for c in divisors if columns[c][r] == 0] or divisors
            problems.append(
                _problem(
                    "pipeline.derived_zero_division", node.code, formula, zeros, units[r], years[r], names
                )
            )
    return Derived(values, mask, parts, problems, computed)


def _problem(
    code: str,
    indicator: str,
    formula: Formula,
    components: list[str],
    unit: Any,
    year: Any,
    names: dict[str, tuple[str, str]],
) -> Problem:
    def named(language: int, separator: str) -> str:
        return separator.join(
            f"{c} {names[c][language]}" if c in names and names[c][language] != c else c for c in components
        )

    return Problem(
        code,
        Severity.WARNING,
        unit=str(unit),
        indicator=indicator,
        year=int(year),
        params={
            "indicator": indicator,
            "formula": formula.text,
            "components": "、".join(components),
            "parts": named(0, "、"),  # the codes with their names, for the messages
            "parts_en": named(1, ", "),
        },
    )


def _inputs(
    system: IndicatorSystem, dataset: Dataset
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
    """What deriving from ``dataset`` needs: the collected values' matrix, the cells marked not applicable, and
    the values by (unit, indicator, year), the first of duplicates; None when there is nothing to derive."""
    if not system.derived or dataset.values.empty:
        return None
    codes = system.collected_codes
    raw = dataset.matrix(codes, units=system.unit_codes)
    if raw.empty:
        return None
    by_cell = dataset.values.drop_duplicates(["unit_code", "indicator_code", "year"]).set_index(
        ["unit_code", "indicator_code", "year"]
    )
    return raw, dataset.not_applicable(codes, units=system.unit_codes), by_cell


def derivation_problems(system: IndicatorSystem, dataset: Dataset) -> list[Problem]:
    """At upload validation (``digiscore validate``, the service's upload): each derived indicator that cannot
    be computed from what the data give for a unit and year — a divisor given as 0, or a part whose cell is
    there but empty or in error — as the problems the evaluation will raise, each pointing at the cell of the
    first part it names. A part the data do not hold at all is not reported (another file may give it)."""
    inputs = _inputs(system, dataset)
    if inputs is None:
        return []
    raw, not_applicable, by_cell = inputs
    codes = system.collected_codes
    given = Dataset(dataset.values.assign(value=1.0)).matrix(codes, units=system.unit_codes).notna()
    problems = derive_stage(raw, not_applicable, system, given=given).problems
    where = by_cell["location"]
    located = []
    for problem in problems:
        first = str(problem.params["components"]).split("、")[0]
        text = str(where.get((problem.unit, first, problem.year), ""))
        located.append(replace(problem, location=Location.parse(text)) if text else problem)
    return located


def derived_parts(system: IndicatorSystem, dataset: Dataset) -> list[dict[str, Any]]:
    """Each derived indicator's value per unit and year of ``dataset`` with its parts, for the review page and
    the submission context: ``unit_code, indicator_code, name, unit, formula, year, value`` (None when it
    cannot be computed), ``status`` (``value``, ``not_applicable`` or ``missing``), ``parts`` (each component's
    ``code, name, unit, value, status, location``) and ``problems`` (why it has no value). Rows in the system's
    order of derived indicators, then by unit and year; empty when the system derives nothing."""
    inputs = _inputs(system, dataset)
    if inputs is None:
        return []
    raw, not_applicable, given = inputs
    derived = derive_stage(raw, not_applicable, system)
    collected = {node.code: node for node in system.collected}
    why: dict[tuple[str, str, int], list[Problem]] = {}
    for problem in derived.problems:
        why.setdefault((str(problem.unit), str(problem.indicator), int(problem.year or 0)), []).append(
            problem
        )
    rows: list[dict[str, Any]] = []
    for node in system.derived:
        formula = formula_of(node.formula or "")
        for (year, unit), value in derived.values[node.code].items():
            na = bool(derived.not_applicable.loc[(year, unit), node.code])
            parts = []
            for code in formula.codes:
                part = collected[code]
                key = (str(unit), code, int(year))
                found = given.loc[key] if key in given.index else None
                parts.append(
                    {
                        "code": code,
                        "name": part.name,
                        "unit": part.unit,
                        "value": None if found is None or pd.isna(found["value"]) else float(found["value"]),
                        "status": "missing" if found is None else str(found["status"]),
                        "location": "" if found is None else str(found["location"]),
                    }
                )
            rows.append(
                {
                    "unit_code": str(unit),
                    "indicator_code": node.code,
                    "name": node.name,
                    "unit": node.unit,
                    "formula": formula.text,
                    "year": int(year),
                    "value": None if pd.isna(value) else float(value),
                    "status": "not_applicable" if na else ("missing" if pd.isna(value) else "value"),
                    "parts": parts,
                    "problems": [p.to_dict() for p in why.get((str(unit), node.code, int(year)), [])],
                }
            )
    return rows
