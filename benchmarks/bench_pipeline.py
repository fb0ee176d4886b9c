"""Benchmark: the full scoring pipeline on a national-scale synthetic panel.

3 000 units × 200 indicators in a 4-level tree, entropy weights at every node, min-max normalisation,
arithmetic aggregation, ranks and quantile tiers. The baseline, measured in the same run, is a plain
column-by-column / unit-by-unit pandas implementation of the same formulas (what a first spreadsheet-minded
port looks like); the two must agree to 1e-9 before any time is printed.

Run: ``.venv/bin/python -m benchmarks.bench_pipeline``
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from benchmarks.synthetic import synthetic_dataset, synthetic_system
from scoring.evaluate import evaluate_matrix
from scoring.system.models import IndicatorSystem


def baseline_composite(system: IndicatorSystem, raw: pd.DataFrame) -> pd.Series:
    """The same pipeline written naively: per-column min-max, per-column entropy, per-unit weighted sums."""
    columns = {}
    for indicator in system.indicators:
        column = raw[indicator.code] * indicator.direction
        lo, hi = column.min(), column.max()
        columns[indicator.code] = (column - lo) / (hi - lo) * 100
    scores = pd.DataFrame(columns)
    for node, _, _ in reversed(list(system.walk())):
        if not node.children:
            continue
        children = [c.code for c in node.children]
        block = scores[children]
        entropy = {}
        for code in children:
            y = block[code].dropna()
            p = y / y.sum()
            entropy[code] = -sum(v * np.log(v) for v in p if v > 0) / np.log(len(y))
        diversity = pd.Series({c: 1 - e for c, e in entropy.items()})
        weights = diversity / diversity.sum()
        values = []
        for _, row in block.iterrows():
            present = row.dropna()
            w = weights[present.index]
            values.append((present * w).sum() / w.sum() if len(present) else np.nan)
        scores[node.code] = values
    return scores[system.composite.code]


def timed(function: Callable[[], object], repeat: int) -> tuple[float, object]:
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    system = synthetic_system(args.units, args.indicators)
    dataset = synthetic_dataset(system)
    start = time.perf_counter()
    raw = dataset.matrix(system.indicator_codes, units=system.unit_codes)
    assemble = time.perf_counter() - start
    not_applicable = pd.DataFrame(False, index=raw.index, columns=raw.columns)

    ours, evaluation = timed(lambda: evaluate_matrix(system, raw, not_applicable, 2024), args.repeat)
    tracemalloc.start()  # a separate run: tracing slows the allocations it counts
    evaluate_matrix(system, raw, not_applicable, 2024)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    baseline, expected = timed(lambda: baseline_composite(system, raw), 1)

    composite = evaluation.scores[system.composite.code]  # type: ignore[attr-defined]
    difference = float(np.nanmax(np.abs(composite.to_numpy() - np.asarray(expected, dtype=float))))
    assert difference < 1e-9, f"pipeline and baseline disagree by {difference}"

    print(
        f"panel: {args.units} units × {args.indicators} indicators, 4-level tree, entropy weights at every node"
    )
    print(f"assemble matrix from long table : {assemble * 1000:8.1f} ms")
    print(f"full pipeline (best of {args.repeat})       : {ours * 1000:8.1f} ms   (goal ≤ 200 ms)")
    print(f"naive pandas baseline           : {baseline * 1000:8.1f} ms")
    print(f"speed-up vs baseline            : {baseline / ours:8.1f}×")
    print(f"agreement with baseline         : max |Δ| = {difference:.1e}")
    print(f"peak traced memory (pipeline)   : {peak / 2**20:8.1f} MiB")
    print(
        f"peak RSS of the process         : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.1f} MiB (goal ≤ 500)"
    )


if __name__ == "__main__":
    main()
