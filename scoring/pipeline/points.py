"""Bonus (加分项) and deduction (扣分项) indicators: points added to or taken from the parent's score."""

from __future__ import annotations

import numpy as np

from scoring.system.models import Node


def adjustment_points(x: np.ndarray, indicator: Node) -> np.ndarray:
    """Points of a bonus (+) or deduction (−) indicator: ``± min(cap, per_unit · x)``; none when missing."""
    assert indicator.points is not None  # the models require points on a bonus or deduction
    sign = 1.0 if indicator.role == "bonus" else -1.0
    points = np.minimum(indicator.points.cap, indicator.points.per_unit * np.clip(x, 0.0, None))
    return sign * points + 0.0  # + 0.0 turns −0.0 (no deduction) into 0.0


def add_points(value: np.ndarray, points: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """A parent's score plus the signed points of its bonus/deduction children (missing: none), clipped to the
    scale."""
    return np.clip(value + np.nansum(points, axis=1), *scale)
