"""Corrections (更正) and deadlines through the API, on SQLite and PostgreSQL.

A published round changes only by a correction: every other write route of the app (API and dashboard) is sent
a request that would change the round, and the published bytes, their sha256 and the snapshot rows stay as they
were. A unit given leave uploads a corrected form, the reviewer accepts it — still nothing published changes —
and the correction publishes version 2 with its reason; version 1 stays addressable, byte for byte, and the
difference names who moved, by how much and why. A round's deadline refuses late uploads unless an admin gave
the unit leave (audited), and the overview names the units late or missing.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from service import Settings
from service.tables import SnapshotRow
from tests.service.support import JINAN_ID, JINAN_VERSION, YEAR, Office, jinan_forms, running_office

UNITS = ["370102", "370103", "370104"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def form_with(unit: str, cells: dict[str, float]) -> bytes:
    """The unit's sample form with some cells of the data sheet set (columns G, H, I: 2022, 2023, 2024)."""
    workbook = openpyxl.load_workbook(io.BytesIO(jinan_forms()[unit].read_bytes()))
    sheet = workbook["数据填报"]
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def publish_three(office: Office) -> bytes:
    """Round YEAR published from three units' sample forms; the published bytes."""
    office.open_round()
    for unit in UNITS:
        assert office.upload_form(unit).status_code == 201
        assert office.review(unit, 1).status_code == 200
    assert office.client.post(f"/rounds/{YEAR}/close", headers=office.admin).status_code == 200
    published = office.client.post(
        f"/rounds/{YEAR}/publish", json={"missing_units": _missing(office)}, headers=office.admin
    )
    assert published.status_code == 200, published.text
    body: bytes = office.client.get(f"/rounds/{YEAR}/results").content
    return body


def _missing(office: Office) -> list[str]:
    check = office.client.get(f"/rounds/{YEAR}/publication", headers=office.admin).json()
    return [u["code"] for u in check["missing_units"]]


def snapshot_rows(office: Office) -> list[tuple[Any, ...]]:
    with office.context.db.read() as session:
        return [
            (r.id, r.version, r.sha256, r.document, r.inputs_json, r.reason)
            for r in session.execute(select(SnapshotRow).order_by(SnapshotRow.id)).scalars()
        ]


@pytest.fixture
def published(make_settings: Callable[..., Settings]) -> Iterator[tuple[Office, bytes]]:
    with running_office(make_settings()) as office:
        yield office, publish_three(office)


def _web_client(office: Office, role_token: dict[str, str]) -> tuple[Any, str]:
    """A dashboard client signed in with the token of ``role_token`` and its form token."""
    from tests.web.test_web_pages import browser_like, csrf_of, form_token

    client = browser_like(office)
    text = role_token["Authorization"].removeprefix("Bearer ")
    assert client.post("/signin", data={"token": text, "csrf_token": csrf_of(client)}).status_code == 303
    return client, form_token(client)


# a small real PDF (evidence): the header, one empty page, the trailer
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def write_routes(office: Office) -> set[tuple[str, str]]:
    """Every route of the app that writes: (method, path template), API and dashboard."""
    found = set()
    for included in office.app.routes:
        for route in getattr(getattr(included, "original_router", None), "routes", []):
            for method in getattr(route, "methods", set()) & {"POST", "PUT", "PATCH", "DELETE"}:
                found.add((method, route.path))
    return found


def test_nothing_but_a_correction_changes_published_results(published: tuple[Office, bytes]) -> None:
    office, v1 = published
    rows = snapshot_rows(office)
    assert len(rows) == 1 and rows[0][1] == 1 and hashlib.sha256(v1).hexdigest() == rows[0][2]
    admin, reviewer, district = office.admin, office.reviewer, office.district("370102")
    client = office.client
    form = jinan_forms()["370102"].read_bytes()
    web_admin, admin_csrf = _web_client(office, admin)
    web_reviewer, reviewer_csrf = _web_client(office, reviewer)
    web_district, district_csrf = _web_client(office, district)
    year = str(YEAR)
    tried: dict[tuple[str, str], Callable[[], Any]] = {
        ("POST", "/systems"): lambda: client.post(
            "/systems",
            files={"file": ("s.yaml", b"id: x\n", "application/yaml")},
            headers=admin,
        ),
        ("POST", "/rounds"): lambda: client.post(
            "/rounds", json={"year": YEAR, "system_id": JINAN_ID, "version": JINAN_VERSION}, headers=admin
        ),
        ("POST", "/rounds/{year}/close"): lambda: client.post(f"/rounds/{YEAR}/close", headers=admin),
        ("POST", "/rounds/{year}/cancel"): lambda: client.post(f"/rounds/{YEAR}/cancel", headers=admin),
        ("POST", "/rounds/{year}/reopen"): lambda: client.post(
            f"/rounds/{YEAR}/reopen", json={"reason": "改数"}, headers=admin
        ),
        ("PUT", "/rounds/{year}/deadline"): lambda: client.put(
            f"/rounds/{YEAR}/deadline", json={"deadline": "2030-01-01T00:00:00Z"}, headers=admin
        ),
        ("POST", "/rounds/{year}/publish"): lambda: client.post(
            f"/rounds/{YEAR}/publish", json={"missing_units": []}, headers=admin
        ),
        ("POST", "/rounds/{year}/corrections"): lambda: client.post(
            f"/rounds/{YEAR}/corrections", json={"reason": "无变化"}, headers=admin
        ),
        ("POST", "/rounds/{year}/units/{unit}/submissions"): lambda: client.post(
            f"/rounds/{YEAR}/units/370102/submissions",
            files={"file": ("370102.xlsx", form, XLSX)},
            headers=district,
        ),
        ("POST", "/rounds/{year}/units/{unit}/submissions/{version}/review"): lambda: client.post(
            f"/rounds/{YEAR}/units/370102/submissions/1/review",
            json={"decision": "return", "comment": "再核"},
            headers=reviewer,
        ),
        ("POST", "/tokens"): lambda: client.post("/tokens", json={"role": "reviewer"}, headers=admin),
        ("POST", "/tokens/{token_id}/revoke"): lambda: client.post("/tokens/999/revoke", headers=admin),
        ("POST", "/upload"): lambda: web_district.post(
            "/upload",
            data={"year": year, "unit": "370102", "csrf_token": district_csrf},
            files={"file": ("370102.xlsx", form, XLSX)},
        ),
        ("POST", "/review"): lambda: web_reviewer.post(
            "/review",
            data={
                "year": year,
                "unit": "370102",
                "version": "1",
                "decision": "return",
                "comment": "再核",
                "csrf_token": reviewer_csrf,
            },
        ),
        ("POST", "/admin/open"): lambda: web_admin.post(
            "/admin/open",
            data={
                "year": year,
                "system": f"{JINAN_ID}@{JINAN_VERSION}",
                "confirm": "true",
                "csrf_token": admin_csrf,
            },
        ),
        ("POST", "/admin/cancel"): lambda: web_admin.post(
            "/admin/cancel", data={"year": year, "confirm": "true", "csrf_token": admin_csrf}
        ),
        ("POST", "/admin/close"): lambda: web_admin.post(
            "/admin/close", data={"year": year, "csrf_token": admin_csrf}
        ),
        ("POST", "/admin/reopen"): lambda: web_admin.post(
            "/admin/reopen", data={"year": year, "reason": "改数", "csrf_token": admin_csrf}
        ),
        ("POST", "/admin/publish"): lambda: web_admin.post(
            "/admin/publish", data={"year": year, "confirm": "true", "csrf_token": admin_csrf}
        ),
        ("POST", "/admin/deadline"): lambda: web_admin.post(
            "/admin/deadline", data={"year": year, "deadline": "2030-01-01T00:00", "csrf_token": admin_csrf}
        ),
        ("POST", "/admin/correct"): lambda: web_admin.post(
            "/admin/correct",
            data={"year": year, "reason": "无变化", "confirm": "true", "csrf_token": admin_csrf},
        ),
        ("POST", "/rounds/{year}/units/{unit}/submissions/{version}/evidence/{indicator}"): lambda: (
            client.post(
                f"/rounds/{YEAR}/units/370102/submissions/1/evidence/DI-02",
                files={"file": ("清单.pdf", PDF, "application/pdf")},
                headers=district,
            )
        ),
        ("POST", "/upload/evidence"): lambda: web_district.post(
            "/upload/evidence",
            data={
                "year": year,
                "unit": "370102",
                "version": "1",
                "indicator": "DI-02",
                "csrf_token": district_csrf,
            },
            files={"file": ("清单.pdf", PDF, "application/pdf")},
        ),
        # the district system has no department: a department's table and review are refused
        ("POST", "/rounds/{year}/departments/{department}/submissions"): lambda: client.post(
            f"/rounds/{YEAR}/departments/JN-TJJ/submissions",
            files={"file": ("table.csv", b"unit_code,indicator_code,year,value\n", "text/csv")},
            headers=admin,
        ),
        ("POST", "/rounds/{year}/departments/{department}/submissions/{version}/review"): lambda: client.post(
            f"/rounds/{YEAR}/departments/JN-TJJ/submissions/1/review",
            json={"decision": "accept"},
            headers=reviewer,
        ),
        ("POST", "/department"): lambda: web_admin.post(
            "/department",
            data={"year": year, "department": "JN-TJJ", "csrf_token": admin_csrf},
            files={"file": ("table.csv", b"unit_code,indicator_code,year,value\n", "text/csv")},
        ),
        ("POST", "/signin"): lambda: web_admin.post("/signin", data={"token": "x", "csrf_token": admin_csrf}),
        ("POST", "/signout"): lambda: web_district.post("/signout", data={"csrf_token": district_csrf}),
        # last: leave for 370104 to upload (it changes nothing published by itself)
        ("POST", "/rounds/{year}/units/{unit}/late-uploads"): lambda: client.post(
            f"/rounds/{YEAR}/units/370104/late-uploads",
            json={"until": "2199-01-01T00:00:00Z", "reason": "补报"},
            headers=admin,
        ),
        ("POST", "/admin/leave"): lambda: web_admin.post(
            "/admin/leave",
            data={
                "year": year,
                "unit": "370104",
                "until": "2199-01-01T00:00",
                "reason": "补报",
                "csrf_token": admin_csrf,
            },
        ),
    }
    assert set(tried) == write_routes(office), "a write route this test does not try"
    statuses = {}
    for route, send in tried.items():
        statuses[route] = send().status_code
        assert client.get(f"/rounds/{YEAR}/results").content == v1, route
        assert snapshot_rows(office) == rows, route
    # refused with a reason, not by accident: each write on the published round says why
    assert statuses[("POST", "/rounds/{year}/publish")] == 409
    assert statuses[("POST", "/rounds/{year}/corrections")] == 409  # nothing to correct
    assert statuses[("POST", "/rounds/{year}/units/{unit}/submissions")] == 409  # no leave
    assert statuses[("POST", "/rounds/{year}/units/{unit}/submissions/{version}/review")] == 409
    assert statuses[("POST", "/rounds/{year}/reopen")] == 409
    assert statuses[("PUT", "/rounds/{year}/deadline")] == 409
    assert statuses[("POST", "/admin/correct")] == 409 and statuses[("POST", "/admin/publish")] == 409
    assert statuses[("POST", "/rounds/{year}/units/{unit}/late-uploads")] == 201
    # evidence is attached to a version awaiting review only; no department supplies the district system
    assert statuses[("POST", "/rounds/{year}/units/{unit}/submissions/{version}/evidence/{indicator}")] == 409
    assert statuses[("POST", "/rounds/{year}/departments/{department}/submissions")] in (403, 404, 422)

    # leave for 370102; its corrected form (DI-02 of 2024 up) is uploaded and accepted: still version 1
    until = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    leave = client.post(
        f"/rounds/{YEAR}/units/370102/late-uploads",
        json={"until": until, "reason": "更正 DI-02"},
        headers=admin,
    )
    assert leave.status_code == 201, leave.text
    assert (
        client.post(
            f"/rounds/{YEAR}/units/370102/late-uploads",
            json={"until": until, "reason": "x"},
            headers=reviewer,
        ).status_code
        == 403
    )
    corrected = form_with("370102", {"I9": 99.0})
    uploaded = client.post(
        f"/rounds/{YEAR}/units/370102/submissions",
        files={"file": ("370102.xlsx", corrected, XLSX)},
        headers=district,
    )
    assert uploaded.status_code == 201, uploaded.text
    version = uploaded.json()["version"]
    assert office.review("370102", version).status_code == 200
    assert client.get(f"/rounds/{YEAR}/results").content == v1 and snapshot_rows(office) == rows

    no_reason = client.post(f"/rounds/{YEAR}/corrections", json={"reason": ""}, headers=admin)
    assert no_reason.status_code == 422
    by_reviewer = client.post(f"/rounds/{YEAR}/corrections", json={"reason": "x"}, headers=reviewer)
    assert by_reviewer.status_code == 403
    check = client.get(f"/rounds/{YEAR}/correction", headers=admin).json()
    assert check["changed"] == [{"unit_code": "370102", "before": 1, "after": version}]
    made = client.post(
        f"/rounds/{YEAR}/corrections",
        json={
            "reason": "历下区 DI-02 填报有误，已更正",
            "missing_units": [u["code"] for u in check["missing_units"]],
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert made.json()["version"] == 2

    # the current results are version 2; version 1 is the same bytes as before, and both verify
    current = client.get(f"/rounds/{YEAR}/results")
    assert current.headers["x-results-version"] == "2" and current.content != v1
    document = json.loads(current.content)
    assert document["correction"] == {
        "version": 2,
        "reason": "历下区 DI-02 填报有误，已更正",
        "replaces": {"version": 1, "sha256": rows[0][2]},
    }
    assert (
        client.get(f"/rounds/{YEAR}").json()["results_sha256"] == hashlib.sha256(current.content).hexdigest()
    )
    assert client.get(f"/rounds/{YEAR}").json()["results_version"] == 2
    first = client.get(f"/rounds/{YEAR}/results/versions/1")
    assert first.content == v1 and first.headers["etag"] == f'"{rows[0][2]}"'
    assert snapshot_rows(office)[0] == rows[0]  # the row itself untouched
    versions = client.get(f"/rounds/{YEAR}/results/versions").json()
    assert [(v["version"], v["current"], v["reason"]) for v in versions] == [
        (1, False, None),
        (2, True, "历下区 DI-02 填报有误，已更正"),
    ]
    for number in (1, 2):
        verified = client.get(
            f"/rounds/{YEAR}/results/verification", params={"version": number}, headers=reviewer
        ).json()
        assert verified["reproduced"] is True, number
    assert client.get(f"/rounds/{YEAR}/results/versions/3").status_code == 404

    # the difference: who moved, by how much, why
    diff = client.get(f"/rounds/{YEAR}/results/versions/2/diff").json()
    assert diff["reason"] == "历下区 DI-02 填报有误，已更正"
    assert diff["inputs_changed"] == [{"unit_code": "370102", "before": 1, "after": version}]
    lixia = next(u for u in diff["units"] if u["unit_code"] == "370102")
    assert lixia["moved"] and lixia["score_after"] > lixia["score_before"]
    assert lixia["score_change"] == pytest.approx(lixia["score_after"] - lixia["score_before"])
    old = json.loads(v1)["results"]["results"]
    before = next(r for r in old if r["unit_code"] == "370102" and r["level"] == 0)
    assert lixia["score_before"] == before["score"] and lixia["rank_before"] == before["rank"]
    assert diff["units"][0]["moved"]  # those that moved come first
    assert client.get(f"/rounds/{YEAR}/results/versions/1/diff").status_code == 404
    report = client.get(f"/rounds/{YEAR}/report.html")
    assert report.status_code == 200
    assert "结果版本：第 2 版（更正，原因：历下区 DI-02 填报有误，已更正）" in report.text
    assert f"/rounds/{YEAR}/results/versions/1" in report.text
    rankings = client.get(f"/rounds/{YEAR}/rankings").json()
    assert rankings["snapshot_sha256"] == hashlib.sha256(current.content).hexdigest()
    entries = client.get("/audit", headers=admin).json()["items"]
    [entry] = [e for e in entries if e["action"] == "round.correct"]
    assert entry["detail"]["reason"] == "历下区 DI-02 填报有误，已更正" and entry["detail"]["version"] == 2
    assert any(e["action"] == "submission.allow_late" for e in entries)


def test_a_deadline_refuses_late_uploads_unless_an_admin_gave_leave(
    make_settings: Callable[..., Settings],
) -> None:
    with running_office(make_settings()) as office:
        clock = [datetime(2025, 3, 1, tzinfo=UTC)]
        office.context.clock = lambda: clock[0]
        office.open_round()
        deadline = "2025-03-31T16:00:00Z"  # 1 April, midnight in Jinan
        assert (
            office.client.put(
                f"/rounds/{YEAR}/deadline", json={"deadline": deadline}, headers=office.reviewer
            ).status_code
            == 403
        )
        naive = office.client.put(
            f"/rounds/{YEAR}/deadline", json={"deadline": "2025-03-31T16:00:00"}, headers=office.admin
        )
        assert naive.status_code == 422  # a time without its zone is ambiguous
        set_ = office.client.put(
            f"/rounds/{YEAR}/deadline", json={"deadline": deadline}, headers=office.admin
        )
        assert set_.status_code == 200 and set_.json()["deadline"] == "2025-03-31T16:00:00+00:00"
        assert office.upload_form("370102").status_code == 201  # on time
        clock[0] = datetime(2025, 4, 2, tzinfo=UTC)
        late = office.upload_form("370103")
        assert late.status_code == 409
        [problem] = late.json()["problems"]
        assert problem["code"] == "round.deadline_passed"
        assert "截止时间（2025-03-31 16:00 UTC）已过，370103 未获准逾期上传" in problem["message_zh"]
        leave = office.client.post(
            f"/rounds/{YEAR}/units/370103/late-uploads",
            json={"until": "2025-04-05T00:00:00Z", "reason": "系统故障，准予补报"},
            headers=office.admin,
        )
        assert leave.status_code == 201
        assert office.upload_form("370104").status_code == 409  # leave is per unit
        assert office.upload_form("370103").status_code == 201
        clock[0] = datetime(2025, 4, 6, tzinfo=UTC)
        assert office.upload_form("370103").status_code == 409  # the leave has run out
        overview = {
            u["unit_code"]: u["timeliness"]
            for u in office.client.get(f"/rounds/{YEAR}/submissions", headers=office.reviewer).json()
        }
        assert overview["370102"] == "on_time" and overview["370103"] == "late"
        assert overview["370104"] == "missing"
        entries = office.client.get("/audit", headers=office.admin).json()["items"]
        assert [e["detail"]["reason"] for e in entries if e["action"] == "submission.allow_late"] == [
            "系统故障，准予补报"
        ]
        [late_upload] = [
            e
            for e in entries
            if e["action"] == "submission.upload" and e["target"] == f"round:{YEAR}@{JINAN_ID}/unit:370103/v1"
        ]
        assert late_upload["detail"]["late"] is True
        assert any(e["action"] == "round.deadline" for e in entries)


def test_a_return_names_cells_and_needs_a_comment(make_settings: Callable[..., Settings]) -> None:
    with running_office(make_settings()) as office:
        office.open_round()
        assert office.upload_form("370102").status_code == 201
        url = f"/rounds/{YEAR}/units/370102/submissions/1/review"
        bare = office.client.post(url, json={"decision": "return"}, headers=office.reviewer)
        assert bare.status_code == 422 and bare.json()["problems"][0]["code"] == "review.return_needs_comment"
        unknown = office.client.post(
            url,
            json={"decision": "return", "cells": [{"indicator_code": "NOPE", "year": YEAR, "comment": "?"}]},
            headers=office.reviewer,
        )
        assert unknown.status_code == 422 and unknown.json()["problems"][0]["code"] == "review.unknown_cell"
        returned = office.client.post(
            url,
            json={
                "decision": "return",
                "cells": [{"indicator_code": "DI-02", "year": YEAR, "comment": "请核实千兆宽带用户占比"}],
            },
            headers=office.reviewer,
        )
        assert returned.status_code == 200, returned.text
        review = returned.json()["review"]
        assert review["decision"] == "return" and review["comment"] is None
        assert review["cells"] == [
            {
                "indicator_code": "DI-02",
                "year": YEAR,
                "location": "370102_历下区.xlsx!数据填报!I9",
                "comment": "请核实千兆宽带用户占比",
            }
        ]
        shown = office.client.get(url.removesuffix("/review"), headers=office.district("370102")).json()
        assert shown["status"] == "returned" and shown["review"]["cells"] == review["cells"]
