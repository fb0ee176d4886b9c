"""Departments that supply indicators for every unit (issue 12 item 2): a department token uploads one table for
all 14 districts, its accepted values are scored (the provider wins over a district's), a table naming another
indicator or a unit outside the system is refused cell by cell, the reviewer sees the conflict, the blank
department sheet round-trips, and migration 0005 keeps every row. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import text

from scoring.evaluate import evaluate
from scoring.io import read_data
from scoring.system import load_system
from service import Settings
from service.settings import INDICATORS_DIR
from tests.service.support import REPO, YEAR, Office, running_office
from tests.service.test_rounds_per_system import TABLES, _downgrade, _rows

SMART = "jinan-smart-city"
QUERY = f"?system={SMART}"
TELECOM = "SD-TXGLJ-JN"  # 省通信管理局济南分局: SC-D-01, SC-D-02
LONG_TABLE = REPO / "sample_inputs" / "jinan_smart_city" / "long_table.csv"


@pytest.fixture
def office(make_settings: Callable[..., Settings]) -> Iterator[Office]:
    with running_office(make_settings(systems=[INDICATORS_DIR / "jinan_smart_city.yaml"])) as running:
        response = running.client.post(
            "/rounds", json={"year": YEAR, "system_id": SMART, "version": "2025.1"}, headers=running.admin
        )
        assert response.status_code == 201, response.text
        yield running


def _rows_of(
    keep: Callable[[dict[str, str]], bool], change: Callable[[dict[str, str]], str] | None = None
) -> bytes:
    """The rows of the shipped long table that ``keep`` takes, as a CSV (``change`` rewrites a value)."""
    with LONG_TABLE.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if keep(row)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["unit_code", "indicator_code", "year", "value"])
    writer.writeheader()
    for row in rows:
        writer.writerow(row | ({"value": change(row)} if change else {}))
    return out.getvalue().encode("utf-8")


def _department_upload(office: Office, department: str, content: bytes, name: str = "t.csv") -> object:
    return office.client.post(
        f"/rounds/{YEAR}/departments/{department}/submissions{QUERY}",
        files={"file": (name, content, "application/octet-stream")},
        headers=office.department(department),
    )


def _accept(office: Office, kind: str, code: str, version: int = 1) -> None:
    response = office.client.post(
        f"/rounds/{YEAR}/{kind}/{code}/submissions/{version}/review{QUERY}",
        json={"decision": "accept"},
        headers=office.reviewer,
    )
    assert response.status_code == 200, response.text


def test_a_department_uploads_one_table_for_all_14_districts_and_its_values_are_scored(
    office: Office, tmp_path: Path
) -> None:
    system = load_system(INDICATORS_DIR / "jinan_smart_city.yaml")
    units = system.unit_codes
    # every district uploads its own rows, typing a wrong value into a cell the telecom administration supplies
    for unit in units:
        content = _rows_of(
            lambda row, unit=unit: row["unit_code"] == unit,
            lambda row: (
                "1" if row["indicator_code"] == "SC-D-01" and row["value"] != "不适用" else row["value"]
            ),
        )
        uploaded = office.client.post(
            f"/rounds/{YEAR}/units/{unit}/submissions{QUERY}",
            files={"file": (f"{unit}.csv", content, "text/csv")},
            headers=office.district(unit),
        )
        assert uploaded.status_code == 201, uploaded.text
        set_aside = [p for p in uploaded.json()["problems"] if p["code"] == "submission.department_value"]
        assert len(set_aside) == 7 * 3 and set_aside[0]["severity"] == "warning"  # 7 supplied × 2022–2024
        assert "省通信管理局济南分局" in set_aside[0]["message_zh"] and set_aside[0]["cell"]
        _accept(office, "units", unit)
    # each department uploads one table for all 14 districts (the shipped values)
    for department in (d.code for d in system.departments):
        supplied = {node.code for node in system.supplied_by(department)}
        uploaded = _department_upload(
            office, department, _rows_of(lambda r, s=supplied: r["indicator_code"] in s)
        )
        assert uploaded.status_code == 201, uploaded.text
        assert uploaded.headers["location"] == f"/rounds/{YEAR}/departments/{department}/submissions/1{QUERY}"
        assert uploaded.json()["kind"] == "department"
        _accept(office, "departments", department)
    overview = office.client.get(f"/rounds/{YEAR}/departments{QUERY}", headers=office.reviewer).json()
    assert {d["department_code"]: d["used_version"] for d in overview} == {
        d.code: 1 for d in system.departments
    }
    assert next(d for d in overview if d["department_code"] == TELECOM)["indicators"] == [
        "SC-D-01",
        "SC-D-02",
    ]
    # the reviewer sees the conflict: the district's 1 beside the department's value, who gave which
    context = office.client.get(
        f"/rounds/{YEAR}/units/370102/submissions/1/context{QUERY}", headers=office.reviewer
    ).json()
    conflict = next(c for c in context["conflicts"] if c["indicator_code"] == "SC-D-01" and c["year"] == YEAR)
    assert conflict["district"]["value"] == "1" and conflict["department_code"] == TELECOM
    assert conflict["department"]["value"] > 1 and conflict["differs"] is True
    telecom = office.client.get(
        f"/rounds/{YEAR}/departments/{TELECOM}/submissions/1/context{QUERY}", headers=office.reviewer
    ).json()
    assert len(telecom["values"]) == 14 * 2 * 3 and len(telecom["conflicts"]) == 14 * 2 * 3
    # every district gave both indicators; only the typed-over SC-D-01 differs from the department's value
    assert {c["indicator_code"] for c in telecom["conflicts"] if c["differs"]} == {"SC-D-01"}
    # published scores are those of the shipped long table: the department's values, not the districts' 1
    assert office.client.post(f"/rounds/{YEAR}/close{QUERY}", headers=office.admin).status_code == 200
    check = office.client.get(f"/rounds/{YEAR}/publication{QUERY}", headers=office.admin).json()
    assert check["missing_departments"] == [] and len(check["units"]) == 14
    published = office.client.post(f"/rounds/{YEAR}/publish{QUERY}", headers=office.admin)
    assert published.status_code == 200, published.text
    expected = evaluate(system, read_data([LONG_TABLE], system), YEAR)
    ranking = office.client.get(f"/rounds/{YEAR}/rankings{QUERY}&node=SC-D&limit=100").json()
    served = {item["unit_code"]: item["score"] for item in ranking["items"]}
    assert len(served) == 14
    for unit, score in served.items():
        assert score == pytest.approx(float(expected.scores.loc[(YEAR, unit), "SC-D"]), abs=1e-9)
    document = json.loads(office.client.get(f"/rounds/{YEAR}/results{QUERY}").content)
    assert len(document["inputs"]) == 14 + len(system.departments)
    # the audit log names the department
    audit = office.client.get("/audit?limit=200", headers=office.admin).json()["items"]
    assert any(f"department:{TELECOM}/v1" in entry["target"] for entry in audit)


def test_a_department_table_with_another_indicator_or_an_unknown_unit_is_refused_naming_the_cell(
    office: Office,
) -> None:
    content = "unit_code,indicator_code,year,value\n370102,SC-D-01,2024,80\n370102,SC-A1-01,2024,50\n999999,SC-D-02,2024,70\n"
    refused = _department_upload(office, TELECOM, content.encode())
    assert refused.status_code == 422
    problems = {p["code"]: p for p in refused.json()["problems"]}
    other = problems["submission.not_department_indicator"]
    assert other["cell"] == "D3" and other["indicator"] == "SC-A1-01"
    assert "不由省通信管理局济南分局提供" in other["message_zh"]
    assert (
        "SC-A1-01 is not supplied by Shandong Communications Administration (Jinan branch) (SD-TXGLJ-JN)"
        in (other["message_en"])
    )
    unknown = problems["data.unknown_unit"]
    assert unknown["cell"] == "A4" and "999999" in unknown["message_en"]
    # stored as a rejected version all the same, which cannot be accepted
    history = office.client.get(
        f"/rounds/{YEAR}/departments/{TELECOM}/submissions{QUERY}", headers=office.department(TELECOM)
    ).json()
    assert [v["status"] for v in history] == ["rejected"]


def test_who_may_upload_what(office: Office) -> None:
    table = b"unit_code,indicator_code,year,value\n370102,SC-D-01,2024,80\n"
    # a district cannot upload as a department, nor one department as another
    for headers in (office.district("370102"), office.department("JN-DSJ")):
        response = office.client.post(
            f"/rounds/{YEAR}/departments/{TELECOM}/submissions{QUERY}",
            files={"file": ("t.csv", table, "text/csv")},
            headers=headers,
        )
        assert response.status_code == 403
    # a department supplying nothing in the system is not found
    assert _department_upload(office, "JN-ZWFW", table).status_code == 404
    # a department token cannot upload a district's form
    response = office.client.post(
        f"/rounds/{YEAR}/units/370102/submissions{QUERY}",
        files={"file": ("t.csv", table, "text/csv")},
        headers=office.department(TELECOM),
    )
    assert response.status_code == 403
    # a district's value of a department's indicator is not the district's: only a warning, nothing kept
    own = b"unit_code,indicator_code,year,value\n370102,SC-D-01,2024,80\n370102,SC-A1-01,2024,50\n"
    uploaded = office.client.post(
        f"/rounds/{YEAR}/units/370102/submissions{QUERY}",
        files={"file": ("t.csv", own, "text/csv")},
        headers=office.district("370102"),
    )
    assert uploaded.status_code == 201, uploaded.text
    report = uploaded.json()
    assert "submission.department_value" in {p["code"] for p in report["problems"]}
    assert report["values"] == 1  # SC-A1-01 only


def test_the_blank_department_sheet_round_trips(office: Office, tmp_path: Path) -> None:
    sheet = office.client.get(
        f"/rounds/{YEAR}/departments/{TELECOM}/sheet{QUERY}", headers=office.department(TELECOM)
    )
    assert sheet.status_code == 200 and TELECOM in sheet.headers["content-disposition"]
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(sheet.content)
    workbook = openpyxl.load_workbook(path)
    data = workbook["部门填报"]
    assert data.protection.sheet is True
    rows = list(data.iter_rows(min_row=6))
    assert len(rows) == 14 * 2 * 3  # every unit × SC-D-01, SC-D-02 × 2022–2024
    assert {row[0].value for row in rows} == set(
        load_system(INDICATORS_DIR / "jinan_smart_city.yaml").unit_codes
    )
    validations = data.data_validations.dataValidation
    # SC-D-01/02 do not allow 不适用 (not_applicable); 数据缺失 with a reason is accepted everywhere
    assert validations and "数据缺失" in validations[0].formula1 and "不适用" not in validations[0].formula1
    for i, row in enumerate(rows):
        row[7].value = 60 + i % 30
    rows[0][8].value = "运营商直报"
    workbook.save(path)
    uploaded = _department_upload(office, TELECOM, path.read_bytes(), "sheet.xlsx")
    assert uploaded.status_code == 201, uploaded.text
    report = uploaded.json()
    assert report["values"] == 14 * 2 * 3 and report["errors"] == 0
    assert report["remarks"][0] | {"location": ""} == {
        "unit_code": "370102",
        "indicator_code": "SC-D-01",
        "remark": "运营商直报",
        "years": [2022],
        "location": "",
    }
    # a return names a cell by unit, indicator and year
    returned = office.client.post(
        f"/rounds/{YEAR}/departments/{TELECOM}/submissions/1/review{QUERY}",
        json={
            "decision": "return",
            "cells": [{"unit_code": "370103", "indicator_code": "SC-D-02", "year": YEAR, "comment": "偏高"}],
        },
        headers=office.reviewer,
    )
    assert returned.status_code == 200, returned.text
    cell = returned.json()["review"]["cells"][0]
    assert cell["unit_code"] == "370103" and "!部门填报!H" in cell["location"]
    # the district's form shows the department's rows read-only with its name
    form = office.client.get(f"/rounds/{YEAR}/units/370102/form{QUERY}", headers=office.district("370102"))
    form_path = tmp_path / "form.xlsx"
    form_path.write_bytes(form.content)
    names = [row[2].value for row in openpyxl.load_workbook(form_path)["数据填报"].iter_rows(min_row=9)]
    assert "千兆光网家庭覆盖率（由省通信管理局济南分局提供）" in names


def test_upgrading_a_database_made_under_0004_keeps_every_row(make_settings: Callable[..., Settings]) -> None:
    with running_office(make_settings()) as office:
        office.publish_all_forms()
        database = office.context.db
        _downgrade(database, "0004")
        before = _rows(database)
        database.migrate()
        after = _rows(database)
        assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
        for table in TABLES:
            kept = [{c: row[c] for c in old} for row, old in zip(after[table], before[table], strict=True)]
            assert kept == before[table], table
        with database.engine.connect() as connection:
            kinds = connection.execute(text("SELECT DISTINCT kind FROM submissions")).scalars().all()
            departments = connection.execute(text("SELECT department_code FROM api_tokens")).scalars().all()
        assert kinds == ["district"] and set(departments) == {None}
        office.context.results.forget(YEAR, "jinan-district-digital")
        verified = office.client.get(f"/rounds/{YEAR}/results/verification", headers=office.admin).json()
        assert verified["reproduced"] is True


def test_a_department_is_late_or_missing_like_a_unit_and_takes_leave(office: Office) -> None:
    table = _rows_of(lambda row: row["indicator_code"] in {"SC-D-01", "SC-D-02"})
    deadline = office.client.put(
        f"/rounds/{YEAR}/deadline{QUERY}", json={"deadline": "2024-01-01T00:00:00Z"}, headers=office.admin
    )
    assert deadline.status_code == 200, deadline.text
    overview = office.client.get(f"/rounds/{YEAR}/departments{QUERY}", headers=office.reviewer).json()
    assert {d["timeliness"] for d in overview} == {"missing"}  # none uploaded, the deadline passed
    refused = _department_upload(office, TELECOM, table)
    assert refused.status_code == 409 and refused.json()["type"].endswith(":deadline-passed")
    assert TELECOM in refused.json()["problems"][0]["message_zh"]
    leave = office.client.post(
        f"/rounds/{YEAR}/units/{TELECOM}/late-uploads{QUERY}",
        json={"until": "2100-01-01T00:00:00Z", "reason": "运营商数据延迟"},
        headers=office.admin,
    )
    assert leave.status_code == 201, leave.text
    assert _department_upload(office, TELECOM, table).status_code == 201
    overview = office.client.get(f"/rounds/{YEAR}/departments{QUERY}", headers=office.reviewer).json()
    assert {d["department_code"]: d["timeliness"] for d in overview}[TELECOM] == "late"


def test_backup_and_restore_keep_a_departments_submissions(
    office: Office, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    from service.backup import backup, restore
    from service.db import Database

    table = _rows_of(lambda row: row["indicator_code"] in {"SC-D-01", "SC-D-02"})
    assert _department_upload(office, TELECOM, table).status_code == 201
    archive = tmp_path / "backup.zip"
    backup(office.context.db, archive)
    target = make_settings(data_dir=tmp_path / "restored")  # a new SQLite file; on PostgreSQL a new schema
    database = Database(target.sqlalchemy_url, target.database_schema)
    try:
        database.migrate()
        restore(database, archive)
        with database.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT unit_code, kind, version FROM submissions ORDER BY id")
            ).all()
            tokens = (
                connection.execute(text("SELECT department_code FROM api_tokens WHERE role = 'department'"))
                .scalars()
                .all()
            )
    finally:
        database.dispose()
    assert [tuple(row) for row in rows] == [(TELECOM, "department", 1)]
    assert tokens == [TELECOM]


def _signed_in(office: Office, headers: dict[str, str]) -> Any:
    """A dashboard client signed in with the token of ``headers``."""
    from tests.web.test_web_pages import browser_like, csrf_of

    client = browser_like(office)
    token = headers["Authorization"].removeprefix("Bearer ")
    response = client.post("/signin", data={"token": token, "csrf_token": csrf_of(client)})
    assert response.status_code == 303, response.text
    return client


def test_the_review_page_shows_both_values_of_a_conflicting_cell(office: Office) -> None:
    own = b"unit_code,indicator_code,year,value\n370102,SC-D-01,2024,12.5\n370102,SC-A1-01,2024,50\n"
    uploaded = office.client.post(
        f"/rounds/{YEAR}/units/370102/submissions{QUERY}",
        files={"file": ("t.csv", own, "text/csv")},
        headers=office.district("370102"),
    )
    assert uploaded.status_code == 201, uploaded.text
    table = b"unit_code,indicator_code,year,value\n370102,SC-D-01,2024,97.5\n370103,SC-D-02,2024,88\n"
    assert _department_upload(office, TELECOM, table).status_code == 201
    reviewer = _signed_in(office, office.reviewer)
    page = reviewer.get(f"/review?year={YEAR}&unit=370102&system={SMART}").text
    conflicts = page[page.index('id="conflicts"') :]
    assert "12.5" in conflicts and "97.5" in conflicts and "省通信管理局济南分局" in conflicts
    assert "不一致" in conflicts
    english = reviewer.get(f"/review?year={YEAR}&unit=370102&system={SMART}&lang=en").text
    assert "meets a department" in english
    assert (
        "Shandong Communications Administration (Jinan branch)" in english[english.index('id="conflicts"') :]
    )
    # the department's version on the same page: a district column, comments per unit × indicator × year
    page = reviewer.get(f"/review?year={YEAR}&unit={TELECOM}&system={SMART}&lang=zh").text
    assert 'value="370103|SC-D-02|2024"' in page
    assert 'id="departments"' in page and "省通信管理局济南分局" in page
    # a department officer's own page; a district officer may not see it, a department officer no upload page
    officer = _signed_in(office, office.department(TELECOM))
    assert officer.get("/department").status_code == 200
    assert "SC-D-02" in officer.get(f"/department?system={SMART}").text
    assert officer.get(f"/upload?year={YEAR}&system={SMART}").status_code == 403
    district = _signed_in(office, office.district("370102"))
    assert district.get(f"/department?year={YEAR}&system={SMART}").status_code == 403


def test_a_departments_value_off_its_earlier_year_by_a_unit_mixup_is_flagged(office: Office) -> None:
    # 省通信管理局济南分局 gives 历下区's 2024 SC-D-01 as 0.96 (a share, not a percent) beside 95.5 for 2023
    table = (
        "unit_code,indicator_code,year,value\n"
        "370102,SC-D-01,2023,95.5\n370102,SC-D-01,2024,0.96\n"
        "370103,SC-D-01,2023,90\n370103,SC-D-01,2024,91\n"
    )
    uploaded = _department_upload(office, TELECOM, table.encode())
    assert uploaded.status_code == 201, uploaded.text  # a warning: the reviewer decides
    flagged = [p for p in uploaded.json()["problems"] if p["code"] == "cell.magnitude_vs_last"]
    assert [(p["unit"], p["indicator"], p["year"], p["cell"]) for p in flagged] == [
        ("370102", "SC-D-01", 2024, "D3")
    ]


def test_a_departments_value_is_compared_with_its_accepted_value_of_the_round_before(office: Office) -> None:
    opened = office.client.post(
        "/rounds", json={"year": YEAR - 1, "system_id": SMART, "version": "2025.1"}, headers=office.admin
    )
    assert opened.status_code == 201, opened.text
    before = "unit_code,indicator_code,year,value\n370102,SC-D-01,2023,95.5\n370103,SC-D-01,2023,90\n"
    uploaded = office.client.post(
        f"/rounds/{YEAR - 1}/departments/{TELECOM}/submissions{QUERY}",
        files={"file": ("2023.csv", before.encode(), "text/csv")},
        headers=office.department(TELECOM),
    )
    assert uploaded.status_code == 201, uploaded.text
    accepted = office.client.post(
        f"/rounds/{YEAR - 1}/departments/{TELECOM}/submissions/1/review{QUERY}",
        json={"decision": "accept"},
        headers=office.reviewer,
    )
    assert accepted.status_code == 200, accepted.text
    now = "unit_code,indicator_code,year,value\n370102,SC-D-01,2024,0.96\n370103,SC-D-01,2024,91\n"
    flagged = [
        (p["unit"], p["cell"])
        for p in _department_upload(office, TELECOM, now.encode()).json()["problems"]
        if p["code"] == "cell.magnitude_vs_last"
    ]
    assert flagged == [("370102", "D2")]  # 95.5 accepted for 2023, 0.96 now: a share typed for a percent


def test_english_pages_name_a_department_in_english(office: Office) -> None:
    """The departments' English names (name_en in the unit list) are among the names an English page prints
    through ``english_names``, so the header names a signed-in department officer's department in English."""
    from service.usecases.rounds import english_names

    names = english_names(office.context)
    assert names["省通信管理局济南分局"] == "Shandong Communications Administration (Jinan branch)"
    assert names["市统计局"] == "Jinan Municipal Bureau of Statistics"
