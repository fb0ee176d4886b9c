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
    "denormal_value": (0, "more than a million times off"),
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


def test_score_writes_a_csv_where_a_carriage_return_cannot_start_a_formula_row(tmp_path: Path) -> None:
    """Found case 7: a unit name holding a bare CR followed by ``=1+1`` (as a hostile system or unit file could
    give) is one quoted field of the results CSV, so no spreadsheet sees ``=1+1`` at the start of a row."""
    repo = Path(__file__).resolve().parents[2]
    (tmp_path / "units").mkdir()
    units = (repo / "indicators" / "units" / "jinan.yaml").read_text(encoding="utf-8")
    (tmp_path / "units" / "jinan.yaml").write_text(
        units.replace("name: 历下区,", 'name: "历下区\\r=1+1",'), encoding="utf-8"
    )
    system = tmp_path / "jinan_district_digital.yaml"
    system.write_text((repo / "indicators" / "jinan_district_digital.yaml").read_text(encoding="utf-8"))
    out = tmp_path / "x.csv"
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("digiscore")),
            "score",
            "-s",
            str(system),
            str(repo / "sample_inputs" / "jinan" / "long_table.csv"),
            "--year",
            "2024",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    raw = out.read_bytes().decode("utf-8-sig")
    assert ',"历下区\r=1+1",' in raw
    # every row starts after CRLF; a bare CR only ever sits inside a quoted field
    for row in raw.split("\r\n"):
        assert not row.startswith(("=", "+", "-", "@"))
