"""数据缺失说明 in the service (issue 15 item 6): an upload declaring a value unavailable with a reason is valid,
but the reviewer accepts it only by accepting the reason too; the accepted value counts as missing in the
published results, which keep the reason. On SQLite and PostgreSQL."""

from __future__ import annotations

import io

import openpyxl

from tests.service.support import YEAR, Office, jinan_forms

REASON = "2024 年起由市统计局统一核算，区县无分区数据"


def form_declaring_unavailable(unit: str, code: str) -> bytes:
    """The unit's sample form with ``code`` of 2024 written 数据缺失 and the reason in its row's 备注."""
    book = openpyxl.load_workbook(jinan_forms()[unit])
    sheet = book["数据填报"]
    header = [cell.value for cell in sheet[8]]
    year_col, remark_col = header.index(YEAR) + 1, header.index("备注") + 1
    row = next(r for r in range(9, sheet.max_row + 1) if sheet.cell(r, 1).value == code)
    sheet.cell(row, year_col).value = "数据缺失"
    sheet.cell(row, remark_col).value = REASON
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_unavailable_value_needs_the_reason_accepted_and_counts_as_missing(office: Office) -> None:
    office.open_round()
    uploaded = office.upload("370102", "form.xlsx", form_declaring_unavailable("370102", "DI-08"))
    assert uploaded.status_code == 201, uploaded.text
    report = uploaded.json()
    assert report["outcome"] == "valid" and report["status"] == "pending"
    assert [(d["indicator_code"], d["year"], d["reason"]) for d in report["unavailable"]] == [
        ("DI-08", YEAR, REASON)
    ]
    assert any(p["code"] == "cell.unavailable" and p["severity"] == "warning" for p in report["problems"])

    # accepting the version without accepting the reason: refused, naming the value and its reason
    refused = office.review("370102", 1, "accept")
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"].endswith("unavailable-not-accepted")
    (listed,) = problem["problems"]
    assert listed["code"] == "review.unavailable_not_accepted" and REASON in listed["message_zh"]

    url = f"/rounds/{YEAR}/units/370102/submissions/1/review"
    accepted = office.client.post(
        url, json={"decision": "accept", "accept_unavailable": True}, headers=office.reviewer
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"

    office.upload_form("370103")
    office.review("370103", 1)
    office.client.post(f"/rounds/{YEAR}/close", headers=office.admin)
    assert office.client.post(f"/rounds/{YEAR}/publish", headers=office.admin).status_code == 200
    document = office.client.get(f"/rounds/{YEAR}/results").json()
    assert document["results"]["unavailable"] == [
        {"unit_code": "370102", "indicator_code": "DI-08", "year": YEAR, "reason": REASON}
    ]
    audit = office.client.get("/audit", headers=office.admin).json()
    entries = audit["items"] if isinstance(audit, dict) else audit
    accepted_entry = next(
        e for e in entries if e["action"] == "submission.accept" and "370102" in e["target"]
    )
    assert REASON in str(accepted_entry)


def test_a_reviewer_may_return_an_unacceptable_reason(office: Office) -> None:
    office.open_round()
    office.upload("370104", "form.xlsx", form_declaring_unavailable("370104", "DI-02"))
    returned = office.client.post(
        f"/rounds/{YEAR}/units/370104/submissions/1/review",
        json={
            "decision": "return",
            "cells": [{"indicator_code": "DI-02", "year": YEAR, "comment": "运营商台账有分区数据，请补填"}],
        },
        headers=office.reviewer,
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    # the form sent back keeps 数据缺失 and the district's reason where they were written
    form = office.client.get(
        f"/rounds/{YEAR}/units/370104/submissions/1/annotated", headers=office.district("370104")
    )
    assert form.status_code == 200, form.text
    sheet = openpyxl.load_workbook(io.BytesIO(form.content))["数据填报"]
    header = [cell.value for cell in sheet[8]]
    row = next(r for r in range(9, sheet.max_row + 1) if sheet.cell(r, 1).value == "DI-02")
    assert sheet.cell(row, header.index(YEAR) + 1).value == "数据缺失"
    assert sheet.cell(row, header.index("备注") + 1).value == REASON
