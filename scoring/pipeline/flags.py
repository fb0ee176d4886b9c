"""Flags: every cell something happened to, as one long table (year, unit_code, node_code, flag).

``missing``, ``not_applicable``, ``imputed``, ``derived`` (computed from its formula's parts), the treatment's action (``winsorised`` / ``log``) and, on a parent,
``renormalised`` (some but not all of its children missing, so its weights were rescaled) or
``below_coverage`` (its ``min_coverage`` rule left it missing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.system.models import IndicatorSystem, Node


def flag_cells(
    raw: pd.DataFrame,
    imputed: pd.DataFrame,
    not_applicable: pd.DataFrame,
    treated: pd.DataFrame,
    scores: pd.DataFrame,
    system: IndicatorSystem,
    below_coverage: list[tuple[int, str, float, float]] | None = None,
) -> pd.DataFrame:
    """Every cell something happened to: missing, not applicable, imputed, winsorised / logged, renormalised."""
    years = raw.index.get_level_values("year").to_numpy()
    units = raw.index.get_level_values("unit_code").to_numpy()
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(mask: np.ndarray, codes: np.ndarray, flag: str | np.ndarray) -> None:
        rows, cols = np.nonzero(mask)
        labels = flag[rows, cols] if isinstance(flag, np.ndarray) else np.full(len(rows), flag, dtype=object)
        pieces.append((years[rows], units[rows], codes[cols], labels))

    indicators = raw.columns.to_numpy()
    na = not_applicable.to_numpy(dtype=bool)
    add(raw.isna().to_numpy() & ~na & ~imputed.to_numpy(), indicators, "missing")
    derived = np.array([node.formula is not None for node in system.indicators], dtype=bool)
    if derived.any():
        add(raw.notna().to_numpy() & derived[np.newaxis, :], indicators, "derived")
    add(na, indicators, "not_applicable")
    add(imputed.to_numpy(), indicators, "imputed")
    treated_values = treated.to_numpy()
    add(treated_values != "", indicators, treated_values)
    parents = [node for node in system.nodes.values() if node.children]
    partial = np.column_stack([_partly_missing(scores, node) for node in parents])
    add(partial, np.array([node.code for node in parents], dtype=object), "renormalised")
    if below_coverage:
        codes = [node.code for node in parents]
        low = np.zeros(partial.shape, dtype=bool)
        for row, code, _, _ in below_coverage:
            low[row, codes.index(code)] = True
        add(low, np.array(codes, dtype=object), "below_coverage")
    flags = pd.DataFrame(
        {
            name: np.concatenate([p[i] for p in pieces])
            for i, name in enumerate(["year", "unit_code", "node_code", "flag"])
        }
    )
    return flags.sort_values(["year", "unit_code", "node_code"]).reset_index(drop=True)


def _partly_missing(scores: pd.DataFrame, node: Node) -> np.ndarray:
    """Rows where some but not all of the node's children are missing (its weights were renormalised)."""
    missing = scores[[child.code for child in node.scored_children]].isna().to_numpy()
    return missing.any(axis=1) & ~missing.all(axis=1)
