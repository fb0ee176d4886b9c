"""Every method label and formula the report prints, in one lookup.

The chapters never spell a method's name or formula themselves: they ask :func:`method_label` and
:func:`method_formula` (and :func:`formula` for the report's own rules: points, attainment, schedule, change
decomposition, the AHP consistency check). Method labels and formulas are those of the method records of
:mod:`scoring.methods` (one record per method, aliases included); only the report's own rules are written here.

Formulas are written in the LaTeX subset of :mod:`scoring.report.math` (typeset as Word equations and MathML);
the symbols a note explains are inline formulas ``⟦…⟧``. Formula texts are templates; their fields are filled from the system's method settings:
``{lo}``, ``{hi}`` (the score scale), ``{base}``, ``{span}`` (the efficacy coefficient), ``{alpha}`` (the
combined weights' share of the subjective part), ``{cap}`` (the attainment cap, as a percentage) and
``{limit}`` (the AHP consistency limit, :data:`AHP_MAX_CR`).
"""

from __future__ import annotations

import re
from typing import Literal

from scoring.methods import AHP_MAX_CR, MethodRecord, find
from scoring.methods import Stage as MethodStage
from scoring.report import numbers as fmt
from scoring.report.language import _, current

Stage = Literal["normalise", "transform", "treat", "weighting", "aggregate", "missing"]
Language = Literal["zh", "en"]

# The report's words for the stages, and the stages of the method records.
STAGES: dict[str, MethodStage] = {
    "normalise": MethodStage.NORMALISATION,
    "transform": MethodStage.TRANSFORM,
    "treat": MethodStage.TREATMENT,
    "weighting": MethodStage.WEIGHTING,
    "aggregate": MethodStage.AGGREGATION,
    "missing": MethodStage.MISSING,
}

# The report's own rules (not methods of a stage): formula (LaTeX subset of scoring.report.math) and what it means.
FORMULAS: dict[str, tuple[str, str]] = {
    "points": (
        r"加分 = +\min(c, k x)，\quad 扣分 = −\min(c, k x)",
        "加分项、扣分项不参与标准化和赋权，其分值直接计入上级得分，结果限制在得分区间内；"
        "⟦x⟧ 为指标数值，⟦k⟧ 为每单位分值，⟦c⟧ 为分值上限。",
    ),
    "attainment": (
        r"完成度 = \min\left(\frac{x}{T}, {cap}\right)，\quad 逆向指标 \min\left(\frac{T}{x}, {cap}\right)",
        "按原始数据计算，⟦x⟧ 为指标数值，⟦T⟧ 为目标值。",
    ),
    "schedule": (
        r"E_Y = B + (T − B)·\frac{Y − Y_0}{Y_T − Y_0}",
        "⟦E_Y⟧ 为第 ⟦Y⟧ 年的序时进度应达值，⟦B⟧、⟦Y_0⟧ 为基期值和基期年，⟦T⟧、⟦Y_T⟧ 为目标值和目标年。",
    ),
    "change": (
        r"ΔS_i = \sum_d {Δ(w'_d S_d)}",
        "年度变化分解：单元 ⟦i⟧ 综合得分的变化等于各维度加权得分（对综合得分的贡献）变化之和。",
    ),
    "ahp_check": (
        r"\operatorname{CI} = \frac{λ_{\max} − n}{n − 1}，\quad \operatorname{CR} = \frac{\operatorname{CI}}{\operatorname{RI}(n)}",
        "CR < {limit} 为通过一致性检验。",
    ),
}


def _text(stage: str, name: str) -> MethodRecord | None:
    return find(STAGES[stage], name)


def _fill(template: str, params: dict[str, float | str]) -> str:
    values = {k: (fmt.value(v) if isinstance(v, float | int) else v) for k, v in params.items()}
    values.setdefault("limit", fmt.value(AHP_MAX_CR))
    # the formulas' own {groups} stay; only the named placeholders are filled
    return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def method_label(stage: Stage, name: str, lang: Language | None = None) -> str:
    """The method's name as the report prints it (``熵权法`` / ``entropy weights``), by default in the
    edition's language (:mod:`scoring.report.language`); unknown: its code."""
    text = _text(stage, name)
    if text is None:
        return name
    return text.label_zh if (lang or current()) == "zh" else text.label_en


def method_formula(stage: Stage, name: str, **params: float | str) -> tuple[str, str]:
    """The method's formula with its template fields filled (see the module doc), and what its symbols mean;
    an unknown method gives its code and no explanation."""
    text = _text(stage, name)
    if text is None:
        return name, ""
    filled = _fill(_(text.formula), params)
    # a scale from 0 reads y = 100·r, not y = 0 + (100 − 0)·r
    filled = re.sub(r"^(\w) = 0 \+ \(([\d.]+) − 0\)·", r"\1 = \2·", filled)
    return filled, _fill(_(text.formula_note), params) if text.formula_note else ""


def formula(name: str, **params: float | str) -> tuple[str, str]:
    """One of the report's own rules (:data:`FORMULAS`): formula and explanation, template fields filled."""
    text, where = FORMULAS[name]
    return _fill(_(text), params), _fill(_(where), params) if where else ""
