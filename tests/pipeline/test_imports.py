"""Every pipeline module can be imported on its own, first thing in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "scoring.methods",
    "scoring.registry",
    "scoring.ahp",
    "scoring.pipeline.screen",
    "scoring.pipeline.transform",
    "scoring.pipeline.groups",
    "scoring.pipeline.points",
    "scoring.pipeline.tree",
    "scoring.pipeline.change",
    "scoring.pipeline.flags",
    "scoring.pipeline.normalise",
    "scoring.pipeline.weights",
    "scoring.pipeline.aggregate",
    "scoring.pipeline.missing",
    "scoring.pipeline.treat",
    "scoring.pipeline.rank",
    "scoring.pipeline.topsis",
    "scoring.pipeline.attainment",
    "scoring.evaluate",
    "scoring.result",
    "scoring.explain",
]

# One interpreter imports each module from a clean slate (every scoring.* module dropped from sys.modules first)
# and prints the ones that fail.
SCRIPT = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "scoring" or m.startswith("scoring.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as exc:
        failed.append(name)
print(" ".join(failed))
"""


def modules_failing_to_import_first() -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *MODULES], capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_each_pipeline_module_imports_first() -> None:
    # regression: scoring.pipeline.{normalise,weights,treat} once failed with a circular import through
    # scoring.system (whose loader needs the registries)
    assert modules_failing_to_import_first() == []
