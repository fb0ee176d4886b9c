"""The service's report has 附录六 (comparing system versions) when the round uses a new version of the system
that the same system's round of the year before used — as ``digiscore report --previous-system`` does — and not
when last year's round used the same version (issue 14 item 7). On both databases."""

from __future__ import annotations

import io

import openpyxl
from docx import Document

from service.settings import DEFAULT_SYSTEMS
from tests.service.support import JINAN_ID, JINAN_VERSION, YEAR, Office, jinan_forms

NEW_VERSION = "2025.2"


def new_version_yaml() -> bytes:
    """Version 2025.2 of the Jinan system: 数字基础设施 (A) weighs 0.30 instead of 0.20, nothing else changes."""
    text = DEFAULT_SYSTEMS[0].read_text(encoding="utf-8")
    a_weight = "    weight: 0.20\n    children:\n      - code: DI-01"
    assert text.count('version: "2025.1"') == 1 and text.count(a_weight) == 1
    text = text.replace('version: "2025.1"', f'version: "{NEW_VERSION}"')
    return text.replace(a_weight, a_weight.replace("0.20", "0.30")).encode()


def open_round(office: Office, year: int, version: str) -> None:
    response = office.client.post(
        "/rounds", json={"year": year, "system_id": JINAN_ID, "version": version}, headers=office.admin
    )
    assert response.status_code == 201, response.text


def accept_every_form(office: Office) -> None:
    for unit in jinan_forms():
        assert office.upload_form(unit).status_code == 201
        assert office.review(unit, 1).status_code == 200


def report_text(office: Office) -> str:
    response = office.client.get(f"/rounds/{YEAR}/report.docx", headers=office.admin)
    assert response.status_code == 200, response.text
    document = Document(io.BytesIO(response.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_new_version_of_last_years_system_gets_the_versions_appendix(office: Office) -> None:
    open_round(office, YEAR - 1, JINAN_VERSION)  # 2023 under 2025.1
    created = office.client.post(
        "/systems", files={"file": ("system.yaml", new_version_yaml())}, headers=office.admin
    )
    assert created.status_code == 201, created.text
    open_round(office, YEAR, NEW_VERSION)  # 2024 under 2025.2
    accept_every_form(office)
    text = report_text(office)  # the staff's preview
    assert "附录六  指标体系版本变化" in text
    assert "2025.1" in text and NEW_VERSION in text
    # the one change of the file: A's weight 0.2 → 0.3 (the changes table names the node and both values)
    assert "数字基础设施" in text and "0.2" in text and "0.3" in text
    assert "按两版计算的综合得分与排名" in text
    # published: the same appendix, from the snapshot's inputs
    assert office.client.post(f"/rounds/{YEAR}/close", headers=office.admin).status_code == 200
    assert office.client.post(f"/rounds/{YEAR}/publish", headers=office.admin).status_code == 200
    assert "附录六  指标体系版本变化" in report_text(office)
    xlsx = office.client.get(f"/rounds/{YEAR}/report.xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["指标体系版本变化"]
    assert any(
        row[:6] == ("权重", "A", "数字基础设施", "权重（文件）", "0.2", "0.3")
        for row in sheet.iter_rows(values_only=True)
    )


def test_the_same_version_as_last_year_has_no_versions_appendix(office: Office) -> None:
    open_round(office, YEAR - 1, JINAN_VERSION)
    open_round(office, YEAR, JINAN_VERSION)
    accept_every_form(office)
    text = report_text(office)
    assert "综合" in text and "附录六" not in text
