"""The assumptions an uncertainty analysis varies, and the sample of replications that varies them.

Eight assumptions (factors), each drawn independently in every replication (docs/analysis.md §1.1):

- **weights** — every parent's weights perturbed around the nominal ones, either
  ``w'_c = w_c·u_c / Σ_k w_k·u_k`` with ``u_c ~ U(1 − a, 1 + a)`` independent (``uniform``), or
  ``w' ~ Dirichlet(κ·w)`` per parent (``dirichlet``: mean w, variance ``w_c(1 − w_c)/(κ + 1)``);
- **ahp** — the judgements of every AHP matrix moved by up to ``ahp_steps`` steps of Saaty's scale, kept only
  with CR < 0.1 (:func:`perturb_ahp`);
- **normalisation**, **aggregation**, **missing**, **treatment** — one of the listed methods, each level equally
  likely; level 0 is always the system's own choice;
- **goalposts** — nominal, or every goalpost and target moved ±x of its magnitude (stricter / looser);
- **exclusion** — all indicators, or one scored indicator left out (weight 0).

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
    MATRIX_FACTORS,
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
    "MATRIX_FACTORS",
    "SAATY_SCALE",
    "Assumption",
    "Design",
    "UncertaintySettings",
    "factor_label",
    "level_labels",
    "perturb_ahp",
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
    levels: np.ndarray  # runs × len(DISCRETE) level indices (normalisation, aggregation, missing, …)
    weights: np.ndarray  # runs × edges, summing to 1 over each parent's children (a left-out indicator: 0)
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
    """The assumptions that vary, in design order (:data:`FACTORS`)."""
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


# Saaty's fundamental scale, 1/9 … 1/2, 1, 2 … 9: the steps an AHP judgement moves by.
SAATY_SCALE = np.array([1.0 / v for v in range(9, 1, -1)] + [float(v) for v in range(1, 10)])
AHP_ROUNDS = 100  # redraws of the matrices that came out inconsistent, at most


def perturb_ahp(
    rng: np.random.Generator, nominal: np.ndarray, layout: TreeLayout, steps: int, n: int
) -> np.ndarray:
    """n weight vectors (n × edges) whose AHP parents' weights come from perturbed judgements; other edges keep
    ``nominal``.

    Every judgement above the diagonal, ``a_ij``, moves by s steps of Saaty's scale, s uniform on
    −steps…steps: ``a'_ij = a_ij·v_(p+s)/v_p`` with v the scale and p the position nearest to a_ij (clipped to
    the scale's ends), ``a'_ji = 1/a'_ij``; the weights are the principal eigenvector (:func:`ahp_weights`).
    A perturbed matrix with CR ≥ 0.1 is drawn again (at most ``AHP_ROUNDS`` times; then the nominal matrix).
    Parents in layout order.
    """
    from scoring.ahp import ahp_weights_batch
    from scoring.methods import AHP_MAX_CR

    out = np.tile(nominal, (n, 1))
    logs = np.log(SAATY_SCALE)
    for block in layout.blocks:
        if block.ahp is None:
            continue
        k = block.ahp.shape[0]
        upper = np.triu_indices(k, 1)
        judgements = block.ahp[upper]
        position = np.abs(np.log(judgements)[:, np.newaxis] - logs[np.newaxis, :]).argmin(axis=1)
        todo = np.arange(n)
        for _ in range(AHP_ROUNDS):
            shift = rng.integers(-steps, steps + 1, size=(todo.size, judgements.size))
            moved = np.clip(position + shift, 0, SAATY_SCALE.size - 1)
            values = judgements * SAATY_SCALE[moved] / SAATY_SCALE[position]
            matrices = np.ones((todo.size, k, k))
            matrices[:, upper[0], upper[1]] = values
            matrices[:, upper[1], upper[0]] = 1.0 / values
            weights, cr = ahp_weights_batch(matrices)
            consistent = cr < AHP_MAX_CR
            out[todo[consistent], block.edges] = weights[consistent]
            todo = todo[~consistent]
            if not todo.size:
                break
    return out


def compose_weights(
    nominal: np.ndarray,
    perturbed: np.ndarray,
    ahp: np.ndarray | None,
    excluded: np.ndarray,
    layout: TreeLayout,
) -> np.ndarray:
    """The runs' weights (runs × edges) from their draws of the weights, ahp and exclusion assumptions.

    Without AHP draws, the perturbed weights themselves. With them, the AHP weights take the place of the
    nominal ones and the weights perturbation multiplies them: ``w'_c = a_c·(p_c/w_c) / Σ_k a_k·(p_k/w_k)``
    (a the AHP draw, p the perturbed and w the nominal weights; p_c/w_c is the uniform factor u_c). Then the
    left-out indicator's edge (``excluded``: its edge index, −1 for none) gets weight 0: its parent's score is
    the weighted mean of the other children, i.e. the engine's renormalisation over the children present.
    """
    weights = perturbed
    if ahp is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(nominal > 0, perturbed / np.where(nominal > 0, nominal, 1.0), 1.0)
        raw = ahp * ratio
        starts = np.array([b.edges.start for b in layout.blocks])
        sizes = np.array([b.edges.stop - b.edges.start for b in layout.blocks])
        weights = raw / np.repeat(np.add.reduceat(raw, starts, axis=1), sizes, axis=1)
    if (excluded >= 0).any():
        weights = weights.copy()
        rows = np.flatnonzero(excluded >= 0)
        weights[rows, excluded[rows]] = 0.0
    return weights


def sample_design(
    rng: np.random.Generator,
    n_base: int,
    nominal: np.ndarray,
    layout: TreeLayout,
    assumptions: dict[str, Assumption],
    settings: UncertaintySettings,
) -> Design:
    """The pick-freeze sample: draws A (weights, then one level per discrete assumption, then the AHP weights),
    then B the same way; then the runs ``A_j, A_B^i_j (i over the varied factors), B_j`` for j = 1…N."""
    factors = varied_factors(assumptions, settings, layout)
    ahp_varies = "ahp" in factors

    def draw() -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        w = perturb_weights(rng, nominal, layout, settings, n_base)
        levels = np.column_stack([rng.integers(0, len(assumptions[f].levels), size=n_base) for f in DISCRETE])
        ahp = perturb_ahp(rng, nominal, layout, settings.ahp_steps, n_base) if ahp_varies else None
        return w, levels, ahp

    w_a, levels_a, ahp_a = draw()
    w_b, levels_b, ahp_b = draw()
    role = ("A", *(f"AB:{f}" for f in factors), "B")
    step = len(role)
    runs = n_base * step
    levels = np.empty((runs, len(DISCRETE)), dtype=np.int64)
    perturbed = np.empty((runs, nominal.size))
    ahp = np.empty((runs, nominal.size)) if ahp_varies else None
    for s, name in enumerate(role):
        rows = np.arange(s, runs, step)
        source_b = name == "B"
        levels[rows] = levels_b if source_b else levels_a
        perturbed[rows] = w_b if source_b or name == "AB:weights" else w_a
        if ahp is not None:
            ahp[rows] = ahp_b if source_b or name == "AB:ahp" else ahp_a
        factor = name.removeprefix("AB:")
        if not source_b and factor in DISCRETE:
            column = DISCRETE.index(factor)
            levels[rows, column] = levels_b[:, column]
    exclusion = assumptions["exclusion"].levels
    edge_of = {child: e for e, child in enumerate(layout.edge_child)}
    edge_index = np.array([-1] + [edge_of[code] for code in exclusion[1:]], dtype=np.int64)
    excluded = edge_index[levels[:, DISCRETE.index("exclusion")]]
    weights = compose_weights(nominal, perturbed, ahp, excluded, layout)
    return Design(n_base=n_base, factors=factors, levels=levels, weights=weights, role=role)
