"""The real extent of a worksheet, read from its XML as it is decompressed: never from ``<dimension>``.

calamine builds a dense grid from A1 to the farthest cell it meets, whatever ``<dimension>`` claims: one cell
at ``XFD1048576`` in a 1.5 KB file asks for 17 billion cells (512 GiB) and aborts the process. So before
calamine sees a sheet, every cell reference in it is read here, chunk by chunk, with bounded memory: the
farthest row, the farthest column and the number of cells.

The scan reads start tags with a small tokenizer that understands quoted attribute values (a ``>`` or ``<``
inside a value cannot hide an ``r`` attribute from it); a cell or row tag it cannot read to its end is refused
as malformed, since no spreadsheet writer produces one. References are parsed in bulk with numpy; only a part
with cells that leave out their ``r`` attribute (legal: such a cell follows the one before it) is walked cell by
cell, in document order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np

from scoring.io.cells import column_letter

_NAME = rb"[A-Za-z_][\w.:\-]*"
_VALUE = rb"(?:\"[^\"]*\"|'[^']*')"
_OTHER_ATTR = rb"(?:\s+(?!r\s*=)" + _NAME + rb"\s*=\s*" + _VALUE + rb")"
# a start tag of a cell or a row: its r attribute (double or single quotes), and its end (empty: unreadable)
_TAG: Final = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]*:)?(c|row)(?=[\s/>])"
    + _OTHER_ATTR
    + rb"*(?:\s+r\s*=\s*(?:\"([^\"]*)\"|'([^']*)'))?"
    + _OTHER_ATTR
    + rb"*\s*(/?>)?"
)
_REF: Final = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
MAX_TAIL: Final = 4 * 1024 * 1024  # no well-formed sheet goes this long without a '<'
# beyond Excel's own grid (XFD1048576): refused whatever the limits, and keeps the arithmetic in int64
EXCEL_ROWS: Final = 1_048_576
EXCEL_COLUMNS: Final = 16_384


class MalformedSheet(ValueError):
    """A cell or row tag that cannot be read, or a cell reference that is not one."""


@dataclass
class Extent:
    """What a sheet holds: cell count, farthest row and column (1-based, 0 when empty) and where they are."""

    cells: int = 0
    rows: int = 0
    columns: int = 0
    row_ref: str = ""  # a cell on the farthest row
    column_ref: str = ""  # a cell in the farthest column
    needs_walk: bool = False  # some cell has no r attribute: positions follow document order

    @property
    def area(self) -> int:
        """Cells of the dense grid a reader builds from A1 to the farthest row and column."""
        return self.rows * self.columns

    @property
    def far_cell(self) -> str:
        """The cell that sets the extent: the farthest row's, or the farthest column's when that one is farther
        off in its own direction."""
        if not self.row_ref:
            return self.column_ref
        if not self.column_ref:
            return self.row_ref
        return self.row_ref if self.rows / EXCEL_ROWS >= self.columns / EXCEL_COLUMNS else self.column_ref


def scan_extent(chunks: Iterable[bytes]) -> Extent:
    """The extent of a worksheet given as chunks of its XML; raises :class:`MalformedSheet`.

    Fast path: every cell carries its reference; the chunk's references are parsed at once. When some cell
    does not, the caller gets ``needs_walk`` and gives the part again to :func:`walk_extent`.
    """
    extent = Extent()
    for head in _heads(chunks):
        _scan_fast(head, extent)
        if extent.needs_walk:
            return extent
    return extent


def _heads(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The XML in pieces that end just before a ``<``: no tag is split between two pieces."""
    tail = b""
    for chunk in chunks:
        buffer = tail + chunk
        cut = buffer.rfind(b"<")
        if cut < 0:
            cut = len(buffer)  # text only: nothing to split
        head, tail = buffer[:cut], buffer[cut:]
        if len(tail) > MAX_TAIL:
            raise MalformedSheet("no markup for more than 4 MiB")
        yield head
    yield tail


def _scan_fast(data: bytes, extent: Extent) -> None:
    tags = _TAG.findall(data)
    if not tags:
        return
    refs: list[bytes] = []
    for name, double, single, end in tags:
        if not end:
            raise MalformedSheet(f"unreadable <{name.decode()}> tag")
        if name == b"c":
            ref = double or single
            if not ref:
                extent.needs_walk = True
                return
            refs.append(ref)
    if refs:
        _add_refs(refs, extent)


def _add_refs(refs: list[bytes], extent: Extent) -> None:
    """Parse many references at once: letters then digits, as byte matrices."""
    array = np.array(refs)
    width = array.dtype.itemsize
    if width > 10:  # more than XFD (3 letters) and 1048576 (7 digits): not a cell of any sheet
        longest = max(refs, key=len)
        raise MalformedSheet(f"cell reference {longest[:20]!r} beyond the sheet")
    u = array.view(np.uint8).reshape(len(refs), width)
    upper = u & 0xDF
    is_letter = (upper >= 65) & (upper <= 90)
    is_digit = (u >= 48) & (u <= 57)
    n_letters = is_letter.sum(axis=1)
    length = (u != 0).sum(axis=1)
    position = np.arange(width)[None, :]
    well_formed = (
        (n_letters >= 1)
        & (n_letters <= 3)
        & (is_letter == (position < n_letters[:, None])).all(axis=1)
        & (is_digit == ((position >= n_letters[:, None]) & (position < length[:, None]))).all(axis=1)
        & (length > n_letters)
    )
    if not well_formed.all():
        bad = refs[int(np.flatnonzero(~well_formed)[0])]
        raise MalformedSheet(f"cell reference {bad[:20]!r} is not a cell")
    col = np.zeros(len(refs), dtype=np.int64)
    for k in range(min(3, width)):
        col = np.where(k < n_letters, col * 26 + (upper[:, k].astype(np.int64) - 64), col)
    row = np.zeros(len(refs), dtype=np.int64)
    for k in range(width):
        row = np.where(is_digit[:, k], row * 10 + (u[:, k].astype(np.int64) - 48), row)
    if (row == 0).any():
        bad = refs[int(np.flatnonzero(row == 0)[0])]
        raise MalformedSheet(f"cell reference {bad!r} is on row 0")
    extent.cells += len(refs)
    far_row, far_col = int(row.argmax()), int(col.argmax())
    if row[far_row] > extent.rows:
        extent.rows = int(row[far_row])
        extent.row_ref = _canonical(int(row[far_row]), int(col[far_row]))
    if col[far_col] > extent.columns:
        extent.columns = int(col[far_col])
        extent.column_ref = _canonical(int(row[far_col]), int(col[far_col]))


def _canonical(row: int, col: int) -> str:
    return f"{column_letter(col - 1)}{row}"


def walk_extent(chunks: Iterable[bytes], max_cells: int) -> Extent:
    """The extent of a worksheet whose cells may leave out their reference, walked in document order.

    A cell without ``r`` is in the column after the previous cell of its row (the first column when it opens
    the row); a row without ``r`` follows the previous row. Stops with the count over ``max_cells``, which the
    caller refuses: the walk costs a Python step per cell.
    """
    extent = Extent()
    row, col = 0, 0
    for head in _heads(chunks):
        for name, double, single, end in _TAG.findall(head):
            if not end:
                raise MalformedSheet(f"unreadable <{name.decode()}> tag")
            ref = double or single
            if name == b"row":
                if ref and not (ref.isdigit() and len(ref) <= 7):
                    raise MalformedSheet(f"row number {ref[:20]!r} is not a row of a sheet")
                row = int(ref) if ref else row + 1
                col = 0
                continue
            if ref:
                match = _REF.fullmatch(ref)
                if match is None:
                    raise MalformedSheet(f"cell reference {ref[:20]!r} is not a cell")
                col = _column_number(match.group(1))
                row = int(match.group(2))
            else:
                col += 1
            row = max(row, 1)
            extent.cells += 1
            if row > extent.rows:
                extent.rows, extent.row_ref = row, _canonical(row, col)
            if col > extent.columns:
                extent.columns, extent.column_ref = col, _canonical(row, col)
            if extent.cells > max_cells:
                return extent
    return extent


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - 64)
    return number
