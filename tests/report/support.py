"""Reading the generated files back: the Word report's tables by key."""

from __future__ import annotations

import io

import docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_docx(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(content))


def tables_by_key(document: docx.document.Document) -> dict[str, list[list[str]]]:
    """Every table, by the key the report writes into its properties (w:tblCaption), as rows of cell texts."""
    out = {}
    for table in document.tables:
        caption = table._tbl.tblPr.find(f"{W}tblCaption")
        out[caption.get(f"{W}val")] = [[cell.text for cell in row.cells] for row in table.rows]
    return out
