"""Rounds per (year, system): the district, smart-city and digital-government systems and their composite all
have a 2024 round; ``/rounds/{year}/…`` keeps meaning the default system's; the composite's round takes no
upload, draws on the accepted data of the three rounds, publishes only after them, and its scores equal the CLI's
``score`` of the same data. Migration 0003 keeps every row of a database made under 0002."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from scoring.system import load_system
from service import Settings
from service.db import MIGRATIONS_DIR, Database, sqlite_foreign_keys_off
from service.settings import INDICATORS_DIR
from tests import evidence_files
from tests.service.support import JINAN_ID, REPO, YEAR, Office, jinan_forms, running_office

SMART, GOV, COMPOSITE = "jinan-smart-city", "jinan-digital-government", "jinan-digital-composite"
SYSTEM_FILES = {
    JINAN_ID: "jinan_district_digital.yaml",
    SMART: "jinan_smart_city.yaml",
    GOV: "jinan_digital_government.yaml",
    COMPOSITE: "jinan_digital_composite.yaml",
}
LONG_TABLES = {
    SMART: REPO / "sample_inputs" / "jinan_smart_city" / "long_table.csv",
    GOV: REPO / "sample_inputs" / "jinan_digital_government" / "long_table.csv",
}


@pytest.fixture
def office(make_settings: Callable[..., Settings]) -> Iterator[Office]:
    """An office whose configured systems are the four Jinan systems (the district one first: the default)."""
    systems = [INDICATORS_DIR / name for name in SYSTEM_FILES.values()]
    with running_office(make_settings(systems=systems)) as running:
        yield running


def _open(office: Office, system: str, year: int = YEAR) -> dict[str, object]:
    response = office.client.post(
        "/rounds", json={"year": year, "system_id": system, "version": "2025.1"}, headers=office.admin
    )
    assert response.status_code == 201, response.text
    found: dict[str, object] = response.json()
    return found


def _unit_table(path: Path, unit: str) -> bytes:
    """The rows of one unit of a long table, as a CSV of their own (what that district uploads)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["unit_code"] == unit]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["unit_code", "indicator_code", "year", "value"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _upload_and_accept(office: Office, system: str, unit: str, name: str, content: bytes) -> None:
    query = f"?system={system}"
    uploaded = office.client.post(
        f"/rounds/{YEAR}/units/{unit}/submissions{query}",
        files={"file": (name, content, "application/octet-stream")},
        headers=office.district(unit),
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.headers["location"].endswith(f"/submissions/1{query}")
    evidence = office.client.get(
        f"/rounds/{YEAR}/units/{unit}/submissions/1/evidence{query}", headers=office.district(unit)
    ).json()
    for indicator in evidence["missing"]:  # the digital-government system requires some (佐证材料)
        attached = office.client.post(
            f"/rounds/{YEAR}/units/{unit}/submissions/1/evidence/{indicator}{query}",
            files={"file": (f"{indicator}.pdf", evidence_files.pdf(indicator), "application/pdf")},
            headers=office.district(unit),
        )
        assert attached.status_code == 201, attached.text
    reviewed = office.client.post(
        f"/rounds/{YEAR}/units/{unit}/submissions/1/review{query}",
        json={"decision": "accept"},
        headers=office.reviewer,
    )
    assert reviewed.status_code == 200, reviewed.text


def _indicator_table(path: Path, codes: set[str]) -> bytes:
    """The rows of some indicators for every unit of a long table (what a department uploads)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["indicator_code"] in codes]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["unit_code", "indicator_code", "year", "value"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _department_upload_and_accept(office: Office, system: str, department: str, content: bytes) -> None:
    query = f"?system={system}"
    base = f"/rounds/{YEAR}/departments/{department}/submissions"
    uploaded = office.client.post(
        base + query,
        files={"file": (f"{department}.csv", content, "text/csv")},
        headers=office.department(department),
    )
    assert uploaded.status_code == 201, uploaded.text
    reviewed = office.client.post(
        f"{base}/{uploaded.json()['version']}/review{query}",
        json={"decision": "accept"},
        headers=office.reviewer,
    )
    assert reviewed.status_code == 200, reviewed.text


def _close_and_publish(office: Office, system: str) -> dict[str, object]:
    query = f"?system={system}"
    assert office.client.post(f"/rounds/{YEAR}/close{query}", headers=office.admin).status_code == 200
    published = office.client.post(f"/rounds/{YEAR}/publish{query}", headers=office.admin)
    assert published.status_code == 200, published.text
    found: dict[str, object] = published.json()
    return found


def test_several_systems_have_a_round_in_one_year_and_the_plain_url_means_the_default(office: Office) -> None:
    for system in SYSTEM_FILES:
        assert _open(office, system)["system_id"] == system
    again = office.client.post(
        "/rounds", json={"year": YEAR, "system_id": SMART, "version": "2025.1"}, headers=office.admin
    )
    assert again.status_code == 409  # one round per (year, system)
    listed = office.client.get("/rounds").json()
    assert sorted(r["system_id"] for r in listed) == sorted(SYSTEM_FILES)
    assert office.client.get(f"/rounds?system={GOV}").json()[0]["system_id"] == GOV
    assert office.client.get(f"/rounds/{YEAR}").json()["system_id"] == JINAN_ID  # the default system
    assert office.client.get(f"/rounds/{YEAR}?system={SMART}").json()["system"]["id"] == SMART
    assert office.client.get(f"/rounds/{YEAR}?system=nope").status_code == 404
    # closing one system's round leaves the others open
    assert office.client.post(f"/rounds/{YEAR}/close?system={GOV}", headers=office.admin).status_code == 200
    states = {r["system_id"]: r["status"] for r in office.client.get("/rounds").json()}
    assert states == {JINAN_ID: "open", SMART: "open", GOV: "closed", COMPOSITE: "open"}
    # the blank form names its system
    form = office.client.get(
        f"/rounds/{YEAR}/units/370102/form?system={SMART}", headers=office.district("370102")
    )
    assert form.status_code == 200 and SMART in form.headers["content-disposition"]


def test_a_composite_round_draws_on_its_systems_rounds_and_publishes_after_them(
    office: Office, tmp_path: Path
) -> None:
    for system in SYSTEM_FILES:
        _open(office, system)
    # the composite's round takes no upload: its data are the included rounds' (nothing is entered twice)
    refused = office.client.post(
        f"/rounds/{YEAR}/units/370102/submissions?system={COMPOSITE}",
        files={"file": ("x.csv", _unit_table(LONG_TABLES[SMART], "370102"), "text/csv")},
        headers=office.district("370102"),
    )
    assert refused.status_code == 409 and refused.json()["type"].endswith(":composite-no-uploads")
    assert "上传" in refused.json()["problems"][0]["message_zh"]
    forms = jinan_forms()
    for unit, path in forms.items():
        _upload_and_accept(office, JINAN_ID, unit, path.name, path.read_bytes())
        for system, table in LONG_TABLES.items():
            _upload_and_accept(office, system, unit, f"{unit}.csv", _unit_table(table, unit))
    # the indicators departments supply come from their tables for all units (a district's value is not taken)
    departments = 0
    for system, table in LONG_TABLES.items():
        loaded = load_system(INDICATORS_DIR / SYSTEM_FILES[system])
        for department in loaded.departments:
            codes = {node.code for node in loaded.supplied_by(department.code)}
            _department_upload_and_accept(office, system, department.code, _indicator_table(table, codes))
            departments += 1
    query = f"?system={COMPOSITE}"
    assert office.client.post(f"/rounds/{YEAR}/close{query}", headers=office.admin).status_code == 200
    check = office.client.get(f"/rounds/{YEAR}/publication{query}", headers=office.admin).json()
    assert check["included_unpublished"] == [JINAN_ID, SMART, GOV] and check["missing_units"] == []
    early = office.client.post(f"/rounds/{YEAR}/publish{query}", headers=office.admin)
    assert early.status_code == 409 and early.json()["type"].endswith(":included-rounds-unpublished")
    assert SMART in early.json()["problems"][0]["message_en"]
    # staff preview the composite from the included rounds' accepted versions before they are published
    preview = office.client.get(f"/rounds/{YEAR}/rankings{query}&limit=100", headers=office.reviewer).json()
    assert len(preview["items"]) == 14
    for system in (JINAN_ID, SMART, GOV):
        _close_and_publish(office, system)
    response = office.client.post(f"/rounds/{YEAR}/publish{query}", headers=office.admin)
    assert response.status_code == 200, response.text
    published = response.json()
    assert published["system_id"] == COMPOSITE and published["missing_units"] == []
    document = json.loads(office.client.get(f"/rounds/{YEAR}/results{query}").content)
    # each unit's accepted version in each of the three rounds, and each department's
    assert len(document["inputs"]) == 3 * 14 + departments
    verified = office.client.get(f"/rounds/{YEAR}/results/verification{query}", headers=office.admin)
    assert verified.json()["reproduced"] is True
    # the composite's published scores equal the CLI's score of the same data
    out = tmp_path / "scores.csv"
    # (the CLI reads a district form against the system it is scored with, so it gets the forms' values as the
    # shipped long table of the district system: the same numbers)
    files = [str(REPO / "sample_inputs" / "jinan" / "long_table.csv")] + [
        str(p) for p in LONG_TABLES.values()
    ]
    composite = str(INDICATORS_DIR / SYSTEM_FILES[COMPOSITE])
    command_line = [sys.executable, "-m", "scoring.cli", "score", "--system", composite, "--year", str(YEAR)]
    subprocess.run(
        [*command_line, "--out", str(out), *files],
        check=True,
        capture_output=True,
    )
    with out.open(encoding="utf-8-sig") as handle:
        cli = {
            row["unit_code"]: float(row["score"])
            for row in csv.DictReader(handle)
            if row["node_code"] == "INDEX" and str(row.get("year", YEAR)) == str(YEAR)
        }
    ranking = office.client.get(f"/rounds/{YEAR}/rankings{query}&limit=100").json()
    served = {item["unit_code"]: item["score"] for item in ranking["items"]}
    assert served.keys() == cli.keys()
    assert all(served[unit] == pytest.approx(cli[unit], abs=1e-9) for unit in cli)
    # the download of the composite's ranking names its system
    download = office.client.get(f"/rounds/{YEAR}/rankings{query}&format=csv")
    assert COMPOSITE in download.headers["content-disposition"]


def _downgrade(database: Database, target: str) -> None:
    """Alembic's downgrade on the app's database, as ``Database.migrate`` runs an upgrade."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with (
        database.engine.connect() as connection,
        sqlite_foreign_keys_off(connection) if database.is_sqlite else nullcontext(),
        connection.begin(),
    ):
        config.attributes["connection"] = connection
        command.downgrade(config, target)


TABLES = ["indicator_systems", "api_tokens", "rounds", "submissions", "reviews", "snapshots", "audit_log"]


def _rows(database: Database) -> dict[str, list[dict[str, object]]]:
    with database.engine.connect() as connection:
        return {
            table: [
                dict(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).mappings()
            ]
            for table in TABLES
        }


def test_upgrading_a_database_made_under_0002_keeps_every_row(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    with running_office(settings) as office:
        office.publish_all_forms()  # a published round, 14 submissions, reviews, a snapshot, the audit log
        database = office.context.db
        _downgrade(database, "0002")  # the schema of today's main, with its one round a year
        columns = {c["name"] for c in inspect(database.engine).get_columns("rounds", schema=database.schema)}
        assert "system_id" not in columns
        before = _rows(database)
        database.migrate()  # what the app factory does on start: up to the newest migration
        after = _rows(database)
        assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
        for table in TABLES:
            if (
                table != "rounds"
            ):  # later migrations add columns (0004: snapshots.version): compare the old ones
                kept = [
                    {column: row[column] for column in old}
                    for row, old in zip(after[table], before[table], strict=True)
                ]
                assert kept == before[table], table
        with database.engine.connect() as connection:
            filled = connection.execute(text("SELECT year, system_id FROM rounds")).all()
        assert [tuple(row) for row in filled] == [(YEAR, JINAN_ID)]
        office.context.results.forget(YEAR, JINAN_ID)
        verified = office.client.get(f"/rounds/{YEAR}/results/verification", headers=office.admin).json()
        assert verified["reproduced"] is True  # the snapshot still verifies at its old URL
