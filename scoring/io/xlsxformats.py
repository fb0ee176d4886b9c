"""Find the xlsx cells shown as percentages: Excel stores 34.2 % typed into a cell as 0.342 with a ``0.0%``
number format, and calamine gives the stored 0.342 without the format.

The styles part says which cell styles (``cellXfs``) use a percent number format — built-in 9 (``0%``) and 10
(``0.00%``), or a custom code with a ``%`` outside quotes and brackets; one regular-expression pass over a
sheet's XML then finds the cells with such a style (``s="…"``). Nothing else of the cell is read. The package
is already size-checked (``scoring.io.safety``), so both passes are linear in bounded input.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from typing import IO, Final

from scoring.io.xlsxscan import _relationships, _sheet_paths, cells

PercentCells = frozenset[tuple[int, int]]

BUILTIN_PERCENT: Final = frozenset({9, 10})
_ATTR_S = re.compile(rb"""\bs\s*=\s*["'](\d+)["']""")
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def is_percent_format(code: str) -> bool:
    """Whether a number-format code shows the value as a percentage (a ``%`` that is not quoted text, a
    bracketed colour or condition, or an escaped character)."""
    return "%" in _QUOTED.sub("", code)


def percent_cells(source: str | IO[bytes]) -> dict[str, PercentCells]:
    """Sheet name → the 0-based (row, col) of its cells with a percent number format; ``{}`` when the package
    has no styles part or no percent style."""
    with zipfile.ZipFile(source) as package:
        styles = _percent_styles(package)
        if not styles:
            return {}
        return {
            name: _cells_with_style(package.read(path), styles)
            for name, path in _sheet_paths(package).items()
        }


def _styles_path(package: zipfile.ZipFile) -> str:
    workbook_path = "xl/workbook.xml"
    for target, kind in _relationships(package, "_rels/.rels", "").values():
        if kind.endswith("/officeDocument"):
            workbook_path = target
    base = posixpath.dirname(workbook_path)
    rels = _relationships(
        package, posixpath.join(base, "_rels", posixpath.basename(workbook_path) + ".rels"), base
    )
    for target, kind in rels.values():
        if kind.endswith("/styles"):
            return target
    return posixpath.join(base, "styles.xml")


def _percent_styles(package: zipfile.ZipFile) -> frozenset[int]:
    """The indices of the ``cellXfs`` entries whose number format is a percentage."""
    try:
        root = ET.fromstring(package.read(_styles_path(package)))
    except KeyError:
        return frozenset()
    percent_ids = set(BUILTIN_PERCENT)
    for element in root.iter():
        if element.tag.endswith("}numFmt"):
            number_id = element.get("numFmtId", "")
            if number_id.isdigit() and is_percent_format(element.get("formatCode", "")):
                percent_ids.add(int(number_id))
            elif number_id.isdigit():
                percent_ids.discard(int(number_id))  # a custom code replacing a built-in id
    found: set[int] = set()
    for element in root.iter():
        if element.tag.endswith("}cellXfs"):
            for index, xf in enumerate(child for child in element if child.tag.endswith("}xf")):
                number_id = xf.get("numFmtId", "0")
                if number_id.isdigit() and int(number_id) in percent_ids:
                    found.add(index)
    return frozenset(found)


def _cells_with_style(data: bytes, styles: frozenset[int]) -> PercentCells:
    """Positions of the cells whose ``s`` attribute is one of ``styles``; ``r`` attributes, or document order
    where they are left out, give the positions (as in ``scoring.io.xlsxscan``)."""
    needles = [b's="' + str(index).encode() + b'"' for index in styles]
    if not any(needle in data for needle in needles) and b"s='" not in data:
        return frozenset()
    found: set[tuple[int, int]] = set()
    for row, col, attrs, _ in cells(data):
        style = _ATTR_S.search(attrs)
        if style is not None and int(style.group(1)) in styles:
            found.add((row, col))
    return frozenset(found)
