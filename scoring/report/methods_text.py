"""Every method label and formula the report prints, in one lookup.

The chapters never spell a method's name or formula themselves: they ask :func:`method_label` and
:func:`method_formula` (and :func:`formula` for the report's own rules: points, attainment, schedule, change
decomposition, the AHP consistency check). Method labels and formulas are those of the method records of
:mod:`scoring.methods` (one record per method, aliases included); only the report's own rules are written here.

Formula texts are templates; their fields are filled from the system's method settings:
``{lo}``, ``{hi}`` (the score scale), ``{base}``, ``{span}`` (the efficacy coefficient), ``{alpha}`` (the
combined weights' share of the subjective part), ``{cap}`` (the attainment cap, as a percentage) and
``{limit}`` (the AHP consistency limit, :data:`AHP_MAX_CR`).
"""

from __future__ import annotations

from typing import Literal

from scoring.methods import AHP_MAX_CR, MethodRecord, find
from scoring.methods import Stage as MethodStage
from scoring.report import numbers as fmt

Stage = Literal["normalise", "transform", "weighting", "aggregate", "missing"]
Language = Literal["zh", "en"]

# The report's words for the stages, and the stages of the method records.
STAGES: dict[str, MethodStage] = {
    "normalise": MethodStage.NORMALISATION,
    "transform": MethodStage.TRANSFORM,
    "weighting": MethodStage.WEIGHTING,
    "aggregate": MethodStage.AGGREGATION,
    "missing": MethodStage.MISSING,
}

# The report's own rules (not methods of a stage): formula and what it means.
FORMULAS: dict[str, tuple[str, str]] = {
    "points": (
        "加分 = +min(cap, k·x)，扣分 = −min(cap, k·x)",
        "加分项、扣分项不参与标准化和赋权，其分值直接计入上级得分，结果限制在得分区间内。",
    ),
    "attainment": ("完成度 = min(x/目标值, {cap})；逆向指标为 min(目标值/x, {cap})", "按原始数据计算。"),
    "schedule": ("序时进度应达值 = 基期值 + (目标值 − 基期值)·(Y − 基期年)/(目标年 − 基期年)", ""),
    "change": (
        "ΔS_i = Σ_d Δ(w′_d·S_d)",
        "年度变化分解：单元 i 综合得分的变化等于各维度加权得分（对综合得分的贡献）变化之和。",
    ),
    "ahp_check": ("CI = (λmax − n)/(n − 1)，CR = CI/RI(n)", "CR < {limit} 为通过一致性检验。"),
}


def _text(stage: str, name: str) -> MethodRecord | None:
    return find(STAGES[stage], name)


def _fill(template: str, params: dict[str, float | str]) -> str:
    values = {k: (fmt.value(v) if isinstance(v, float | int) else v) for k, v in params.items()}
    values.setdefault("limit", fmt.value(AHP_MAX_CR))
    return template.format(**values)


def method_label(stage: Stage, name: str, lang: Language = "zh") -> str:
    """The method's name as the report prints it (``熵权法`` / ``entropy weights``); unknown: its code."""
    text = _text(stage, name)
    if text is None:
        return name
    return text.label_zh if lang == "zh" else text.label_en


def method_formula(stage: Stage, name: str, **params: float | str) -> tuple[str, str]:
    """The method's formula with its template fields filled (see the module doc), and what its symbols mean;
    an unknown method gives its code and no explanation."""
    text = _text(stage, name)
    if text is None:
        return name, ""
    return _fill(text.formula, params), text.formula_note


def formula(name: str, **params: float | str) -> tuple[str, str]:
    """One of the report's own rules (:data:`FORMULAS`): formula and explanation, template fields filled."""
    text, where = FORMULAS[name]
    return _fill(text, params), _fill(where, params)
