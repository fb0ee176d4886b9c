"""What the CLI's tests share: the Jinan sample forms and a copy of 历下区's form with cells changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

from scoring.shipped import sample_inputs_dir

FORMS = [str(p) for p in sorted((sample_inputs_dir() / "jinan" / "forms").glob("*.xlsx"))]


def lixia_form_with(folder: Path, cells: dict[str, object]) -> Path:
    """历下区's sample form (370102) copied into ``folder`` with ``cells`` of its data sheet set (``{"I9": "12个"}``:
    DI-02's 2024 value)."""
    form = folder / "370102.xlsx"
    shutil.copy(FORMS[0], form)
    book = openpyxl.load_workbook(form)
    for cell, value in cells.items():
        book["数据填报"][cell] = value
    book.save(form)
    return form
