"""System resolution, output formats checked first, exit codes, no tracebacks (issue 16 item 3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from scoring.cli import app
from scoring.cli import data as data_commands
from scoring.cli.common import EXIT_INTERNAL, EXIT_PROBLEMS, EXIT_USAGE, resolve_system
from scoring.shipped import SYSTEMS_DIR_VARIABLE, sample_inputs_dir, shipped_systems_dir

FORMS = sorted((sample_inputs_dir() / "jinan" / "forms").glob("*.xlsx"))
runner = CliRunner(env={"COLUMNS": "250"})


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _no_user_systems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SYSTEMS_DIR_VARIABLE, raising=False)
    monkeypatch.delenv("DIGISCORE_DEBUG", raising=False)


def _no_work(*args: object, **kwargs: object) -> None:
    raise AssertionError("the data were read although the arguments are bad")


def test_exact_stem_and_exact_id_name_the_same_system() -> None:
    by_stem = resolve_system("jinan_district_digital")
    by_id = resolve_system("jinan-district-digital")
    assert by_stem.id == by_id.id == "jinan-district-digital"


@pytest.mark.parametrize("name", ["jinan", "jinan-district", "district_digital", "JINAN_DISTRICT_DIGITAL"])
def test_a_substring_names_no_system_and_the_systems_are_listed(name: str) -> None:
    with pytest.raises(typer.BadParameter) as caught:
        resolve_system(name)
    message = str(caught.value)
    assert "没有名为" in message and "no indicator system named" in message
    for file in shipped_systems_dir().glob("*.yaml"):
        assert file.stem in message


def test_score_with_a_substring_system_is_a_usage_error() -> None:
    """Before: ``--system jinan`` picked the comprehensive system and blamed the forms for missing rows."""
    code, output = run("score", "--system", "jinan", "--year", "2024", "--out", "x.csv", *map(str, FORMS))
    assert code == EXIT_USAGE == 2
    assert (
        "jinan_district_digital" in output and "use one of these" in output and "请改用以下体系之一" in output
    )


def test_systems_folder_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user system is found by stem in DIGISCORE_SYSTEMS_DIR, before a shipped system of the same stem; its
    units: file lies in that folder."""
    (tmp_path / "units").mkdir()
    shutil.copy(shipped_systems_dir() / "units" / "jinan.yaml", tmp_path / "units" / "jinan.yaml")
    text = (shipped_systems_dir() / "jinan_district_digital.yaml").read_text(encoding="utf-8")
    (tmp_path / "jinan_district_digital.yaml").write_text(
        text.replace("id: jinan-district-digital", "id: my-own-system"), encoding="utf-8"
    )
    monkeypatch.setenv(SYSTEMS_DIR_VARIABLE, str(tmp_path))
    assert resolve_system("jinan_district_digital").id == "my-own-system"
    assert resolve_system("my-own-system").id == "my-own-system"
    assert resolve_system("jinan-smart-city").id == "jinan-smart-city"  # the shipped ones stay nameable


def test_an_id_used_twice_is_ambiguous(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for stem in ("first", "second"):
        (tmp_path / f"{stem}.yaml").write_text("id: twice\nname: x\n", encoding="utf-8")
    monkeypatch.setenv(SYSTEMS_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(typer.BadParameter) as caught:
        resolve_system("twice")
    message = str(caught.value)
    assert "不止一个" in message and "ambiguous" in message
    assert str(tmp_path / "first.yaml") in message and str(tmp_path / "second.yaml") in message


@pytest.mark.parametrize(
    "args",
    [
        ["score", "--year", "2024", "--out", "x.txt"],
        ["score", "--year", "2024", "--out", "x"],
        ["monitor", "--year", "2024", "--out", "x.json"],
        ["uncertainty", "--year", "2024", "--out", "x.docx"],
        ["audit", "--year", "2024", "--out", "x.txt"],
        ["whatif", "--year", "2024", "--unit", "370102", "--out", "x.txt"],
    ],
)
def test_output_formats_are_checked_before_any_work(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_commands, "evaluate_files", _no_work)
    code, output = run(*args, "no-such-file.xlsx")
    assert code == EXIT_USAGE, output
    assert "unsupported output format" in output and "不支持的输出格式" in output
    assert ".csv" in output and ".xlsx" in output


def test_template_checks_its_format_first(tmp_path: Path) -> None:
    code, output = run("template", "--unit", "370102", "--out", str(tmp_path / "form.csv"))
    assert code == EXIT_USAGE and "use one of: .xlsx" in output
    assert not (tmp_path / "form.csv").exists()


def test_monitor_of_the_sample_forms_ends_without_a_traceback() -> None:
    """Before: rows without a status (NaN) ended in NotRenderableError: unable to render float."""
    code, output = run("monitor", "--year", "2024", *map(str, FORMS))
    assert code == 0, output
    assert "滞后" in output and "Traceback" not in output


def test_an_unexpected_error_is_one_line_and_exit_code_5(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(data_commands, "evaluate_files", boom)
    result = runner.invoke(app, ["explain", "--year", "2024", "--unit", "370102", str(FORMS[0])])
    assert result.exit_code == EXIT_INTERNAL == 5
    assert "internal error" in result.output and "RuntimeError: boom" in result.output
    assert "Traceback" not in result.output
    monkeypatch.setenv("DIGISCORE_DEBUG", "1")  # for a bug report, the traceback comes through
    result = runner.invoke(app, ["explain", "--year", "2024", "--unit", "370102", str(FORMS[0])])
    assert isinstance(result.exception, RuntimeError)


def test_exit_codes_are_distinct_and_in_the_help() -> None:
    assert len({EXIT_PROBLEMS, EXIT_USAGE, 3, 4, EXIT_INTERNAL}) == 5
    code, output = run("--help")
    assert code == 0 and "Exit codes" in output and "退出码" in output
    code, output = run("score", "--no-such-option")  # click's usage errors are 2 as well
    assert code == EXIT_USAGE
