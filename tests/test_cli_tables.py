"""What the commands print, read at 80 columns (issue 17): tables that fit and keep names whole, the uncertainty
table without the engine's column names and with names beside codes, problems with unit and indicator names,
and progress bars drawn only on a terminal, never into piped output."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.cli.help import width_of
from scoring.shipped import sample_inputs_dir
from tests.cli_support import FORMS, lixia_form_with

ROOT = Path(__file__).resolve().parents[1]
BAR = "━"  # rich's progress bar; the tables use light rules


def run80(*args: str) -> str:
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    assert BAR not in result.output  # not a terminal: no progress bar
    too_wide = [line for line in result.output.splitlines() if width_of(line) > 80]
    assert not too_wide, too_wide
    return result.output


@pytest.mark.parametrize(
    "args",
    [
        ["score", "-y", "2024", "--out", "{tmp}/s.csv"],
        ["explain", "-y", "2024", "--unit", "370102"],
        ["monitor", "-y", "2024"],
        ["whatif", "-y", "2024", "--unit", "370103"],
        ["audit", "-y", "2024"],
    ],
    ids=lambda a: a[0],
)
def test_tables_fit_80_columns_and_keep_unit_names_whole(args: list[str], tmp_path: Path) -> None:
    output = run80(*(a.replace("{tmp}", str(tmp_path)) for a in args), *FORMS)
    assert "历下区" in output or "市中区" in output or "DI-" in output


def test_the_uncertainty_table_names_units_and_assumptions(tmp_path: Path) -> None:
    output = run80(
        "uncertainty", "-y", "2024", "--replications", "30", "--out", str(tmp_path / "u.json"), *FORMS
    )
    for internal in (
        "unit_code",
        "nominal_rank",
        "rank_q05",
        "median_rank",
        "p_领先",
        "first_order",
        "minmax",
    ):
        assert internal not in output, internal
    assert "高新区 370171" in output  # the name beside the code, on one line
    assert "权重 Weights" in output and "极差标准化" in output  # assumptions and their levels named
    assert "5–95% 区间" in output and "梯队概率" in output


def test_monitor_shows_each_indicator_once_above_its_units() -> None:
    output = run80("monitor", "-y", "2024", *FORMS)
    assert output.count("DI-01") == 1 and output.count("历下区") >= 2


def test_problems_name_the_unit_and_the_indicator(tmp_path: Path) -> None:
    form = lixia_form_with(tmp_path, {"I9": "82个"})  # DI-02, 2024
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, ["validate", str(form)])
    assert result.exit_code == 1, result.output
    block = next(b for b in result.output.split("\n错误") if "I9" in b)
    assert "历下区（370102）" in block and "DI-02 千兆宽带用户占比" in block and "2024 年" in block
    assert all(width_of(line) <= 80 for line in result.output.splitlines())


def run_on_a_terminal(args: list[str], tmp_path: Path) -> tuple[str, str]:
    """``digiscore ARGS`` with stderr on a pseudo-terminal and stdout piped: (stdout, what the terminal got)."""
    leader, follower = pty.openpty()
    digiscore = str(Path(sys.executable).with_name("digiscore"))
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    process = subprocess.Popen(
        [digiscore, *args], stdout=subprocess.PIPE, stderr=follower, env=env, cwd=tmp_path
    )
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        seen += chunk
    stdout = process.communicate(timeout=120)[0]
    os.close(leader)
    assert process.returncode == 0, (stdout + seen).decode("utf-8", "replace")[-3000:]
    return stdout.decode("utf-8"), seen.decode("utf-8", "replace")


def test_progress_bars_on_a_terminal_only_never_in_piped_output(tmp_path: Path) -> None:
    stdout, terminal = run_on_a_terminal(
        ["uncertainty", "-y", "2024", "--replications", "2000", "--out", "u.json", *FORMS], tmp_path
    )
    assert "rank intervals" in terminal and BAR in terminal  # the bar was drawn on the terminal
    assert BAR not in stdout and "\x1b[" not in stdout  # the piped tables are plain
    assert "高新区 370171" in stdout


def test_at_80_columns_names_and_tier_chances_stay_whole(tmp_path: Path) -> None:
    import re

    output = run80(
        "uncertainty", "-y", "2024", "--replications", "30", "--out", str(tmp_path / "u.json"), *FORMS
    )
    ranks = output.split("敏感性指数")[0]
    # a tier's name and its chance on one line ("追赶 38%"), never the name at a line's end and the share below
    assert not [line for line in ranks.splitlines() if re.search(r"(领先|先进|追赶|起步)\s*$", line)]
    assert not [line for line in ranks.splitlines() if re.fullmatch(r"\s*\d+%\s*", line)]
    assert "rank intervals\n" in output  # the title is not broken between its words
    assert re.search(r"^ +Z 分数标准化 *$", output, re.MULTILINE)  # one level a line, whole

    monitor = run80("monitor", "-y", "2024", *FORMS)
    assert re.search(
        r"^ DI-01 每万人5G基站数 *$", monitor, re.MULTILINE
    )  # on a line of its own, above its units
    assert re.search(r"^   历下区 ", monitor, re.MULTILINE)

    explain = run80("explain", "-y", "2024", "--unit", "370102", *FORMS)
    assert "千兆宽带用户占比" in explain and "每万人5G基站数" in explain  # not broken into pieces


def test_whatif_says_its_statuses_in_words_and_wraps_its_summary_as_chinese() -> None:
    output = run80("whatif", "-y", "2024", "--unit", "370103", *FORMS)
    for code in ("applied", "reached", "goalpost", "not_applicable"):
        assert code not in output, code
    assert "已达到" in output and "阈值" in output
    assert "与上一位槐荫区（370104）的差距分解" in output  # the unit above by name
    summary = output.split("与上一位槐荫区")[0].splitlines()
    # Chinese prose fills its lines (rich broke it at spaces only, leaving lines half empty)
    paragraphs_ends = {i for i, line in enumerate(summary) if line.endswith(("。", "）"))}
    short = [line for i, line in enumerate(summary) if i not in paragraphs_ends and width_of(line) < 70]
    assert not short, short


def test_compare_systems_names_units_and_changes_in_words_at_80_columns(tmp_path: Path) -> None:
    import re

    from scoring.shipped import shipped_systems_dir

    systems = tmp_path / "systems"
    shutil.copytree(shipped_systems_dir() / "units", systems / "units")
    text = (shipped_systems_dir() / "jinan_district_digital.yaml").read_text(encoding="utf-8")
    heavier = re.sub(r"(?m)^version: .*$", 'version: "2026.1"', text).replace(
        "weight: 0.20", "weight: 0.30", 1
    )
    (systems / "new.yaml").write_text(heavier, encoding="utf-8")
    sample = str(sample_inputs_dir() / "jinan" / "long_table.csv")
    output = run80(
        "compare-systems", "jinan_district_digital", str(systems / "new.yaml"), "-d", sample, "-y", "2024"
    )
    for internal in ("unit_code", "old_score", "rank_change", "…", "weight in"):
        assert internal not in output, internal
    assert "权重 weight" in output and "在 INDEX 中的实际权重" in output
    assert re.search(r"^ 370103 市中区 .* 6 → 5 ", output, re.MULTILINE)  # moved up one place


def test_the_ranking_has_headers_in_both_languages_and_names_beside_codes(tmp_path: Path) -> None:
    output = run80("score", "-y", "2024", "--out", str(tmp_path / "s.csv"), *FORMS)
    assert "综合指数" in output and "composite" in output and "位次变化" in output and "moved" in output
    assert "370171 高新区" in output  # one column, the name beside the code
