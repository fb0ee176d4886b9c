"""Files that cannot be used raise SubmissionError (never another exception); validate's exit codes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.io import EXIT_CLEAN, EXIT_PROBLEMS, EXIT_UNUSABLE, read_bytes, read_data, validate_paths
from scoring.problems import SubmissionError
from scoring.system.models import IndicatorSystem


def xlsx_bytes(kit: Any, tmp_path: Path) -> bytes:
    path = kit.xlsx(tmp_path / "ok.xlsx", {"2024": [["unit_code", "DI-01"], ["370102", 5]]})
    return bytes(path.read_bytes())


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        # refused by the safety checks (scoring.io.safety) before any parser sees them
        ("empty.xlsx", b"", "upload.empty"),
        ("text.xlsx", "区县编码,指标编码\n370102,DI-01\n".encode(), "upload.not_xlsx"),
        ("random.xlsx", bytes(range(256)) * 4, "upload.not_xlsx"),
        ("fake_zip.xlsx", b"PK\x03\x04" + b"\x00" * 200, "upload.not_xlsx"),
        ("empty.csv", b"", "upload.empty"),
        ("blank.csv", b" \n\n ", "file.format"),
        ("binary.csv", b"\x00\x01\x02abc", "file.format"),
        ("latin1.csv", "unit_code,DI-01\n\xe9\xff\xfe\n".encode("latin-1"), "file.encoding"),
        ("notes.txt", "这是一段说明文字，不是数据表。\n".encode(), "upload.file_type"),
    ],
)
def test_unusable_files(
    system: IndicatorSystem, tmp_path: Path, name: str, content: bytes, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SubmissionError) as caught:
        read_data([path], system)
    problems = caught.value.problems
    assert [(p.code, p.location.file) for p in problems] == [(code, name)]
    assert problems[0].message_zh and problems[0].message_en


def test_zip_that_is_not_a_workbook(system: IndicatorSystem, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    path = tmp_path / "archive.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(SubmissionError):
        read_data([path], system)


def test_truncated_workbook(system: IndicatorSystem, tmp_path: Path, kit: Any) -> None:
    content = xlsx_bytes(kit, tmp_path)
    path = tmp_path / "cut.xlsx"
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(SubmissionError):
        read_data([path], system)


def test_workbook_without_any_table(system: IndicatorSystem, tmp_path: Path, kit: Any) -> None:
    path = kit.xlsx(tmp_path / "notes.xlsx", {"Sheet1": [["说明"], ["本文件没有数据"]], "Sheet2": []})
    with pytest.raises(SubmissionError) as caught:
        read_data([path], system)
    assert [(p.code, p.location.sheet) for p in caught.value.problems] == [("file.format", "Sheet1")]


def test_long_table_missing_a_column(system: IndicatorSystem, tmp_path: Path, kit: Any) -> None:
    path = kit.csv(tmp_path / "long.csv", [["区县编码", "指标编码", "数值"], ["370102", "DI-01", "5"]])
    with pytest.raises(SubmissionError) as caught:
        read_data([path], system)
    assert [(p.code, p.params) for p in caught.value.problems] == [
        ("file.missing_column", {"column": "year"})
    ]


def test_every_unusable_file_is_listed(system: IndicatorSystem, tmp_path: Path, kit: Any) -> None:
    good = kit.csv(tmp_path / "wide_2024.csv", [["unit_code", "DI-01"], ["370102", "50"]])
    (tmp_path / "a.xlsx").write_bytes(b"nonsense")
    (tmp_path / "b.csv").write_bytes(b"")
    with pytest.raises(SubmissionError) as caught:
        read_data([tmp_path / "a.xlsx", good, tmp_path / "b.csv", tmp_path / "missing.csv"], system)
    assert [p.location.file for p in caught.value.problems] == ["a.xlsx", "b.csv", "missing.csv"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=600), suffix=st.sampled_from([".xlsx", ".csv", ".xls", ".dat"]))
def test_any_bytes_give_a_dataset_or_a_submission_error(
    system: IndicatorSystem, content: bytes, suffix: str
) -> None:
    try:
        read_bytes(content, "upload" + suffix, system)
    except SubmissionError as error:
        assert error.problems


@pytest.fixture(scope="module")
def workbook_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """One small valid workbook per module, so that every example damages the same bytes."""
    path = tmp_path_factory.mktemp("base") / "ok.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "2024"
    sheet.append(["unit_code", "DI-01", "DI-02"])
    sheet.append(["370102", 5, "=B2*2"])
    workbook.save(path)
    return path.read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_workbooks_give_a_dataset_or_a_submission_error(
    system: IndicatorSystem, workbook_bytes: bytes, data: st.DataObject
) -> None:
    content = bytearray(workbook_bytes)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(content) - 1))
        content[position] = data.draw(st.integers(0, 255))
    try:
        read_bytes(bytes(content), "damaged.xlsx", system)
    except SubmissionError as error:
        assert error.problems


def test_validate_exit_codes(system: IndicatorSystem, tmp_path: Path, kit: Any) -> None:
    clean = kit.csv(
        tmp_path / "clean_2024.csv", [["unit_code", "DI-01", "DI-02"], ["370102", "1,234", "不适用"]]
    )
    dataset, code = validate_paths([clean], system)
    assert code == EXIT_CLEAN
    assert {p.code for p in dataset.problems} == {"cell.thousands_separator", "cell.not_applicable"}

    broken = kit.csv(tmp_path / "broken_2024.csv", [["unit_code", "DI-01"], ["370103", "abc"]])
    dataset, code = validate_paths([clean, broken], system)
    assert code == EXIT_PROBLEMS
    assert [p.code for p in dataset.problems if p.severity == "error"] == ["cell.not_number"]

    (tmp_path / "junk.xlsx").write_bytes(b"junk")
    dataset, code = validate_paths([clean, tmp_path / "junk.xlsx"], system)
    assert code == EXIT_UNUSABLE
    # the unusable file's problem first, then the other file's (read without it): everything to fix at once
    assert [p.code for p in dataset.problems] == [
        "upload.not_xlsx",
        "cell.thousands_separator",
        "cell.not_applicable",
    ]
    assert dataset.values.empty
