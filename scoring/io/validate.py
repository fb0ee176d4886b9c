"""``digiscore validate``: read data files and turn the outcome into the command's exit code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import pandas as pd

from scoring.data import Dataset
from scoring.io.read import read_data
from scoring.io.references import reference_problems
from scoring.pipeline.derive import derivation_problems
from scoring.problems import Problem, SubmissionError
from scoring.system.models import IndicatorSystem

EXIT_CLEAN: Final = 0  # no error (warnings and notes may be listed)
EXIT_PROBLEMS: Final = 1  # at least one value or structure error
EXIT_UNUSABLE: Final = 2  # a file cannot be used at all


def validate_paths(
    paths: Sequence[Path | str],
    system: IndicatorSystem,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Dataset, int]:
    """Read ``paths`` for ``system``; return the dataset (with every problem) and the exit code (``progress`` as
    :func:`~scoring.io.read.read_data` takes it).

    0 when no problem is an error (warnings and info are allowed), 1 when at least one is, 2 when a file is
    unusable — then the dataset holds no values: the problems of the unusable files, then those of the other
    files, read without them (so that one run lists everything to fix).
    """
    try:
        dataset = read_data(paths, system, progress=progress)
    except SubmissionError as error:
        unusable = {problem.location.file for problem in error.problems}
        others = [path for path in paths if Path(path).name not in unusable]
        problems = list(error.problems)
        if others:
            try:
                problems += read_data(others, system).problems
            except SubmissionError as again:  # not expected: they were usable a moment ago
                problems += again.problems
        return Dataset(problems=problems), EXIT_UNUSABLE
    # derived indicators the data leave uncomputable (a divisor of 0, a part left empty), as warnings; values far
    # off the unit's own earlier year
    problems = (
        dataset.problems + derivation_problems(system, dataset) + against_earlier_years(system, dataset)
    )
    dataset = Dataset(dataset.values, problems)
    return dataset, EXIT_PROBLEMS if dataset.has_errors else EXIT_CLEAN


def against_earlier_years(system: IndicatorSystem, dataset: Dataset) -> list[Problem]:
    """Warnings on each unit's values of its latest year against the same unit's latest earlier year in the data
    (a district fills three years per form): about ten times off (万元 for 亿元 in one year) or beyond the
    system's ``method.yoy_warning`` — the checks an upload gets (:func:`scoring.io.references.reference_problems`),
    here without the accepted values the service keeps, so that one form alone is checked too."""
    values = dataset.values
    if values.empty:
        return []
    no_last = pd.DataFrame({"indicator_code": [], "year": [], "value": []})
    no_others = pd.DataFrame({"indicator_code": [], "value": []})
    problems: list[Problem] = []
    for unit, rows in values.groupby("unit_code", sort=False):
        year = int(rows["year"].max())
        problems += reference_problems(system, str(unit), year, rows, no_last, no_others)
    return problems
