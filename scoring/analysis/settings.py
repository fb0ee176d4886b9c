"""What an uncertainty analysis varies and how much (:class:`UncertaintySettings`), the one default design every
view of a round uses (:data:`DEFAULT_UNCERTAINTY`), and how its assumptions and their levels are named.

Kept apart from :mod:`scoring.analysis.design` (the sampling) and free of numpy at import, because the CLI reads
these defaults to print ``--help``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from scoring.methods import Stage, find, records
from scoring.problems import PipelineError, Problem

if TYPE_CHECKING:
    import numpy as np

FACTORS = ("weights", "ahp", "normalisation", "aggregation", "missing", "treatment", "goalposts", "exclusion")
# The assumptions drawn as one level each (the others, weights and ahp, draw whole weight vectors); the design's
# level matrix has one column per name here, in this order.
DISCRETE = ("normalisation", "aggregation", "missing", "treatment", "goalposts", "exclusion")
# The discrete assumptions that choose the indicator matrix (exclusion acts on the weights).
MATRIX_FACTORS = ("normalisation", "aggregation", "missing", "treatment", "goalposts")

# How each assumption and its levels are named (Chinese, English), in the report, the dashboard and the API alike.
FACTOR_TEXT: dict[str, tuple[str, str]] = {
    "weights": ("权重", "Weights"),
    "normalisation": ("标准化方法", "Normalisation"),
    "aggregation": ("汇总方法", "Aggregation"),
    "missing": ("缺失值处理", "Missing data"),
    "ahp": ("层次分析法判断", "AHP judgements"),
    "treatment": ("异常值处理", "Outlier treatment"),
    "goalposts": ("阈值与目标值", "Goalposts and targets"),
    "exclusion": ("剔除单项指标", "Leaving one indicator out"),
}
FACTOR_STAGE = {
    "normalisation": Stage.NORMALISATION,
    "aggregation": Stage.AGGREGATION,
    "missing": Stage.MISSING,
    "treatment": Stage.TREATMENT,
}
LEVEL_TEXT: dict[str, tuple[str, str]] = {  # levels that are no method of a stage
    "nominal": ("系统设定", "as set by the system"),
    "mixed": ("系统设定（多种方法）", "as set by the system (several methods)"),
    "uniform": ("均匀扰动", "uniform perturbation"),
    "dirichlet": ("狄利克雷扰动", "Dirichlet perturbation"),
    "perturbed": ("判断扰动（CR < 0.1）", "judgements perturbed (CR < 0.1)"),
    "stricter": ("提高", "stricter"),
    "looser": ("降低", "looser"),
    "all": ("全部指标", "all indicators"),
}
# The exclusion assumption's levels are "all" and one indicator code each; shown as one phrase.
LEAVE_ONE_OUT = "leave_one_out"


def factor_label(factor: str, lang: Literal["zh", "en"] = "zh") -> str:
    """An assumption's name for people (``normalisation`` → 标准化方法 / Normalisation)."""
    text = FACTOR_TEXT.get(factor)
    return factor if text is None else text[0 if lang == "zh" else 1]


def level_labels(factor: str, levels: str | tuple[str, ...], lang: Literal["zh", "en"] = "zh") -> str:
    """An assumption's levels for people, from the method records (``minmax, zscore`` → 极差标准化、z-score
    标准化); ``levels`` as the sensitivity table gives them (comma-separated) or as a tuple."""
    names = [n.strip() for n in levels.split(",")] if isinstance(levels, str) else list(levels)
    if factor == "exclusion":
        dropped = _count(names) or sum(1 for n in names if n != "all")
        return (
            f"全部指标、逐一剔除 {dropped} 项指标之一"
            if lang == "zh"
            else f"all indicators, or one of {dropped} indicators left out"
        )
    stage = FACTOR_STAGE.get(factor)
    shown = []
    for name in names:
        found = find(stage, name) if stage is not None else None
        text = LEVEL_TEXT.get(name)
        if found is not None:
            shown.append(found.label_zh if lang == "zh" else found.label_en)
        elif text is not None:
            shown.append(text[0 if lang == "zh" else 1])
        else:
            shown.append(name)
    return ("、" if lang == "zh" else ", ").join(shown)


def _count(names: list[str]) -> int:
    """The indicator count of a compact exclusion level (``leave_one_out:84``)."""
    for name in names:
        if name.startswith(LEAVE_ONE_OUT + ":"):
            return int(name.split(":", 1)[1])
    return 0


@dataclass(frozen=True)
class UncertaintySettings:
    """What an uncertainty analysis varies, and how much.

    The defaults are the one design every view of a round uses (CLI ``uncertainty``, the report's robustness
    appendix, the dashboard and the API), so that one round shows the same rank intervals everywhere; ``seed``
    seeds the generator (``numpy.random.default_rng(seed)``) and is printed with the results.

    ``replications`` is the number of runs asked for; it is rounded up to a multiple of k + 2 (k = the number
    of assumptions that vary). ``normalisations`` / ``aggregations`` / ``missing`` are the alternatives to the
    system's own choice (which is always a level); an empty tuple keeps that assumption fixed. ``spread`` is
    ``a`` of the uniform perturbation, ``concentration`` is ``κ`` of the Dirichlet one; ``weights="none"``
    keeps the nominal weights. ``chunk`` bounds memory: replications scored together.

    ``treatments``: the alternatives to the system's outlier treatment (on/off). ``goalpost_shift`` (x): the
    goalposts and targets ±x % level (stricter / looser, 0 = fixed). ``leave_one_out``: whether one scored
    indicator may be left out per run. ``ahp_steps``: how many steps of Saaty's 1–9 scale an AHP judgement may
    move (0 = fixed); perturbed matrices keep CR < 0.1.
    """

    replications: int = 1000
    seed: int = 20250101
    weights: Literal["uniform", "dirichlet", "none"] = "uniform"
    spread: float = 0.25
    concentration: float = 100.0
    normalisations: tuple[str, ...] = ("minmax", "zscore", "rank")
    aggregations: tuple[str, ...] = ("arithmetic", "geometric")
    missing: tuple[str, ...] = ("renormalise", "group_mean")
    treatments: tuple[str, ...] = ("none", "winsorise")
    goalpost_shift: float = 0.10
    leave_one_out: bool = True
    ahp_steps: int = 1
    chunk: int = 256

    def generator(self) -> np.random.Generator:
        """The seeded random generator of this design."""
        import numpy as np  # here, not at the top: the CLI reads these defaults for --help

        return np.random.default_rng(self.seed)

    def check(self) -> None:
        """Refuse settings that cannot be run, each said in Chinese and in English (``analysis.bad_settings``):
        counts and shares out of range, and methods no stage has (named with the ones it has)."""
        problems: list[tuple[str, str]] = []
        if self.replications < 1:
            problems.append(("重复计算次数须不少于 1", "replications must be ≥ 1"))
        if not 0 <= self.spread < 1:
            problems.append(("均匀扰动的幅度 a 须不小于 0 且小于 1", "spread must be in [0, 1)"))
        if self.concentration <= 0:
            problems.append(("狄利克雷扰动的 κ 须大于 0", "concentration must be > 0"))
        if not 0 <= self.goalpost_shift < 1:
            problems.append(("阈值与目标值的浮动比例须不小于 0 且小于 1", "goalpost_shift must be in [0, 1)"))
        if not 0 <= self.ahp_steps <= 8:
            problems.append(("层次分析法判断的移动档数须在 0 到 8 之间", "ahp_steps must be in 0…8"))
        if self.chunk < 1:
            problems.append(("每批计算次数须不少于 1", "chunk must be ≥ 1"))
        chosen = {
            "normalisation": self.normalisations,
            "aggregation": self.aggregations,
            "missing": self.missing,
            "treatment": self.treatments,
        }
        for factor, levels in chosen.items():
            stage = FACTOR_STAGE[factor]
            unknown = [name for name in levels if find(stage, name) is None]
            if unknown:
                zh = "、".join(f"{r.name}（{r.label_zh}）" for r in records(stage))
                en = ", ".join(f"{r.name} ({r.label_en})" for r in records(stage))
                problems.append(
                    (
                        f"没有名为“{'、'.join(unknown)}”的{FACTOR_TEXT[factor][0]}，可选：{zh}",
                        f"no {FACTOR_TEXT[factor][1].lower()} method named {', '.join(unknown)}; choose from {en}",
                    )
                )
        if problems:
            detail = {
                "detail_zh": "；".join(zh for zh, _ in problems),
                "detail_en": "; ".join(en for _, en in problems),
            }
            raise PipelineError(Problem("analysis.bad_settings", params=detail))


DEFAULT_UNCERTAINTY = UncertaintySettings()
