"""Evidence files are judged by their bytes: the five kinds we take pass, everything hostile is refused with the
problem that names why (scoring.io.evidence)."""

from __future__ import annotations

import pytest

from scoring.io.evidence import DOCX, JPEG, PDF, PNG, XLSX, check_evidence, sniff
from scoring.io.safety import UploadLimits
from tests import evidence_files as files

LIMITS = UploadLimits(max_bytes=20 * 1024 * 1024)


def code(content: bytes, name: str, limits: UploadLimits = LIMITS) -> str | None:
    kind, problems = check_evidence(content, name, limits)
    assert (kind is None) == bool(problems)
    return problems[0].code if problems else None


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (files.pdf(), "清单.pdf", PDF),
        (files.png(), "photo.PNG", PNG),
        (files.jpeg(), "photo.jpg", JPEG),
        (files.jpeg(), "photo.jpeg", JPEG),
        (files.docx(), "说明.docx", DOCX),
        (files.xlsx(), "台账.xlsx", XLSX),
    ],
)
def test_the_kinds_we_take_pass(content: bytes, name: str, kind: object) -> None:
    assert check_evidence(content, name, LIMITS) == (kind, [])


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "empty.pdf", "upload.empty"),
        (files.executable(), "photo.png", "evidence.executable"),  # an executable renamed .png
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "scan.pdf", "evidence.executable"),
        (b"#!/bin/sh\nrm -rf /\n", "notes.pdf", "evidence.executable"),
        (files.zip_bomb(), "report.pdf", "upload.zip_bomb"),  # a "PDF" that is really a zip bomb
        (files.zip_bomb(), "report.docx", "upload.zip_bomb"),
        (
            files.docx(main="application/vnd.ms-word.document.macroEnabled.main+xml"),
            "a.docx",
            "evidence.macro",
        ),
        (files.docx(extra={"word/vbaProject.bin": b"\x00" * 100}), "a.docx", "evidence.macro"),
        (files.docx(), "a.docm", "evidence.macro"),
        (files.docx(document=files.XXE), "a.docx", "upload.unsafe_xml"),
        (files.pdf(), "scan.png", "evidence.type_mismatch"),
        (files.png(), "photo.pdf", "evidence.type_mismatch"),
        (files.docx(), "a.xlsx", "evidence.type_mismatch"),
        (files.xlsx(), "a.docx", "evidence.type_mismatch"),
        (files.pdf(), "noextension", "evidence.type_mismatch"),
        (b"GIF89a\x01\x00\x01\x00", "a.gif", "evidence.file_type"),
        (b"just some text", "a.txt", "evidence.file_type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc", "evidence.file_type"),
        (files.pdf()[:-10] + b"/JavaScript (app.alert(1))", "a.pdf", "evidence.pdf_active"),
        (
            b"%PDF-1.4\n1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj",
            "a.pdf",
            "evidence.pdf_active",
        ),
        (b"PK\x03\x04 not really a zip", "a.docx", "evidence.damaged"),
    ],
)
def test_hostile_and_wrong_files_are_refused(content: bytes, name: str, expected: str) -> None:
    assert code(content, name) == expected


def test_the_size_limit_counts_the_bytes() -> None:
    small = UploadLimits(max_bytes=1000)
    kind, [problem] = check_evidence(files.pdf() + b"\n" * 1000, "big.pdf", small)
    assert kind is None and problem.code == "evidence.too_large"
    assert "1000" in problem.message_zh and "1000" in problem.message_en


def test_messages_are_in_chinese_and_english_and_name_the_file() -> None:
    _, [problem] = check_evidence(files.executable(), "photo.png", LIMITS)
    assert problem.location.file == "photo.png"
    assert "可执行程序" in problem.message_zh and ".png" in problem.message_zh
    assert "executable" in problem.message_en and ".png" in problem.message_en
    _, [bomb] = check_evidence(files.zip_bomb(), "report.pdf", LIMITS)
    assert "压缩炸弹" in bomb.message_zh and "zip bomb" in bomb.message_en


def test_sniff_reads_the_bytes_not_the_name() -> None:
    assert [sniff(b) for b in (files.pdf(), files.png(), files.jpeg(), files.docx(), files.executable())] == [
        "pdf",
        "png",
        "jpeg",
        "zip",
        "executable",
    ]
    assert sniff(b"hello") == "unknown"
