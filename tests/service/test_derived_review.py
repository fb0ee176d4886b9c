"""Derived indicators on upload and review (issue 15 item 1): the upload response reports a derivation the parts
leave impossible (a population of 0), naming the component and its cell; the submission context and the review
page show each derived value with its formula and its parts (values, units, cells)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient

from service.auth import Role
from tests.service.support import YEAR, Office, jinan_forms
from tests.web.support import token


def _form(unit: str, cells: dict[str, float]) -> tuple[bytes, dict[str, int], openpyxl.Workbook]:
    """The sample form of ``unit`` with some 2024 cells (column I) of collected codes changed."""
    book = openpyxl.load_workbook(jinan_forms()[unit])
    sheet = book["数据填报"]
    rows = {sheet.cell(r, 1).value: r for r in range(9, sheet.max_row + 1)}
    for code, value in cells.items():
        sheet.cell(rows[code], 9).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows, book


def test_upload_reports_a_zero_population_and_the_context_shows_each_derived_value_with_its_parts(
    office: Office,
) -> None:
    office.open_round()
    content, rows, book = _form("370102", {"C-POP": 0})
    uploaded = office.upload("370102", "370102.xlsx", content)
    assert uploaded.status_code == 201, uploaded.text  # warnings: the version can still be reviewed
    zero = [p for p in uploaded.json()["problems"] if p["code"] == "pipeline.derived_zero_division"]
    assert sorted(p["indicator"] for p in zero) == ["DI-01", "DI-06"]  # both divide by 常住人口
    assert {p["cell"] for p in zero} == {f"I{rows['C-POP']}"}
    assert all("C-POP 年末常住人口" in p["message_zh"] and p["year"] == YEAR for p in zero)

    context = office.client.get(
        f"/rounds/{YEAR}/units/370102/submissions/1/context", headers=office.reviewer
    ).json()
    derived = {(d["indicator_code"], d["year"]): d for d in context["derived"]}
    assert sorted({code for code, _ in derived}) == ["DI-01", "DI-06", "DI-07", "DI-28"]
    sheet = book["数据填报"]
    core, gdp = (float(sheet.cell(rows[c], 9).value) for c in ("C-COREVA", "C-GDP"))
    share = derived[("DI-07", YEAR)]
    # DI-07 = 核心产业增加值 / 地区生产总值 × 100, by hand from the form's two cells
    assert share["value"] == pytest.approx(core / gdp * 100, rel=1e-12)
    assert share["formula"] == "{C-COREVA} / {C-GDP} × 100" and share["unit"] == "%"
    assert [(p["code"], p["name"], p["unit"], p["value"], p["cell"]) for p in share["parts"]] == [
        ("C-COREVA", "数字经济核心产业增加值", "亿元", core, f"数据填报!I{rows['C-COREVA']}"),
        ("C-GDP", "地区生产总值", "亿元", gdp, f"数据填报!I{rows['C-GDP']}"),
    ]
    fiveg = derived[("DI-01", YEAR)]
    assert fiveg["value"] is None and fiveg["status"] == "missing"
    assert [p["code"] for p in fiveg["problems"]] == ["pipeline.derived_zero_division"]
    # the years the district did not spoil are computed: 2023 from its own cells
    pop_2023 = float(sheet.cell(rows["C-POP"], 8).value)
    base_2023 = float(sheet.cell(rows["C-5G"], 8).value)
    assert derived[("DI-01", 2023)]["value"] == pytest.approx(base_2023 / pop_2023, rel=1e-12)

    # the review page shows the same: the computed value, the formula and the parts with their cells
    client = TestClient(office.app, base_url="http://testserver", follow_redirects=False)
    page = client.get("/signin")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    signed = client.post(
        "/signin", data={"token": token(office.context, Role.REVIEWER), "csrf_token": csrf.group(1)}
    )
    assert signed.status_code == 303
    html = client.get(f"/review?year={YEAR}&unit=370102").text
    section = html.split('id="derived"')[1].split("</table>")[0]
    assert "按公式计算的指标" in html
    # the formula as officials say it (names, ÷, ×), its codes in the cell's title
    assert "数字经济核心产业增加值 ÷ 地区生产总值 × 100</td>" in section
    assert 'title="{C-COREVA} / {C-GDP} × 100"' in section and "C-GDP</span> 地区生产总值" in section
    assert f"数据填报!I{rows['C-GDP']}" in section
    assert "中作除数的 C-POP 年末常住人口 为 0" in section
    # the components are named in the table of values as well
    assert "C-POP</span> 年末常住人口" in html.split('id="values"')[1].split("</table>")[0]
