"""Benchmark: start-up of the ``digiscore`` command (issue 16 item 2), against ``python -c "import pandas, numpy"``.

Three commands, each run as a fresh process several times: ``digiscore --help`` (budget 0.5× the baseline),
``digiscore validate`` of one district form (2×) and ``digiscore score`` of the 14 sample forms (3×). The
baseline is measured in the same run, interleaved with the commands, so machine load affects both. Each ratio is
given three ways: the fastest wall time of each (the budget is judged on it: the fastest run is the one least
disturbed by other processes), the median wall time, and the least CPU time (user + system) of each. For each
command it also lists which heavy libraries the process imported (FastAPI, SQLAlchemy, scipy, …): the engine's
commands should import only what they use.

Run: ``.venv/bin/python -m benchmarks.bench_startup [--runs 5]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scoring.shipped import sample_inputs_dir

HEAVY = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "scipy", "matplotlib", "docx", "pandas")
BASELINE = [sys.executable, "-c", "import pandas, numpy"]
# runs the CLI in a process that reports, on exit, which heavy libraries were imported
PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.__stderr__.write('IMPORTED ' + ' '.join(m for m in {heavy!r} if m in sys.modules)"
    " + '\\n'))\n"
    "from scoring.cli import app\n"
    "sys.argv = ['digiscore', *sys.argv[1:]]\n"
    "app()\n"
)


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of ``command`` (its output discarded; a failing
    command stops the benchmark)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return wall, usage.ru_utime + usage.ru_stime


def imported(arguments: list[str]) -> str:
    """The heavy libraries a run of ``digiscore ARGUMENTS`` imports."""
    probe = PROBE.format(heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", probe, *arguments], capture_output=True, text=True, check=False
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("IMPORTED")]
    return lines[-1].removeprefix("IMPORTED").strip() if lines else "?"


def main() -> None:
    """Measure and print the three ratios against their budgets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (median)")
    args = parser.parse_args()
    digiscore = str(Path(sys.executable).with_name("digiscore"))
    forms = sorted(str(p) for p in (sample_inputs_dir() / "jinan" / "forms").glob("*.xlsx"))
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "scores.csv")
        commands = {
            "digiscore --help": (["--help"], 0.5),
            "digiscore validate (1 form)": (["validate", forms[0]], 2.0),
            "digiscore score (14 forms)": (["score", "--year", "2024", "--out", out, *forms], 3.0),
        }
        times: dict[str, list[tuple[float, float]]] = {"baseline": [], **{name: [] for name in commands}}
        timed(BASELINE)  # warm the file cache once, for every command alike
        for _ in range(args.runs):
            times["baseline"].append(timed(BASELINE))
            for name, (arguments, _budget) in commands.items():
                times[name].append(timed([digiscore, *arguments]))

    def best(name: str) -> float:
        return min(wall for wall, _ in times[name])

    def median(name: str) -> float:
        return statistics.median(wall for wall, _ in times[name])

    def cpu(name: str) -> float:
        return min(cpu for _, cpu in times[name])

    print(
        f"baseline  python -c 'import pandas, numpy': fastest {best('baseline'):.3f} s, median "
        f"{median('baseline'):.3f} s, CPU {cpu('baseline'):.3f} s ({args.runs} runs)"
    )
    failed = False
    for name, (arguments, budget) in commands.items():
        ratio = best(name) / best("baseline")
        verdict = "ok" if ratio <= budget else "OVER BUDGET"
        failed |= ratio > budget
        print(
            f"{name:28s} {best(name):6.3f} s  {ratio:4.2f}× baseline (budget {budget}×) {verdict}; "
            f"median {median(name) / median('baseline'):4.2f}×, CPU {cpu(name) / cpu('baseline'):4.2f}×"
            f"  imports: {imported(arguments) or '-'}"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
