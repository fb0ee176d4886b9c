"""The yearly flow over HTTP with the shipped Jinan forms: open a round, upload, review, close, publish, read.

Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from tests.service.support import JINAN_ID, JINAN_VERSION, YEAR, Office, jinan_forms

PROBLEM_JSON = "application/problem+json"


def test_health_ready_and_docs(office: Office) -> None:
    assert office.client.get("/health").json() == {"status": "ok"}
    assert office.client.get("/ready").json()["status"] == "ready"
    assert office.client.get("/docs").status_code == 200
    paths = office.client.get("/openapi.json").json()["paths"]
    assert "/rounds/{year}/rankings" in paths and "/rounds/{year}/units/{unit}/submissions" in paths


def test_the_shipped_system_is_registered_with_its_hash(office: Office) -> None:
    [listed] = office.client.get("/systems").json()
    assert (listed["id"], listed["version"], listed["frozen"]) == (JINAN_ID, JINAN_VERSION, False)
    detail = office.client.get(f"/systems/{JINAN_ID}/{JINAN_VERSION}").json()
    assert len(detail["content_hash"]) == 64
    assert [u["code"] for u in detail["definition"]["units"]][:2] == ["370102", "370103"]
    office.open_round()
    assert office.client.get("/systems").json()[0] == listed | {"rounds": [YEAR], "frozen": True}


def test_a_district_uploads_its_form_and_gets_the_validation_report(office: Office) -> None:
    office.open_round()
    response = office.upload_form("370102")
    assert response.status_code == 201
    report = response.json()
    content = jinan_forms()["370102"].read_bytes()
    assert report["version"] == 1
    assert report["sha256"] == hashlib.sha256(content).hexdigest()
    assert (report["outcome"], report["status"], report["errors"]) == ("valid", "pending", 0)
    # 33 collected values (27 indicators and 6 components of the 4 derived ones) × 3 years (2022–2024); 历下区
    # marks DI-18 as 不适用, reported as info, not an error
    assert report["values"] == 99
    assert {p["code"] for p in report["problems"]} == {"cell.not_applicable"}
    # the version's URL names its system (every round URL does)
    assert response.headers["location"] == f"/rounds/{YEAR}/units/370102/submissions/1?system={JINAN_ID}"


def test_every_upload_is_a_new_version_and_nothing_is_overwritten(office: Office) -> None:
    office.open_round()
    form = jinan_forms()["370103"].read_bytes()
    assert office.upload_form("370103").json()["version"] == 1
    assert office.upload("370103", "garbage.csv", b"\x00\x01 not a table").status_code == 422
    assert office.upload_form("370103").json()["version"] == 3
    history = office.client.get(f"/rounds/{YEAR}/units/370103/submissions", headers=office.district("370103"))
    assert [(v["version"], v["status"]) for v in history.json()] == [
        (1, "pending"),
        (2, "rejected"),
        (3, "pending"),
    ]
    # the raw bytes of every version are kept, unchanged
    first = office.client.get(f"/rounds/{YEAR}/units/370103/submissions/1/file", headers=office.admin)
    rejected = office.client.get(f"/rounds/{YEAR}/units/370103/submissions/2/file", headers=office.admin)
    assert first.content == form and rejected.content == b"\x00\x01 not a table"


def test_a_bad_cell_gives_422_problem_json_listing_every_cell(office: Office) -> None:
    office.open_round()
    table = "unit_code,indicator_code,year,value\n370104,DI-10,2024,abc\n370104,DI-02,2024,250\n370104,DI-03,2024,7\n"
    response = office.upload("370104", "long.csv", table.encode())
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["type"] == "urn:digiscore:problem:submission-invalid"
    assert body["status"] == 422 and body["submission"]["version"] == 1
    cells = {(p["code"], p["cell"]) for p in body["problems"] if p["severity"] == "error"}
    # B2 is "abc"; 250 % is out of DI-02's range [0, 100]
    assert ("cell.not_number", "D2") in cells and ("cell.out_of_range", "D3") in cells
    assert all(p["message_zh"] and p["message_en"] for p in body["problems"])
    # the rejected attempt is stored
    history = office.client.get(f"/rounds/{YEAR}/units/370104/submissions", headers=office.admin).json()
    assert [(v["version"], v["outcome"]) for v in history] == [(1, "invalid")]


def test_an_upload_for_another_unit_or_without_the_round_year_is_refused(office: Office) -> None:
    office.open_round()
    other = office.upload("370105", "x.csv", b"unit_code,indicator_code,year,value\n370102,DI-02,2024,50\n")
    assert {p["code"] for p in other.json()["problems"]} >= {"submission.other_unit", "data.no_values"}
    old = office.upload("370105", "y.csv", b"unit_code,indicator_code,year,value\n370105,DI-02,2021,50\n")
    assert [p["code"] for p in old.json()["problems"]] == ["data.no_values"]


def test_roles(office: Office) -> None:
    office.open_round()
    form = jinan_forms()["370112"].read_bytes()
    upload = f"/rounds/{YEAR}/units/370112/submissions"
    # the public may not upload; a district only for its own unit
    assert office.client.post(upload, files={"file": ("f.xlsx", form)}).status_code == 401
    wrong = office.client.post(upload, files={"file": ("f.xlsx", form)}, headers=office.district("370102"))
    assert wrong.status_code == 403 and wrong.headers["content-type"] == PROBLEM_JSON
    assert office.upload_form("370112").status_code == 201
    # a district reads its own history only, and cannot review
    assert office.client.get(upload, headers=office.district("370112")).status_code == 200
    assert office.client.get(upload, headers=office.district("370113")).status_code == 403
    own_review = office.client.post(
        f"{upload}/1/review", json={"decision": "accept"}, headers=office.district("370112")
    )
    assert own_review.status_code == 403
    # only an admin opens, closes and publishes rounds
    assert office.client.post(f"/rounds/{YEAR}/close", headers=office.reviewer).status_code == 403
    # a made-up token is refused
    bad = office.client.get(upload, headers={"Authorization": "Bearer dgs_nonsense"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"


def test_review_accept_or_return_with_a_comment(office: Office) -> None:
    office.open_round()
    office.upload_form("370113")
    returned = office.review("370113", 1, "return", "DI-09 增速请核实")
    assert returned.json()["status"] == "returned"
    assert returned.json()["review"]["comment"] == "DI-09 增速请核实"
    assert office.review("370113", 1, "accept").json()["status"] == "accepted"
    # an invalid version cannot be accepted
    office.upload("370113", "bad.csv", b"unit_code,indicator_code,year,value\n370113,DI-02,2024,x\n")
    assert office.review("370113", 2, "accept").status_code == 409
    overview = office.client.get(f"/rounds/{YEAR}/submissions", headers=office.reviewer).json()
    row = next(r for r in overview if r["unit_code"] == "370113")
    assert (row["versions"], row["used_version"], row["latest"]["status"]) == (2, 1, "rejected")


def test_the_blank_form_is_the_engines_template_for_the_round(office: Office) -> None:
    office.open_round()
    response = office.client.get(f"/rounds/{YEAR}/units/370114/form", headers=office.district("370114"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert (
        "filename*=UTF-8''370114_%E7%AB%A0%E4%B8%98%E5%8C%BA_jinan-district-digital_2024.xlsx"
        in response.headers["content-disposition"]
    )
    # the blank form goes straight back in: valid structure, but no values for 2024 yet
    uploaded = office.upload("370114", "blank.xlsx", response.content)
    assert [p["code"] for p in uploaded.json()["problems"] if p["severity"] == "error"][
        -1
    ] == "data.no_values"


def test_results_are_public_only_once_published(office: Office) -> None:
    office.open_round()
    office.upload_form("370102")
    office.upload_form("370103")
    office.review("370102", 1)
    office.review("370103", 1)
    assert office.client.get(f"/rounds/{YEAR}/rankings").status_code == 409
    preview = office.client.get(f"/rounds/{YEAR}/rankings", headers=office.reviewer).json()
    assert preview["published"] is False and preview["total"] == 2
    assert (
        office.client.post(f"/rounds/{YEAR}/publish", headers=office.admin).status_code == 409
    )  # still open
    office.client.post(f"/rounds/{YEAR}/close", headers=office.admin)
    assert office.upload_form("370104").status_code == 409  # closed: no more uploads
    office.client.post(f"/rounds/{YEAR}/publish", headers=office.admin)
    published = office.client.get(f"/rounds/{YEAR}/rankings").json()
    assert published["published"] is True and [i["unit_code"] for i in published["items"]] == [
        i["unit_code"] for i in preview["items"]
    ]
    round_info = office.client.get(f"/rounds/{YEAR}").json()
    assert (
        round_info["status"] == "published" and round_info["results_sha256"] == published["snapshot_sha256"]
    )


def test_results_use_the_latest_accepted_version_per_unit(office: Office) -> None:
    office.open_round()
    office.upload_form("370102")
    office.review("370102", 1)
    lowered = "unit_code,indicator_code,year,value\n" + "".join(
        f"370102,DI-{i:02d},2024,0\n" for i in (1, 2, 4, 5, 6)
    )
    office.upload("370102", "v2.csv", lowered.encode())  # version 2: valid, but never accepted
    office.upload_form("370103")
    office.review("370103", 1)
    office.client.post(f"/rounds/{YEAR}/close", headers=office.admin)
    published = office.client.post(f"/rounds/{YEAR}/publish", headers=office.admin).json()
    assert published["units"] == ["370102", "370103"]
    document = office.client.get(f"/rounds/{YEAR}/results").json()
    assert [(i["unit_code"], i["version"]) for i in document["inputs"]] == [("370102", 1), ("370103", 1)]


def test_rankings_of_the_composite_and_of_a_dimension(published: Office) -> None:
    client = published.client
    composite = client.get(f"/rounds/{YEAR}/rankings").json()
    assert composite["node"] == {"code": "INDEX", "name": "综合指数", "level": 0}
    assert composite["total"] == 14 and [i["rank"] for i in composite["items"]] == list(range(1, 15))
    first = composite["items"][0]
    assert first["tier"] in {"领先", "先进", "追赶", "起步"}
    assert first["score_change"] is not None and first["rank_change"] is not None  # the forms hold 2023 too
    dimension = client.get(f"/rounds/{YEAR}/rankings", params={"node": "B"}).json()
    assert dimension["node"]["name"] == "数字产业化" and dimension["items"][0]["tier"] is None
    page = client.get(f"/rounds/{YEAR}/rankings", params={"offset": 10, "limit": 3}).json()
    assert [i["rank"] for i in page["items"]] == [11, 12, 13] and page["total"] == 14
    assert client.get(f"/rounds/{YEAR}/rankings", params={"node": "NOPE"}).status_code == 404


def test_rankings_csv_escapes_formula_like_text(published: Office) -> None:
    response = published.client.get(f"/rounds/{YEAR}/rankings", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "rank",
        "unit_code",
        "unit_name",
        "node_code",
        "score",
        "tier",
        "score_change",
        "rank_change",
    ]
    assert len(rows) == 15
    # numbers are written as numbers, a negative change included: only text is ever escaped
    assert all(float(r[4]) > 0 for r in rows[1:]) and all(not r[6].startswith("'") for r in rows[1:])
    # text that a spreadsheet would run as a formula gets a leading apostrophe
    from service.results import RoundResults, ranking_csv

    results = RoundResults(
        year=YEAR,
        system={},
        composite="INDEX",
        published=True,
        sha256=None,
        nodes={"INDEX": {"code": "INDEX", "name": "综合指数", "level": 0}},
        by_node={
            "INDEX": [
                {
                    "rank": 1,
                    "unit_code": "=HYPERLINK(1)",
                    "unit_name": "+cmd|' /C calc'!A0",
                    "score": 1.5,
                    "tier": "@x",
                    "score_change": -2.0,
                    "rank_change": None,
                }
            ]
        },
        by_unit={},
        attainment={},
        trend={},
    )
    body = ranking_csv(results, "INDEX", 0, 10).decode("utf-8-sig")
    assert (
        "'=HYPERLINK(1),'+cmd|' /C calc'!A0" in body.replace('"', "") and "'@x" in body and ",-2.0," in body
    )


def test_ranking_pages_come_from_the_snapshot_encoded_once(published: Office) -> None:
    cache = published.context.results
    before = cache.page_builds
    page = {"node": "C", "offset": 2, "limit": 5}  # a page no other test asks for
    first = published.client.get(f"/rounds/{YEAR}/rankings", params=page)
    for _ in range(5):
        again = published.client.get(f"/rounds/{YEAR}/rankings", params=page)
        assert again.content == first.content
    assert cache.page_builds == before + 1
    not_modified = published.client.get(
        f"/rounds/{YEAR}/rankings", params=page, headers={"If-None-Match": first.headers["etag"]}
    )
    assert not_modified.status_code == 304


def test_a_unit_profile_explains_its_score(published: Office) -> None:
    profile = published.client.get(f"/rounds/{YEAR}/units/370102/profile").json()
    assert profile["unit"] == {"code": "370102", "name": "历下区"}
    composite = profile["composite"]
    nodes = {n["code"]: n for n in profile["nodes"]}
    assert nodes["INDEX"]["score"] == composite["score"]
    # the indicators' contributions add up to the composite (Evaluation.explain)
    leaves = [n for n in profile["nodes"] if n["raw_value"] is not None or n["code"] == "DI-18"]
    assert sum(n["contribution"] for n in leaves) == pytest.approx(composite["score"], rel=1e-9)
    # 历下区 marks DI-18 (农业生产信息化率) 不适用: it contributes nothing
    assert nodes["DI-18"]["contribution"] == 0
    assert {a["indicator_code"] for a in profile["attainment"]} and all(
        a["year"] == YEAR for a in profile["attainment"]
    )
    assert sorted({t["year"] for t in profile["trend"]}) == [2022, 2023, 2024]
    assert published.client.get(f"/rounds/{YEAR}/units/999999/profile").status_code == 404


def test_comparing_two_units(published: Office) -> None:
    body = published.client.get(f"/rounds/{YEAR}/compare", params={"a": "370102", "b": "370126"}).json()
    index = next(n for n in body["nodes"] if n["code"] == "INDEX")
    assert index["difference"] == pytest.approx(index["a_score"] - index["b_score"])
    assert (body["a"]["name"], body["b"]["name"]) == ("历下区", "商河县")


def test_publishing_freezes_a_snapshot_that_rescoring_reproduces_exactly(published: Office) -> None:
    stored = published.client.get(f"/rounds/{YEAR}/results")
    digest = hashlib.sha256(stored.content).hexdigest()
    assert digest == published.client.get(f"/rounds/{YEAR}").json()["results_sha256"]
    document = json.loads(stored.content)
    assert document["results"]["system"]["id"] == JINAN_ID and len(document["inputs"]) == 14
    check = published.client.get(f"/rounds/{YEAR}/results/verification", headers=published.admin).json()
    assert check == {
        "year": YEAR,
        "system_id": JINAN_ID,
        "stored_sha256": digest,
        "rescored_sha256": digest,
        "reproduced": True,
    }
    # published is final: no more reviews, no second publication
    assert published.review("370102", 1, "return", "too late").status_code == 409
    assert published.client.post(f"/rounds/{YEAR}/publish", headers=published.admin).status_code == 409


def test_every_write_is_in_the_audit_log(published: Office) -> None:
    log = published.client.get("/audit", params={"limit": 1000}, headers=published.admin).json()
    actions = [entry["action"] for entry in log["items"]]
    assert actions.count("submission.upload") == 14 and actions.count("submission.accept") == 14
    assert {"round.open", "round.close", "round.publish", "system.register"} <= set(actions)
    upload = next(e for e in log["items"] if e["action"] == "submission.upload" and "370102" in e["target"])
    assert upload["sha256"] == hashlib.sha256(jinan_forms()["370102"].read_bytes()).hexdigest()
    assert upload["actor"].endswith(":district:370102")
    assert published.client.get("/audit", headers=published.reviewer).status_code == 403


def test_tokens_are_created_shown_once_and_revoked(office: Office) -> None:
    created = office.client.post(
        "/tokens", json={"role": "district", "unit_code": "370102"}, headers=office.admin
    )
    assert created.status_code == 201
    token = created.json()["token"]
    header = {"Authorization": f"Bearer {token}"}
    office.open_round()
    assert office.client.get(f"/rounds/{YEAR}/units/370102/submissions", headers=header).status_code == 200
    office.client.post(f"/tokens/{created.json()['id']}/revoke", headers=office.admin)
    assert office.client.get(f"/rounds/{YEAR}/units/370102/submissions", headers=header).status_code == 401
    bad = office.client.post("/tokens", json={"role": "district"}, headers=office.admin)
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM_JSON


def test_the_report_of_a_published_round_in_every_format(published: Office) -> None:
    import io

    import openpyxl
    from docx import Document

    client = published.client
    docx = client.get(f"/rounds/{YEAR}/report.docx")
    assert docx.status_code == 200
    assert docx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "区县综合排名与梯队" in text
    xlsx = client.get(f"/rounds/{YEAR}/report.xlsx")
    assert (
        xlsx.status_code == 200 and "综合排名" in openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames
    )
    html = client.get(f"/rounds/{YEAR}/report.html")
    assert html.status_code == 200 and "<html" in html.text
    assert client.get(f"/rounds/{YEAR}/report.html").content == html.content  # built once, served from memory
    assert client.get(f"/rounds/{YEAR}/report.pdf").status_code == 422


def test_whatif_of_a_published_unit_decomposes_the_gap(published: Office) -> None:
    client = published.client
    ranking = client.get(f"/rounds/{YEAR}/rankings").json()["items"]
    second = ranking[1]["unit_code"]
    response = client.get(f"/rounds/{YEAR}/units/{second}/whatif")
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["unit"] == second and document["rank"] == 2
    gap = document["gap"]
    indicators = [row for row in gap if row["node_code"].startswith("DI-")]
    # the indicators' differences add up to the gap to the unit ranked first
    assert sum(row["difference"] for row in indicators) == pytest.approx(
        ranking[0]["score"] - ranking[1]["score"], abs=1e-6
    )
    assert {"goals", "gains", "text"} <= set(document)
    assert client.get(f"/rounds/{YEAR}/units/999999/whatif").status_code == 404
