"""The report's entry points: ``build_report`` for the HTTP service and ``digiscore report`` on the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.evaluate import Evaluation
from scoring.report import FORMATS, MEDIA_TYPES, ReportError, build_report
from tests.report.conftest import FORMS


def test_build_report_refuses_an_unknown_format(small: Evaluation) -> None:
    with pytest.raises(ReportError) as raised:
        build_report(small, "pdf")
    assert raised.value.problems[0].code == "report.unknown_format"
    assert set(MEDIA_TYPES) == set(FORMATS) == {"docx", "xlsx", "html"}


def test_cli_writes_the_three_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "--year", "2024", *map(str, FORMS), "--out", str(tmp_path), "--no-charts"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx", "report.html", "report.xlsx"]
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_rejects_an_unknown_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "--year", "2024", str(FORMS[0]), "--out", str(tmp_path), "--format", "pdf"]
    )
    assert result.exit_code == 2
    assert not list(tmp_path.iterdir())


def test_importing_the_report_package_loads_neither_matplotlib_nor_python_docx() -> None:
    # the service imports build_report at start-up; the heavy libraries load on the first report
    script = "import sys, scoring.report; print('matplotlib' in sys.modules, 'docx' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
