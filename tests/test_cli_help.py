"""``--help`` of every command in Chinese and English, without Python type names, readable at 80 columns
(issue 17); the wrapping by display width it relies on; the CLI's cache of checked systems (issue 16 item 2)."""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from scoring.cli import app
from scoring.cli import systems as cache
from scoring.cli.help import wrap
from scoring.shipped import sample_inputs_dir, shipped_systems_dir

ROOT = Path(__file__).resolve().parents[1]
FORMS = sorted((sample_inputs_dir() / "jinan" / "forms").glob("*.xlsx"))
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+ [a-z]{2,} [a-z]{2,}\b")  # three words of a sentence
TYPE_NAMES = re.compile(
    r"<[^>]*>|\b(list|str|int|float|bool|Path|NoneType|Optional)\[|\b(str|int|float|bool)\b>"
)


def command_paths() -> list[tuple[str, ...]]:
    """Every command and group of ``digiscore``, the service's too: ``()``, ``("score",)``, ``("token", "create")``."""
    found: list[tuple[str, ...]] = []

    def walk(command: object, prefix: tuple[str, ...]) -> None:
        found.append(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*prefix, name))

    walk(typer.main.get_command(app), ())
    return found


def width(text: str) -> int:
    from scoring.cli.help import width_of

    return width_of(text)


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "digiscore")
def test_every_help_is_bilingual_without_type_names_and_fits_80_columns(path: tuple[str, ...]) -> None:
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert not TYPE_NAMES.search(text), TYPE_NAMES.search(text)
    assert "用法 Usage" in text and "选项 Options" in text
    assert all(width(line) <= 80 for line in text.splitlines()), max(text.splitlines(), key=width)
    # the description and every option's text in both languages: a Chinese line, then an English one
    description = text.split("\n\n")[1]
    assert CJK.search(description), description
    options = text.split("选项 Options:")[1].split("\n\n")[0]
    for block in filter(None, re.split(r"\n(?=  -)", options)):
        assert CJK.search(block) and re.search(r"[a-z]{3,} [a-z]{2,}", block), block
    # each language on lines of its own: no English sentence beside Chinese, no Chinese in an English line
    mixed = [line for line in text.splitlines()[1:] if CJK.search(line) and ENGLISH.search(line)]
    assert not mixed, mixed


def test_the_help_shows_defaults_and_required_in_both_languages() -> None:
    text = CliRunner(env={"COLUMNS": "100"}).invoke(app, ["score", "--help"]).output
    assert "-y, --year YEAR" in text and "--out FILE" in text and "DATA..." in text
    assert "[必填 required]" in text and "[默认 default: jinan_district_digital]" in text
    assert "退出码" in CliRunner().invoke(app, ["--help"]).output


def test_a_usage_error_names_the_placeholder_not_the_python_name() -> None:
    result = CliRunner().invoke(app, ["score", "--year", "2024", "--out", "x.csv"])
    assert result.exit_code == 2
    assert "DATA" in result.output and "list[" not in result.output


@pytest.mark.parametrize("columns", [20, 40, 78])
def test_wrap_counts_a_chinese_character_as_two_columns_and_keeps_punctuation(columns: int) -> None:
    text = "指标体系：YAML 文件路径，或体系的文件名、id（须完全一致）。 Score the units: composite and every node."
    lines = wrap(text, columns)
    assert all(width(line) <= columns for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line[0] in "，。、）：" for line in lines)  # a closing mark never starts a line
    assert not any(line.endswith("（") for line in lines)  # an opening one never ends it


def test_wrap_by_hand() -> None:
    # 10 columns: "一二三四五" is 10 columns wide, so "六" goes to the next line
    assert wrap("一二三四五六", 10) == ["一二三四五", "六"]
    # "。" may not start a line, so "五。" is one piece of 4 columns: 8 + 4 > 10, it moves down together
    assert wrap("一二三四五。六", 10) == ["一二三四", "五。六"]
    assert wrap("alpha beta gamma", 10) == ["alpha beta", "gamma"]


def test_help_starts_without_rich_or_the_engine() -> None:
    """``--help`` loads neither rich nor pydantic (nor the data stack: tests/test_cli.py checks that)."""
    script = (
        "import sys\nfrom scoring.cli import app\n"
        "try:\n    app(['--help'], prog_name='digiscore')\nexcept SystemExit:\n    pass\n"
        "print('LOADED', *sorted(m for m in ('rich', 'pydantic', 'yaml', 'jsonschema') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip().splitlines()[-1] == "LOADED", done.stdout[-500:]


# The cache of checked systems.


def copy_of_the_jinan_system(tmp_path: Path) -> Path:
    folder = tmp_path / "systems"
    shutil.copytree(shipped_systems_dir(), folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return folder / "jinan_district_digital.yaml"


def test_a_cached_system_is_the_checked_one_and_a_change_checks_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(tmp_path / "cache"))
    system_file = copy_of_the_jinan_system(tmp_path)
    loads: list[Path] = []
    from scoring.system import load as loader

    real_load = loader.load_system
    monkeypatch.setattr(loader, "load_system", lambda path: loads.append(path) or real_load(path))

    first = cache.load_system_cached(system_file)
    second = cache.load_system_cached(system_file)
    assert len(loads) == 1  # the second came from the cache
    assert second == first and second.content_hash == first.content_hash
    (entry,) = (tmp_path / "cache").iterdir()
    assert entry.stat().st_mode & 0o777 == 0o600

    # a unit renamed in the unit list (another file of the folder): checked again, and the new name is there
    units = system_file.parent / "units" / "jinan.yaml"
    text = units.read_text(encoding="utf-8")
    assert "历下区" in text
    units.write_text(text.replace("历下区", "历下新区", 1), encoding="utf-8")
    third = cache.load_system_cached(system_file)
    assert len(loads) == 2 and "历下新区" in third.unit_names.values()
    assert third.content_hash != first.content_hash


def test_a_damaged_or_foreign_cache_file_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(tmp_path / "cache"))
    system_file = copy_of_the_jinan_system(tmp_path)
    checked = cache.load_system_cached(system_file)
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_bytes(b"not a pickle")
    assert cache.load_system_cached(system_file) == checked  # loaded again, and the entry rewritten
    digest, _ = pickle.loads(entry.read_bytes())
    entry.write_bytes(pickle.dumps((digest, "something else")))
    assert cache.load_system_cached(system_file) == checked
    os.chmod(entry, 0o666)  # writable by others: never trusted
    assert cache._read(entry, digest) is None


def test_an_empty_cache_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_VARIABLE, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() is None
    cache.load_system_cached(copy_of_the_jinan_system(tmp_path))
    assert not (tmp_path / "xdg").exists()
    monkeypatch.delenv(cache.CACHE_VARIABLE)
    assert cache.cache_dir() == tmp_path / "xdg" / "digiscore"


def test_a_system_with_errors_is_never_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(tmp_path / "cache"))
    system_file = copy_of_the_jinan_system(tmp_path)
    system_file.write_text(system_file.read_text(encoding="utf-8") + "\nno_such_field: 1\n", encoding="utf-8")
    for _ in range(2):  # listed both times: never from a cache
        result = CliRunner(env={"COLUMNS": "250"}).invoke(
            app, ["validate", "--system", str(system_file), str(FORMS[0])]
        )
        assert result.exit_code == 2 and "no_such_field" in result.output, result.output
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_validate_from_the_cache_loads_no_yaml_or_json_schema(tmp_path: Path) -> None:
    """The second run reads the checked system from the cache: the loader and its libraries stay unloaded."""
    script = (
        "import sys\nfrom scoring.cli import app\n"
        f"try:\n    app(['validate', {str(FORMS[0])!r}], prog_name='digiscore')\nexcept SystemExit:\n    pass\n"
        "print('LOADED', *sorted(m for m in ('yaml', 'jsonschema', 'scoring.system.load', 'xlsxwriter', 'ssl')"
        " if m in sys.modules))"
    )
    env = {**os.environ, cache.CACHE_VARIABLE: str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env, cwd=ROOT
        )
        for _ in range(2)
    ]
    assert "jsonschema" in runs[0].stdout.splitlines()[-1]
    assert runs[1].stdout.strip().splitlines()[-1] == "LOADED", runs[1].stdout[-500:]


USAGE = "用法 Usage:"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["score", "-y", "2024", "x.xlsx"], ["缺少必填的选项 --out", "missing option --out"]),
        (["score", "-y", "2024", "--out", "x.csv"], ["缺少必填的参数 DATA", "missing argument DATA"]),
        (["score", "--bogus"], ["没有选项 --bogus", "no such option --bogus"]),
        (
            ["score", "-y", "2024", "--out", "x.txt", "a.xlsx"],
            ["参数值无效 --out", "不支持的输出格式", "use one of"],
        ),
        (["nosuch"], ["没有这个命令", "No such command"]),
        (["score", "-y", "abc", "--out", "x.csv", "a.xlsx"], ["须为整数，如 2024", "must be a whole number"]),
        (["uncertainty", "--spread", "x"], ["--spread 须为数字，如 0.25", "--spread must be a number"]),
        (["uncertainty", "--replications", "many"], ["--replications 须为整数", "must be a whole number"]),
        (["token", "create", "--role"], ["选项", "--role"]),
    ],
    ids=[
        "missing option",
        "missing argument",
        "no such option",
        "bad value",
        "no such command",
        "not an integer",
        "not a number",
        "not a count",
        "no value",
    ],
)
def test_usage_errors_in_both_languages(args: list[str], expected: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "错误 Error:" in result.output
    for text in expected:
        assert text in result.output, result.output
    assert "Traceback" not in result.output and "Try '" not in result.output
