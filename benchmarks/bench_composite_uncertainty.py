"""Benchmark: the uncertainty analysis of the Jinan composite against plain evaluations of it.

The composite (three included systems, 84 scored indicators, a bonus and two deductions, 14 units on the
shipped sample) is the system behind the annual report. Goal (issue 14): 10 000 replications of the uncertainty
analysis — every default assumption varied, points added and deducted in every run — take less time than 100
plain evaluations (``evaluate``) of the same system and data, measured in the same run. Before any time is
printed, the nominal replication must reproduce ``evaluate`` to 1e-9.

Run: ``.venv/bin/python -m benchmarks.bench_composite_uncertainty [--replications 10000 --evaluations 100]``
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

import scoring.system  # noqa: F401  (the system package first: see tests/pipeline/test_imports.py)
from scoring.analysis.settings import DEFAULT_UNCERTAINTY
from scoring.analysis.uncertainty import uncertainty_analysis
from scoring.evaluate import evaluate
from scoring.io import read_data
from scoring.system import load_system

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--replications", type=int, default=10_000)
    parser.add_argument("--evaluations", type=int, default=100)
    args = parser.parse_args()

    system = load_system(ROOT / "indicators" / "jinan_digital_composite.yaml")
    dataset = read_data([ROOT / "sample_inputs" / "jinan_digital_composite" / "long_table.csv"], system)
    evaluate(system, dataset, YEAR)  # warm-up: first calls load modules and fill caches

    start = time.perf_counter()
    for _ in range(args.evaluations):
        evaluate(system, dataset, YEAR)
    plain = time.perf_counter() - start

    settings = replace(DEFAULT_UNCERTAINTY, replications=args.replications)
    start = time.perf_counter()
    result = uncertainty_analysis(system, dataset, YEAR, np.random.default_rng(settings.seed), settings)
    batched = time.perf_counter() - start
    assert result.nominal_deviation < 1e-9, f"nominal replication off by {result.nominal_deviation}"

    units = len(result.unit_codes)
    indicators = len(system.indicators)
    print(f"— Jinan composite: {units} units × {indicators} indicators, year {YEAR}")
    print(f"  varied assumptions                  : {', '.join(result.design.factors)}")
    print(
        f"  {args.evaluations} plain evaluations (baseline)    : {plain:8.3f} s  ({plain / args.evaluations * 1000:.1f} ms each)"
    )
    print(f"  uncertainty, {result.replications} replications   : {batched:8.3f} s")
    print(f"  ratio analysis / baseline           : {batched / plain:8.3f}   (goal < 1)")
    print(f"  nominal vs evaluate, max |Δ|        : {result.nominal_deviation:.1e}")
    print(
        "  most influential (first order)      : "
        + str(result.sensitivity.sort_values("first_order", ascending=False).iloc[0]["assumption"])
    )


if __name__ == "__main__":
    main()
