"""Formulas without a cached value and Excel errors, found in the sheet XML of hand-written packages."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from scoring.io import read_data
from scoring.io.cells import ExcelError, FormulaWithoutValue
from scoring.io.xlsxscan import scan_workbook
from scoring.system.models import IndicatorSystem

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def with_sheet_xml(kit: Any, tmp_path: Path, sheet_data: str, root: str = f"<worksheet {NS}>") -> Path:
    """An openpyxl workbook whose only sheet ("2024") gets the given <sheetData> content."""
    path = kit.xlsx(tmp_path / "base.xlsx", {"2024": [["unit_code"]]})
    close = root.replace("<", "</", 1).split()[0].rstrip(">") + ">"
    data_tag = "sheetData" if ":" not in root.split()[0] else root.split()[0][1:].split(":")[0] + ":sheetData"
    xml = f'<?xml version="1.0" encoding="UTF-8"?>{root}<{data_tag}>{sheet_data}</{data_tag}>{close}'
    out = tmp_path / "crafted.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = (
                xml.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            )
            target.writestr(item, content)
    return out


HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>unit_code</t></is></c><c r="B1" t="inlineStr"><is><t>DI-01</t></is></c><c r="C1" t="inlineStr"><is><t>DI-02</t></is></c></row>'


def test_shared_formulas_empty_string_results_and_errors(kit: Any, tmp_path: Path) -> None:
    rows = (
        HEADER
        + '<row r="2"><c r="A2" t="inlineStr"><is><t>370102</t></is></c>'
        + '<c r="B2"><f t="shared" ref="B2:B3" si="0">C2*2</f></c>'  # master, no cached value
        + '<c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c></row>'  # cached empty text: a blank
        + '<row r="3"><c r="A3" t="inlineStr"><is><t>370103</t></is></c>'
        + '<c r="B3"><f t="shared" si="0"/></c>'  # follower, no cached value
        + '<c r="C3" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
    )
    path = with_sheet_xml(kit, tmp_path, rows)
    assert scan_workbook(str(path)) == {
        "2024": {
            (1, 1): FormulaWithoutValue("C2*2"),
            (2, 1): FormulaWithoutValue("（共享公式）"),
            (2, 2): ExcelError("#DIV/0!"),
        }
    }


def test_cells_without_r_attributes_and_a_namespace_prefix(
    system: IndicatorSystem, kit: Any, tmp_path: Path
) -> None:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rows = (
        '<x:row><x:c t="inlineStr"><x:is><x:t>unit_code</x:t></x:is></x:c>'
        '<x:c t="inlineStr"><x:is><x:t>DI-01</x:t></x:is></x:c>'
        '<x:c t="inlineStr"><x:is><x:t>DI-02</x:t></x:is></x:c></x:row>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>370102</x:t></x:is></x:c>'
        "<x:c><x:v>5</x:v></x:c>"
        '<x:c t="e"><x:v>#VALUE!</x:v></x:c></x:row>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>370103</x:t></x:is></x:c>'
        "<x:c><x:f>B2&amp;&quot;1&quot;</x:f></x:c>"
        "<x:c><x:v>7</x:v></x:c></x:row>"
    )
    path = with_sheet_xml(kit, tmp_path, rows, root=f'<x:worksheet xmlns:x="{main}">')
    assert scan_workbook(str(path)) == {
        "2024": {(1, 2): ExcelError("#VALUE!"), (2, 1): FormulaWithoutValue('B2&"1"')}
    }

    dataset = read_data([path], system)
    assert [(p.code, p.location.cell, p.params) for p in dataset.problems] == [
        ("cell.not_number", "C2", {"value": "#VALUE!"}),
        ("cell.formula_no_value", "B3", {"formula": '=B2&"1"'}),
    ]


def test_a_sheet_without_formulas_is_not_walked(kit: Any, tmp_path: Path) -> None:
    path = kit.xlsx(
        tmp_path / "plain.xlsx", {"2024": [["unit_code", "DI-01"], ["370102", None], ["370103", 3]]}
    )
    assert scan_workbook(io.BytesIO(path.read_bytes())) == {"2024": {}}
