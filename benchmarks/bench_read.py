"""Benchmark: read a 3 000 units × 200 indicators wide xlsx with ``read_data`` vs openpyxl (read-only).

Run with ``.venv/bin/python benchmarks/bench_read.py``. Both readers run in the same process on the same file;
the baseline only iterates the cell values (no parsing, no checks), so the ratio understates the gap. Goal: ours
at least 5× faster. The file is synthetic (seeded): values rounded to two decimals as statistical tables are,
with a few empty cells.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import xlsxwriter

from scoring.io import read_data
from scoring.system.models import Composite, IndicatorSystem, Method, Node, Unit

YEAR = 2024


def make_system(n_units: int, n_indicators: int) -> IndicatorSystem:
    """A flat synthetic system: ten dimensions of equal size, indicators X0001…, units U0001…."""
    per_dimension = max(n_indicators // 10, 1)
    dimensions = []
    for d in range(0, n_indicators, per_dimension):
        children = [
            Node(code=f"X{i + 1:04d}", name=f"指标{i + 1}", unit="个", valid=(0, None))
            for i in range(d, min(d + per_dimension, n_indicators))
        ]
        dimensions.append(
            Node(
                code=f"D{d // per_dimension + 1:02d}", name=f"维度{d // per_dimension + 1}", children=children
            )
        )
    return IndicatorSystem(
        id="bench",
        name="基准测试指标体系",
        version="1",
        units=[Unit(code=f"U{u + 1:04d}", name=f"单位{u + 1}") for u in range(n_units)],
        composite=Composite(),
        method=Method(),
        tiers=None,
        tree=dimensions,
    )


def write_wide(path: Path, system: IndicatorSystem, blank_share: float, seed: int = 20240101) -> None:
    """One sheet named by the year: unit_code, then one column per indicator (xlsxwriter, constant memory)."""
    rng = np.random.default_rng(seed)
    codes = system.indicator_codes
    scale = 10 ** rng.uniform(0, 3, size=len(codes))  # each indicator its own magnitude
    values = np.round(rng.lognormal(0.0, 0.5, size=(len(system.units), len(codes))) * scale, 2)
    blanks = rng.random(values.shape) < blank_share
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet(str(YEAR))
    sheet.write_row(0, 0, ["unit_code", *codes])
    for r, unit in enumerate(system.units, start=1):
        sheet.write_string(r, 0, unit.code)
        for c, (value, blank) in enumerate(
            zip(values[r - 1].tolist(), blanks[r - 1].tolist(), strict=True), start=1
        ):
            if not blank:
                sheet.write_number(r, c, value)
    workbook.close()


def read_openpyxl(path: Path) -> int:
    """The baseline: every cell value through openpyxl's read-only streaming reader."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    count = 0
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        count += len(row)
    workbook.close()
    return count


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--blank-share", type=float, default=0.01, help="share of empty cells")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    system = make_system(args.units, args.indicators)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"wide_{YEAR}.xlsx"
        write_wide(path, system, args.blank_share)
        dataset = read_data([path], system)
        cells = args.units * args.indicators
        print(
            f"file: {args.units} units × {args.indicators} indicators = {cells:,} cells, {path.stat().st_size:,} bytes"
        )
        print(f"read_data: {len(dataset.values):,} values, {len(dataset.problems):,} problems")
        ours = best_of(args.repeat, lambda: read_data([path], system))
        baseline = best_of(args.repeat, lambda: read_openpyxl(path))
    print(f"read_data (calamine + checks): {ours:.3f} s")
    print(f"openpyxl read_only, values only: {baseline:.3f} s")
    print(f"ratio: {baseline / ours:.1f}× (goal ≥ 5×)")


if __name__ == "__main__":
    main()
