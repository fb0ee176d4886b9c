"""Evidence files (佐证材料) on submissions, on SQLite and PostgreSQL: a district attaches files to indicators of
its latest version; its district and staff may list and download them, nobody else; hostile files get a 4xx in
Chinese and English and nothing stored changes; the count and size limits of the settings hold; a version keeps
the evidence of the unit's earlier versions; a version lacking evidence its system requires cannot be accepted,
and the district sees which is missing."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any

import openpyxl
from sqlalchemy import func, inspect, select, text

from service import Settings
from service.db import Database
from service.settings import INDICATORS_DIR
from service.tables import AuditRow, EvidenceBlobRow, EvidenceRow
from tests import evidence_files as files
from tests.service.support import REPO, YEAR, Office, running_office
from tests.service.test_rounds_per_system import GOV, SYSTEM_FILES, _downgrade, _unit_table
from tests.service.test_rounds_per_system import TABLES as ROUNDS_TABLES

UNIT, OTHER = "370102", "370103"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BASE = f"/rounds/{YEAR}/units/{UNIT}/submissions"


def attach(office: Office, indicator: str, name: str, content: bytes, version: int = 1, **kw: Any) -> Any:
    return office.client.post(
        f"{BASE}/{version}/evidence/{indicator}",
        files={"file": (name, content, kw.get("content_type", "application/pdf"))},
        headers=kw.get("headers", office.district(UNIT)),
    )


def stored(office: Office) -> tuple[int, int, int]:
    """How many evidence files, blobs and audit entries the database holds."""
    with office.context.db.read() as session:
        return (
            session.execute(select(func.count()).select_from(EvidenceRow)).scalar_one(),
            session.execute(select(func.count()).select_from(EvidenceBlobRow)).scalar_one(),
            session.execute(select(func.count()).select_from(AuditRow)).scalar_one(),
        )


def test_a_district_attaches_evidence_that_its_district_and_staff_may_download(office: Office) -> None:
    office.open_round()
    assert office.upload_form(UNIT).status_code == 201
    content = files.pdf("5G evidence")
    made = attach(
        office, "C-5G", "5G基站清单.pdf", content, content_type="image/png"
    )  # the header is ignored
    assert made.status_code == 201, made.text
    item = made.json()
    assert item["sha256"] == hashlib.sha256(content).hexdigest() and item["size"] == len(content)
    assert item["media_type"] == "application/pdf" and item["version"] == 1
    assert item["file_name"] == "5G基站清单.pdf" and item["indicator_code"] == "C-5G"
    url = f"{BASE}/1/evidence/file/{item['id']}"
    assert made.headers["location"] == url
    # the same bytes again: nothing new, the earlier file
    again = attach(office, "C-5G", "copy.pdf", content)
    assert again.status_code == 200 and again.json()["id"] == item["id"]
    # a PNG for another indicator; the same PDF for a third one is kept once (content-addressed)
    assert attach(office, "DI-02", "photo.png", files.png()).status_code == 201
    assert attach(office, "DI-03", "same.pdf", content).status_code == 201
    assert stored(office)[:2] == (3, 2)
    listed = office.client.get(f"{BASE}/1/evidence", headers=office.district(UNIT)).json()
    assert [(e["indicator_code"], e["media_type"]) for e in listed["evidence"]] == [
        ("C-5G", "application/pdf"),
        ("DI-02", "image/png"),
        ("DI-03", "application/pdf"),
    ]
    assert listed["required"] == [] and listed["missing"] == []  # the district system requires none
    # downloads: the district of the unit and staff; the bytes unchanged, never rendered
    for headers in (office.district(UNIT), office.reviewer, office.admin):
        got = office.client.get(url, headers=headers)
        assert got.status_code == 200 and got.content == content
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["etag"] == f'"{item["sha256"]}"'
        assert got.headers["x-content-type-options"] == "nosniff"
    # not the public, not another district — neither the file nor the list — and no attaching for another unit
    assert office.client.get(url).status_code == 401
    assert office.client.get(url, headers=office.district(OTHER)).status_code == 403
    assert office.client.get(f"{BASE}/1/evidence", headers=office.district(OTHER)).status_code == 403
    assert attach(office, "DI-04", "x.pdf", files.pdf(), headers=office.district(OTHER)).status_code == 403
    assert attach(office, "DI-04", "x.pdf", files.pdf(), headers={}).status_code == 401
    # unknown things are 404: indicator (with the message in both languages), version, file
    unknown = attach(office, "NOPE", "x.pdf", files.pdf())
    assert unknown.status_code == 404
    [problem] = unknown.json()["problems"]
    assert "NOPE" in problem["message_zh"] and "NOPE" in problem["message_en"]
    assert attach(office, "DI-04", "x.pdf", files.pdf(), version=2).status_code == 404
    assert office.client.get(f"{BASE}/1/evidence/file/999", headers=office.reviewer).status_code == 404


HOSTILE = [
    ("report.pdf", files.zip_bomb(), 422, "upload.zip_bomb"),  # a "PDF" that is really a zip bomb
    ("photo.png", files.executable(), 422, "evidence.executable"),  # an executable renamed .png
    ("empty.pdf", b"", 422, "upload.empty"),
    ("big.pdf", files.pdf() + b" " * 70_000, 413, "evidence.too_large"),  # over the limit of these settings
    ("macro.docx", files.docx(extra={"word/vbaProject.bin": b"\x00" * 64}), 422, "evidence.macro"),
    ("xxe.docx", files.docx(document=files.XXE), 422, "upload.unsafe_xml"),
    ("scan.png", files.pdf(), 422, "evidence.type_mismatch"),
    ("notes.txt", b"plain text", 422, "evidence.file_type"),
]


def test_hostile_evidence_gets_a_clear_4xx_and_nothing_stored_changes(
    make_settings: Callable[..., Settings],
) -> None:
    with running_office(make_settings(max_evidence_bytes=65_536)) as office:
        office.open_round()
        assert office.upload_form(UNIT).status_code == 201
        good = files.pdf("kept")
        assert attach(office, "C-5G", "kept.pdf", good).status_code == 201
        before = stored(office)
        listing = office.client.get(f"{BASE}/1/evidence", headers=office.reviewer).json()
        for name, content, status, code in HOSTILE:
            refused = attach(office, "C-5G", name, content)
            assert refused.status_code == status, (name, refused.text)
            assert refused.headers["content-type"] == "application/problem+json"
            [problem] = refused.json()["problems"]
            assert problem["code"] == code, name
            assert problem["message_zh"] and problem["message_en"] and problem["file"] == name
            assert problem["message_zh"] != problem["message_en"]
        assert stored(office) == before  # no file, no blob, not even an audit entry
        assert office.client.get(f"{BASE}/1/evidence", headers=office.reviewer).json() == listing
        [kept] = listing["evidence"]
        got = office.client.get(f"{BASE}/1/evidence/file/{kept['id']}", headers=office.reviewer)
        assert got.content == good


def test_the_count_limit_and_which_version_takes_evidence(make_settings: Callable[..., Settings]) -> None:
    with running_office(make_settings(max_evidence_files=2)) as office:
        office.open_round()
        assert office.upload_form(UNIT).status_code == 201
        assert attach(office, "C-5G", "a.pdf", files.pdf("a")).status_code == 201
        assert attach(office, "C-5G", "b.png", files.png()).status_code == 201
        third = attach(office, "C-5G", "c.pdf", files.pdf("c"))
        assert third.status_code == 409 and third.json()["type"].endswith("evidence-too-many")
        assert "上限 2" in third.json()["problems"][0]["message_zh"]
        assert attach(office, "DI-02", "c.pdf", files.pdf("c")).status_code == 201  # per indicator
        # a new version keeps the evidence of the earlier one; the earlier version takes no more
        assert office.upload_form(UNIT).status_code == 201
        carried = office.client.get(f"{BASE}/2/evidence", headers=office.district(UNIT)).json()["evidence"]
        assert [(e["indicator_code"], e["version"]) for e in carried] == [
            ("C-5G", 1),
            ("C-5G", 1),
            ("DI-02", 1),
        ]
        old = attach(office, "DI-03", "d.pdf", files.pdf("d"), version=1)
        assert old.status_code == 409 and old.json()["type"].endswith("evidence-version-closed")
        assert attach(office, "C-5G", "d.pdf", files.pdf("d"), version=2).status_code == 409  # still two
        assert attach(office, "DI-03", "d.pdf", files.pdf("d"), version=2).status_code == 201
        # version 1 lists only what it had
        assert len(office.client.get(f"{BASE}/1/evidence", headers=office.reviewer).json()["evidence"]) == 3
        # once accepted, the version takes no more evidence: what the reviewer saw stays what they saw
        assert office.review(UNIT, 2).status_code == 200
        closed = attach(office, "DI-04", "e.pdf", files.pdf("e"), version=2)
        assert closed.status_code == 409
        assert "已被接受" in closed.json()["problems"][0]["message_zh"]
        # a closed round takes none either
        assert office.upload_form(OTHER).status_code == 201
        assert office.client.post(f"/rounds/{YEAR}/close", headers=office.admin).status_code == 200
        late = office.client.post(
            f"/rounds/{YEAR}/units/{OTHER}/submissions/1/evidence/C-5G",
            files={"file": ("x.pdf", files.pdf(), "application/pdf")},
            headers=office.district(OTHER),
        )
        assert late.status_code == 409


def test_required_evidence_blocks_the_accept_and_the_district_sees_what_is_missing(
    make_settings: Callable[..., Settings],
) -> None:
    systems = [INDICATORS_DIR / name for name in SYSTEM_FILES.values()]
    with running_office(make_settings(systems=systems)) as office:
        query = f"?system={GOV}"
        opened = office.client.post(
            "/rounds", json={"year": YEAR, "system_id": GOV, "version": "2025.1"}, headers=office.admin
        )
        assert opened.status_code == 201
        table = _unit_table(REPO / "sample_inputs" / "jinan_digital_government" / "long_table.csv", UNIT)
        uploaded = office.client.post(
            f"{BASE}{query}", files={"file": ("gov.csv", table, "text/csv")}, headers=office.district(UNIT)
        )
        assert uploaded.status_code == 201, uploaded.text
        listed = office.client.get(f"{BASE}/1/evidence{query}", headers=office.district(UNIT)).json()
        assert listed["required"] == ["DG-C-02", "DG-D-03"] and listed["missing"] == ["DG-C-02", "DG-D-03"]
        refused = office.client.post(
            f"{BASE}/1/review{query}", json={"decision": "accept"}, headers=office.reviewer
        )
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["type"].endswith("evidence-missing") and body["missing"] == ["DG-C-02", "DG-D-03"]
        [problem] = body["problems"]
        assert (
            "DG-C-02 镇街政务服务自助终端覆盖率" in problem["message_zh"]
            and "DG-D-03" in problem["message_en"]
        )
        # a return needs no evidence; one file attached leaves the other missing
        made = office.client.post(
            f"{BASE}/1/evidence/DG-C-02{query}",
            files={"file": ("终端清单.pdf", files.pdf("terminals"), "application/pdf")},
            headers=office.district(UNIT),
        )
        assert made.status_code == 201, made.text
        listed = office.client.get(f"{BASE}/1/evidence{query}", headers=office.district(UNIT)).json()
        assert listed["missing"] == ["DG-D-03"]
        again = office.client.post(
            f"{BASE}/1/review{query}", json={"decision": "accept"}, headers=office.reviewer
        )
        assert again.status_code == 409 and again.json()["missing"] == ["DG-D-03"]
        made = office.client.post(
            f"{BASE}/1/evidence/DG-D-03{query}",
            files={"file": ("事项清单.docx", files.docx(), "application/octet-stream")},
            headers=office.district(UNIT),
        )
        assert made.status_code == 201 and made.json()["media_type"].endswith("wordprocessingml.document")
        accepted = office.client.post(
            f"{BASE}/1/review{query}", json={"decision": "accept"}, headers=office.reviewer
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "accepted"
        # the progress names the departments that supply the system too, none of which has uploaded yet
        progress = office.client.get(f"/rounds/{YEAR}/progress{query}", headers=office.reviewer).json()
        assert {d["department_code"] for d in progress["departments"]} == {"JN-ZWFW", "JN-DSJ"}
        assert progress["department_counts"]["missing"] == 2 and progress["counts"]["accepted"] == 1
        workbook = office.client.get(f"/rounds/{YEAR}/progress.xlsx{query}", headers=office.reviewer)
        sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
        assert sheet is not None
        texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        assert "提供数据的部门" in texts and "JN-ZWFW" in texts and "DG-A-01 DG-A-02 DG-A-03 DG-A-04" in texts


def test_upgrading_a_database_made_before_evidence_keeps_every_row(
    make_settings: Callable[..., Settings],
) -> None:
    """A database at the revision before evidence (0005_departments) upgraded to 0005_evidence: every row of
    every table kept, and the upgraded database takes evidence."""
    with running_office(make_settings()) as office:
        office.publish_all_forms()
        office.open_round(YEAR + 1)
        assert office.upload_form(OTHER, YEAR + 1).status_code == 422  # a stored, rejected version
        database = office.context.db
        _downgrade(database, "0005_departments")
        assert "evidence_files" not in inspect(database.engine).get_table_names(schema=database.schema)
        tables = [*ROUNDS_TABLES, "review_cells", "late_uploads"]
        before = _rows_of(database, tables)
        database.migrate()
        assert _rows_of(database, tables) == before
        made = office.client.post(
            f"/rounds/{YEAR + 1}/units/{OTHER}/submissions/1/evidence/C-5G",
            files={"file": ("a.pdf", files.pdf(), "application/pdf")},
            headers=office.district(OTHER),
        )
        assert made.status_code == 201, made.text


def _rows_of(database: Database, tables: list[str]) -> dict[str, list[dict[str, object]]]:
    with database.engine.connect() as connection:
        prefix = f'"{database.schema}".' if database.schema else ""
        return {
            table: [
                dict(row)
                for row in connection.execute(text(f"SELECT * FROM {prefix}{table} ORDER BY id")).mappings()
            ]
            for table in tables
        }


def test_the_progress_of_a_round_and_its_workbook(office: Office) -> None:
    """Per unit: accepted, returned, failed the checks, awaiting review, not uploaded; the 进度表 is a workbook
    with that table under a title and the counts, set up to print."""
    office.open_round()
    for unit in ("370102", "370103", "370104", "370105"):
        assert office.upload_form(unit).status_code == 201
    assert office.review("370102", 1).status_code == 200
    assert office.review("370103", 1, "return", "请核实 C-5G").status_code == 200
    assert office.upload("370104", "broken.xlsx", b"PK\x03\x04 nothing").status_code == 422  # version 2
    progress = office.client.get(f"/rounds/{YEAR}/progress", headers=office.reviewer).json()
    states = {row["unit_code"]: row["state"] for row in progress["units"]}
    assert [states[u] for u in ("370102", "370103", "370104", "370105", "370112")] == [
        "accepted",
        "returned",
        "rejected",
        "pending",
        "missing",
    ]
    assert progress["counts"] == {"accepted": 1, "returned": 1, "rejected": 1, "pending": 1, "missing": 10}
    returned = next(row for row in progress["units"] if row["unit_code"] == "370103")
    assert returned["comment"] == "请核实 C-5G" and returned["latest_version"] == 1
    assert office.client.get(f"/rounds/{YEAR}/progress", headers=office.district(UNIT)).status_code == 403
    assert office.client.get(f"/rounds/{YEAR}/progress.xlsx").status_code == 401
    got = office.client.get(f"/rounds/{YEAR}/progress.xlsx", headers=office.reviewer)
    assert got.status_code == 200 and got.headers["content-type"].startswith(XLSX)
    assert "%E5%A1%AB%E6%8A%A5%E8%BF%9B%E5%BA%A6%E8%A1%A8" in got.headers["content-disposition"]  # 填报进度表
    sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
    assert sheet is not None
    assert "2024 年度填报进度表" in str(sheet["A1"].value)
    assert "已接受 1，待审核 1，已退回 1，未通过校验 1，未上传 10" in str(sheet["A3"].value)
    assert [c.value for c in sheet[4]][:3] == ["区县编码", "区县", "状态"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert len(rows) == 14 and rows["370103"][2] == "已退回" and rows["370112"][2] == "未上传"
    assert rows["370103"][11] == "请核实 C-5G"
    # printing: landscape A4, one page wide, the header row on every page; columns wide enough to read
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    # (fitToWidth 1 is the file format's default, which xlsxwriter leaves out)
    assert (sheet.page_setup.fitToWidth or 1) == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr is not None and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$4:$4"
    assert (sheet.row_dimensions[1].height or 15) >= 20  # the 14-point title does not run into the line below
    assert sheet.column_dimensions["B"].width >= 12 and sheet.column_dimensions["L"].width >= 30
    english = office.client.get(f"/rounds/{YEAR}/progress.xlsx?lang=en", headers=office.admin)
    english_sheet = openpyxl.load_workbook(io.BytesIO(english.content)).active
    assert english_sheet is not None and english_sheet["C4"].value == "State"
