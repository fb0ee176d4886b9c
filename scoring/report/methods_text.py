"""Every method label and formula the report prints, in one lookup.

The chapters never spell a method's name or formula themselves: they ask :func:`method_label` and
:func:`method_formula` (and :func:`formula` for the report's own rules: points, attainment, schedule, change
decomposition, the AHP consistency check). When the method records of :mod:`scoring.methods` carry labels and
formula texts, this module is the one file to point at them.

Formula texts are templates; their fields are filled from the system's method settings:
``{lo}``, ``{hi}`` (the score scale), ``{base}``, ``{span}`` (the efficacy coefficient), ``{alpha}`` (the
combined weights' share of the subjective part), ``{cap}`` (the attainment cap, as a percentage) and
``{limit}`` (the AHP consistency limit, :data:`AHP_MAX_CR`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scoring.report import numbers as fmt
from scoring.system.load import AHP_MAX_CR

Stage = Literal["normalise", "transform", "weighting", "aggregate", "missing"]
Language = Literal["zh", "en"]


@dataclass(frozen=True)
class MethodText:
    """How the report names one method and writes its formula (``where``: what the symbols mean)."""

    label_zh: str
    label_en: str
    formula: str = ""
    where: str = ""


METHODS: dict[tuple[str, str], MethodText] = {
    ("normalise", "goalpost"): MethodText(
        "固定阈值法",
        "goalposts",
        "y = {lo} + ({hi} − {lo})·clip((x − L)/(U − L), 0, 1)；逆向指标 r = (U − x)/(U − L)",
        "L、U 为指标的固定上下阈值，跨年不变，因此不同年份的得分可以直接比较。",
    ),
    ("normalise", "minmax"): MethodText(
        "极差标准化",
        "min-max",
        "y = {lo} + ({hi} − {lo})·(x − min)/(max − min)；逆向指标为 (max − x)/(max − min)",
        "min、max 为同组（同一年或合并各年）各单元的最小值和最大值；全部相等时得满分。",
    ),
    ("normalise", "zscore"): MethodText(
        "Z 分数标准化", "z-score", "y = m + s·(x − x̄)/σ", "x̄、σ 为同组的均值和样本标准差。"
    ),
    ("normalise", "target"): MethodText(
        "目标值法",
        "distance to target",
        "y = {lo} + ({hi} − {lo})·clip((x − floor)/(target − floor), 0, 1)",
        "target 为目标值，floor 为下阈值或同组最差值；达到目标即得满分。",
    ),
    ("normalise", "efficacy"): MethodText(
        "功效系数法",
        "efficacy coefficient",
        "y = {base} + {span}·clip((x − floor)/(target − floor), 0, 1)",
        "功效系数法：floor 为下阈值或同组最差值，target 为目标值。",
    ),
    ("normalise", "rank"): MethodText(
        "排序法", "rank", "y = {lo} + ({hi} − {lo})·(r − 1)/(n − 1)", "r 为该单元在 n 个单元中的升序名次。"
    ),
    ("transform", "log"): MethodText(
        "对数变换", "log transform", "x ← ln(1 + x)", "对数变换，先于标准化，阈值与目标值同样变换。"
    ),
    ("weighting", "fixed"): MethodText(
        "固定权重（专家赋权）", "fixed (expert) weights", "w_j = a_j / Σ_k a_k", "a_j 为指标体系给定的权重。"
    ),
    ("weighting", "equal"): MethodText("等权", "equal weights", "w_j = 1/k", "k 为同级节点数。"),
    ("weighting", "entropy"): MethodText(
        "熵权法",
        "entropy weights",
        "p_ij = y_ij/Σ_i y_ij，e_j = −(1/ln n)·Σ_i p_ij ln p_ij，w_j = (1 − e_j)/Σ_k (1 − e_k)",
        "熵权法，权重由当年数据确定。",
    ),
    ("weighting", "critic"): MethodText(
        "CRITIC 法",
        "CRITIC weights",
        "C_j = σ_j·Σ_k (1 − r_jk)，w_j = C_j/Σ_k C_k",
        "CRITIC 法，σ 为标准差，r 为相关系数。",
    ),
    ("weighting", "ahp"): MethodText(
        "层次分析法",
        "analytic hierarchy process",
        "A·w = λmax·w，CR = CI/RI < {limit}",
        "层次分析法，w 为判断矩阵 A 的主特征向量。",
    ),
    ("weighting", "combined"): MethodText(
        "组合赋权", "combined weights", "w = α·w_主观 + (1 − α)·w_客观（α = {alpha}）", "组合赋权。"
    ),
    ("aggregate", "arithmetic"): MethodText(
        "加权算术平均", "weighted arithmetic mean", "S = Σ_j w′_j·y_j", "加权算术平均。"
    ),
    ("aggregate", "geometric"): MethodText(
        "加权几何平均", "weighted geometric mean", "S = Π_j y_j^(w′_j)", "加权几何平均。"
    ),
    ("missing", "renormalise"): MethodText(
        "权重按比例重新分配",
        "renormalised weights",
        "w′_j = w_j / Σ_(k 有值) w_k",
        "缺失或标注“不适用”的指标不参与合成，其权重按比例分给同级有值的指标",
    ),
}
ALIASES = {("normalise", "goalposts"): "goalpost", ("normalise", "percentile"): "rank"}

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


def _text(stage: str, name: str) -> MethodText | None:
    return METHODS.get((stage, ALIASES.get((stage, name), name)))


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
    return _fill(text.formula, params), text.where


def formula(name: str, **params: float | str) -> tuple[str, str]:
    """One of the report's own rules (:data:`FORMULAS`): formula and explanation, template fields filled."""
    text, where = FORMULAS[name]
    return _fill(text, params), _fill(where, params)
