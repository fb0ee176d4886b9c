"""Benchmark: the annual report (Word + Excel + HTML) for the Jinan sample and for a 150-unit round.

Budgets: the 14 sample units × 2022–2024 in ≤ 10 s, 150 units × 3 years in ≤ 60 s (reading the forms and
evaluating included). Baselines measured in the same run: the evaluation itself, and the same report without
charts — so the ratios say what the report costs over the scores, and what the charts cost over the tables. The
150-unit round is the Jinan system with 150 synthetic units (seeded; values drawn inside each indicator's
goalposts, each unit at its own level, rising a little every year).

Run: ``.venv/bin/python -m benchmarks.bench_report``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from scoring.analysis.report_data import analyse
from scoring.evaluate import Evaluation, evaluate, evaluate_matrix
from scoring.io import read_data
from scoring.report import build_reports
from scoring.report.charts import render_charts
from scoring.report.content import build_document
from scoring.report.options import ReportOptions
from scoring.system import IndicatorSystem, Unit, load_system

ROOT = Path(__file__).resolve().parents[1]
SYSTEM = ROOT / "indicators" / "jinan_district_digital.yaml"
FORMS = sorted((ROOT / "sample_inputs" / "jinan" / "forms").glob("*.xlsx"))
YEARS = (2022, 2023, 2024)
T = TypeVar("T")


def timed(function: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def with_units(system: IndicatorSystem, n_units: int) -> IndicatorSystem:
    """The same system evaluating ``n_units`` synthetic units (codes 990001…, names 单元1…)."""
    units = [Unit(code=f"99{i:04d}", name=f"单元{i}") for i in range(1, n_units + 1)]
    fields = {name: getattr(system, name) for name in type(system).model_fields}
    return type(system).model_validate({**fields, "units": units})


def synthetic_raw(system: IndicatorSystem, seed: int = 2024) -> pd.DataFrame:
    """(year, unit) × indicator raw values inside each indicator's goalposts: a unit level, a yearly rise, noise."""
    rng = np.random.default_rng(seed)
    n = len(system.units)
    level = rng.uniform(0.05, 0.95, size=n)
    rows = []
    for k, _ in enumerate(YEARS):
        share = np.clip(level[:, None] + 0.03 * k + rng.normal(0, 0.08, (n, len(system.indicators))), 0, 1)
        rows.append(share)
    share = np.vstack(rows)
    low = np.array([i.goalposts[0] if i.goalposts else 0.0 for i in system.indicators])
    high = np.array([i.goalposts[1] if i.goalposts else 100.0 for i in system.indicators])
    direction = np.array([i.direction for i in system.indicators])
    share = np.where(direction > 0, share, 1 - share)
    values = np.round(low + share * (high - low), 2)
    values[rng.random(values.shape) < 0.01] = np.nan
    index = pd.MultiIndex.from_product([YEARS, system.unit_codes], names=["year", "unit_code"])
    return pd.DataFrame(values, index=index, columns=system.indicator_codes)


def report_times(evaluation: Evaluation) -> dict[str, float]:
    """Seconds for each stage of the full report, each format, and the whole report with and without charts."""
    out: dict[str, float] = {}
    out["analyse"], data = timed(lambda: analyse(evaluation, ReportOptions().robustness))
    out["chapters"], document = timed(lambda: build_document(data))
    keys = [f.chart for f in document.figures]
    out["charts"], _ = timed(lambda: render_charts(data, keys))
    out["charts_count"] = float(len(keys))
    tables_only = ReportOptions(charts=False)
    for fmt in ("docx", "xlsx", "html"):
        out[fmt], _ = timed(partial(build_reports, evaluation, (fmt,), tables_only))
    out["report"], files = timed(lambda: build_reports(evaluation))
    out["report_no_charts"], _ = timed(lambda: build_reports(evaluation, options=ReportOptions(charts=False)))
    out["size_mb"] = sum(len(v) for v in files.values()) / 1e6
    return out


def show(label: str, base: dict[str, float], times: dict[str, float], budget: float) -> None:
    total = base["read"] + base["evaluate"] + times["report"]
    print(f"\n{label}")
    print(f"  read data            {base['read']:7.2f} s")
    print(f"  evaluate             {base['evaluate']:7.2f} s   (baseline)")
    print(f"  analyse + chapters   {times['analyse'] + times['chapters']:7.2f} s")
    print(f"  charts ({int(times['charts_count']):3d})         {times['charts']:7.2f} s")
    print(
        f"  docx / xlsx / html   {times['docx']:5.2f} / {times['xlsx']:.2f} / {times['html']:.2f} s (each without charts)"
    )
    print(f"  report, 3 formats    {times['report']:7.2f} s   ({times['size_mb']:.1f} MB)")
    print(f"  report, no charts    {times['report_no_charts']:7.2f} s")
    print(f"  ratio report / evaluate            {times['report'] / base['evaluate']:6.1f}×")
    print(f"  ratio with / without charts        {times['report'] / times['report_no_charts']:6.1f}×")
    verdict = "within" if total <= budget else "OVER"
    print(f"  end to end {total:6.2f} s — {verdict} the {budget:.0f} s budget")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=150)
    args = parser.parse_args()

    system = load_system(SYSTEM)
    small: dict[str, float] = {}
    small["read"], dataset = timed(lambda: read_data(FORMS, system))
    small["evaluate"], evaluation = timed(lambda: evaluate(system, dataset, 2024))
    build_reports(evaluation, ("html",))  # warm-up: imports matplotlib / python-docx, loads the font list
    small_times = report_times(evaluation)
    show(f"Jinan sample: {len(system.units)} units × {len(YEARS)} years", small, small_times, 10)

    big_system = with_units(system, args.units)
    large: dict[str, float] = {}
    large["read"], raw = timed(lambda: synthetic_raw(big_system))
    not_applicable = pd.DataFrame(False, index=raw.index, columns=raw.columns)
    large["evaluate"], big = timed(lambda: evaluate_matrix(big_system, raw, not_applicable, 2024))
    large_times = report_times(big)
    show(f"Synthetic round: {args.units} units × {len(YEARS)} years", large, large_times, 60)

    extra_units = args.units - len(system.units)
    per_unit = (large_times["report"] - small_times["report"]) / extra_units
    print(f"\nper extra district (its profile page, radar, table rows): {per_unit * 1000:.0f} ms")


if __name__ == "__main__":
    main()
