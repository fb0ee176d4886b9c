"""One record per method of every stage: what a system file may name, what it needs, how it is shown.

Everything the engine knows *about* a method, as opposed to how it computes, lives here: its name and aliases,
what the indicator-system file must give for it (goalposts, a target, child weights, an AHP matrix), whether it
learns from the data, whether its scores are bounded to the scale, its Chinese and English label, its formula as
the report prints it, and, for aggregation, the name of the batched form the uncertainty analysis uses. The
loader checks requirements from these records, the pipeline registers one function per record
(:class:`scoring.registry.Registry` refuses a name without a record), and the analyses and the report read
names, flags, labels and formulas from here instead of listing methods themselves.

Adding a method is one record here plus one registered function (and whatever its stage's contract asks for:
an aggregation's batched form and decomposition); ``tests/test_method_records.py`` fails until every record has
a label, a formula, a registered function, a hand-computed test and, where needed, a batched form.

This module is the lowest layer of the engine: it imports nothing from the rest of ``scoring``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    """The pipeline stages that have interchangeable methods (the value is the word used in messages)."""

    MISSING = "missing-data"
    TRANSFORM = "transform"
    TREATMENT = "treatment"
    NORMALISATION = "normalisation"
    WEIGHTING = "weighting"
    AGGREGATION = "aggregation"
    TIERS = "tiers"


class Requirement(StrEnum):
    """What a method needs from the indicator-system file, and where the loader looks for it."""

    GOALPOSTS = "goalposts"  # on every indicator normalised by the method
    TARGET = "target"  # a ``target`` on every indicator normalised by the method
    CHILD_WEIGHTS = "weight"  # a ``weight`` on every scored child of the parent weighted by the method
    AHP_MATRIX = "ahp"  # a pairwise matrix ``ahp`` on the parent weighted by the method
    COMBINATION = "combine"  # whatever the subjective and objective methods of ``combine`` in force need


# How each requirement is named in messages (Chinese, English), and each stage.
REQUIREMENT_TEXT: Mapping[Requirement, tuple[str, str]] = {
    Requirement.GOALPOSTS: ("固定上下阈值（goalposts: [L, U]）", "goalposts: [L, U] on the indicator"),
    Requirement.TARGET: ("目标值（target: {value: …}）", "a target: {value: …} on the indicator"),
    Requirement.CHILD_WEIGHTS: ("每个下级节点的权重（weight）", "a weight on every child"),
    Requirement.AHP_MATRIX: ("判断矩阵（ahp）", "a pairwise matrix (ahp) on the node"),
    Requirement.COMBINATION: (
        "组合赋权的主观、客观方法所需的参数",
        "what its subjective and objective parts need",
    ),
}
STAGE_TEXT: Mapping[Stage, str] = {
    Stage.MISSING: "缺失值处理",
    Stage.TRANSFORM: "变换",
    Stage.TREATMENT: "异常值处理",
    Stage.NORMALISATION: "标准化",
    Stage.WEIGHTING: "赋权",
    Stage.AGGREGATION: "合成",
    Stage.TIERS: "分档",
}


class Bound(StrEnum):
    """The fixed range of a normalisation's scores, whatever the data."""

    SCALE = "scale"  # the system scale [lo, hi] (``method.scale``)
    EFFICACY = "efficacy"  # [base, base + span] (``method.efficacy``)
    NONE = "none"  # no fixed range (z-scores)


@dataclass(frozen=True)
class MethodRecord:
    """One method of one stage.

    ``formula`` is the formula the report typesets, in the LaTeX subset of :mod:`scoring.report.math` (Word
    equations, MathML); ``formula_note`` says what its symbols mean, inline symbols marked ``⟦…⟧``. Both may hold
    the placeholders of :data:`FORMULA_PARAMETERS` (``{lo}``, ``{hi}``, …), filled in by :meth:`formula_text`
    and :func:`fill_placeholders`.
    ``learns_from_data``: the method's result for one unit depends on the other units' values (bounds, ranks,
    an observed floor, data-driven weights), so it is computed per comparability group. ``treated``
    (normalisation): the indicators it normalises get the outlier treatment (their bounds come from the data; a
    fixed goalpost or target is in raw units and must not see treated values). ``combination_part``
    (weighting): the part of combined weighting (``combine.subjective`` / ``combine.objective``) the method may
    be. ``interval`` (normalisation): scores interval (适度) indicators, best within [a, b] (the others refuse
    them). ``positive_scores`` (aggregation): needs non-negative child scores. ``batched`` (aggregation): the name
    of its batched form in :mod:`scoring.analysis.batch` (``BATCHED_FORMS``).
    """

    stage: Stage
    name: str
    label_zh: str
    label_en: str
    formula: str
    formula_note: str = ""
    aliases: tuple[str, ...] = ()
    requires: tuple[Requirement, ...] = ()
    learns_from_data: bool = False
    bounded: Bound | None = None
    treated: bool = False
    combination_part: str | None = None
    positive_scores: bool = False
    batched: str | None = None
    interval: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """The name and its aliases: every word a system file may use for this method."""
        return (self.name, *self.aliases)

    def formula_text(self, **values: str) -> str:
        """The formula with its placeholders filled in (values already formatted for print)."""
        return fill_placeholders(self.formula, values)


PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholders(template: str) -> set[str]:
    """The placeholders (``{lo}``, …) of a formula or note; other braces are the formula's own groups."""
    return {name for name in PLACEHOLDER.findall(template) if name in FORMULA_PARAMETERS}


def fill_placeholders(template: str, values: Mapping[str, str]) -> str:
    """The template with each placeholder given in ``values`` replaced (a formula's ``{…}`` groups stay)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


# The placeholders a formula may hold, and what fills them (the report formats the numbers).
FORMULA_PARAMETERS: Mapping[str, str] = {
    "lo": "lower end of method.scale",
    "hi": "upper end of method.scale",
    "base": "method.efficacy.base",
    "span": "method.efficacy.span",
    "alpha": "α of the combination in force (method.combine.alpha)",
    "skew": "method.treatment.skew",
    "kurtosis": "method.treatment.kurtosis",
    "winmax": "method.treatment.winmax",
}

# AHP (层次分析法): a pairwise matrix with consistency ratio CR ≥ AHP_MAX_CR is refused when the system is loaded.
AHP_MAX_CR = 0.1
# Saaty's random consistency index RI(n), n = 1…10 (RI(10) is used beyond 10).
SAATY_RI = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)


def saaty_ri(n: int) -> float:
    """Saaty's random consistency index of an n × n matrix (the last tabulated value beyond n = 10)."""
    return SAATY_RI[n - 1] if n <= len(SAATY_RI) else SAATY_RI[-1]


RECORDS: tuple[MethodRecord, ...] = (
    # ------------------------------------------------------------------------------------------ missing data
    MethodRecord(
        Stage.MISSING,
        "renormalise",
        "权重按比例重新分配",
        "renormalised weights",
        r"w'_j = \frac{w_j}{\sum_{k \in V} {w_k}}",
        "缺失或标注“不适用”的指标不参与合成，其权重按比例分给同级有值的指标（⟦V⟧ 为同级有值指标的集合）。",
    ),
    MethodRecord(
        Stage.MISSING,
        "group_mean",
        "同组均值插补",
        "group mean imputation",
        r"x_{ij} ← \frac{1}{\left| G \right|} \sum_{k \in G} {x_{kj}}",
        "缺失值以同一年同组有值区县（集合 ⟦G⟧）的均值插补；同组无值时仍为缺失。",
        learns_from_data=True,
    ),
    MethodRecord(
        Stage.MISSING,
        "carry_forward",
        "上年值结转",
        "last value carried forward",
        r"x_{it} ← x_{is}，\quad t − s ≤ g",
        "缺失值以该区县最近一个有值年份 ⟦s⟧ 的数值填补（间隔 ⟦g⟧ 年以内，由指标体系规定），并标注为插补。",
        learns_from_data=True,
    ),
    MethodRecord(
        Stage.MISSING,
        "linear",
        "年份间线性插值",
        "linear interpolation between years",
        r"x_{it} ← x_{is} + (x_{iu} − x_{is})·\frac{t − s}{u − s}，\quad s < t < u，\quad u − s − 1 ≤ g",
        "缺失值在该区县前后两个有值年份 ⟦s⟧、⟦u⟧ 之间线性插值（连续缺失 ⟦g⟧ 年以内，由指标体系规定），首尾年份不外推，"
        "并标注为插补。",
        learns_from_data=True,
    ),
    MethodRecord(
        Stage.MISSING,
        "fail",
        "缺失即停止",
        "refuse missing values",
        "有缺失值 ⇒ 停止计算",
        "任一数值缺失（标注“不适用”的除外）即停止评价并列出缺失单元格。",
    ),
    # ------------------------------------------------------------------------------------- declared transform
    MethodRecord(
        Stage.TRANSFORM,
        "log",
        "对数变换",
        "log transform",
        r"x ← \ln(1 + x)",
        "对数变换，先于标准化，阈值与目标值同样变换。",
    ),
    # ---------------------------------------------------------------------------------------------- treatment
    MethodRecord(
        Stage.TREATMENT,
        "none",
        "不处理异常值",
        "no outlier treatment",
        "y = x",
        "不做异常值处理。",
    ),
    MethodRecord(
        Stage.TREATMENT,
        "winsorise",
        "缩尾处理",
        "Winsorisation",
        r"x ← \ln\left(x − x_{\min} + 0.01·(x_{\max} − x_{\min})\right)",
        "异常值处理（COINr 方法，只用于由数据确定区间的标准化）：偏度绝对值大于 {skew} 且峰度大于 {kurtosis} 时"
        "逐个缩尾（至多 {winmax} 个），仍不满足时作上式的对数变换。",
        learns_from_data=True,
    ),
    # ------------------------------------------------------------------------------------------ normalisation
    MethodRecord(
        Stage.NORMALISATION,
        "minmax",
        "极差标准化",
        "min-max",
        r"y = {lo} + ({hi} − {lo})·r，\quad r = \frac{x − x_{\min}}{x_{\max} − x_{\min}}",
        r"⟦x_{\min}⟧、⟦x_{\max}⟧ 为同组（同一年或合并各年）各单元的最小值和最大值，全部相等时得满分；"
        r"逆向指标 ⟦r = \frac{x_{\max} − x}{x_{\max} − x_{\min}}⟧。适度指标（最优区间 ⟦[a, b]⟧）："
        r"⟦r = 1 − d/D⟧，区间内得满分，⟦d = \max(a − x, 0, x − b)⟧，⟦D = \max(a − x_{\min}, x_{\max} − b)⟧。",
        learns_from_data=True,
        bounded=Bound.SCALE,
        treated=True,
        interval=True,
    ),
    MethodRecord(
        Stage.NORMALISATION,
        "zscore",
        "Z 分数标准化",
        "z-score",
        r"y = m + s·\frac{x − \bar{x}}{σ}",
        r"⟦\bar{x}⟧、⟦σ⟧ 为同组的均值和样本标准差。",
        learns_from_data=True,
        bounded=Bound.NONE,
        treated=True,
    ),
    MethodRecord(
        Stage.NORMALISATION,
        "goalpost",
        "固定阈值法",
        "goalposts",
        r"y = {lo} + ({hi} − {lo})·\min(\max(r, 0), 1)，\quad r = \frac{x − L}{U − L}",
        r"⟦L⟧、⟦U⟧ 为指标的固定上下阈值，跨年不变，因此不同年份的得分可以直接比较；逆向指标 ⟦r = \frac{U − x}{U − L}⟧。"
        "适度指标（最优区间 ⟦[a, b]⟧，⟦L < a ≤ b < U⟧ 为容忍界限）：区间内 ⟦r = 1⟧，"
        r"⟦x < a⟧ 时 ⟦r = 1 − \frac{a − x}{a − L}⟧，⟦x > b⟧ 时 ⟦r = 1 − \frac{x − b}{U − b}⟧。",
        aliases=("goalposts",),
        requires=(Requirement.GOALPOSTS,),
        bounded=Bound.SCALE,
        interval=True,
    ),
    MethodRecord(
        Stage.NORMALISATION,
        "target",
        "目标值法",
        "distance to target",
        r"y = {lo} + ({hi} − {lo})·\min(\max(r, 0), 1)，\quad r = \frac{x − F}{T − F}",
        "⟦T⟧ 为目标值，⟦F⟧ 为下阈值或同组最差值；达到目标即得满分。",
        requires=(Requirement.TARGET,),
        learns_from_data=True,  # the floor is the worst observed value where no goalposts are given
        bounded=Bound.SCALE,
    ),
    MethodRecord(
        Stage.NORMALISATION,
        "efficacy",
        "功效系数法",
        "efficacy coefficient",
        r"y = {base} + {span}·\min(\max(r, 0), 1)，\quad r = \frac{x − F}{T − F}",
        "功效系数法：⟦F⟧ 为下阈值或同组最差值，⟦T⟧ 为目标值。",
        requires=(Requirement.TARGET,),
        learns_from_data=True,
        bounded=Bound.EFFICACY,
    ),
    MethodRecord(
        Stage.NORMALISATION,
        "rank",
        "百分位排名法",
        "percentile rank",
        r"y = {lo} + ({hi} − {lo})·\frac{r − 1}{n − 1}",
        "⟦r⟧ 为该单元在 ⟦n⟧ 个单元中的升序名次。适度指标按距最优区间的距离排名，越近越好。",
        aliases=("percentile",),
        learns_from_data=True,
        bounded=Bound.SCALE,
        treated=True,
        interval=True,
    ),
    # ---------------------------------------------------------------------------------------------- weighting
    MethodRecord(
        Stage.WEIGHTING,
        "fixed",
        "固定权重（专家赋权）",
        "fixed (expert) weights",
        r"w_j = \frac{a_j}{\sum_k {a_k}}",
        "⟦a_j⟧ 为指标体系给定的权重。",
        requires=(Requirement.CHILD_WEIGHTS,),
        combination_part="subjective",
    ),
    MethodRecord(
        Stage.WEIGHTING,
        "equal",
        "等权",
        "equal weights",
        r"w_j = \frac{1}{k}",
        "⟦k⟧ 为同级节点数。",
    ),
    MethodRecord(
        Stage.WEIGHTING,
        "entropy",
        "熵权法",
        "entropy weights",
        r"p_{ij} = \frac{y_{ij}}{\sum_i {y_{ij}}}，\quad e_j = −\frac{1}{\ln n} \sum_i {p_{ij} \ln p_{ij}}，\quad "
        r"w_j = \frac{1 − e_j}{\sum_k {(1 − e_k)}}",
        "熵权法，权重由当年数据确定。",
        learns_from_data=True,
        combination_part="objective",
    ),
    MethodRecord(
        Stage.WEIGHTING,
        "critic",
        "CRITIC 法",
        "CRITIC weights",
        r"C_j = σ_j \sum_k {(1 − r_{jk})}，\quad w_j = \frac{C_j}{\sum_k {C_k}}",
        "CRITIC 法：⟦σ_j⟧ 为指标 ⟦j⟧ 得分的标准差，⟦r_{jk}⟧ 为两指标得分的相关系数。",
        learns_from_data=True,
        combination_part="objective",
    ),
    MethodRecord(
        Stage.WEIGHTING,
        "ahp",
        "层次分析法",
        "analytic hierarchy process",
        r"A w = λ_{\max} w，\quad \operatorname{CR} = \frac{\operatorname{CI}}{\operatorname{RI}} < "
        + f"{AHP_MAX_CR:g}",
        "层次分析法：⟦w⟧ 为判断矩阵 ⟦A⟧ 的主特征向量。",
        requires=(Requirement.AHP_MATRIX,),
        combination_part="subjective",
    ),
    MethodRecord(
        Stage.WEIGHTING,
        "combined",
        "组合赋权",
        "combined weights",
        r"w = α w_{主观} + (1 − α) w_{客观}，\quad α = {alpha}",
        "组合赋权：主观权重与客观权重按 ⟦α⟧ 加权组合。",
        requires=(Requirement.COMBINATION,),
        learns_from_data=True,  # its objective part always does
    ),
    # -------------------------------------------------------------------------------------------- aggregation
    MethodRecord(
        Stage.AGGREGATION,
        "arithmetic",
        "加权算术平均",
        "weighted arithmetic mean",
        r"S = \sum_j {w'_j y_j}",
        "加权算术平均。",
        batched="weighted_mean",
    ),
    MethodRecord(
        Stage.AGGREGATION,
        "geometric",
        "加权几何平均",
        "weighted geometric mean",
        r"S = \prod_j {y_j^{w'_j}}",
        "加权几何平均。",
        positive_scores=True,
        batched="weighted_log_mean",
    ),
    # -------------------------------------------------------------------------------------------------- tiers
    MethodRecord(
        Stage.TIERS,
        "thresholds",
        "按得分分档",
        "tiers by score thresholds",
        r"t = \max\left\{ t : S ≥ m_t \right\}",
        "按综合得分门槛分档：⟦m_t⟧ 为档次 ⟦t⟧ 的门槛，取满足条件的最高档。",
    ),
    MethodRecord(
        Stage.TIERS,
        "quantile",
        "按名次等分",
        "tiers by rank quantiles",
        r"t = \min\left(k − 1, \left\lfloor \frac{(r − 1) k}{n} \right\rfloor\right)",
        "按名次等分为 ⟦k⟧ 组，⟦r⟧ 为名次，⟦n⟧ 为参评单元数；并列者同档。",
        learns_from_data=True,
    ),
)


def _index() -> dict[tuple[Stage, str], MethodRecord]:
    index: dict[tuple[Stage, str], MethodRecord] = {}
    for record in RECORDS:
        for name in record.names:
            if (record.stage, name) in index:
                raise ValueError(f"{record.stage} method name {name!r} is used twice")
            index[(record.stage, name)] = record
    return index


_BY_NAME = _index()


def records(stage: Stage) -> Iterator[MethodRecord]:
    """The records of one stage, in the order above."""
    return (record for record in RECORDS if record.stage == stage)


def find(stage: Stage, name: str) -> MethodRecord | None:
    """The record of a stage's method by its name or an alias, or ``None`` when there is none."""
    return _BY_NAME.get((stage, name))


def record(stage: Stage, name: str) -> MethodRecord:
    """The record of a stage's method by its name or an alias (``KeyError`` if unknown: check with find)."""
    found = find(stage, name)
    if found is None:
        raise KeyError(f"no {stage} method {name!r}")
    return found


def names(stage: Stage) -> list[str]:
    """Every name a system file may use at this stage (names and aliases), sorted."""
    return sorted(name for record in records(stage) for name in record.names)


def method_names(stage: Stage, **flags: object) -> frozenset[str]:
    """The names and aliases of the stage's methods whose record attributes equal ``flags``.

    E.g. ``method_names(Stage.NORMALISATION, treated=True)``: the normalisations whose indicators are treated.
    """
    return frozenset(
        name
        for record in records(stage)
        if all(getattr(record, key) == value for key, value in flags.items())
        for name in record.names
    )


def required(stage: Stage, name: str, parts: tuple[str, ...] = ()) -> frozenset[Requirement]:
    """What a method requires from the file, with a combination's requirement expanded into what its parts in
    force (``parts``: the subjective and objective method names of ``combine``) require. Unknown: nothing."""
    found = find(stage, name)
    if found is None:
        return frozenset()
    out: set[Requirement] = set()
    for requirement in found.requires:
        if requirement is Requirement.COMBINATION:
            for part in parts:
                out |= required(stage, part)
        else:
            out.add(requirement)
    return frozenset(out)
