"""Percent-formatted cells (``scoring.io.xlsxformats``): Excel stores 34.2 % as 0.342 with a % number format;
for a % indicator the number shown is read, with a note."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from scoring.io.read import read_bytes
from scoring.io.xlsxformats import is_percent_format
from scoring.system import load_system
from service.settings import DEFAULT_SYSTEMS

JINAN = load_system(DEFAULT_SYSTEMS[0])
FORM = Path(__file__).resolve().parents[2] / "sample_inputs" / "jinan" / "forms"


def _form(cells: dict[str, tuple[float, str]]) -> bytes:
    path = next(FORM.glob("370102_*.xlsx"))
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["数据填报"]
    for ref, (value, number_format) in cells.items():
        sheet[ref] = value
        sheet[ref].number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("code", "percent"),
    [
        ("0%", True),
        ("0.0%", True),
        ("[Red]0.00%;-0.00%", True),
        ('0.0"%"', False),
        ("0.0\\%", False),
        ("0.0", False),
    ],
)
def test_percent_format_codes(code: str, percent: bool) -> None:
    assert is_percent_format(code) is percent


def test_a_percent_cell_of_a_percent_indicator_is_read_as_shown() -> None:
    # I9: DI-02 (千兆宽带用户占比, %) of 2024, typed 34.2 % → stored 0.342; I10: DI-03 (PFLOPS) with a % format
    # stays as stored (a % format on a capacity is the district's formatting, not a percentage)
    content = _form({"I9": (0.342, "0.0%"), "H9": (0.463, "0%"), "I10": (0.5, "0.0%")})
    dataset = read_bytes(content, "f.xlsx", JINAN)
    values = dataset.values.set_index(["indicator_code", "year"])["value"]
    assert values[("DI-02", 2024)] == 34.2  # exactly: the decimal point moved on "0.342"
    assert values[("DI-02", 2023)] == 46.3
    assert values[("DI-03", 2024)] == 0.5
    notes = [p for p in dataset.problems if p.code == "cell.percent_format"]
    assert sorted(str(p.location) for p in notes) == ["f.xlsx!数据填报!H9", "f.xlsx!数据填报!I9"]
    note = next(p for p in notes if p.location.cell == "I9")
    assert note.severity.value == "info"
    assert note.message_zh == "单元格设置了百分比格式，存储值 0.342 按显示的 34.2（%）读取"


def test_a_form_without_percent_formats_reads_as_before() -> None:
    dataset = read_bytes(_form({}), "f.xlsx", JINAN)
    assert not [p for p in dataset.problems if p.code == "cell.percent_format"]
    assert dataset.values.set_index(["indicator_code", "year"])["value"][("DI-02", 2024)] == 39.6
