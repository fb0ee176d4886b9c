"""Find the xlsx cells that calamine shows as empty but are not: formulas never calculated, and Excel errors.

calamine returns a formula's cached value, and an empty string both when a formula has no cached value (files
written by scripts, e.g. openpyxl) and when the cached value is an Excel error (``#DIV/0!``). Telling those apart
from a blank cell needs the sheet's XML. This module reads it straight from the zip: a substring search decides
whether the sheet has any formula or error at all (almost never in data exports, so that is all it costs), and
only then a regular-expression pass over the cells finds them — no per-cell object model as in openpyxl.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from typing import IO, Final

from scoring.io.cells import ExcelError, FormulaWithoutValue

SpecialCells = dict[tuple[int, int], FormulaWithoutValue | ExcelError]

# the XML entities, &amp; last (xml.sax.saxutils.unescape would do, but importing it loads urllib, http and ssl)
_ENTITIES: Final = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")

_ROW_OR_CELL = re.compile(
    rb"<(?:\w+:)?row\b(?P<row_attrs>[^>]*?)/?>"
    rb"|<(?:\w+:)?c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?:\w+:)?c>)",
    re.DOTALL,
)
_ATTR_R = re.compile(rb"""\br\s*=\s*["']([A-Za-z]*)(\d*)["']""")
_ATTR_T = re.compile(rb"""\bt\s*=\s*["'](\w+)["']""")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(?P<text>.*?)</(?:\w+:)?f>)", re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(?P<text>.*?)</(?:\w+:)?v>)", re.DOTALL)


def scan_workbook(source: str | IO[bytes]) -> dict[str, SpecialCells]:
    """Sheet name → its special cells, (row, col) → the formula without value or the Excel error there (0-based),
    for an xlsx/xlsm package given as a path or a binary file; ``{}`` for a zip that is not one (``.ods``)."""
    with zipfile.ZipFile(source) as package:
        paths = _sheet_paths(package)
        return {name: _special_cells(package.read(path)) for name, path in paths.items()}


def _special_cells(data: bytes) -> SpecialCells:
    return _scan(data) if _may_have_special_cells(data) else {}


def _may_have_special_cells(data: bytes) -> bool:
    """Whether the sheet has any formula or error cell; false alarms only cost the exact pass.

    Every formula has a closing ``</f>`` (a shared formula's followers ``<f t="shared" si="0"/>`` have none, but
    their master has), so one substring search finds formulas without mistaking ``<formula1>`` or
    ``<filterColumn>`` for one. Elements carry the root element's namespace prefix, if any.
    """
    head = data[:4096]
    root = _ROOT.search(head)
    prefix = root.group(1) or b"" if root else b""
    if b"</" + prefix + b"f>" in data or b't="e"' in data:
        return True
    # attributes in single quotes are legal XML, if rare in spreadsheets
    return b"='" in head and b"t='e'" in data


def _sheet_paths(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML part, from the workbook part and its relationships."""
    workbook_path = "xl/workbook.xml"
    root_rels = _relationships(package, "_rels/.rels", "")
    for target, kind in root_rels.values():
        if kind.endswith("/officeDocument"):
            workbook_path = target
    rels = _relationships(
        package,
        posixpath.join(
            posixpath.dirname(workbook_path), "_rels", posixpath.basename(workbook_path) + ".rels"
        ),
        posixpath.dirname(workbook_path),
    )
    paths: dict[str, str] = {}
    if workbook_path not in package.namelist():
        return paths
    root = ET.fromstring(package.read(workbook_path))
    for element in root.iter():
        if not element.tag.endswith("}sheet"):
            continue
        name = element.get("name")
        rel_id = next((value for key, value in element.attrib.items() if key.endswith("}id")), None)
        if name is not None and rel_id in rels:
            paths[name] = rels[rel_id][0]
    return paths


def _relationships(package: zipfile.ZipFile, path: str, base: str) -> dict[str, tuple[str, str]]:
    """Id → (target path inside the package, relationship type)."""
    try:
        data = package.read(path)
    except KeyError:
        return {}
    result: dict[str, tuple[str, str]] = {}
    for element in ET.fromstring(data).iter():
        if not element.tag.endswith("}Relationship"):
            continue
        target = element.get("Target", "")
        resolved = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        )
        result[element.get("Id", "")] = (resolved, element.get("Type", ""))
    return result


def cells(data: bytes) -> Iterator[tuple[int, int, bytes, re.Match[bytes]]]:
    """Every cell of a sheet's XML as ``(row, column, attributes, match)``, 0-based; positions follow the ``r``
    attributes, or document order where they are left out."""
    row = -1
    col = -1
    for match in _ROW_OR_CELL.finditer(data):
        row_attrs = match.group("row_attrs")
        if row_attrs is not None:
            position = _ATTR_R.search(row_attrs)
            row = int(position.group(2)) - 1 if position and position.group(2) else row + 1
            col = -1
            continue
        attrs = match.group("attrs") or b""
        position = _ATTR_R.search(attrs)
        if position and position.group(1):
            col = _column_index(position.group(1).decode("ascii"))
            if position.group(2):
                row = int(position.group(2)) - 1
        else:
            col += 1
        yield row, col, attrs, match


def _scan(data: bytes) -> SpecialCells:
    """Walk rows and cells, keeping error cells and formulas without a cached value."""
    found: SpecialCells = {}
    for row, col, attrs, match in cells(data):
        body = match.group("body")
        if not body:
            continue
        kind = _ATTR_T.search(attrs)
        cell_type = kind.group(1) if kind else b"n"
        value = _VALUE.search(body)
        value_text = value.group("text") if value else None
        if cell_type == b"e":
            found[(row, col)] = ExcelError(_text(value_text) or "#ERROR")
            continue
        formula = _FORMULA.search(body)
        # t="str" with an empty <v> is a formula whose cached result is the empty string: a blank, not a problem
        if formula is not None and not value_text and cell_type != b"str":
            found[(row, col)] = FormulaWithoutValue(_text(formula.group("text")) or "（共享公式）")
    return found


def _text(raw: bytes | None) -> str:
    if not raw:
        return ""
    text = raw.decode("utf-8", errors="replace")
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + (ord(letter) - 64)
    return index - 1
