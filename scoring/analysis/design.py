"""The assumptions an uncertainty analysis varies, and the sample of replications that varies them.

Four assumptions (factors), each drawn independently in every replication:

- **weights** — every parent's weights perturbed around the nominal ones, either
  ``w'_c = w_c·u_c / Σ_k w_k·u_k`` with ``u_c ~ U(1 − a, 1 + a)`` independent (``uniform``), or
  ``w' ~ Dirichlet(κ·w)`` per parent (``dirichlet``: mean w, variance ``w_c(1 − w_c)/(κ + 1)``);
- **normalisation**, **aggregation**, **missing** — one of the listed methods, each level equally likely;
  level 0 is always the system's own choice.

The sample is a pick-freeze (Saltelli) design so that variance-based sensitivity indices come from the same
runs: two independent base samples A and B of N rows, and for each varied factor i the matrix A_B^i (A with
factor i taken from B). Runs are laid out base row by base row as ``A_j, A_B^1_j, …, A_B^k_j, B_j`` (SALib's
layout), so N·(k + 2) runs in all. Every run is a draw from the joint distribution of the assumptions, so all
of them count for the rank intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from scoring.methods import Stage, find
from scoring.problems import PipelineError, Problem

if TYPE_CHECKING:
    # for annotations only: importing the batch module loads the pipeline (and scipy), which the report's
    # options — they default to DEFAULT_UNCERTAINTY — must not pay for at import time
    from scoring.analysis.batch import TreeLayout

FACTORS = ("weights", "normalisation", "aggregation", "missing")
DISCRETE = ("normalisation", "aggregation", "missing")

# How each assumption and its levels are named (Chinese, English), in the report, the dashboard and the API alike.
FACTOR_TEXT: dict[str, tuple[str, str]] = {
    "weights": ("权重", "Weights"),
    "normalisation": ("标准化方法", "Normalisation"),
    "aggregation": ("汇总方法", "Aggregation"),
    "missing": ("缺失值处理", "Missing data"),
}
FACTOR_STAGE = {
    "normalisation": Stage.NORMALISATION,
    "aggregation": Stage.AGGREGATION,
    "missing": Stage.MISSING,
}
LEVEL_TEXT: dict[str, tuple[str, str]] = {  # levels that are no method of a stage
    "nominal": ("系统设定", "as set by the system"),
    "mixed": ("系统设定（多种方法）", "as set by the system (several methods)"),
    "uniform": ("均匀扰动", "uniform perturbation"),
    "dirichlet": ("狄利克雷扰动", "Dirichlet perturbation"),
}


def factor_label(factor: str, lang: Literal["zh", "en"] = "zh") -> str:
    """An assumption's name for people (``normalisation`` → 标准化方法 / Normalisation)."""
    text = FACTOR_TEXT.get(factor)
    return factor if text is None else text[0 if lang == "zh" else 1]


def level_labels(factor: str, levels: str | tuple[str, ...], lang: Literal["zh", "en"] = "zh") -> str:
    """An assumption's levels for people, from the method records (``minmax, zscore`` → 极差标准化、z-score
    标准化); ``levels`` as the sensitivity table gives them (comma-separated) or as a tuple."""
    names = [n.strip() for n in levels.split(",")] if isinstance(levels, str) else list(levels)
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
    """

    replications: int = 1000
    seed: int = 20250101
    weights: Literal["uniform", "dirichlet", "none"] = "uniform"
    spread: float = 0.25
    concentration: float = 100.0
    normalisations: tuple[str, ...] = ("minmax", "zscore", "rank")
    aggregations: tuple[str, ...] = ("arithmetic", "geometric")
    missing: tuple[str, ...] = ("renormalise", "group_mean")
    chunk: int = 256

    def generator(self) -> np.random.Generator:
        """The seeded random generator of this design."""
        return np.random.default_rng(self.seed)

    def check(self) -> None:
        problems = []
        if self.replications < 1:
            problems.append("replications must be ≥ 1")
        if not 0 <= self.spread < 1:
            problems.append("spread must be in [0, 1)")
        if self.concentration <= 0:
            problems.append("concentration must be > 0")
        if self.chunk < 1:
            problems.append("chunk must be ≥ 1")
        if problems:
            raise PipelineError(Problem("analysis.bad_settings", params={"detail": "; ".join(problems)}))


DEFAULT_UNCERTAINTY = UncertaintySettings()


@dataclass(frozen=True)
class Assumption:
    """One factor and its levels; level 0 is the system's own choice (``nominal``)."""

    name: str
    levels: tuple[str, ...]

    @property
    def nominal(self) -> str:
        return self.levels[0]


@dataclass(frozen=True)
class Design:
    """The replications: each run's level of every discrete assumption and its edge weights."""

    n_base: int
    factors: tuple[str, ...]  # the assumptions that vary, in design order
    levels: np.ndarray  # runs × 3 level indices (normalisation, aggregation, missing)
    weights: np.ndarray  # runs × edges, summing to 1 over each parent's children
    role: tuple[str, ...] = field(default=())  # per position in a base block: "A", "AB:<factor>", …, "B"

    @property
    def runs(self) -> int:
        return int(self.levels.shape[0])

    def block(self, role: str) -> np.ndarray:
        """Run positions of one role (e.g. every ``A`` row)."""
        step = len(self.role)
        return np.arange(self.role.index(role), self.runs, step)


def weights_vary(settings: UncertaintySettings, layout: TreeLayout) -> bool:
    """Whether the weight perturbation can change anything (a parent with two children or more)."""
    if settings.weights == "none" or (settings.weights == "uniform" and settings.spread == 0):
        return False
    return any(b.edges.stop - b.edges.start > 1 for b in layout.blocks)


def varied_factors(
    assumptions: dict[str, Assumption], settings: UncertaintySettings, layout: TreeLayout
) -> tuple[str, ...]:
    """The assumptions that vary, in design order (weights, normalisation, aggregation, missing)."""
    return tuple(
        f
        for f in FACTORS
        if (weights_vary(settings, layout) if f == "weights" else len(assumptions[f].levels) > 1)
    )


def perturb_weights(
    rng: np.random.Generator, nominal: np.ndarray, layout: TreeLayout, settings: UncertaintySettings, n: int
) -> np.ndarray:
    """n perturbed weight vectors (n × edges); each parent's weights sum to 1.

    uniform: ``w'_c = w_c·u_c / Σ_k w_k·u_k``, ``u ~ U(1 − a, 1 + a)`` (one draw of n × edges);
    dirichlet: ``w'_P ~ Dirichlet(κ·w_P)`` for each parent P with two children or more, parents in layout order.
    """
    if settings.weights == "none":
        return np.tile(nominal, (n, 1))
    if settings.weights == "uniform":
        a = settings.spread
        raw = nominal[np.newaxis, :] * rng.uniform(1.0 - a, 1.0 + a, size=(n, nominal.size))
        starts = np.array([b.edges.start for b in layout.blocks])
        sums = np.add.reduceat(raw, starts, axis=1)
        sizes = np.array([b.edges.stop - b.edges.start for b in layout.blocks])
        return raw / np.repeat(sums, sizes, axis=1)
    out = np.tile(nominal, (n, 1))
    for block in layout.blocks:
        if block.edges.stop - block.edges.start > 1:
            out[:, block.edges] = rng.dirichlet(settings.concentration * nominal[block.edges], size=n)
    return out


def sample_design(
    rng: np.random.Generator,
    n_base: int,
    nominal: np.ndarray,
    layout: TreeLayout,
    assumptions: dict[str, Assumption],
    settings: UncertaintySettings,
) -> Design:
    """The pick-freeze sample: draws A (weights, then one level per discrete assumption), then B the same way;
    then the runs ``A_j, A_B^i_j (i over the varied factors), B_j`` for j = 1…N."""

    def draw() -> tuple[np.ndarray, np.ndarray]:
        w = perturb_weights(rng, nominal, layout, settings, n_base)
        levels = np.column_stack([rng.integers(0, len(assumptions[f].levels), size=n_base) for f in DISCRETE])
        return w, levels

    w_a, levels_a = draw()
    w_b, levels_b = draw()
    factors = varied_factors(assumptions, settings, layout)
    role = ("A", *(f"AB:{f}" for f in factors), "B")
    step = len(role)
    levels = np.empty((n_base * step, len(DISCRETE)), dtype=np.int64)
    weights = np.empty((n_base * step, nominal.size))
    for s, name in enumerate(role):
        rows = np.arange(s, n_base * step, step)
        if name == "B":
            levels[rows], weights[rows] = levels_b, w_b
            continue
        levels[rows], weights[rows] = levels_a, w_a
        factor = name.removeprefix("AB:")
        if factor == "weights":
            weights[rows] = w_b
        elif factor in DISCRETE:
            column = DISCRETE.index(factor)
            levels[rows, column] = levels_b[:, column]
    return Design(n_base=n_base, factors=factors, levels=levels, weights=weights, role=role)
