"""Regional disparity (区域差异分析) of a score across units, and its change over the years (docs/analysis.md §8).

For the n values x_i ≥ 0 of one year (mean μ > 0), units in groups g (the unit list's ``group``):

    Gini      G = Σ_i Σ_j |x_i − x_j| / (2n²μ)
    Theil     T = (1/n)·Σ_i (x_i/μ)·ln(x_i/μ)                    (0·ln 0 = 0)
              T = T_w + T_b,   T_b = Σ_g s_g·ln(s_g·n/n_g),   T_w = Σ_g s_g·T_g,   s_g = Σ_{i∈g} x_i / Σ_i x_i
    CV        σ/μ with the population standard deviation σ = √((1/n)·Σ (x_i − μ)²)
    Dagum     G = G_w + G_nb + G_t (Dagum 1997; formulas in :func:`dagum_gini`)

Over the years: σ-convergence (σ and CV per year; σ falling = converging) and a Gaussian kernel density of the
values per year with Silverman's bandwidth (:func:`kernel_density`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.analysis.refusal import refused

NO_GROUP = "未分组"  # the group of a unit the unit list gives none
DENSITY_POINTS = 101


def gini(x: np.ndarray) -> float:
    """``G = Σ_i Σ_j |x_i − x_j| / (2n²μ)`` (the mean absolute difference over twice the mean), computed from the
    sorted values as ``Σ_i (2i − n − 1)·x_(i) / (n²μ)`` (the same sum without the n × n differences)."""
    x = np.sort(np.asarray(x, dtype=float))
    n = len(x)
    return float(((2.0 * np.arange(1, n + 1) - n - 1) * x).sum() / (n * n * x.mean()))


def theil(x: np.ndarray) -> float:
    """``T = (1/n)·Σ (x_i/μ)·ln(x_i/μ)`` with ``0·ln 0 = 0``."""
    r = np.asarray(x, dtype=float) / np.mean(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(r), 0.0)
    return float(terms.mean())


@dataclass(frozen=True)
class TheilDecomposition:
    """``total = within + between``; ``groups``: per group n, share s_g of the total, its own T_g and its part
    ``s_g·T_g`` of ``within``."""

    total: float
    within: float
    between: float
    groups: pd.DataFrame


def theil_decomposition(x: np.ndarray, groups: np.ndarray) -> TheilDecomposition:
    """Theil's T split by groups: ``T_b = Σ_g s_g·ln(s_g·n/n_g)``, ``T_w = Σ_g s_g·T_g``."""
    x = np.asarray(x, dtype=float)
    labels, codes = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    n = len(x)
    n_g = np.bincount(codes, minlength=len(labels)).astype(float)
    total_g = np.bincount(codes, weights=x, minlength=len(labels))
    s_g = total_g / x.sum()
    t_g = np.array([theil(x[codes == g]) if total_g[g] > 0 else 0.0 for g in range(len(labels))])
    with np.errstate(divide="ignore", invalid="ignore"):
        between_terms = np.where(s_g > 0, s_g * np.log(s_g * n / n_g), 0.0)
    frame = pd.DataFrame(
        {"n": n_g.astype(int), "share": s_g, "theil": t_g, "within_part": s_g * t_g},
        index=pd.Index(labels, name="group"),
    )
    return TheilDecomposition(theil(x), float((s_g * t_g).sum()), float(between_terms.sum()), frame)


@dataclass(frozen=True)
class DagumDecomposition:
    """Dagum's decomposition ``gini = within + between + transvariation`` (net between-group G_nb and
    transvariation G_t). ``groups``: per group (in order of rising mean) n, mean, p_j, s_j and G_jj;
    ``pairs``: per pair of groups (j the one with the higher mean) G_jh, D_jh and their parts of G_nb and G_t."""

    gini: float
    within: float
    between: float
    transvariation: float
    groups: pd.DataFrame
    pairs: pd.DataFrame

    @property
    def shares(self) -> dict[str, float]:
        """Each part's share of G (they add up to 1)."""
        return {
            "within": self.within / self.gini,
            "between": self.between / self.gini,
            "transvariation": self.transvariation / self.gini,
        }


def dagum_gini(x: np.ndarray, groups: np.ndarray) -> DagumDecomposition:
    """Dagum's (1997) Gini decomposition by subgroups. With k groups, n_j units and means μ_j (ordered so that
    μ_j ≥ μ_h in every pair), ``p_j = n_j/n``, ``s_j = n_j·μ_j/(n·μ)``:

        G_jj = Σ_i Σ_r |x_ji − x_jr| / (2·n_j²·μ_j)
        G_jh = Σ_i Σ_r |x_ji − x_hr| / (n_j·n_h·(μ_j + μ_h))
        d_jh = mean over pairs (i in j, r in h) of max(x_ji − x_hr, 0)          (gross economic affluence)
        p_jh = mean over the same pairs of max(x_hr − x_ji, 0)                  (first moment of transvariation)
        D_jh = (d_jh − p_jh)/(d_jh + p_jh)                                       (0 when both are 0)
        G_w  = Σ_j G_jj·p_j·s_j
        G_nb = Σ_{j>h} G_jh·(p_j·s_h + p_h·s_j)·D_jh
        G_t  = Σ_{j>h} G_jh·(p_j·s_h + p_h·s_j)·(1 − D_jh)
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    mu = x.mean()
    labels, codes = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    means = np.bincount(codes, weights=x) / np.bincount(codes)
    order = np.argsort(means, kind="stable")  # rising mean: in a pair (h, j) with h before j, μ_j ≥ μ_h
    members = [x[codes == g] for g in order]
    n_j = np.array([len(m) for m in members], dtype=float)
    mu_j = np.array([m.mean() for m in members])
    p = n_j / n
    s = n_j * mu_j / (n * mu)
    g_jj = np.array([gini(m) if m.mean() > 0 else 0.0 for m in members])  # G_jj is the group's own Gini
    within = float((g_jj * p * s).sum())
    rows = []
    between = transvariation = 0.0
    for jj in range(len(members)):
        for hh in range(jj):
            a, b = members[jj], members[hh]  # μ_a ≥ μ_b
            diff = a[:, None] - b[None, :]
            g_jh = np.abs(diff).sum() / (len(a) * len(b) * (mu_j[jj] + mu_j[hh]))
            d = np.clip(diff, 0, None).mean()
            q = np.clip(-diff, 0, None).mean()
            d_jh = (d - q) / (d + q) if d + q > 0 else 0.0
            weight = p[jj] * s[hh] + p[hh] * s[jj]
            part_nb = g_jh * weight * d_jh
            part_t = g_jh * weight * (1 - d_jh)
            between += part_nb
            transvariation += part_t
            rows.append((labels[order[jj]], labels[order[hh]], g_jh, d_jh, part_nb, part_t))
    group_frame = pd.DataFrame(
        {"n": n_j.astype(int), "mean": mu_j, "p": p, "s": s, "gini": g_jj},
        index=pd.Index([labels[g] for g in order], name="group"),
    )
    pairs = pd.DataFrame(rows, columns=["group", "other", "gini", "D", "between_part", "transvariation_part"])
    return DagumDecomposition(gini(x), within, float(between), float(transvariation), group_frame, pairs)


def silverman_bandwidth(x: np.ndarray) -> float:
    """Silverman's rule as scipy's ``gaussian_kde(bw_method="silverman")`` applies it in one dimension:
    ``h = s·(3n/4)^(−1/5)`` with s the sample standard deviation (ddof = 1)."""
    x = np.asarray(x, dtype=float)
    return float(np.std(x, ddof=1) * (len(x) * 3.0 / 4.0) ** (-0.2))


def kernel_density(x: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Gaussian kernel density ``f(t) = (1/(n·h))·Σ_i φ((t − x_i)/h)`` on ``grid``, h by Silverman's rule; zeros
    when h = 0 (all values equal) or fewer than two values."""
    x = np.asarray(x, dtype=float)
    grid = np.asarray(grid, dtype=float)
    if len(x) < 2:
        return np.zeros_like(grid)
    h = silverman_bandwidth(x)
    if h <= 0:
        return np.zeros_like(grid)
    z = (grid[:, None] - x[None, :]) / h
    return np.exp(-0.5 * z * z).sum(axis=1) / (len(x) * h * np.sqrt(2 * np.pi))


@dataclass(frozen=True)
class DisparityResult:
    """The disparity of one score (``node``, the composite by default) over the units of each year.

    ``years``: per year n, mean, sd (population), cv, gini, theil, theil_within, theil_between, dagum_within,
    dagum_between, dagum_transvariation; ``theil`` / ``dagum``: the report year's decompositions;
    ``density``: the kernel density per year on ``grid`` (columns the years); ``groups``: per group of the report
    year n, mean, min, max."""

    node: str
    year: int
    years: pd.DataFrame
    theil: TheilDecomposition
    dagum: DagumDecomposition
    grid: np.ndarray
    density: pd.DataFrame
    groups: pd.DataFrame

    @property
    def sigma_change(self) -> float:
        """σ of the last year minus σ of the first (negative: σ-convergence); NaN with one year."""
        sd = self.years["sd"]
        return float(sd.iloc[-1] - sd.iloc[0]) if len(sd) > 1 else float("nan")

    @property
    def converging(self) -> bool | None:
        """σ-convergence: σ fell from the first year to the last (None with one year)."""
        change = self.sigma_change
        return None if np.isnan(change) else bool(change < 0)


def disparity_analysis(
    scores: pd.DataFrame, groups: dict[str, str | None], node: str, year: int, scale: tuple[float, float]
) -> DisparityResult:
    """Disparity of ``scores[node]`` (index (year, unit_code)) in every year, decomposed by ``groups``
    (unit code → group; a unit without one is in 未分组). Units without a score in a year are left out.

    Refused (``analysis.domain``) when a year has a negative score (z-scores) or fewer than two units, or all
    its scores are 0: Gini and Theil measure shares of a non-negative total."""
    rows = []
    density = {}
    lo, hi = scale
    values = scores[node]
    span_lo = min(lo, float(values.min()))
    span_hi = max(hi, float(values.max()))
    grid = np.linspace(span_lo, span_hi, DENSITY_POINTS)
    decompositions: dict[int, tuple[TheilDecomposition, DagumDecomposition]] = {}
    for y in sorted(int(v) for v in values.index.get_level_values("year").unique()):
        present = values.xs(y, level="year").dropna()
        x = present.to_numpy(dtype=float)
        _check(x, y, node)
        labels = np.array([groups.get(str(u)) or NO_GROUP for u in present.index], dtype=object)
        theil_parts = theil_decomposition(x, labels)
        dagum = dagum_gini(x, labels)
        decompositions[y] = (theil_parts, dagum)
        sd = float(x.std())
        rows.append(
            {
                "year": y,
                "n": len(x),
                "mean": float(x.mean()),
                "sd": sd,
                "cv": sd / float(x.mean()),
                "gini": dagum.gini,
                "theil": theil_parts.total,
                "theil_within": theil_parts.within,
                "theil_between": theil_parts.between,
                "dagum_within": dagum.within,
                "dagum_between": dagum.between,
                "dagum_transvariation": dagum.transvariation,
            }
        )
        density[y] = kernel_density(x, grid)
    if year not in decompositions:
        raise refused("区域差异分析", "disparity analysis", f"{year} 年没有得分", f"no scores in {year}")
    current = values.xs(year, level="year").dropna()
    labels = pd.Series([groups.get(str(u)) or NO_GROUP for u in current.index], index=current.index)
    group_stats = current.groupby(labels).agg(["count", "mean", "min", "max"])
    group_stats.columns = ["n", "mean", "min", "max"]
    group_stats.index.name = "group"
    return DisparityResult(
        node=node,
        year=year,
        years=pd.DataFrame(rows).set_index("year"),
        theil=decompositions[year][0],
        dagum=decompositions[year][1],
        grid=grid,
        density=pd.DataFrame(density, index=pd.Index(grid, name="score")),
        groups=group_stats.sort_values("mean", ascending=False),
    )


def _check(x: np.ndarray, year: int, node: str) -> None:
    if len(x) < 2:
        raise refused(
            "区域差异分析",
            "disparity analysis",
            f"{year} 年 {node} 有得分的单元少于两个",
            f"fewer than two units have a score on {node} in {year}",
        )
    if (x < 0).any():
        raise refused(
            "区域差异分析",
            "disparity analysis",
            f"{year} 年 {node} 有负的得分（z 分数？），基尼系数和泰尔指数要求得分非负；请改用有界的标准化方法",
            f"{node} has negative scores in {year} (z-scores?); Gini and Theil need non-negative scores, "
            "use a bounded normalisation",
        )
    if x.sum() == 0:
        raise refused(
            "区域差异分析",
            "disparity analysis",
            f"{year} 年 {node} 的得分全部为 0",
            f"every score on {node} in {year} is 0",
        )
