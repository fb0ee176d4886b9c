"""Coupling coordination (耦合协调度) among the subsystems a system file names (``coordination.subsystems``;
docs/analysis.md §6 has the variant, its source and its domain).

For unit i with subsystem scores mapped to [0, 1], ``U_k = (S_k − lo)/(hi − lo)`` on the system scale:

    C = n·[Π_k U_k / (Σ_k U_k)^n]^(1/n)  = (Π U_k)^(1/n) / ((1/n)·Σ U_k)     coupling: geometric / arithmetic mean
    T = Σ_k α_k·U_k                                                         comprehensive index, Σ α_k = 1
    D = √(C·T)                                                              coordination

D is graded in ten equal steps of 0.1 (极度失调 … 优质协调); the lagging subsystem is the one with the smallest U
(the first of equal ones), and the unit develops in step (同步) when all U lie within ``SYNC_SPREAD``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.analysis.refusal import refused
from scoring.analysis.variants import score_range
from scoring.problems import DigiscoreError
from scoring.system.models import Coordination, IndicatorSystem, Node

# The ten grades of D, one per 0.1 (lowest first), in Chinese and English: the one place they are written.
GRADES: tuple[tuple[str, str], ...] = (
    ("极度失调", "extreme imbalance"),
    ("严重失调", "serious imbalance"),
    ("中度失调", "moderate imbalance"),
    ("轻度失调", "mild imbalance"),
    ("濒临失调", "on the verge of imbalance"),
    ("勉强协调", "barely coordinated"),
    ("初级协调", "primary coordination"),
    ("中级协调", "intermediate coordination"),
    ("良好协调", "good coordination"),
    ("优质协调", "high-quality coordination"),
)
SYNC_SPREAD = 0.1  # max U − min U at or below this: the subsystems develop in step (同步), none lags
SYNCHRONOUS = "同步"
TOLERANCE = 1e-9  # scores this far outside the scale count as on it (floating-point sums)


def grade_index(d: np.ndarray) -> np.ndarray:
    """The grade number 0…9 of each D: ``min(9, ⌊10·D⌋)`` (D compared rounded to 9 decimals, so 0.3 is 中度失调's
    upper neighbour 轻度失调, not lost to 0.29999…); −1 where D is NaN."""
    scaled = np.floor(np.round(np.asarray(d, dtype=float) * 10, 9))
    out = np.where(np.isnan(scaled), -1, np.clip(scaled, 0, len(GRADES) - 1))
    return out.astype(int)


def coupling_coordination(u: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """C, T and D of each row of ``u`` (rows × n subsystems, values in [0, 1]; a row with a NaN gives NaN).

    ``C = (Π U)^(1/n)/mean(U)``; a row of zeros has no C (0/0: NaN) but T = 0 and so D = 0."""
    u = np.asarray(u, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = u.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        geometric = np.exp(np.log(u).mean(axis=1))  # log 0 = −inf → 0: one subsystem at zero gives C = 0
        arithmetic = u.sum(axis=1) / n
        c = np.where(arithmetic > 0, geometric / arithmetic, np.nan)
    c = np.where(
        np.isnan(u).any(axis=1), np.nan, np.minimum(c, 1.0)
    )  # GM ≤ AM; rounding may exceed 1 by 1 ulp
    t = u @ w
    d = np.where(t == 0, 0.0, np.sqrt(np.nan_to_num(c) * t))
    d = np.where(np.isnan(t), np.nan, d)
    return c, t, d


@dataclass(frozen=True)
class CoordinationResult:
    """The coupling coordination of every (year, unit) row of an evaluation.

    ``table`` (index year, unit_code): ``U_<code>`` per subsystem, ``C``, ``T``, ``D``, ``grade`` (Chinese),
    ``grade_en``, ``lagging`` (the subsystem code with the smallest U; None without D) and ``synchronous``
    (max U − min U ≤ ``SYNC_SPREAD``)."""

    subsystems: tuple[str, ...]
    names: tuple[str, ...]
    weights: tuple[float, ...]
    scale: tuple[float, float]
    table: pd.DataFrame

    def year(self, year: int) -> pd.DataFrame:
        """The rows of one year, index unit_code, the highest D first (ties and NaN: unit code)."""
        frame = self.table.xs(year, level="year")
        return (
            frame.assign(_d=frame["D"].fillna(-1.0), _c=frame.index)
            .sort_values(["_d", "_c"], ascending=[False, True])
            .drop(columns=["_d", "_c"])
        )

    def grade_counts(self, year: int) -> dict[str, int]:
        """How many units of the year fall in each grade (every grade listed, highest first)."""
        counted = self.table.xs(year, level="year")["grade"].value_counts()
        return {zh: int(counted.get(zh, 0)) for zh, _ in reversed(GRADES)}

    def means(self) -> pd.DataFrame:
        """Per year: the unweighted mean over units of each U, C, T and D."""
        columns = [f"U_{c}" for c in self.subsystems] + ["C", "T", "D"]
        return self.table[columns].groupby(level="year").mean()

    def lag_counts(self, year: int) -> dict[str, int]:
        """How many units of the year each subsystem holds back (the lowest U), and how many of all develop in
        step (``同步``)."""
        frame = self.table.xs(year, level="year")
        counted = frame["lagging"].value_counts()
        out = {code: int(counted.get(code, 0)) for code in self.subsystems}
        out[SYNCHRONOUS] = int(frame["synchronous"].sum())
        return out


MAX_SUBSYSTEMS = 10  # as the system file allows (``Coordination.subsystems``)


def default_coordination(system: IndicatorSystem) -> Coordination | None:
    """The system's declared subsystems, else its top-level scored dimensions with equal weights (None when it
    has fewer than two, or more than ``MAX_SUBSYSTEMS``: then the file must name them)."""
    if system.coordination is not None:
        return system.coordination
    dims = [d.code for d in system.root.scored_children]
    return Coordination(subsystems=dims) if 2 <= len(dims) <= MAX_SUBSYSTEMS else None


def coordination_analysis(
    system: IndicatorSystem, scores: pd.DataFrame, coordination: Coordination | None = None
) -> CoordinationResult:
    """Coupling coordination of every row of ``scores`` (an evaluation's node scores, index (year, unit_code)).

    Refused (:class:`~scoring.problems.DigiscoreError`, ``analysis.domain``) when the model is
    undefined for the system: fewer than two subsystems, a subsystem with an indicator whose normalisation has no
    fixed range (z-scores can be negative, so U is not in [0, 1]), or a score outside the system scale (bonus
    points)."""
    chosen = coordination or default_coordination(system)
    if chosen is None:
        raise _refused(
            f"指标体系未指定子系统（coordination.subsystems），且一级维度不在 2—{MAX_SUBSYSTEMS} 个之间",
            f"the system names no subsystems (coordination.subsystems) and has not 2 to {MAX_SUBSYSTEMS} "
            "top-level dimensions",
        )
    lo, hi = system.method.scale
    for code in chosen.subsystems:
        if code not in system.nodes:
            raise _refused(f"{code} 不是指标体系中的节点", f"{code} is not a node of the system")
        for indicator in _indicators_under(system, code):
            method = system.normalise_method(indicator)
            if score_range(method, system) is None:
                raise _refused(
                    f"{code} 下的指标 {indicator.code} 用 {method} 标准化，得分没有固定范围（可能为负），"
                    "无法换算到 [0, 1]；请改用 minmax、goalpost、target 等有界方法",
                    f"indicator {indicator.code} under {code} is normalised by {method}, whose scores have no "
                    "fixed range (they can be negative) and cannot be mapped to [0, 1]; use a bounded method "
                    "(minmax, goalpost, target, …)",
                )
    values = scores[list(chosen.subsystems)].to_numpy(dtype=float)
    outside = (values < lo - TOLERANCE) | (values > hi + TOLERANCE)
    if outside.any():
        row, col = (int(i[0]) for i in np.nonzero(outside))
        year, unit = scores.index[row]
        raise _refused(
            f"{year} 年 {unit} 的 {chosen.subsystems[col]} 得分 {values[row, col]:.4g} 超出评分区间 [{lo:g}, {hi:g}]"
            "（加分项？），耦合度要求子系统得分在区间内",
            f"{year} {unit}: score {values[row, col]:.4g} of {chosen.subsystems[col]} lies outside the scale "
            f"[{lo:g}, {hi:g}] (bonus points?); coupling needs subsystem scores on the scale",
        )
    u = np.clip((values - lo) / (hi - lo), 0.0, 1.0)
    weights = np.array(chosen.index_weights)
    c, t, d = coupling_coordination(u, weights)
    grades = grade_index(d)
    names_zh = np.array([zh for zh, _ in GRADES] + [None], dtype=object)
    names_en = np.array([en for _, en in GRADES] + [None], dtype=object)
    codes = np.array(chosen.subsystems, dtype=object)
    with np.errstate(invalid="ignore"):
        spread = np.nanmax(u, axis=1) - np.nanmin(u, axis=1) if len(u) else np.zeros(0)
    lowest = np.argmin(np.nan_to_num(u, nan=np.inf), axis=1) if len(u) else np.zeros(0, dtype=int)
    lagging = codes[lowest].astype(object)
    lagging[np.isnan(d)] = None
    table = pd.DataFrame(u, index=scores.index, columns=[f"U_{code}" for code in chosen.subsystems])
    table["C"] = c
    table["T"] = t
    table["D"] = d
    table["grade"] = names_zh[grades]
    table["grade_en"] = names_en[grades]
    table["lagging"] = lagging
    table["synchronous"] = (spread <= SYNC_SPREAD + TOLERANCE) & ~np.isnan(d)
    return CoordinationResult(
        subsystems=tuple(chosen.subsystems),
        names=tuple(system.nodes[code].name for code in chosen.subsystems),
        weights=tuple(float(w) for w in weights),
        scale=(float(lo), float(hi)),
        table=table,
    )


def _indicators_under(system: IndicatorSystem, code: str) -> list[Node]:
    return [i for i in system.indicators if code in system.path(i.code) and i.role == "score"]


def _refused(zh: str, en: str) -> DigiscoreError:
    return refused("耦合协调度分析", "coupling coordination", zh, en)
