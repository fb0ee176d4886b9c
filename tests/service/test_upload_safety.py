"""scoring.io.safety: what an upload must not be, checked on its bytes before any parser sees it.

Every hostile file here is made in the test: zip bombs, macro workbooks, zips that only pretend to be xlsx.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from scoring.io.safety import UploadLimits, check_path, check_upload, ensure_safe_upload
from scoring.problems import SubmissionError
from tests.service.support import jinan_forms

FORM = jinan_forms()["370102"]


def form_bytes() -> bytes:
    return FORM.read_bytes()


def rezip(
    content: bytes, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None
) -> bytes:
    """The workbook ``content`` with parts added or replaced."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, (replace or {}).get(item.filename, source.read(item.filename)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return buffer.getvalue()


def codes(content: bytes, name: str, limits: UploadLimits | None = None) -> list[str]:
    return [p.code for p in check_upload(content, name, limits)]


def test_a_filled_district_form_and_a_long_table_pass() -> None:
    assert codes(form_bytes(), FORM.name) == []
    assert codes(b"unit_code,indicator_code,year,value\n370102,DI-01,2024,5\n", "long.csv") == []


def test_empty_and_too_large() -> None:
    assert codes(b"", "x.xlsx") == ["upload.empty"]
    [problem] = check_upload(b"a,b\n" * 300, "big.csv", UploadLimits(max_bytes=1000))
    assert (problem.code, problem.params) == ("upload.too_large", {"size": 1200, "limit": 1000})
    assert "1200" in problem.message_zh and "1000" in problem.message_en


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("garbage.xlsx", bytes(range(256)) * 8, "upload.not_xlsx"),  # no zip signature
        ("truncated.xlsx", form_bytes()[: len(form_bytes()) // 2], "upload.not_xlsx"),
        ("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "upload.file_type"),
        ("legacy_named.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "upload.file_type"),
        ("macro.xlsm", form_bytes(), "upload.macro"),
        ("program.exe", b"MZ\x90\x00", "upload.file_type"),
        ("form.csv", form_bytes(), "upload.file_type"),  # a workbook named .csv
    ],
)
def test_files_that_are_not_what_they_claim(name: str, content: bytes, code: str) -> None:
    assert codes(content, name) == [code]


def test_a_vba_project_inside_an_xlsx_is_a_macro() -> None:
    hidden = rezip(form_bytes(), add={"xl/vbaProject.bin": b"\x00VBA"})
    assert codes(hidden, "innocent.xlsx") == ["upload.macro"]


def test_a_macro_enabled_content_type_is_a_macro() -> None:
    content = form_bytes()
    types = zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml")
    macro = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert codes(rezip(content, replace={"[Content_Types].xml": macro}), "x.xlsx") == ["upload.macro"]


def test_a_zip_without_a_spreadsheet_inside() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert codes(buffer.getvalue(), "archive.xlsx") == ["upload.not_xlsx"]
    # a Word document renamed to .xlsx: its main part is not a workbook
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<document/>")
    assert codes(buffer.getvalue(), "report.xlsx") == ["upload.not_xlsx"]


def zip_bomb(size: int) -> bytes:
    """A workbook whose one sheet is ``size`` bytes of zeros: deflate shrinks that about 1000 times."""
    return rezip(form_bytes(), replace={"xl/worksheets/sheet2.xml": b"\x00" * size})


def test_zip_bombs_are_refused_from_the_directory() -> None:
    bomb = zip_bomb(20 * 1024 * 1024)
    assert len(bomb) < 100_000  # 20 MB of sheet in a small upload
    [problem] = check_upload(bomb, "bomb.xlsx")
    assert problem.code == "upload.zip_bomb" and "xl/worksheets/sheet2.xml" in problem.message_en
    # an honest but big workbook is refused by the decompressed-size limit
    limits = UploadLimits(max_uncompressed_bytes=1024 * 1024, max_compression_ratio=10_000)
    assert codes(zip_bomb(2 * 1024 * 1024), "big.xlsx", limits) == ["upload.zip_bomb"]


def test_a_zip_directory_that_lies_about_sizes_is_caught_while_decompressing() -> None:
    bomb = bytearray(zip_bomb(5 * 1024 * 1024))
    # rewrite the declared uncompressed size of the big entry (local header and central directory) to 1000
    name = b"xl/worksheets/sheet2.xml"
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := bomb.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if bomb[name_at : name_at + len(name)] == name:
                struct.pack_into("<I", bomb, start + offset, 1000)
            start += 4
    assert codes(bytes(bomb), "liar.xlsx") == [
        "upload.not_xlsx"
    ]  # the CRC of what it declares does not match


def test_xml_with_a_dtd_is_refused() -> None:
    content = form_bytes()
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    types = zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml")
    bad_types = laughs + types
    assert codes(rezip(content, replace={"[Content_Types].xml": bad_types}), "x.xlsx") == [
        "upload.unsafe_xml"
    ]
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet2.xml")
    bad_sheet = laughs + sheet
    assert codes(rezip(content, replace={"xl/worksheets/sheet2.xml": bad_sheet}), "x.xlsx") == [
        "upload.unsafe_xml"
    ]


def test_sheet_row_and_column_limits() -> None:
    # the form has two sheets; its data sheet spans 41 rows (8 header rows + 33 collected values: the 27
    # indicators not derived and 6 components) and 14 columns (6 leading, 3 years, 指标口径, 采集方式, 提供单位,
    # 数据来源, 备注): the limits hold exactly at those sizes
    assert codes(form_bytes(), "f.xlsx", UploadLimits(max_sheets=1)) == ["upload.too_many_sheets"]
    assert codes(form_bytes(), "f.xlsx", UploadLimits(max_rows=40)) == ["upload.too_many_rows"]
    assert codes(form_bytes(), "f.xlsx", UploadLimits(max_columns=13)) == ["upload.too_many_columns"]
    assert codes(form_bytes(), "f.xlsx", UploadLimits(max_rows=41, max_columns=14)) == []


def test_huge_csv() -> None:
    rows = b"370102,DI-01,2024,5\n" * 300_000
    assert codes(b"unit_code,indicator_code,year,value\n" + rows, "huge.csv") == ["upload.too_many_rows"]
    wide = b",".join([b"x"] * 3000) + b"\n1\n"
    assert codes(wide, "wide.csv") == ["upload.too_many_columns"]


def test_the_cli_side(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2000)
    assert [p.code for p in check_path(big, UploadLimits(max_bytes=1000))] == ["upload.too_large"]
    assert check_path(FORM) == []
    with pytest.raises(SubmissionError) as refused:
        ensure_safe_upload(b"", "empty.csv")
    assert refused.value.problems[0].code == "upload.empty"
