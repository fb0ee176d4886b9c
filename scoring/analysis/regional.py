"""The analyses Chinese evaluation practice asks for beside the ranking — coupling coordination (协同发展),
obstacle degrees (障碍因子), regional disparity (区域差异) and evaluation by class of unit (分类评价) — computed once
from an evaluation. The report's chapters (through :mod:`scoring.analysis.report_data`), the JSON API and the
dashboard (through ``service.usecases.regional``) all read :func:`regional_analysis` and :func:`documents`, so
the three views show the same numbers.

An analysis the system or its data cannot support (z-scores, bonus points inside a subsystem, …) gives its
reason instead of a result (``analysis.domain``), never a wrong number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from scoring.analysis.coordination import GRADES, CoordinationResult, coordination_analysis
from scoring.analysis.disparity import DisparityResult, disparity_analysis
from scoring.analysis.obstacles import ObstacleResult, obstacle_analysis
from scoring.analysis.unit_groups import group_order, group_ranking, unit_group
from scoring.outputs import records
from scoring.problems import DigiscoreError, Problem

if TYPE_CHECKING:
    from scoring.evaluate import Evaluation

T = TypeVar("T")


@dataclass(frozen=True)
class Regional:
    """The four analyses of one evaluation's year; an analysis that could not be computed is None and its
    reason is in ``skipped`` (key: ``coordination`` / ``obstacles`` / ``disparity``)."""

    year: int
    coordination: CoordinationResult | None
    obstacles: ObstacleResult | None
    disparity: DisparityResult | None
    groups: pd.DataFrame  # :func:`scoring.analysis.unit_groups.group_ranking` of the composite
    group_names: tuple[str, ...]
    skipped: dict[str, Problem]


def regional_analysis(evaluation: Evaluation) -> Regional:
    """Coordination, obstacles, disparity and group ranks of the evaluation's year."""
    system = evaluation.system
    skipped: dict[str, Problem] = {}
    coordination = _attempt("coordination", skipped, lambda: coordination_analysis(system, evaluation.scores))
    obstacles = _attempt("obstacles", skipped, lambda: obstacle_analysis(evaluation))
    disparity = _attempt(
        "disparity",
        skipped,
        lambda: disparity_analysis(
            evaluation.scores,
            dict(unit_group(evaluation)),
            system.composite.code,
            evaluation.year,
            system.method.scale,
        ),
    )
    return Regional(
        year=evaluation.year,
        coordination=coordination,
        obstacles=obstacles,
        disparity=disparity,
        groups=group_ranking(evaluation),
        group_names=tuple(group_order(evaluation)),
        skipped=skipped,
    )


def _attempt(key: str, skipped: dict[str, Problem], compute: Callable[[], T]) -> T | None:
    try:
        return compute()
    except DigiscoreError as error:
        skipped[key] = error.problems[0]
        return None


# ------------------------------------------------------------------------------------ JSON documents (API)


def _skipped(regional: Regional, key: str) -> dict[str, Any]:
    problem = regional.skipped[key]
    return {"year": regional.year, "error": problem.to_dict()}


def coordination_document(regional: Regional, names: dict[str, str]) -> dict[str, Any]:
    """The coupling coordination of the year: subsystems and weights, one row per unit (highest D first),
    the grade counts and the yearly means."""
    result = regional.coordination
    if result is None:
        return _skipped(regional, "coordination")
    units = result.year(regional.year).reset_index()
    units.insert(1, "unit_name", units["unit_code"].map(names))
    means = result.means().reset_index()
    return {
        "year": regional.year,
        "subsystems": [
            {"code": c, "name": n, "weight": w}
            for c, n, w in zip(result.subsystems, result.names, result.weights, strict=True)
        ],
        "scale": list(result.scale),
        "grades": [{"grade": zh, "grade_en": en, "min": i / 10} for i, (zh, en) in enumerate(GRADES)],
        "grade_counts": result.grade_counts(regional.year),
        "lag_counts": result.lag_counts(regional.year),
        "units": records(units),
        "years": records(means),
    }


def obstacles_document(regional: Regional, names: dict[str, str], nodes: dict[str, str]) -> dict[str, Any]:
    """Per unit its top indicator obstacles and its dimension obstacle degrees; the city's common obstacles."""
    result = regional.obstacles
    if result is None:
        return _skipped(regional, "obstacles")
    top = result.top.assign(indicator_name=result.top["indicator_code"].map(nodes))
    units = []
    for unit in result.indicators.index:
        dims = result.dimensions.loc[unit]
        units.append(
            {
                "unit_code": str(unit),
                "unit_name": names.get(str(unit), str(unit)),
                "main_dimension": result.main_dimension(str(unit)),
                "dimensions": {str(k): _number(v) for k, v in dims.items()},
                "top": records(top[top["unit_code"] == unit].drop(columns="unit_code")),
            }
        )
    frequency = result.frequency().reset_index()
    frequency.insert(1, "indicator_name", frequency["indicator_code"].map(nodes))
    return {
        "year": regional.year,
        "dimensions": [{"code": c, "name": nodes.get(c, c)} for c in result.dimensions.columns],
        "units": units,
        "common": records(frequency),
    }


def disparity_document(regional: Regional) -> dict[str, Any]:
    """Gini, Theil (with its group decomposition), Dagum's decomposition and CV per year; the report year's
    decompositions; the kernel density per year; the group statistics."""
    result = regional.disparity
    if result is None:
        return _skipped(regional, "disparity")
    dagum = result.dagum
    return {
        "year": regional.year,
        "node": result.node,
        "years": records(result.years.reset_index()),
        "sigma_change": _number(result.sigma_change),
        "converging": result.converging,
        "theil": {
            "total": result.theil.total,
            "within": result.theil.within,
            "between": result.theil.between,
            "groups": records(result.theil.groups.reset_index()),
        },
        "dagum": {
            "gini": dagum.gini,
            "within": dagum.within,
            "between": dagum.between,
            "transvariation": dagum.transvariation,
            "shares": dagum.shares,
            "groups": records(dagum.groups.reset_index()),
            "pairs": records(dagum.pairs),
        },
        "density": {
            "grid": [float(v) for v in result.grid],
            "years": {str(y): [float(v) for v in result.density[y]] for y in result.density.columns},
        },
        "groups": records(result.groups.reset_index()),
    }


def groups_document(regional: Regional) -> dict[str, Any]:
    """Ranks and tiers within the unit groups (分类评价), groups in unit-list order."""
    frame = regional.groups.reset_index()
    return {"year": regional.year, "groups": list(regional.group_names), "units": records(frame)}


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if np.isnan(number) else number
