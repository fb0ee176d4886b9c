"""Upload safety: checks on a file's bytes before any parser sees it (used by the HTTP service and the CLI).

An upload is refused, with a :class:`Problem` naming why, when it is

- empty, or larger than the size limit;
- of a type we do not take: only ``.xlsx`` workbooks and ``.csv`` tables are accepted; ``.xlsm`` and any
  workbook holding a VBA project (``vbaProject.bin``) or Excel 4 macro sheets are refused as macros, legacy
  ``.xls`` (an OLE compound file, which can hold macros we cannot see) as a file type;
- an ``.xlsx`` that only pretends to be one: no zip signature, a damaged or truncated zip, encrypted entries,
  no ``[Content_Types].xml``, or a main part that is not a spreadsheet;
- a zip bomb: the sizes the zip directory declares add up to more than the decompressed-size limit, or an entry
  (or the whole) expands more than the compression-ratio limit — checked from the directory first, then while
  decompressing (bounded: the zip module stops at the declared size and a lying directory fails its CRC);
- XML that declares a DTD or entities (billion laughs, external entities): the parts we read are parsed with
  defusedxml, and every XML part is checked for ``<!DOCTYPE`` / ``<!ENTITY`` before the reader sees it;
- bigger than the sheet, row, column and cell limits: sheets counted in the workbook part; a worksheet's
  ``<dimension>`` over the limits is refused, but it is never trusted: every cell reference of every worksheet
  is read as the part is decompressed (:mod:`scoring.io.extent`), and a cell beyond the row or column limit,
  a used range (A1 to the farthest row and column) of more cells than the cell limit, or more cells than that
  is refused naming the sheet and the far cell — before calamine would allocate the dense grid (a CSV: its
  lines, its widest line's fields, and their product).

Nothing here parses cells; the readers in :mod:`scoring.io` run only on files that pass.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Final
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from scoring.io.extent import Extent, MalformedSheet, scan_extent, walk_extent
from scoring.problems import Location, Problem, SubmissionError, file_problem

ZIP_MAGIC: Final = b"PK\x03\x04"
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

XLSX_MAIN: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLTX_MAIN: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
MACRO_MAIN: Final = frozenset(
    {
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        "application/vnd.ms-excel.template.macroEnabled.main+xml",
        "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    }
)
WORKSHEET: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
VBA_PROJECT: Final = "application/vnd.ms-office.vbaProject"

MACRO_SUFFIXES: Final = frozenset({".xlsm", ".xltm", ".xlam", ".xlsb"})
CSV_SUFFIXES: Final = frozenset({".csv"})
XLSX_SUFFIXES: Final = frozenset({".xlsx"})

# an entry (or the whole archive) smaller than this is never a bomb, whatever its ratio: tiny XML parts of
# repeated markup compress very well
RATIO_FLOOR_BYTES: Final = 1 << 20
_CHUNK: Final = 1 << 16
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?"
)
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARATION_OVERLAP = 64  # a declaration split between two chunks is still found


@dataclass(frozen=True)
class UploadLimits:
    """What an upload may be at most. The defaults fit district forms and long tables with a wide margin."""

    max_bytes: int = 10 * 1024 * 1024
    max_uncompressed_bytes: int = 100 * 1024 * 1024
    max_compression_ratio: float = 100.0
    max_zip_entries: int = 1_000
    max_sheets: int = 50
    max_rows: int = 200_000
    max_columns: int = 2_000
    # the dense grid a reader builds (rows × columns from A1 to the farthest cell), and the cells a sheet holds
    max_cells: int = 2_000_000
    # an upload's parse in the service (scoring.io.isolate): wall time, address space of the worker process,
    # and how many worker processes parse at once
    parse_timeout_seconds: float = 60.0
    parse_memory_bytes: int = 3 * 1024 * 1024 * 1024
    parse_workers: int = 2


class _Refused(Exception):
    """Internal: the first reason a file is refused, as a problem."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.code)


def check_upload(content: bytes, file_name: str, limits: UploadLimits | None = None) -> list[Problem]:
    """Why ``content`` (uploaded as ``file_name``) must not reach a parser; an empty list when it is safe.

    The file's bytes decide what it is (a zip signature is a workbook, an OLE signature legacy Excel, anything
    else text); the name's suffix must agree: ``.xlsx`` for a workbook, ``.csv`` for text.
    """
    limits = limits or UploadLimits()
    try:
        _check(content, file_name, limits)
    except _Refused as refused:
        return [refused.problem]
    return []


def ensure_safe_upload(content: bytes, file_name: str, limits: UploadLimits | None = None) -> None:
    """:func:`check_upload`, raising :class:`SubmissionError` with the problems when the file is refused."""
    problems = check_upload(content, file_name, limits)
    if problems:
        raise SubmissionError(problems)


def check_path(path: Path | str, limits: UploadLimits | None = None) -> list[Problem]:
    """:func:`check_upload` for a file on disk; a file over the size limit is refused without being read."""
    limits = limits or UploadLimits()
    file_path = Path(path)
    try:
        size = file_path.stat().st_size
        if size > limits.max_bytes:
            return [_problem(file_path.name, "upload.too_large", size=size, limit=limits.max_bytes)]
        content = file_path.read_bytes()
    except OSError as error:
        return [file_problem(str(path), error)]
    return check_upload(content, file_path.name, limits)


def _problem(file_name: str, code: str, **params: object) -> Problem:
    return Problem(code, location=Location(file=file_name), params=dict(params))


def _damaged(part: str) -> dict[str, str]:
    """The detail of a part that cannot be read (the parser's own text stays out: it is Python's, in English)."""
    return {"detail_zh": f"{part} 已损坏", "detail_en": f"{part} is damaged"}


def _refuse(file_name: str, code: str, **params: object) -> _Refused:
    return _Refused(_problem(file_name, code, **params))


def _check(content: bytes, name: str, limits: UploadLimits) -> None:
    suffix = PurePosixPath(name).suffix.lower()
    if not content:
        raise _refuse(name, "upload.empty")
    if len(content) > limits.max_bytes:
        raise _refuse(name, "upload.too_large", size=len(content), limit=limits.max_bytes)
    if suffix in MACRO_SUFFIXES:
        raise _refuse(name, "upload.macro", detail=f"{suffix} 文件 / {suffix} file")
    if content.startswith(OLE_MAGIC):
        raise _refuse(
            name, "upload.file_type", detail="旧版 .xls（OLE 复合文档） / legacy .xls (OLE compound file)"
        )
    if content.startswith(ZIP_MAGIC):
        if suffix not in XLSX_SUFFIXES:
            raise _refuse(
                name,
                "upload.file_type",
                detail=f"压缩包内容但扩展名为 '{suffix}' / zip content named '{suffix}'",
            )
        _check_xlsx(content, name, limits)
        return
    if suffix in XLSX_SUFFIXES:
        raise _refuse(name, "upload.not_xlsx", detail="没有 zip 文件头 / no zip signature")
    if suffix not in CSV_SUFFIXES:
        raise _refuse(name, "upload.file_type", detail=f"'{suffix or name}'")
    _check_csv(content, name, limits)


# ------------------------------------------------------------------------------------------------------ csv


def _check_csv(content: bytes, name: str, limits: UploadLimits) -> None:
    """Rows are lines; columns the most fields on one line (an upper bound: quoted separators count too)."""
    lines = content.split(b"\n")
    if lines and not lines[-1].strip():
        lines.pop()
    if len(lines) > limits.max_rows:
        raise _refuse(name, "upload.too_many_rows", count=len(lines), limit=limits.max_rows)
    first = lines[0] if lines else b""
    separator = b"\t" if first.count(b"\t") > first.count(b",") else b","
    widest = max((line.count(separator) + 1 for line in lines), default=0)
    if widest > limits.max_columns:
        raise _refuse(name, "upload.too_many_columns", count=widest, limit=limits.max_columns)
    # the reader pads ragged lines to a rectangle: one long line makes every line that wide
    if len(lines) * widest > limits.max_cells:
        raise _refuse(
            name,
            "upload.too_many_cells",
            count=len(lines) * widest,
            rows=len(lines),
            columns=widest,
            limit=limits.max_cells,
        )


# ----------------------------------------------------------------------------------------------------- xlsx


def _check_xlsx(content: bytes, name: str, limits: UploadLimits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _refuse(
            name,
            "upload.not_xlsx",
            detail_zh="压缩包损坏或不完整",
            detail_en="the zip archive is damaged or truncated",
        ) from None
    with archive:
        entries = archive.infolist()
        _check_directory(entries, len(content), name, limits)
        types = _content_types(archive, name)
        main = _main_part(types, name)
        sheets = _check_sheets(archive, main, types, name, limits)
        _check_streams(archive, entries, sheets, name, limits)


def _check_directory(entries: list[zipfile.ZipInfo], size: int, name: str, limits: UploadLimits) -> None:
    """What the central directory declares: entry count, macros, encryption, sizes and ratios."""
    if len(entries) > limits.max_zip_entries:
        raise _refuse(
            name, "upload.zip_bomb", detail=f"{len(entries)} 个条目 / entries > {limits.max_zip_entries}"
        )
    total = 0
    for entry in entries:
        lowered = entry.filename.lower()
        if lowered.endswith("vbaproject.bin") or "/macrosheets/" in lowered:
            raise _refuse(name, "upload.macro", detail=entry.filename)
        if entry.flag_bits & 0x1:
            raise _refuse(name, "upload.not_xlsx", detail=f"加密的条目 / encrypted entry {entry.filename}")
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio:
            raise _refuse(
                name,
                "upload.zip_bomb",
                detail=f"{entry.filename}: {ratio:.0f}:1 > {limits.max_compression_ratio:.0f}:1",
            )
    if total > limits.max_uncompressed_bytes:
        raise _refuse(
            name, "upload.zip_bomb", detail=f"{total} 字节 / bytes > {limits.max_uncompressed_bytes}"
        )
    if total > RATIO_FLOOR_BYTES and total / max(size, 1) > limits.max_compression_ratio:
        raise _refuse(
            name,
            "upload.zip_bomb",
            detail=f"{total / size:.0f}:1 > {limits.max_compression_ratio:.0f}:1",
        )


def _read_part(archive: zipfile.ZipFile, part: str, name: str, limit: int) -> bytes:
    try:
        with archive.open(part) as stream:
            data = stream.read(limit + 1)
    except KeyError:
        raise _refuse(
            name, "upload.not_xlsx", detail_zh=f"缺少 {part}", detail_en=f"{part} is missing"
        ) from None
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError):
        raise _refuse(name, "upload.not_xlsx", **_damaged(part)) from None
    if len(data) > limit:
        raise _refuse(name, "upload.zip_bomb", detail=f"{part} > {limit}")
    return data


def _parse_xml(data: bytes, part: str, name: str) -> Element:
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise _refuse(name, "upload.unsafe_xml", part=part) from None
    except SafeET.ParseError:
        raise _refuse(name, "upload.not_xlsx", **_damaged(part)) from None
    return root


@dataclass(frozen=True)
class _ContentTypes:
    overrides: dict[str, str]  # part path (no leading /) → content type
    defaults: dict[str, str]  # extension → content type


def _content_types(archive: zipfile.ZipFile, name: str) -> _ContentTypes:
    data = _read_part(archive, "[Content_Types].xml", name, 4 * 1024 * 1024)
    root = _parse_xml(data, "[Content_Types].xml", name)
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for element in root:
        tag = element.tag.rsplit("}", 1)[-1]
        kind = element.get("ContentType", "")
        if tag == "Override":
            overrides[element.get("PartName", "").lstrip("/")] = kind
        elif tag == "Default":
            defaults[element.get("Extension", "").lower()] = kind
    if VBA_PROJECT in overrides.values() or VBA_PROJECT in defaults.values():
        raise _refuse(name, "upload.macro", detail="vbaProject")
    return _ContentTypes(overrides, defaults)


def _main_part(types: _ContentTypes, name: str) -> str:
    for kind in types.overrides.values():
        if kind in MACRO_MAIN:
            raise _refuse(name, "upload.macro", detail=kind)
    for part, kind in types.overrides.items():
        if kind in (XLSX_MAIN, XLTX_MAIN):
            return part
    raise _refuse(
        name,
        "upload.not_xlsx",
        detail="[Content_Types].xml 中没有工作簿部件 / no spreadsheet workbook part in [Content_Types].xml",
    )


def _check_sheets(
    archive: zipfile.ZipFile, main: str, types: _ContentTypes, name: str, limits: UploadLimits
) -> dict[str, str]:
    """Sheet count and declared dimensions; returns every worksheet part → the sheet's name (its path when
    the workbook does not name it), found both from the content types and from the workbook's relationships,
    which is how a reader finds them."""
    workbook = _parse_xml(_read_part(archive, main, name, 16 * 1024 * 1024), main, name)
    sheets = sum(1 for element in workbook.iter() if element.tag.rsplit("}", 1)[-1] == "sheet")
    if sheets == 0:
        raise _refuse(name, "upload.not_xlsx", detail="没有工作表 / no sheets")
    if sheets > limits.max_sheets:
        raise _refuse(name, "upload.too_many_sheets", count=sheets, limit=limits.max_sheets)
    for part, kind in types.overrides.items():
        if kind != WORKSHEET:
            continue
        try:
            with archive.open(part) as stream:
                head = stream.read(8192)
        except KeyError:
            continue  # a declared part that is missing: the reader reports the sheet, nothing unsafe in it
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError):
            raise _refuse(name, "upload.not_xlsx", **_damaged(part)) from None
        match = _DIMENSION.search(head)
        if match is None:
            continue  # no dimension: the decompressed-size limit still bounds the sheet
        first_col, first_row, last_col, last_row = match.groups()
        row_digits = last_row or first_row or b"0"
        # a 5 000-digit row number must not reach int() (which refuses more than 4 300 digits)
        rows = int(row_digits) if len(row_digits) <= 9 else limits.max_rows + 1
        col_letters = (last_col or first_col or b"A")[:9]
        cols = _column_number(col_letters.decode("ascii"))
        if rows > limits.max_rows:
            raise _refuse(name, "upload.too_many_rows", count=rows, limit=limits.max_rows)
        if cols > limits.max_columns:
            raise _refuse(name, "upload.too_many_columns", count=cols, limit=limits.max_columns)
    parts = {part: part for part, kind in types.overrides.items() if kind == WORKSHEET}
    parts.update(_named_sheets(archive, main, workbook, name))
    return parts


def _named_sheets(archive: zipfile.ZipFile, main: str, workbook: Element, name: str) -> dict[str, str]:
    """Worksheet part → sheet name, through the workbook part's relationships (as calamine resolves them)."""
    folder = str(PurePosixPath(main).parent)
    rels_path = f"{folder}/_rels/{PurePosixPath(main).name}.rels" if folder != "." else f"_rels/{main}.rels"
    if rels_path not in archive.namelist():
        return {}
    rels = _parse_xml(_read_part(archive, rels_path, name, 4 * 1024 * 1024), rels_path, name)
    targets: dict[str, str] = {}
    for element in rels:
        target = element.get("Target", "")
        if target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(folder if folder != "." else "", target))
        targets[element.get("Id", "")] = resolved
    named: dict[str, str] = {}
    for element in workbook.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rel_id = next((value for key, value in element.attrib.items() if key.endswith("}id")), None)
        if rel_id in targets:
            named[targets[rel_id]] = element.get("name", targets[rel_id])
    return named


def _check_streams(
    archive: zipfile.ZipFile,
    entries: list[zipfile.ZipInfo],
    sheets: dict[str, str],
    name: str,
    limits: UploadLimits,
) -> None:
    """Decompress every entry with a budget (the directory may lie about sizes); no XML part may declare a DTD
    anywhere in it; every worksheet's real extent within the limits."""
    budget = [limits.max_uncompressed_bytes]
    for entry in entries:
        is_xml = entry.filename.lower().endswith((".xml", ".rels", ".vml"))
        try:
            with archive.open(entry) as stream:
                chunks = _chunks(stream, entry.filename, is_xml, budget, name, limits)
                # a part named as a worksheet anywhere counts, whatever the workbook says of it: a reader may
                # find it by its place in the package
                if entry.filename in sheets or "worksheets/" in entry.filename.lower():
                    extent = scan_extent(chunks)
                    for _ in chunks:  # the rest of the part still passes the budget and the DTD check
                        pass
                    if extent.needs_walk:
                        with archive.open(entry) as again:
                            extent = walk_extent(iter(lambda: again.read(_CHUNK), b""), limits.max_cells)
                    _check_extent(extent, sheets.get(entry.filename, entry.filename), name, limits)
                else:
                    for _ in chunks:
                        pass
        except MalformedSheet:
            raise _refuse(name, "upload.not_xlsx", **_damaged(entry.filename)) from None
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError):
            raise _refuse(name, "upload.not_xlsx", **_damaged(entry.filename)) from None


def _chunks(
    stream: IO[bytes], part: str, is_xml: bool, budget: list[int], name: str, limits: UploadLimits
) -> Iterator[bytes]:
    """The entry's bytes in chunks, each counted against the decompression budget and, in an XML part,
    searched for a DTD or entity declaration — the whole part: a declaration may follow a long comment."""
    previous = b""
    while chunk := stream.read(_CHUNK):
        budget[0] -= len(chunk)
        if budget[0] < 0:
            raise _refuse(name, "upload.zip_bomb", detail=f"> {limits.max_uncompressed_bytes} 字节 / bytes")
        if is_xml:
            window = previous[-_DECLARATION_OVERLAP:] + chunk
            if b"<!" in window and _DECLARATION.search(window):
                raise _refuse(name, "upload.unsafe_xml", part=part)
            previous = chunk
        yield chunk


def _check_extent(extent: Extent, sheet: str, name: str, limits: UploadLimits) -> None:
    """Refuse a sheet whose cells reach beyond the limits, naming the sheet and the far cell."""
    where = Location(file=name, sheet=sheet)
    if extent.cells > limits.max_cells:
        raise _Refused(
            Problem(
                "upload.sheet_cells",
                location=where,
                params={"sheet": sheet, "count": extent.cells, "limit": limits.max_cells},
            )
        )
    if extent.rows > limits.max_rows or extent.columns > limits.max_columns or extent.area > limits.max_cells:
        cell = extent.far_cell
        raise _Refused(
            Problem(
                "upload.far_cell",
                location=Location(file=name, sheet=sheet, cell=cell),
                params={
                    "sheet": sheet,
                    "cell": cell,
                    "rows": extent.rows,
                    "columns": extent.columns,
                    "cells": extent.area,
                    "max_rows": limits.max_rows,
                    "max_columns": limits.max_columns,
                    "max_cells": limits.max_cells,
                },
            )
        )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (ord(letter) - 64)
    return number
