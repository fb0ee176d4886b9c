"""Benchmark: uncertainty analysis (rank intervals + sensitivity indices) by batched matrix products.

Two cases: the national-scale synthetic panel (3 000 units × 200 indicators, 4-level tree, entropy weights;
goal 10 000 replications in ≤ 15 s with peak memory ≤ 1 GB on 2 cores) and the 14 Jinan sample units (goal
1 000 replications in ≤ 1 s). The baseline, measured in the same run, is the obvious implementation: one full
``evaluate_matrix`` per replication (the replication's weights written into a variant system as fixed
weights), timed on a few replications and extrapolated. Before any time is printed, the batched composites of
those replications must agree with the engine's to 1e-9, and the nominal replication must reproduce
``evaluate`` to 1e-9.

Run: ``.venv/bin/python -m benchmarks.bench_uncertainty``
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

import scoring.system  # noqa: F401  (the system package first: see tests/pipeline/test_imports.py)
from benchmarks.synthetic import synthetic_dataset, synthetic_system
from scoring.analysis.design import UncertaintySettings, sample_design
from scoring.analysis.uncertainty import (
    ReplicationModel,
    UncertaintyResult,
    assumptions_of,
    data_matrices,
    uncertainty_analysis_matrix,
)
from scoring.evaluate import evaluate_matrix
from scoring.io import read_data
from scoring.system import IndicatorSystem, load_system

ROOT = Path(__file__).resolve().parents[1]
SEED = 20250101


def run(
    system: IndicatorSystem, raw: pd.DataFrame, not_applicable: pd.DataFrame, year: int, replications: int
) -> UncertaintyResult:
    settings = UncertaintySettings(replications=replications)
    return uncertainty_analysis_matrix(
        system, raw, not_applicable, year, np.random.default_rng(SEED), settings
    )


def baseline(
    system: IndicatorSystem, raw: pd.DataFrame, not_applicable: pd.DataFrame, year: int, samples: int
) -> tuple[float, float]:
    """Seconds per replication of the engine path, and max |batched − engine| over those replications."""
    settings = UncertaintySettings()
    nominal = evaluate_matrix(system, raw, not_applicable, year)
    model = ReplicationModel(system, raw, not_applicable, year, nominal, assumptions_of(system, settings))
    design = sample_design(
        np.random.default_rng(SEED), samples, model.nominal_weights, model.layout, model.assumptions, settings
    )
    zscore = model.assumptions["normalisation"].levels.index("zscore")
    elapsed, worst, done = 0.0, 0.0, 0
    for run_index in range(design.runs):
        levels = tuple(int(v) for v in design.levels[run_index, :5])  # the matrix levels (exclusion: weights)
        if levels[0] == zscore and model.mapped(levels[0], levels[1]):
            continue  # the engine cannot map z-scores to [1, 100] by its scale; the batched path can
        weights = design.weights[run_index]
        start = time.perf_counter()
        slow = model.engine_composite(levels, weights)
        elapsed += time.perf_counter() - start
        fast = model.composites(levels, weights[:, np.newaxis])[:, 0]
        worst = max(worst, float(np.nanmax(np.abs(fast - slow))))
        done += 1
        if done == samples:
            break
    return elapsed / done, worst


def measure(
    label: str,
    system: IndicatorSystem,
    raw: pd.DataFrame,
    not_applicable: pd.DataFrame,
    year: int,
    replications: int,
    repeat: int,
    samples: int,
    goal_seconds: float,
) -> None:
    best = float("inf")
    result: UncertaintyResult | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run(system, raw, not_applicable, year, replications)
        best = min(best, time.perf_counter() - start)
    assert result is not None
    assert result.nominal_deviation < 1e-9, f"nominal replication off by {result.nominal_deviation}"
    tracemalloc.start()  # a separate run: tracing slows the allocations it counts
    run(system, raw, not_applicable, year, replications)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_run, agreement = baseline(system, raw, not_applicable, year, samples)
    assert agreement < 1e-9, f"batched and engine replications disagree by {agreement}"
    runs = result.replications
    units, indicators = raw.xs(year, level="year").shape
    print(f"— {label}: {units} units × {indicators} indicators, {runs} replications")
    print(f"  batched analysis (best of {repeat})    : {best:8.3f} s   (goal ≤ {goal_seconds:g} s)")
    print(f"  replications per second             : {runs / best:10.0f}")
    print(f"  engine per replication (baseline)   : {per_run * 1000:8.1f} ms  (mean of {samples})")
    print(f"  baseline extrapolated to {runs:>6} runs : {per_run * runs:8.1f} s")
    print(f"  speed-up vs baseline                : {per_run * runs / best:8.0f}×")
    print(
        f"  batched vs engine, max |Δ composite|: {agreement:.1e}   nominal vs evaluate: {result.nominal_deviation:.1e}"
    )
    print(f"  peak traced memory (analysis)       : {peak / 2**20:8.1f} MiB (goal ≤ 1024)")
    print("  sensitivity (first order / total)   : ", end="")
    print(
        ", ".join(
            f"{r.assumption} {r.first_order:.2f}/{r.total_effect:.2f}"
            for r in result.sensitivity.itertuples()
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--replications", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=5, help="replications of the engine baseline")
    args = parser.parse_args()

    jinan = load_system(ROOT / "indicators" / "jinan_district_digital.yaml")
    raw, not_applicable = data_matrices(
        jinan, read_data([ROOT / "sample_inputs" / "jinan" / "long_table.csv"], jinan)
    )
    measure("Jinan sample", jinan, raw, not_applicable, 2024, 1000, 5, 20, goal_seconds=1)

    system = synthetic_system(args.units, args.indicators)
    raw, not_applicable = data_matrices(system, synthetic_dataset(system))
    measure(
        "synthetic panel",
        system,
        raw,
        not_applicable,
        2024,
        args.replications,
        1,
        args.samples,
        goal_seconds=15,
    )
    print(
        f"peak RSS of the process             : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.1f} MiB"
    )


if __name__ == "__main__":
    main()
