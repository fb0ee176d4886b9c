"""A round's lifecycle through the API, on SQLite and PostgreSQL: a year too far ahead is refused, a round
opened by mistake is cancelled (and its year opened again), a closed round is reopened with a reason, and
publishing lists — and, when asked, checks — the units without an accepted version."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from service import Settings
from service.results import encode_document
from service.tables import SnapshotRow
from tests.service.support import JINAN_ID, JINAN_VERSION, YEAR, Office, running_office

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def clocked(make_settings: Callable[..., Settings]) -> Iterator[Office]:
    """An office whose clock says 1 June 2026."""
    with running_office(make_settings()) as office:
        office.context.clock = lambda: NOW  # the app's clock, which every use case asks
        yield office


def _open(office: Office, year: int) -> object:
    return office.client.post(
        "/rounds", json={"year": year, "system_id": JINAN_ID, "version": JINAN_VERSION}, headers=office.admin
    )


def _audit(office: Office) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = office.client.get("/audit", headers=office.admin).json()["items"]
    return entries


def test_a_year_more_than_one_ahead_of_the_clock_is_refused(clocked: Office) -> None:
    refused = _open(clocked, 2150)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    body = refused.json()  # type: ignore[attr-defined]
    assert body["type"] == "urn:digiscore:problem:round-year-too-far"
    [problem] = body["problems"]
    assert problem["code"] == "round.year_too_far"
    assert "当前是 2026 年，最多只能开启到 2027 年" in problem["message_zh"]
    assert "the current year is 2026" in problem["message_en"]
    assert _open(clocked, 2028).status_code == 422  # type: ignore[attr-defined]
    assert _open(clocked, 2027).status_code == 201  # type: ignore[attr-defined]  # next year: allowed
    assert [r["year"] for r in clocked.client.get("/rounds").json()] == [2027]


def test_a_round_without_submissions_is_cancelled_and_its_year_opened_again(office: Office) -> None:
    office.open_round(2025)
    cancelled = office.client.post("/rounds/2025/cancel", json={"reason": "年份输错"}, headers=office.admin)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert office.client.post("/rounds/2025/cancel", headers=office.admin).status_code == 409  # already
    assert office.upload_form("370102", 2025).status_code == 409  # a cancelled round takes no upload
    assert office.client.post("/rounds/2025/close", headers=office.admin).status_code == 409
    [entry] = [e for e in _audit(office) if e["action"] == "round.cancel"]
    assert entry["target"] == "round:2025@jinan-district-digital" and entry["detail"] == {
        "reason": "年份输错",
        "was": "open",
    }
    office.open_round(2025)  # the year is free again
    assert office.client.get("/rounds/2025").json()["status"] == "open"


def test_a_round_with_a_submission_cannot_be_cancelled(office: Office) -> None:
    office.open_round()
    assert office.upload_form("370102").status_code == 201
    assert office.client.post(f"/rounds/{YEAR}/cancel", headers=office.reviewer).status_code == 403
    refused = office.client.post(f"/rounds/{YEAR}/cancel", headers=office.admin)
    assert refused.status_code == 409
    assert refused.json()["problems"][0]["message_zh"].startswith(f"{YEAR} 年度轮次已有 1 份填报，不能取消")
    assert office.client.get(f"/rounds/{YEAR}").json()["status"] == "open"


def test_a_closed_round_is_reopened_with_a_reason_before_publication(office: Office) -> None:
    office.open_round()
    assert (
        office.client.post(f"/rounds/{YEAR}/reopen", json={"reason": "x"}, headers=office.admin).status_code
        == 409
    )
    office.client.post(f"/rounds/{YEAR}/close", headers=office.admin)
    assert office.upload_form("370102").status_code == 409
    no_reason = office.client.post(f"/rounds/{YEAR}/reopen", json={"reason": ""}, headers=office.admin)
    assert no_reason.status_code == 422
    assert (
        office.client.post(
            f"/rounds/{YEAR}/reopen", json={"reason": "x"}, headers=office.reviewer
        ).status_code
        == 403
    )
    reopened = office.client.post(
        f"/rounds/{YEAR}/reopen", json={"reason": "历下区补报"}, headers=office.admin
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    assert reopened.json()["closed_at"] is None
    [entry] = [e for e in _audit(office) if e["action"] == "round.reopen"]
    assert entry["detail"]["reason"] == "历下区补报"  # type: ignore[index]
    assert office.upload_form("370102").status_code == 201  # uploads again
    assert office.review("370102", 1).status_code == 200
    office.client.post(f"/rounds/{YEAR}/close", headers=office.admin)
    office.client.post(f"/rounds/{YEAR}/publish", headers=office.admin)
    again = office.client.post(f"/rounds/{YEAR}/reopen", json={"reason": "改数"}, headers=office.admin)
    assert again.status_code == 409  # published results never reopen


def test_publishing_lists_the_units_without_an_accepted_version(office: Office) -> None:
    office.open_round()
    for unit in ("370102", "370103"):
        office.upload_form(unit)
        office.review(unit, 1)
    office.upload_form("370104")  # uploaded, never accepted: missing too
    assert office.client.get(f"/rounds/{YEAR}/publication", headers=office.admin).status_code == 409  # open
    office.client.post(f"/rounds/{YEAR}/close", headers=office.admin)
    check = office.client.get(f"/rounds/{YEAR}/publication", headers=office.admin).json()
    assert check["units"] == ["370102", "370103"]
    missing = [u["code"] for u in check["missing_units"]]
    assert len(missing) == 12 and "370104" in missing and "370102" not in missing
    assert check["missing_units"][missing.index("370104")]["name"] == "槐荫区"
    wrong = office.client.post(
        f"/rounds/{YEAR}/publish", json={"missing_units": missing[1:]}, headers=office.admin
    )
    assert wrong.status_code == 409 and wrong.json()["missing_units"] == missing
    assert office.client.get(f"/rounds/{YEAR}").json()["status"] == "closed"
    published = office.client.post(
        f"/rounds/{YEAR}/publish", json={"missing_units": missing}, headers=office.admin
    )
    assert published.status_code == 200 and published.json()["missing_units"] == missing
    document = office.client.get(f"/rounds/{YEAR}/results").json()
    assert document["missing_units"] == missing
    [entry] = [e for e in _audit(office) if e["action"] == "round.publish"]
    assert entry["detail"]["missing_units"] == missing  # type: ignore[index]
    verified = office.client.get(f"/rounds/{YEAR}/results/verification", headers=office.admin).json()
    assert verified["reproduced"] is True


def test_a_snapshot_frozen_before_the_missing_list_still_verifies(office: Office) -> None:
    office.open_round()
    office.upload_form("370102")
    office.review("370102", 1)
    office.client.post(f"/rounds/{YEAR}/close", headers=office.admin)
    office.client.post(f"/rounds/{YEAR}/publish", headers=office.admin)
    # rewrite the snapshot as publishing wrote it before the list existed: the same document without the key
    with office.context.db.write() as session:
        row = session.execute(select(SnapshotRow)).scalar_one()
        document = json.loads(zlib.decompress(row.document))
        del document["missing_units"]
        old = encode_document(document)
        row.document, row.sha256 = zlib.compress(old, 6), hashlib.sha256(old).hexdigest()
    office.context.results.forget(YEAR, JINAN_ID)
    assert office.client.get(f"/rounds/{YEAR}/results").content == old
    verified = office.client.get(f"/rounds/{YEAR}/results/verification", headers=office.admin).json()
    assert verified["stored_sha256"] == hashlib.sha256(old).hexdigest() and verified["reproduced"] is True
