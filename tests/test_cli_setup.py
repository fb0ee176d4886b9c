"""Set-up for users and for developers (issue 16 item 6): the README's two quick-start commands, what each
installs, and the engine without the CJK font (the report without charts, after one warning)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.report import fonts
from scoring.shipped import sample_inputs_dir

ROOT = Path(__file__).resolve().parents[1]
FORMS = [str(p) for p in sorted((sample_inputs_dir() / "jinan" / "forms").glob("*.xlsx"))]
WITHOUT_CHARTS = "the report is written without charts"


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The font lookup pointed at nothing: no such family in matplotlib's list, nothing from fontconfig."""
    monkeypatch.setattr(fonts, "CJK_FAMILIES", ("No Such CJK Font",))
    monkeypatch.setattr(fonts, "_fontconfig_files", lambda: [])
    fonts.cjk_font.cache_clear()
    yield
    fonts.cjk_font.cache_clear()


def test_report_without_the_cjk_font_warns_once_and_has_no_charts(no_cjk_font: None, tmp_path: Path) -> None:
    result = CliRunner(env={"COLUMNS": "250"}).invoke(
        app, ["report", "-y", "2024", *FORMS, "--out", str(tmp_path), "--format", "html", "--format", "docx"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count(WITHOUT_CHARTS) == 1 and "fonts-noto-cjk" in result.output
    assert "Traceback" not in result.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "data:image/png" not in html and "综合" in html
    assert (tmp_path / "report.docx").stat().st_size > 10_000


def test_the_report_has_its_charts_when_the_font_is_there(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "-y", "2024", *FORMS, "--out", str(tmp_path), "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    assert WITHOUT_CHARTS not in result.output
    assert "data:image/png" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_demo_without_the_cjk_font_writes_everything_but_the_charts(
    no_cjk_font: None, tmp_path: Path
) -> None:
    result = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.count(WITHOUT_CHARTS) == 1
    assert {p.name for p in tmp_path.iterdir()} >= {
        "results_2024.csv",
        "report_2024.docx",
        "report_2024.html",
    }


def quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_readme_quick_start_is_two_commands_and_ci_runs_them() -> None:
    assert quick_start() == ["scripts/setup && .venv/bin/digiscore demo", "scripts/test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.split("#")[0].strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")
    ]
    assert "scripts/setup" in commands and "scripts/test" in commands
    assert not any(
        re.search(r"\bpytest\b", command) for command in commands
    )  # the tests only through scripts/test


def test_only_the_test_set_up_installs_chromium() -> None:
    setup = (ROOT / "scripts" / "setup").read_text(encoding="utf-8")
    test = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert "scripts/install-system-deps.sh\n" in setup and "--tests" not in setup
    assert "scripts/install-system-deps.sh --tests" in test
    deps = (ROOT / "scripts" / "install-system-deps.sh").read_text(encoding="utf-8")
    assert re.search(r'want_browser" = 1 \] && ! command -v chromium', deps)
    assert "want_browser=0" in deps.split("for arg")[0]  # off unless --tests


def test_scripts_test_runs_pytest_with_the_arguments_given() -> None:
    done = subprocess.run(
        [str(ROOT / "scripts" / "test"), "--version"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "pytest" in done.stdout + done.stderr
