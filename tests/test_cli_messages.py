"""What an official reads when something is wrong, at an 80-column terminal (issue 17): problems raised after the
data were read still name the unit and the indicator, output files that cannot be written and unknown unit
codes are said in both languages without Python's text, invisible characters are shown, and Chinese text is
wrapped as Chinese (between characters), not only at spaces."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from scoring.cli import app
from scoring.cli.help import width_of
from scoring.problems import PipelineError, Problem
from scoring.shipped import sample_inputs_dir
from tests.cli_support import FORMS, lixia_form_with

PYTHON_TEXT = ("Errno", "Traceback", "Error:", "Exception")


def run80(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, list(args))
    lines = result.output.splitlines()
    assert all(width_of(line) <= 80 for line in lines), [line for line in lines if width_of(line) > 80]
    return result.exit_code, result.output


def test_a_problem_raised_after_reading_names_the_unit_and_the_indicator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fallback of every command (reports_errors): an engine error past the listing of the data's problems
    is named by the system the command resolved, with the message's fuller wording."""
    import scoring.evaluate

    def refuse(*args: object, **kwargs: object) -> None:
        raise PipelineError(Problem("cell.required_missing", unit="370102", indicator="DI-02", year=2024))

    monkeypatch.setattr(scoring.evaluate, "evaluate", refuse)
    code, output = run80("explain", "-y", "2024", "--unit", "370102", *FORMS)
    assert code == 2
    assert "历下区（370102）" in output and "DI-02 千兆宽带用户占比" in output
    assert "必填指标“千兆宽带用户占比”2024 年的数值未填写" in output
    assert "the required value of Share of gigabit broadband subscribers for 2024 is missing" in " ".join(
        output.split()
    )


def test_an_output_that_cannot_be_written_is_said_without_pythons_text(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    code, output = run80("score", "-y", "2024", "--out", str(blocker / "s.csv"), *FORMS)
    assert code == 2
    flat = "".join(output.split())
    # the results' folder would be made where a file is
    assert "无法写入" in output and "已有同名的文件，不能用作文件夹" in flat
    assert "a file of that name is where a folder is needed" in " ".join(output.split())
    assert not any(text in output for text in PYTHON_TEXT), output


@pytest.mark.parametrize("command", ["explain", "whatif"])
def test_an_unknown_unit_code_lists_the_units_by_name(command: str) -> None:
    code, output = run80(command, "-y", "2024", "--unit", "379999", *FORMS)
    assert code == 2
    flat = "".join(output.split())
    assert "区县编码379999不在" in flat and "370102历下区" in flat and "370172起步区" in flat
    assert "370102 Lixia District" in " ".join(output.split())
    code, output = run80(command, "-y", "2024", "--unit", "历下区", *FORMS)
    assert code == 2 and "“历下区”是区县名称，请改用其区县编码 370102" in output


def test_invisible_characters_are_shown_and_named(tmp_path: Path) -> None:
    table = tmp_path / "long.csv"
    table.write_bytes(b"unit_code,indicator_code,year,value\n370102,DI-03,2024,3\x070\n")
    code, output = run80("validate", str(table))
    assert code == 1
    flat = "".join(output.split())
    assert "“3␇0”含有看不见的控制字符" in flat and "例如30" in flat
    assert "'3␇0', with invisible control characters" in " ".join(output.split())
    assert "\x07" not in output


def test_chinese_messages_wrap_between_characters_and_counts_agree_in_number(tmp_path: Path) -> None:
    form = lixia_form_with(tmp_path, {"I9": "12个"})  # DI-02, 2024
    code, output = run80("validate", str(form))
    assert code == 1
    # rich would have broken the line at the space before "列给出" and left the rest of it empty
    assert "计量单位已在 D 列给出" in output
    assert "read 99 values, 1 error\n" in output or output.rstrip().endswith("1 error")


def test_a_form_of_another_system_is_one_message_and_exit_2() -> None:
    form = sorted((sample_inputs_dir() / "jinan_smart_city" / "forms").glob("*.xlsx"))[0]
    code, output = run80("validate", str(form))
    assert code == 2
    assert output.count("错误 error") == 1
    flat = "".join(output.split())
    assert (
        "这份填报表属于另一个指标体系jinan-smart-city" in flat and "改用指标体系jinan-smart-city检查" in flat
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report", "-y", "2024", "--out", "r", "--lang", "fr"], "--lang 只能是 zh（中文）或 en（英文）"),
        (["report", "-y", "2024", "--out", "r", "--issued", "31.3.2025"], "须为“年-月-日”格式的日期"),
        (["uncertainty", "-y", "2024", "--out", "u.csv", "--weights", "x"], "--weights 只能是 uniform"),
    ],
    ids=["lang", "issued", "weights"],
)
def test_bad_option_values_are_said_in_both_languages(args: list[str], expected: str) -> None:
    code, output = run80(*args, FORMS[0])
    assert code == 2 and expected in output and "must be" in output


def test_a_nul_character_in_a_csv_is_placed_by_its_line(tmp_path: Path) -> None:
    table = tmp_path / "long.csv"
    table.write_bytes(
        b"unit_code,indicator_code,year,value\n370102,DI-02,2024,39.6\n3701\x0003,DI-02,2024,38\n"
    )
    code, output = run80("validate", str(table))
    assert code == 2
    flat = "".join(output.split())
    assert "第3行含有空字符（NUL，此处显示为␀）" in flat and "line 3 holds a NUL character" in " ".join(
        output.split()
    )
    assert "二进制内容" not in output and " / " not in output.split("读取")[0]  # one language a line


def test_validate_lists_the_other_files_problems_beside_an_unusable_file(tmp_path: Path) -> None:
    fake = tmp_path / "370103.xlsx"
    fake.write_text("hello")  # a text file named .xlsx
    form = lixia_form_with(tmp_path, {"I9": "12个"})
    code, output = run80("validate", str(fake), str(form))
    assert code == 2
    flat = "".join(output.split())
    assert "文件不是有效的Excel工作簿" in flat and "一栏填的“12个”不是数值" in flat


def test_one_form_alone_is_checked_against_its_own_earlier_year(tmp_path: Path) -> None:
    """万元 typed for 亿元 in the latest year: 18 292 000 against 2023's 1 682.7 in the same form is 10 871 times
    off (18 292 000 / 1 682.7 = 10 870.6), nearest 10^4, the ratio of 万元 to 亿元."""
    form = tmp_path / "370102.xlsx"
    shutil.copy(FORMS[0], form)
    book = openpyxl.load_workbook(form)
    assert book["数据填报"]["H13"].value == 1682.7 and book["数据填报"]["A13"].value == "DI-08"
    book["数据填报"]["I13"] = 18_292_000
    book.save(form)
    code, output = run80("validate", str(form))
    assert code == 0  # a warning: the value is kept
    flat = "".join(output.split())
    assert "数值18292000（单位：亿元）与本区县2023年本表填报的1682.7相差约10871倍" in flat
    assert "疑似单位混用：“万元”与“亿元”" in flat
    code, output = run80("validate", *FORMS)
    assert code == 0 and "本表填报的" not in output  # the shipped forms have no such value


def test_units_without_data_are_named_as_left_out(tmp_path: Path) -> None:
    code, output = run80("score", "-y", "2024", "--out", str(tmp_path / "s.csv"), *FORMS[:13])
    assert code == 0
    # FORMS[13] is 370172 起步区's form: the 13 others are ranked, it is named as left out
    flat = "".join(output.split())
    assert "以下1个区县没有2024年的数据，未参与评价和排名：起步区（370172）" in flat
    assert "1 unit of the system has no values for 2024 and is not" in " ".join(output.split())
    assert "Pilot Zone (370172)" in " ".join(output.split())


def test_unknown_methods_of_an_uncertainty_analysis_are_named_with_the_known_ones(tmp_path: Path) -> None:
    code, output = run80(
        "uncertainty",
        "-y",
        "2024",
        "--out",
        str(tmp_path / "u.csv"),
        "--normalisations",
        "bogus,minmax",
        *FORMS,
    )
    assert code == 2 and "内部错误" not in output and "KeyError" not in output
    flat = "".join(output.split())
    assert "没有名为“bogus”的标准化方法，可选：minmax（极差标准化）" in flat
    assert "no normalisation method named bogus; choose from minmax (min-max)" in " ".join(output.split())
    code, output = run80(
        "uncertainty", "-y", "2024", "--out", str(tmp_path / "u.csv"), "--replications", "0", *FORMS
    )
    assert code == 2 and "重复计算次数须不少于 1" in output and "replications must be ≥ 1" in output


def test_whatif_refuses_a_share_outside_0_to_1() -> None:
    code, output = run80("whatif", "-y", "2024", "--unit", "370102", "--share", "0", *FORMS)
    assert code == 2 and "--share 须大于 0 且不大于 1" in output and "--share must be" in output


def test_a_blank_form_for_a_year_no_form_can_hold_is_refused(tmp_path: Path) -> None:
    code, output = run80("template", "--unit", "370102", "--year", "1800", "--out", str(tmp_path / "f.xlsx"))
    assert code == 2 and "年份 1800 无效" in output and "year 1800 is not valid" in " ".join(output.split())
    assert not (tmp_path / "f.xlsx").exists()


def test_an_implausible_value_names_the_indicator_and_its_unit(tmp_path: Path) -> None:
    table = tmp_path / "long.csv"
    table.write_text("unit_code,indicator_code,year,value\n370102,DI-08,2024,1e300\n", encoding="utf-8")
    code, output = run80("validate", str(table))
    assert code == 1
    flat = "".join(output.split())
    assert "“数字经济核心产业营业收入”的数值“1e300”大得不合理" in flat and "未按“亿元”填写" in flat
