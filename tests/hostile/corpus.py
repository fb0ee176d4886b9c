"""Hostile data files, generated (nothing binary is committed): each case of issue 10 that a district could
upload or pass to ``digiscore validate``.

Workbooks are written by hand with :mod:`zipfile`, part by part, so that a test controls exactly what the
package says (a ``<dimension>`` that lies, a cell at ``XFD1048576``, a DOCTYPE after a long comment) — things
openpyxl would never write. Every function returns bytes; :func:`write_corpus` writes them all to a folder.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from scoring.io.cells import cell_ref

# a unit and collected indicators of the Jinan system (indicators/jinan_district_digital.yaml), so that the far-cell and
# duplicate cases are otherwise valid tables for that system
UNIT = "370102"
INDICATORS = ("DI-10", "DI-02", "DI-03", "DI-04", "DI-05", "DI-08")
YEAR = 2024

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _cell(ref: str, value: str | float) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    # inf is written as a number beyond the largest double, as a district's Excel would store 1.8e308
    text = "1.8e308" if value == float("inf") else repr(value)
    return f'<c r="{ref}"><v>{text}</v></c>'


def workbook(
    rows: Sequence[Sequence[tuple[str, str | float]]],
    *,
    dimension: str | None = None,
    prolog: str = "",
    sheet_name: str = "2024",
) -> bytes:
    """An xlsx of one sheet whose rows hold the given ``(A1 reference, value)`` cells, written as given:
    ``dimension`` is what ``<dimension ref>`` claims (None: no such element), ``prolog`` goes before the root."""
    body = []
    for cells in rows:
        if not cells:
            continue
        row_number = "".join(ch for ch in cells[0][0] if ch.isdigit())
        body.append(f'<row r="{row_number}">' + "".join(_cell(ref, v) for ref, v in cells) + "</row>")
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        _SHEET_OPEN.replace("<worksheet", prolog + "<worksheet", 1)
        + head
        + "<sheetData>"
        + "".join(body)
        + "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK.format(name=sheet_name))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def _long_table_rows(values: Sequence[float]) -> list[list[tuple[str, str | float]]]:
    header: list[tuple[str, str | float]] = [
        ("A1", "unit_code"),
        ("B1", "indicator_code"),
        ("C1", "year"),
        ("D1", "value"),
    ]
    rows = [header]
    for r, value in enumerate(values, start=2):
        code = INDICATORS[(r - 2) % len(INDICATORS)]
        rows.append([(f"A{r}", UNIT), (f"B{r}", code), (f"C{r}", float(YEAR)), (f"D{r}", value)])
    return rows


def far_cell(ref: str = "XFD1048576", dimension: str | None = "A1:D2") -> bytes:
    """Found case 1: a small long table whose ``<dimension>`` says A1:D2 (or nothing) but with a cell at ``ref``;
    calamine would allocate rows × columns of that extent (512 GiB for XFD1048576) and abort."""
    rows = _long_table_rows([1.0])
    rows.append([(ref, 1.0)])
    return workbook(rows, dimension=dimension)


def sparse_sheet(rows: int = 199_999, columns: int = 1_999) -> bytes:
    """Found case 2: A1 and one far cell inside the old row and column limits (1.5 KB; 400 M cells dense)."""
    return workbook([[("A1", "unit_code")], [(cell_ref(rows - 1, columns - 1), 1.0)]], dimension="A1")


def doctype_after_comment(comment_bytes: int = 5_000) -> bytes:
    """Item 8: a DOCTYPE with an entity after a comment longer than the part's first chunk the old check read."""
    prolog = "<!--" + "x" * comment_bytes + "-->" + '<!DOCTYPE worksheet [<!ENTITY e "entity">]>'
    return workbook(_long_table_rows([1.0]), dimension="A1:D2", prolog=prolog)


def infinite_number_cell() -> bytes:
    """Item 8: a number cell holding 1.8e308, which reads as inf."""
    return workbook(_long_table_rows([float("inf")]), dimension="A1:D2")


def duplicate_rows_csv(rows: int = 199_997) -> bytes:
    """Found case 3: one long-table row repeated: every row after the first is a duplicate (4 MB)."""
    line = f"{UNIT},DI-10,{YEAR},1\n"
    return ("unit_code,indicator_code,year,value\n" + line * rows).encode()


def values_csv(values: Sequence[str]) -> bytes:
    """A long table of the unit: one row per value, cycling through the indicators, texts as typed."""
    lines = ["unit_code,indicator_code,year,value"]
    for i, value in enumerate(values):
        lines.append(f"{UNIT},{INDICATORS[i % len(INDICATORS)]},{YEAR - i // len(INDICATORS)},{value}")
    return ("\n".join(lines) + "\n").encode()


def huge_values_csv(count: int = 36, value: str = "1e308") -> bytes:
    """Item 8: ``count`` values of 1e308 on one upload (6 indicators × 6 years)."""
    return values_csv([value] * count)


def overflow_value_csv() -> bytes:
    """Item 8: a value beyond the largest float (read as ``inf``) and one just below it."""
    return values_csv(["1.8e308", "1.797e308"])


def denormal_values_csv() -> bytes:
    """Item 8: a denormal value among ordinary ones of the same indicator (the unit-mistake check divides)."""
    lines = ["unit_code,indicator_code,year,value"]
    units = ("370102", "370103", "370104", "370105", "370112")
    for unit, value in zip(units, ("5e-324", "50", "60", "70", "80"), strict=True):
        lines.append(f"{unit},DI-10,{YEAR},{value}")
    return ("\n".join(lines) + "\n").encode()


def wide_ragged_csv(rows: int = 150_000, width: int = 1_500) -> bytes:
    """A CSV whose one long line makes the dense grid rows × width (the CSV form of the sparse sheet)."""
    line = f"{UNIT},DI-10,{YEAR},1\n"
    return ("unit_code,indicator_code,year,value\n" + "," * (width - 1) + "\n" + line * (rows - 2)).encode()


CASES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "far_cell": ("far_cell.xlsx", far_cell),
    "far_cell_no_dimension": ("far_cell_no_dimension.xlsx", lambda: far_cell(dimension=None)),
    "sparse_sheet": ("sparse_sheet.xlsx", sparse_sheet),
    "doctype_after_comment": ("doctype.xlsx", doctype_after_comment),
    "infinite_number": ("infinite.xlsx", infinite_number_cell),
    "duplicate_rows": ("duplicates.csv", duplicate_rows_csv),
    "huge_values": ("huge_values.csv", huge_values_csv),
    "overflow_value": ("overflow.csv", overflow_value_csv),
    "denormal_value": ("denormal.csv", denormal_values_csv),
    "wide_ragged_csv": ("ragged.csv", wide_ragged_csv),
}


def write_corpus(folder: Path) -> dict[str, Path]:
    """Write every case into ``folder``; case name → its file."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for case, (file_name, make) in CASES.items():
        path = folder / file_name
        path.write_bytes(make())
        written[case] = path
    return written
