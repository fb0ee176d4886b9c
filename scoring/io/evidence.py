"""Evidence files (佐证材料): what a file attached to an indicator may be, decided from its bytes.

An evidence file is a PDF, a PNG or JPEG image, an ``.xlsx`` workbook or a ``.docx`` document. The bytes decide
what it is (:func:`sniff`); the name's suffix must agree. A file is refused, with one :class:`Problem` naming
why, when it is

- empty, or larger than the size limit (``upload.empty``, ``evidence.too_large``);
- an executable (a Windows PE, ELF, Mach-O or Java class file, or a ``#!`` script) whatever its name
  (``evidence.executable``: "an executable renamed .png");
- a zip: checked as an Office package before its name is even looked at, so that "a PDF that is really a zip
  bomb" is named a zip bomb: the directory's sizes and ratios, encrypted entries, macros (``vbaProject.bin``,
  macro-enabled main parts), every part decompressed against a budget (the directory may lie) and every XML part
  searched for a DTD or entity declaration (XXE, billion laughs) — the same checks as a district's upload
  (:mod:`scoring.io.safety`); a workbook is also held to the sheet, row and cell limits. A zip that is neither a
  workbook nor a Word document is refused as a file type;
- a PDF with active content: JavaScript or a launch action (``evidence.pdf_active``; the names as written —
  a PDF that hides them in compressed object streams is still only ever served as a download);
- of any other type (``evidence.file_type``: legacy ``.doc``/``.xls``, GIF, text …), or named with a suffix
  that is not its type (``evidence.type_mismatch``).

Nothing here renders a file; the service stores the bytes and serves them as a download only.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final

from scoring.io.safety import (
    OLE_MAGIC,
    XLSX_MAIN,
    XLTX_MAIN,
    ZIP_MAGIC,
    UploadLimits,
    _check_directory,
    _check_xlsx,
    _chunks,
    _content_types,
    _refuse,
    _Refused,
)
from scoring.problems import Problem


@dataclass(frozen=True)
class EvidenceKind:
    """A type of evidence file we take: its name, the suffixes it may carry and its media type."""

    name: str
    label: str  # as messages name it
    suffixes: tuple[str, ...]
    media_type: str


PDF: Final = EvidenceKind("pdf", "PDF", (".pdf",), "application/pdf")
PNG: Final = EvidenceKind("png", "PNG 图片 / PNG image", (".png",), "image/png")
JPEG: Final = EvidenceKind("jpeg", "JPEG 图片 / JPEG image", (".jpg", ".jpeg"), "image/jpeg")
XLSX: Final = EvidenceKind(
    "xlsx",
    "Excel 工作簿 / Excel workbook",
    (".xlsx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
DOCX: Final = EvidenceKind(
    "docx",
    "Word 文档 / Word document",
    (".docx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
EVIDENCE_KINDS: Final = (PDF, PNG, JPEG, XLSX, DOCX)
ACCEPTED_SUFFIXES: Final = tuple(suffix for kind in EVIDENCE_KINDS for suffix in kind.suffixes)

DOCX_MAIN: Final = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    }
)
DOCX_MACRO_MAIN: Final = frozenset(
    {
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    }
)
MACRO_SUFFIXES: Final = frozenset({".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".xlsb"})

PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC: Final = b"\xff\xd8\xff"
PDF_MAGIC: Final = b"%PDF-"
# what an executable starts with, and what the messages call it
EXECUTABLE_MAGIC: Final = (
    (b"MZ", "Windows 程序（PE） / Windows executable (PE)"),
    (b"\x7fELF", "Linux 程序（ELF） / Linux executable (ELF)"),
    (b"\xca\xfe\xba\xbe", "Mach-O / Java class"),
    (b"\xfe\xed\xfa\xce", "Mach-O"),
    (b"\xfe\xed\xfa\xcf", "Mach-O"),
    (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"),
    (b"#!", "脚本 / script"),
)
# JavaScript and launch actions of a PDF, as names written out (/JS followed by a delimiter, not /JSON…)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|Launch|JS(?=[\s/(<\[]))")


def sniff(content: bytes) -> str:
    """What the bytes are, whatever the file is called: ``pdf``, ``png``, ``jpeg``, ``zip``, ``ole``,
    ``executable`` or ``unknown``."""
    if content.startswith(PDF_MAGIC):
        return "pdf"
    if content.startswith(PNG_MAGIC):
        return "png"
    if content.startswith(JPEG_MAGIC):
        return "jpeg"
    if content.startswith(ZIP_MAGIC):
        return "zip"
    if content.startswith(OLE_MAGIC):
        return "ole"
    if any(content.startswith(magic) for magic, _ in EXECUTABLE_MAGIC):
        return "executable"
    return "unknown"


def check_evidence(
    content: bytes, file_name: str, limits: UploadLimits
) -> tuple[EvidenceKind | None, list[Problem]]:
    """The kind of an evidence file and ``[]``, or ``None`` and the problem it is refused for (see the module's
    docstring); ``limits.max_bytes`` is the evidence size limit."""
    try:
        return _check(content, file_name, limits), []
    except _Refused as refused:
        problem = refused.problem
        # the upload checks' words name a district's .xlsx/.csv: evidence has its own
        code = _EVIDENCE_CODES.get(problem.code, problem.code)
        return None, [Problem(code, location=problem.location, params=problem.params)]


# codes of scoring.io.safety whose messages speak of a district's upload → the evidence file's
_EVIDENCE_CODES: Final = {
    "upload.macro": "evidence.macro",
    "upload.not_xlsx": "evidence.damaged",
    "upload.file_type": "evidence.file_type",
    "upload.too_large": "evidence.too_large",
}


def _check(content: bytes, name: str, limits: UploadLimits) -> EvidenceKind:
    suffix = PurePosixPath(name).suffix.lower()
    if not content:
        raise _refuse(name, "upload.empty")
    if len(content) > limits.max_bytes:
        raise _refuse(name, "upload.too_large", size=len(content), limit=limits.max_bytes)
    for magic, label in EXECUTABLE_MAGIC:
        if content.startswith(magic):
            raise _refuse(name, "evidence.executable", detail=label, suffix=suffix or name)
    if suffix in MACRO_SUFFIXES:
        raise _refuse(name, "upload.macro", detail=f"{suffix} 文件 / {suffix} file")
    sniffed = sniff(content)
    if sniffed == "zip":
        kind = _check_office(content, name, limits)
    elif sniffed == "pdf":
        _check_pdf(content, name)
        kind = PDF
    elif sniffed == "png":
        kind = PNG
    elif sniffed == "jpeg":
        kind = JPEG
    elif sniffed == "ole":
        raise _refuse(
            name,
            "evidence.file_type",
            detail="旧版 Office 文件（OLE 复合文档，.doc/.xls） / legacy Office file (OLE compound file, .doc/.xls)",
        )
    else:
        raise _refuse(name, "evidence.file_type", detail=f"'{suffix or name}'")
    if suffix not in kind.suffixes:
        raise _refuse(name, "evidence.type_mismatch", kind=kind.label, suffix=suffix or "（无）/ (none)")
    return kind


def _check_pdf(content: bytes, name: str) -> None:
    found = _PDF_ACTIVE.search(content)
    if found is not None:
        raise _refuse(name, "evidence.pdf_active", detail=found.group(0).decode("ascii"))


def _check_office(content: bytes, name: str, limits: UploadLimits) -> EvidenceKind:
    """A zip: safe as an Office package (sizes, macros, XML), and a workbook or a Word document."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise _refuse(
            name, "evidence.damaged", detail=f"zip 文件损坏或不完整 / damaged or truncated zip: {error}"
        ) from None
    with archive:
        entries = archive.infolist()
        _check_directory(entries, len(content), name, limits)  # bombs, macros, encryption: before the name
        types = _content_types(archive, name)
        mains = set(types.overrides.values())
        if mains & DOCX_MACRO_MAIN:
            raise _refuse(name, "upload.macro", detail=", ".join(sorted(mains & DOCX_MACRO_MAIN)))
        if mains & {XLSX_MAIN, XLTX_MAIN}:
            kind = XLSX
        elif mains & DOCX_MAIN:
            kind = DOCX
        else:
            raise _refuse(
                name,
                "evidence.file_type",
                detail="既不是 Excel 工作簿也不是 Word 文档的压缩包 / a zip that is neither a workbook nor a "
                "Word document",
            )
        if kind is DOCX:
            _check_parts(archive, entries, name, limits)
    if kind is XLSX:
        _check_xlsx(content, name, limits)  # a district upload's checks, sheet and cell limits included
    return kind


def _check_parts(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], name: str, limits: UploadLimits
) -> None:
    """Decompress every part against the budget; no XML part may declare a DTD or entities."""
    budget = [limits.max_uncompressed_bytes]
    for entry in entries:
        is_xml = entry.filename.lower().endswith((".xml", ".rels", ".vml"))
        try:
            with archive.open(entry) as stream:
                for _ in _chunks(stream, entry.filename, is_xml, budget, name, limits):
                    pass
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError) as error:
            raise _refuse(name, "evidence.damaged", detail=f"{entry.filename}: {error}") from None
