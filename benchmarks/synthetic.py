"""A synthetic national-scale panel for the benchmarks: units × indicators in a 4-level tree (seeded)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.data import Dataset
from scoring.system.models import Composite, IndicatorSystem, Method, Node, QuantileTiers, Unit


def synthetic_system(
    n_units: int = 3000, n_indicators: int = 200, weighting: str = "entropy"
) -> IndicatorSystem:
    """composite → 5 dimensions → 4 sub-dimensions each → n_indicators/20 indicators each (4 levels)."""
    per_sub = n_indicators // 20
    dimensions = []
    k = 0
    for d in range(5):
        subs = []
        for s in range(4):
            leaves = []
            for _ in range(per_sub):
                k += 1
                leaves.append(Node(code=f"I{k:03d}", name=f"指标{k}", direction=-1 if k % 10 == 0 else 1))
            subs.append(Node(code=f"S{d}{s}", name=f"子维度{d}{s}", children=leaves))
        dimensions.append(Node(code=f"D{d}", name=f"维度{d}", children=subs))
    return IndicatorSystem(
        id="bench",
        name="benchmark",
        version="1",
        units=[Unit(code=f"U{i:04d}", name=f"单位{i}") for i in range(n_units)],
        composite=Composite(),
        method=Method(weighting=weighting),
        tiers=QuantileTiers(quantile=["一", "二", "三", "四"]),
        tree=dimensions,
    )


def synthetic_values(system: IndicatorSystem, years: tuple[int, ...] = (2024,), seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (len(years) * len(system.units), len(system.indicators))
    values = rng.lognormal(mean=3.0, sigma=1.0, size=shape)
    values[rng.random(shape) < 0.01] = np.nan  # 1 % missing
    return values


def synthetic_dataset(system: IndicatorSystem, years: tuple[int, ...] = (2024,), seed: int = 7) -> Dataset:
    values = synthetic_values(system, years, seed)
    units = system.unit_codes
    codes = system.indicator_codes
    index = pd.MultiIndex.from_product([years, units], names=["year", "unit_code"])
    wide = pd.DataFrame(values, index=index, columns=codes)
    long = wide.stack(future_stack=True).rename("value").reset_index()
    long.columns = ["year", "unit_code", "indicator_code", "value"]
    return Dataset.from_long(long)
