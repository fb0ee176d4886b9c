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
from typing import TYPE_CHECKING

import numpy as np

from scoring.analysis.settings import (
    DEFAULT_UNCERTAINTY,
    DISCRETE,
    FACTOR_STAGE,
    FACTOR_TEXT,
    FACTORS,
    LEVEL_TEXT,
    UncertaintySettings,
    factor_label,
    level_labels,
)

if TYPE_CHECKING:
    # for annotations only: importing the batch module loads the pipeline (and scipy), which the report's
    # options — they default to DEFAULT_UNCERTAINTY — must not pay for at import time
    from scoring.analysis.batch import TreeLayout


__all__ = [
    "DEFAULT_UNCERTAINTY",
    "DISCRETE",
    "FACTORS",
    "FACTOR_STAGE",
    "FACTOR_TEXT",
    "LEVEL_TEXT",
    "Assumption",
    "Design",
    "UncertaintySettings",
    "factor_label",
    "level_labels",
    "perturb_weights",
    "sample_design",
    "varied_factors",
    "weights_vary",
]


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
