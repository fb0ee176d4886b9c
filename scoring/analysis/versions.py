"""Comparing two versions of an indicator system (docs/analysis.md §11): what changed in the file, and what the
change does to the ranking on the same data.

- **Changes** (:func:`system_changes`): nodes added, removed, moved to another parent or renamed; per node the
  settings that differ (direction, role, points, normalisation, transform, goalposts, target, aggregation,
  weighting, AHP matrix), each indicator's or node's method as in force (its own or the system default); the
  system's method defaults, scale and tiers; and every **weight** the two evaluations apply (the nominal
  weights of the year: fixed, AHP or learned from the data) that differs by more than 1e-9.
- **Moves** (:class:`SystemComparison` ``units``): each unit's composite score, rank and tier under both
  versions, the score change and the rank change (positive = moved up).
- **Spearman's ρ** between the two rankings: Pearson's correlation of the two composite columns' ranks over the
  units ranked under both, ties given their average rank (Spearman's definition, as ``scipy.stats.spearmanr``);
  with n units and no ties ``ρ = 1 − 6·Σd²/(n(n² − 1))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.data import Dataset
from scoring.evaluate import Evaluation, evaluate
from scoring.system.models import IndicatorSystem, Node, QuantileTiers

WEIGHT_TOLERANCE = 1e-9
CHANGE_COLUMNS = ["kind", "code", "name", "field", "old", "new"]

# How each kind of change is named (Chinese, English), in the report, the CLI and the exported tables.
CHANGE_TEXT: dict[str, tuple[str, str]] = {
    "added": ("新增", "added"),
    "removed": ("删除", "removed"),
    "moved": ("调整上级", "moved"),
    "renamed": ("更名", "renamed"),
    "weight": ("权重", "weight"),
    "target": ("目标值", "target"),
    "goalposts": ("阈值", "goalposts"),
    "method": ("方法", "method"),
    "setting": ("设定", "setting"),
    "system": ("体系设定", "system setting"),
}


# How each field of a change is named in the report (Chinese); "weight in P" is the applied share in parent P.
FIELD_TEXT: dict[str, str] = {
    "parent": "上级节点",
    "name": "名称",
    "kind": "节点类型",
    "weight": "权重（文件）",
    "direction": "方向",
    "role": "计分方式",
    "points": "加减分（每单位, 上限）",
    "unit": "单位",
    "transform": "变换",
    "goalposts": "阈值",
    "target": "目标值",
    "normalise": "标准化方法",
    "aggregate": "汇总方法",
    "weighting": "赋权方法",
    "ahp": "判断矩阵",
    "tiers": "档次",
    "units": "评价单元",
}


def change_label(kind: str, lang: str = "zh") -> str:
    text = CHANGE_TEXT.get(kind)
    return kind if text is None else text[0 if lang == "zh" else 1]


def field_label(field: str) -> str:
    """A change's field in Chinese (``weight in A`` → 在 A 中的实际权重; ``method.normalise`` stays as written)."""
    if field.startswith("weight in "):
        return f"在 {field.removeprefix('weight in ')} 中的实际权重"
    return FIELD_TEXT.get(field, field)


@dataclass(frozen=True)
class SystemComparison:
    """Two versions of a system compared on the same data for one year."""

    old: IndicatorSystem
    new: IndicatorSystem
    year: int
    changes: pd.DataFrame  # CHANGE_COLUMNS
    units: pd.DataFrame  # one row per unit, by new rank
    spearman: float  # NaN with fewer than two units ranked under both
    ranked_both: int

    @property
    def moved(self) -> pd.DataFrame:
        """The units whose rank changed, the largest move first."""
        moved = self.units[self.units["rank_change"].fillna(0) != 0]
        return moved.reindex(moved["rank_change"].abs().sort_values(ascending=False, kind="stable").index)

    def summary(self) -> dict[str, Any]:
        counts = self.changes["kind"].value_counts()
        return {
            "old": f"{self.old.id}@{self.old.version}",
            "new": f"{self.new.id}@{self.new.version}",
            "year": self.year,
            "changes": {str(k): int(v) for k, v in counts.items()},
            "units_moved": int((self.units["rank_change"].fillna(0) != 0).sum()),
            "largest_move": int(self.units["rank_change"].abs().max(skipna=True) or 0)
            if self.units["rank_change"].notna().any()
            else 0,
            "spearman": None if math.isnan(self.spearman) else self.spearman,
            "ranked_both": self.ranked_both,
        }

    def text(self) -> str:
        """What changed and what it does, in Chinese, in a fixed order."""
        summary = self.summary()
        parts = [
            f"{self.new.name}由 {self.old.version} 版改为 {self.new.version} 版，"
            + (
                "、".join(f"{change_label(k)} {n} 处" for k, n in summary["changes"].items())
                if summary["changes"]
                else "指标体系文件没有实质变化"
            )
            + "。"
        ]
        if summary["spearman"] is not None:
            parts.append(
                f"以 {self.year} 年数据分别按两版计算，{summary['units_moved']} 个区县名次变化，"
                f"最大变动 {summary['largest_move']} 位；两版排名的斯皮尔曼等级相关系数为 {self.spearman:.3f}"
                f"（{self.ranked_both} 个区县）。"
            )
        return "".join(parts)


def _tree(system: IndicatorSystem) -> dict[str, tuple[Node, str | None]]:
    """Every node but the composite: code → (node, parent code)."""
    return {
        node.code: (node, parent.code if parent is not None else None)
        for node, depth, parent in system.walk()
        if depth > 0
    }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def _node_settings(system: IndicatorSystem, node: Node) -> dict[str, tuple[str, Any]]:
    """The settings of a node that a version may change: field → (kind, value as in force)."""
    common: dict[str, tuple[str, Any]] = {"weight": ("weight", node.weight)}  # as declared in the file
    if node.is_indicator:
        out: dict[str, tuple[str, Any]] = common | {
            "direction": ("setting", node.direction),
            "role": ("setting", node.role),
            "points": ("setting", None if node.points is None else (node.points.per_unit, node.points.cap)),
            "unit": ("setting", node.unit),
            "transform": ("method", node.transform),
            "goalposts": ("goalposts", node.goalposts),
            "target": ("target", None if node.target is None else node.target.value),
        }
        if node.role == "score":
            out["normalise"] = ("method", system.normalise_method(node))
        return out
    return common | {
        "aggregate": ("method", system.aggregate_method(node)),
        "weighting": ("method", system.weighting_method(node)),
        "ahp": ("method", None if node.ahp is None else tuple(tuple(r) for r in node.ahp)),
    }


def _system_settings(system: IndicatorSystem) -> dict[str, Any]:
    method = system.method
    tiers = system.tiers
    if tiers is None:
        tier_text = None
    elif isinstance(tiers, QuantileTiers):
        tier_text = "quantile: " + ", ".join(tiers.quantile)
    else:
        tier_text = ", ".join(f"{t.name} ≥ {t.min:g}" for t in sorted(tiers, key=lambda t: -t.min))
    return {
        "name": system.name,
        "method.normalise": method.normalise,
        "method.aggregate": method.aggregate,
        "method.weighting": method.weighting,
        "method.missing": method.missing,
        "method.treat": method.treat,
        "method.scale": tuple(method.scale),
        "method.comparability": method.comparability,
        "tiers": tier_text,
        "units": ", ".join(system.unit_codes),
    }


def system_changes(
    old: IndicatorSystem,
    new: IndicatorSystem,
    old_weights: pd.DataFrame | None = None,
    new_weights: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What changed from ``old`` to ``new`` (see the module docstring); ``*_weights`` are the evaluations'
    nominal weights of the year (``Evaluation.weights`` rows of one year: parent, child, weight)."""
    rows: list[tuple[str, str, str, str, str, str]] = []
    for key, before in _system_settings(old).items():
        after = _system_settings(new)[key]
        if before != after:
            rows.append(("system", "", "", key, _text(before), _text(after)))
    old_tree, new_tree = _tree(old), _tree(new)
    for code, (node, parent) in new_tree.items():
        if code not in old_tree:
            rows.append(("added", code, node.name, "parent", "", parent or ""))
    for code, (node, parent) in old_tree.items():
        if code not in new_tree:
            rows.append(("removed", code, node.name, "parent", parent or "", ""))
    for code, (node, parent) in new_tree.items():
        if code not in old_tree:
            continue
        before_node, before_parent = old_tree[code]
        if before_parent != parent:
            rows.append(("moved", code, node.name, "parent", before_parent or "", parent or ""))
        if before_node.name != node.name:
            rows.append(("renamed", code, node.name, "name", before_node.name, node.name))
        if before_node.is_indicator != node.is_indicator:
            kind = "indicator" if node.is_indicator else "dimension"
            rows.append(("setting", code, node.name, "kind", "", kind))
            continue
        before_settings = _node_settings(old, before_node)
        for field, (kind, value) in _node_settings(new, node).items():
            previous = before_settings.get(field, (kind, None))[1]
            if previous != value:
                rows.append((kind, code, node.name, field, _text(previous), _text(value)))
    if old_weights is not None and new_weights is not None:
        rows.extend(_weight_changes(old_weights, new_weights, new_tree, old_tree))
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _weight_changes(
    old_weights: pd.DataFrame,
    new_weights: pd.DataFrame,
    new_tree: dict[str, tuple[Node, str | None]],
    old_tree: dict[str, tuple[Node, str | None]],
) -> list[tuple[str, str, str, str, str, str]]:
    """Rows for the weights (share among siblings, as applied) that differ, for children under the same parent
    in both versions."""
    before = {
        (p, c): float(w)
        for p, c, w in zip(old_weights["parent"], old_weights["child"], old_weights["weight"], strict=True)
    }
    rows = []
    for parent, child, weight in zip(
        new_weights["parent"], new_weights["child"], new_weights["weight"], strict=True
    ):
        previous = before.get((parent, child))
        if previous is None or abs(previous - float(weight)) <= WEIGHT_TOLERANCE:
            continue
        name = new_tree[child][0].name if child in new_tree else old_tree.get(child, (None, None))[0].name  # type: ignore[union-attr]
        rows.append(
            ("weight", str(child), name, f"weight in {parent}", f"{previous:.4f}", f"{float(weight):.4f}")
        )
    return rows


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's ρ of two score vectors (NaN pairs dropped): Pearson's r of their average ranks."""
    keep = ~(np.isnan(a) | np.isnan(b))
    if keep.sum() < 2:
        return float("nan")
    ra = pd.Series(a[keep]).rank(method="average").to_numpy()
    rb = pd.Series(b[keep]).rank(method="average").to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def compare_evaluations(old: Evaluation, new: Evaluation) -> SystemComparison:
    """Two evaluations of the same year under two system versions compared (see the module docstring)."""
    year = new.year
    old_system, new_system = old.system, new.system
    units = list(new_system.unit_codes) + [u for u in old_system.unit_codes if u not in new_system.unit_codes]

    def column(evaluation: Evaluation, frame: pd.DataFrame) -> pd.Series:
        values = frame[evaluation.system.composite.code].xs(year, level="year")
        return values.reindex(units)

    def tiers(evaluation: Evaluation) -> pd.Series:
        if evaluation.system.tiers is None:
            return pd.Series([None] * len(units), index=units, dtype=object)
        values = pd.Series(evaluation.tiers.to_numpy(), index=evaluation.scores.index).xs(year, level="year")
        return values.reindex(units)

    old_score, new_score = column(old, old.scores), column(new, new.scores)
    old_rank, new_rank = column(old, old.ranks), column(new, new.ranks)
    names = {**old_system.unit_names, **new_system.unit_names}
    table = pd.DataFrame(
        {
            "unit_code": units,
            "unit_name": [names.get(u, u) for u in units],
            "old_score": old_score.to_numpy(dtype=float),
            "new_score": new_score.to_numpy(dtype=float),
            "score_change": (new_score - old_score).to_numpy(dtype=float),
            "old_rank": pd.array(old_rank.to_numpy(dtype=float), dtype="Int64"),
            "new_rank": pd.array(new_rank.to_numpy(dtype=float), dtype="Int64"),
            "rank_change": pd.array((old_rank - new_rank).to_numpy(dtype=float), dtype="Int64"),
            "old_tier": tiers(old).to_numpy(),
            "new_tier": tiers(new).to_numpy(),
        }
    )
    table = table.sort_values(["new_rank", "unit_code"], na_position="last").reset_index(drop=True)
    a, b = old_score.to_numpy(dtype=float), new_score.to_numpy(dtype=float)
    weights_old = old.weights[old.weights["year"] == year]
    weights_new = new.weights[new.weights["year"] == year]
    return SystemComparison(
        old=old_system,
        new=new_system,
        year=year,
        changes=system_changes(old_system, new_system, weights_old, weights_new),
        units=table,
        spearman=spearman(a, b),
        ranked_both=int((~(np.isnan(a) | np.isnan(b))).sum()),
    )


def compare_systems(
    old: IndicatorSystem, new: IndicatorSystem, old_data: Dataset, new_data: Dataset, year: int
) -> SystemComparison:
    """Evaluate ``year`` under both versions (each on the data read for it) and compare."""
    return compare_evaluations(evaluate(old, old_data, year), evaluate(new, new_data, year))
