"""Every hostile data file through ``digiscore validate`` in a subprocess: a clean exit (1 or 2, 0 for a file
that only earns a warning) with the problem named, no traceback, in bounded time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 300  # generous for a loaded machine: the point is that it ends, not how fast

EXPECTED = {
    "far_cell": (2, "XFD1048576"),
    "far_cell_no_dimension": (2, "XFD1048576"),
    "sparse_sheet": (2, "BXW199999"),
    "doctype_after_comment": (2, "DTD"),
    "infinite_number": (1, "implausibly large"),
    "duplicate_rows": (1, "199 796 more problems of the same kind"),
    "huge_values": (1, "implausibly large"),
    "overflow_value": (1, "'1.8e308' is implausibly large"),
    "denormal_value": (0, "∞"),
    "wide_ragged_csv": (2, "the table spans 150000 rows × 1500 columns"),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_validate_ends_cleanly(case: str, corpus: dict[str, Path]) -> None:
    code, text = EXPECTED[case]
    done = subprocess.run(
        [str(Path(sys.executable).with_name("digiscore")), "validate", str(corpus[case])],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin"},
    )
    output = done.stdout + done.stderr
    assert done.returncode == code, output[-3000:]
    assert "Traceback" not in output
    assert text in output, output[-3000:]
