"""``digiscore backup`` and ``digiscore restore`` on SQLite and PostgreSQL, and from either into the other.

A source office publishes the 2024 round of the sample forms through the API and leaves a 2025 round open with two
rejected uploads. Its archive restores into an empty database where every row equals the source's
(read through the ORM, independently of the archive's own format), every raw value matches its sha256 in the
manifest, and the API answers the same: results bytes and hash, rankings, verification, the files as uploaded —
with the same tokens. Damaged or tampered archives and targets that hold rows are refused, and nothing is written.
A backup taken during 20 concurrent uploads to a real server restores to a database that matches its manifest.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select
from typer.testing import CliRunner

from scoring.cli import app as cli
from service import Settings, create_app
from service.auth import Role
from service.backup import (
    EXIT_ARCHIVE,
    EXIT_DATABASE,
    BackupError,
    Manifest,
    backup,
    compare_database,
    read_rows,
    restore,
    verify_archive,
)
from service.context import ServiceContext
from service.db import Database
from service.tables import AuditRow, Base, SnapshotRow, SubmissionRow
from tests import evidence_files
from tests.service.conftest import BACKENDS
from tests.service.support import YEAR, Office, bearer, running_office, serving, settings_factory
from tests.service.test_corrections import form_with as correction_form
from tests.service.test_service_concurrency import UNITS, small_system, table

NEXT = YEAR + 1


def database_of(settings: Settings) -> Database:
    return Database(settings.sqlalchemy_url, settings.database_schema)


def all_rows(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the service defines, through the ORM's own types, ordered by id."""
    with database.read() as session:
        return {
            name: [tuple(row) for row in session.execute(select(t).order_by(*t.primary_key.columns))]
            for name, t in Base.metadata.tables.items()
        }


def api_view(client: TestClient, office: Office) -> dict[str, Any]:
    """What the API shows of the published round and of the open one, with the office's tokens."""
    results = client.get(f"/rounds/{YEAR}/results")
    assert results.status_code == 200
    verification = client.get(f"/rounds/{YEAR}/results/verification", headers=office.admin)
    assert verification.status_code == 200, verification.text
    assert verification.json()["reproduced"] is True
    view: dict[str, Any] = {
        "results": results.content,
        "etag": results.headers["etag"],
        "verification": verification.json(),
        "rounds": client.get("/rounds").json(),
        "rankings": client.get(f"/rounds/{YEAR}/rankings", params={"size": 100}).json(),
        "submissions": client.get(f"/rounds/{NEXT}/submissions", headers=office.reviewer).json(),
    }
    for unit, version in (("370102", 1), ("370103", 1), ("370103", 2)):
        year = YEAR if unit == "370102" else NEXT
        got = client.get(f"/rounds/{year}/units/{unit}/submissions/{version}/file", headers=office.reviewer)
        assert got.status_code == 200, got.text
        view[f"file {year} {unit} v{version}"] = got.content
    evidence = client.get(
        f"/rounds/{NEXT}/units/370103/submissions/2/evidence", headers=office.reviewer
    ).json()
    view["evidence"] = evidence
    for item in evidence["evidence"]:
        got = client.get(
            f"/rounds/{NEXT}/units/370103/submissions/2/evidence/file/{item['id']}", headers=office.reviewer
        )
        assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == item["sha256"]
        view[f"evidence {item['id']}"] = got.content
    return view


def correct_and_annotate(office: Office) -> None:
    """Rows in the tables of corrections, deadlines and cell reviews: 2024 corrected (leave for 370102, a
    changed form accepted, version 2 published), a deadline and a leave in 2025, a return with a cell comment."""
    admin = office.admin
    leave = {"until": "2199-01-01T00:00:00Z", "reason": "更正"}
    assert (
        office.client.post(f"/rounds/{YEAR}/units/370102/late-uploads", json=leave, headers=admin).status_code
        == 201
    )
    changed = correction_form("370102", {"I9": 99.0})
    assert office.upload("370102", "370102.xlsx", changed).status_code == 201
    assert office.review("370102", 2).status_code == 200
    made = office.client.post(f"/rounds/{YEAR}/corrections", json={"reason": "DI-02 更正"}, headers=admin)
    assert made.status_code == 201, made.text
    deadline = {"deadline": "2199-01-01T00:00:00Z"}
    assert office.client.put(f"/rounds/{NEXT}/deadline", json=deadline, headers=admin).status_code == 200
    assert (
        office.client.post(f"/rounds/{NEXT}/units/370104/late-uploads", json=leave, headers=admin).status_code
        == 201
    )
    returned = office.client.post(
        f"/rounds/{NEXT}/units/370103/submissions/1/review",
        json={
            "decision": "return",
            "cells": [{"indicator_code": "DI-02", "year": YEAR, "comment": "请核实"}],
        },
        headers=office.reviewer,
    )
    assert returned.status_code == 200, returned.text


EVIDENCE = [("C-5G", "清单.pdf", evidence_files.pdf("C-5G")), ("DI-02", "照片.png", evidence_files.png())]


def attach_evidence(office: Office) -> None:
    """Rows in the evidence tables: a PDF and a PNG attached to 370103's latest 2025 version."""
    for indicator, name, content in EVIDENCE:
        attached = office.client.post(
            f"/rounds/{NEXT}/units/370103/submissions/2/evidence/{indicator}",
            files={"file": (name, content, "application/octet-stream")},
            headers=office.district("370103"),
        )
        assert attached.status_code == 201, attached.text


@dataclass
class Source:
    """A populated office, its archive and what its API showed."""

    backend: str
    office: Office
    settings: Settings
    archive: Path
    manifest: Manifest
    rows: dict[str, list[tuple[Any, ...]]]
    view: dict[str, Any]


@pytest.fixture(scope="module", params=BACKENDS)
def source(
    request: pytest.FixtureRequest, postgres_ok: bool, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Source]:
    """2024 published (the 14 sample forms), 2025 open with two rejected uploads; backed up."""
    backend = str(request.param)
    if backend == "postgresql" and not postgres_ok:
        pytest.skip("PostgreSQL not reachable")
    folder = tmp_path_factory.mktemp(f"source-{backend}")
    with settings_factory(backend, folder / "data") as make, running_office(make()) as office:
        office.publish_all_forms()
        office.open_round(NEXT)
        # rejected versions are stored too: a form with no 2025 values, and bytes that are no workbook
        assert office.upload_form("370103", NEXT).status_code == 422
        unusable = office.upload("370103", "broken.xlsx", b"PK\x03\x04 not really a workbook \x00\xff", NEXT)
        assert unusable.status_code == 422, unusable.text
        correct_and_annotate(office)
        attach_evidence(office)
        archive = folder / "backup.zip"
        manifest = backup(office.context.db, archive)
        yield Source(
            backend,
            office,
            office.context.settings,
            archive,
            manifest,
            all_rows(office.context.db),
            api_view(office.client, office),
        )


@pytest.fixture(params=BACKENDS)
def target(
    request: pytest.FixtureRequest, postgres_ok: bool, tmp_path: Path
) -> Iterator[Callable[..., Settings]]:
    """Settings of empty databases on the target backend (a new PostgreSQL schema each)."""
    backend = str(request.param)
    if backend == "postgresql" and not postgres_ok:
        pytest.skip("PostgreSQL not reachable")
    with settings_factory(backend, tmp_path / "target") as make:
        yield make


def test_the_manifest_names_every_row_and_raw_value(source: Source) -> None:
    manifest = source.manifest
    assert manifest.source == source.backend and manifest.alembic_revision
    counts = {entry.name: entry.rows for entry in manifest.tables}
    assert counts == {name: len(rows) for name, rows in source.rows.items()}
    assert counts["submissions"] == 17 and counts["snapshots"] == 2
    assert counts["review_cells"] == 1 and counts["late_uploads"] == 2
    # parents come before children (the order a restore inserts in)
    order = [entry.name for entry in manifest.tables]
    assert order.index("rounds") < order.index("submissions") < order.index("reviews")
    assert order.index("api_tokens") < order.index("snapshots")
    # every submission's raw bytes are hashed by id, and that hash is the one the service stored
    submissions = manifest.table("submissions")
    assert submissions is not None
    with source.office.context.db.read() as session:
        stored = {
            pk: digest for pk, digest in session.execute(select(SubmissionRow.id, SubmissionRow.sha256))
        }
        snapshot_rows = session.execute(select(SnapshotRow)).scalars().all()
    assert submissions.binary["content"] == {str(pk): digest for pk, digest in stored.items()}
    snapshots = manifest.table("snapshots")
    assert snapshots is not None
    assert snapshots.binary["document"] == {
        str(snapshot.id): hashlib.sha256(snapshot.document).hexdigest() for snapshot in snapshot_rows
    }
    # evidence bytes are kept once by their sha256, which the manifest names as the blob's key and its hash
    blobs = manifest.table("evidence_blobs")
    assert blobs is not None and counts["evidence_files"] == len(EVIDENCE)
    digests = {hashlib.sha256(content).hexdigest() for _, _, content in EVIDENCE}
    assert blobs.binary["content"] == {digest: digest for digest in digests}
    # the member hashes are the sha256 of the members as stored in the zip
    with zipfile.ZipFile(source.archive) as archive:
        for entry in manifest.tables:
            assert hashlib.sha256(archive.read(entry.member)).hexdigest() == entry.sha256
    assert verify_archive(source.archive) == manifest


def test_restore_gives_the_same_rows_and_the_same_published_results(
    source: Source, target: Callable[..., Settings]
) -> None:
    settings = target()
    database = database_of(settings)
    try:
        manifest = restore(database, source.archive)
        assert manifest == source.manifest
        assert compare_database(database, manifest) == []
        assert all_rows(database) == source.rows
        with database.read() as session:
            snapshots = session.execute(select(SnapshotRow)).scalars().all()
            contents = session.execute(select(SubmissionRow.sha256, SubmissionRow.content)).all()
        assert len(snapshots) == 2  # the publication and its correction
        for snapshot in snapshots:
            assert hashlib.sha256(zlib.decompress(snapshot.document)).hexdigest() == snapshot.sha256
        assert all(hashlib.sha256(content).hexdigest() == digest for digest, content in contents)
    finally:
        database.dispose()

    # the service on the restored database: the same answers, the same tokens, and new rows get new ids
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            assert api_view(client, source.office) == source.view
            again = client.post(
                f"/rounds/{NEXT}/units/370102/submissions",
                files={"file": ("x.csv", b"unit_code,indicator_code,year,value\n")},
                headers=source.office.district("370102"),
            )
            assert again.status_code == 422, again.text  # stored, as a rejected version 1
            assert (
                again.headers["location"]
                == f"/rounds/{NEXT}/units/370102/submissions/1?system=jinan-district-digital"
            )
            newest = max(row[0] for row in source.rows["submissions"])
            context: ServiceContext = app.state.context
            with context.db.read() as session:
                assert session.execute(select(func.max(SubmissionRow.id))).scalar() == newest + 1
    finally:
        app.state.context.db.dispose()


def test_restore_into_a_migrated_empty_database(source: Source, target: Callable[..., Settings]) -> None:
    """An empty schema at the archive's revision (or before it) is empty: the restore fills it."""
    database = database_of(target())
    try:
        database.migrate(source.manifest.alembic_revision)
        restore(database, source.archive)
        assert all_rows(database) == source.rows
    finally:
        database.dispose()


def test_a_target_with_rows_is_refused_and_left_alone(
    source: Source, target: Callable[..., Settings]
) -> None:
    settings = target()
    with running_office(settings) as office:  # the service registered its systems: rows
        before = all_rows(office.context.db)
        with pytest.raises(BackupError) as refused:
            restore(office.context.db, source.archive)
        assert refused.value.exit_code == EXIT_DATABASE
        assert "not empty" in str(refused.value) and "indicator_systems" in str(refused.value)
        assert all_rows(office.context.db) == before
    # and the source itself: a restore never merges into live data
    with pytest.raises(BackupError, match="not empty"):
        restore(source.office.context.db, source.archive)
    assert all_rows(source.office.context.db) == source.rows


def rewrite(archive: Path, out: Path, change: Callable[[str, bytes], bytes], drop: str | None = None) -> Path:
    """A copy of ``archive`` with each member passed through ``change`` (name, bytes) → bytes."""
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            if info.filename != drop:
                copy.writestr(info.filename, change(info.filename, original.read(info.filename)))
    return out


def _flip_content(line: bytes) -> bytes:
    row = json.loads(line)
    row["content"] = row["content"][:-8] + ("AAAAAAA=" if row["content"][-8:] != "AAAAAAA=" else "BBBBBBB=")
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def tampered_archives(source: Source, folder: Path) -> dict[str, tuple[Path, str]]:
    """Damaged archives, each with the words its refusal must contain."""
    manifest = json.loads(zipfile.ZipFile(source.archive).read("manifest.json"))
    member = "tables/submissions.jsonl"

    def one_file_changed(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        lines = data.splitlines(keepends=True)
        return b"".join([_flip_content(lines[0]), *lines[1:]])

    def hash_updated_too(name: str, data: bytes) -> bytes:
        """The member changed and its sha256 in the manifest updated to match: the raw-bytes hash still tells."""
        changed = one_file_changed(member, source_member)
        if name == member:
            return changed
        if name == "manifest.json":
            for entry in manifest["tables"]:
                if entry["name"] == "submissions":
                    entry["sha256"] = hashlib.sha256(changed).hexdigest()
                    entry["size"] = len(changed)
            return json.dumps(manifest).encode()
        return data

    def row_dropped(name: str, data: bytes) -> bytes:
        return b"".join(data.splitlines(keepends=True)[1:]) if name == "tables/reviews.jsonl" else data

    source_member = zipfile.ZipFile(source.archive).read(member)
    truncated = folder / "truncated.zip"
    truncated.write_bytes(source.archive.read_bytes()[: source.archive.stat().st_size // 2])
    return {
        "member changed": (rewrite(source.archive, folder / "a.zip", one_file_changed), "sha256"),
        "hash updated too": (rewrite(source.archive, folder / "b.zip", hash_updated_too), "raw bytes"),
        "row dropped": (rewrite(source.archive, folder / "c.zip", row_dropped), "sha256"),
        "member missing": (
            rewrite(source.archive, folder / "d.zip", lambda _n, d: d, drop="tables/rounds.jsonl"),
            "tables/rounds.jsonl",
        ),
        "no manifest": (
            rewrite(source.archive, folder / "e.zip", lambda _n, d: d, drop="manifest.json"),
            "manifest.json",
        ),
        "truncated": (truncated, "zip"),
        "unknown revision": (
            rewrite(
                source.archive,
                folder / "f.zip",
                lambda n, d: (
                    d.replace(b'"alembic_revision": "', b'"alembic_revision": "9999')
                    if n == "manifest.json"
                    else d
                ),
            ),
            "not one this digiscore",
        ),
    }


def test_a_damaged_or_tampered_archive_is_refused_and_nothing_is_written(
    source: Source, target: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = target()
    database = database_of(settings)
    try:
        for case, (archive, words) in tampered_archives(source, tmp_path).items():
            with pytest.raises(BackupError) as refused:
                restore(database, archive)
            assert refused.value.exit_code == EXIT_ARCHIVE, case
            assert words in str(refused.value) and "nothing written" in str(refused.value), case
        with database.engine.connect() as connection:
            if database.schema:
                assert database.schema not in inspect(connection).get_schema_names()
            else:
                assert inspect(connection).get_table_names() == []
    finally:
        database.dispose()


def test_backup_and_restore_commands(
    source: Source, target: Callable[..., Settings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commands read the DIGISCORE_* settings: back up the source, restore into the target, refuse again."""

    def use(settings: Settings) -> None:
        monkeypatch.setenv("DIGISCORE_DATA_DIR", str(settings.data_dir))
        for name, value in (
            ("DATABASE_URL", settings.database_url),
            ("DATABASE_SCHEMA", settings.database_schema),
        ):
            if value:
                monkeypatch.setenv(f"DIGISCORE_{name}", value)
            else:
                monkeypatch.delenv(f"DIGISCORE_{name}", raising=False)

    settings = target()  # before the environment names the source (Settings reads it)
    runner = CliRunner()
    archive = tmp_path / "nightly.zip"
    use(source.settings)
    made = runner.invoke(cli, ["backup", "--out", str(archive)])
    assert made.exit_code == 0, made.output
    assert "schema revision" in made.output
    assert runner.invoke(cli, ["backup", "--out", str(archive)]).exit_code == 2  # exists: not replaced
    assert runner.invoke(cli, ["backup", "--out", str(archive), "--force"]).exit_code == 0

    use(settings)
    restored = runner.invoke(cli, ["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert f"from {source.backend}" in restored.output
    database = database_of(settings)
    try:
        assert all_rows(database) == source.rows
    finally:
        database.dispose()
    again = runner.invoke(cli, ["restore", str(archive)])
    assert again.exit_code == EXIT_DATABASE and "not empty" in again.output
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    refused = runner.invoke(cli, ["restore", str(broken)])
    assert refused.exit_code == EXIT_ARCHIVE and "archive refused" in refused.output


# --- a backup while the server takes 20 uploads at once ---------------------------------------------------------

MAX_BACKUPS = 8


def test_backup_during_concurrent_uploads_restores_consistently(
    make_settings: Callable[..., Settings], target: Callable[..., Settings], tmp_path: Path
) -> None:
    # Half the uploads wait in the handler (at the clock, before storing) until the first backup is written,
    # so that backup is certainly taken while uploads are in flight; the other half race with it freely.
    holding = threading.Event()
    released = threading.Event()
    held = itertools.count()

    def clock() -> datetime:
        if holding.is_set() and next(held) < len(UNITS) // 2:
            released.wait(timeout=60)
        return datetime.now(UTC)

    app = create_app(make_settings(systems=[small_system(tmp_path / "system.yaml")]), clock=clock)
    context: ServiceContext = app.state.context
    admin = bearer(context, Role.ADMIN)
    districts = {unit: bearer(context, Role.DISTRICT, unit) for unit in UNITS}
    archives: list[tuple[Path, Manifest]] = []
    in_flight: list[bool] = []  # whether uploads were still running when each backup had been written
    with serving(app) as base:
        with httpx.Client(base_url=base) as client:
            opened = client.post(
                "/rounds", json={"year": 2024, "system_id": "concurrency", "version": "1"}, headers=admin
            )
            assert opened.status_code == 201, opened.text
        barrier = threading.Barrier(len(UNITS) + 1)

        def send(unit: str) -> httpx.Response:
            with httpx.Client(base_url=base, timeout=60) as client:
                barrier.wait(timeout=30)
                return client.post(
                    f"/rounds/2024/units/{unit}/submissions",
                    files={"file": (f"{unit}.csv", table(unit, 7))},
                    headers=districts[unit],
                )

        holding.set()
        with ThreadPoolExecutor(max_workers=len(UNITS)) as pool:
            futures = [pool.submit(send, unit) for unit in UNITS]
            barrier.wait(timeout=30)
            # back up again and again while the uploads are being stored (bounded)
            while len(archives) < MAX_BACKUPS:
                path = tmp_path / f"during-{len(archives)}.zip"
                archives.append((path, backup(context.db, path)))
                in_flight.append(not all(future.done() for future in futures))
                released.set()
                if not in_flight[-1]:
                    break
            responses = [future.result(timeout=120) for future in futures]
        assert [r.status_code for r in responses] == [201] * len(UNITS)
        final = tmp_path / "after.zip"
        archives.append((final, backup(context.db, final)))
    source_rows = all_rows(context.db)
    context.db.dispose()

    counts = [manifest.table("submissions").rows for _, manifest in archives]  # type: ignore[union-attr]
    assert counts == sorted(counts) and counts[-1] == len(UNITS)
    assert in_flight[0] and counts[0] <= len(UNITS) // 2  # certain: half the uploads wait for it
    for number, (path, manifest) in enumerate(archives):
        database = database_of(target(data_dir=tmp_path / f"restored-{number}"))
        try:
            restore(database, path)
            assert compare_database(database, manifest) == []
            rows = all_rows(database)
        finally:
            database.dispose()
        # a consistent cut: every restored row is the source's row, and each upload came with its audit entry
        for name, restored in rows.items():
            assert set(restored) <= set(source_rows[name]), name
        action = [c.name for c in AuditRow.__table__.columns].index("action")
        uploads = [row for row in rows["audit_log"] if row[action] == "submission.upload"]
        assert len(uploads) == len(rows["submissions"])


def test_backup_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    missing = Database(f"sqlite:///{tmp_path / 'nothing' / 'none.sqlite3'}")
    with pytest.raises(BackupError, match="no SQLite database") as refused:
        backup(missing, tmp_path / "x.zip")
    assert refused.value.exit_code == EXIT_DATABASE and not (tmp_path / "x.zip").exists()
    unmigrated = Database(f"sqlite:///{tmp_path / 'plain.sqlite3'}")
    with unmigrated.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    with pytest.raises(BackupError, match="no schema revision"):
        backup(unmigrated, tmp_path / "x.zip")
    assert list(tmp_path.glob("*.zip")) == [] and list(tmp_path.glob(".*partial")) == []
    for database in (missing, unmigrated):
        database.dispose()


def test_every_kind_round_trips_and_an_unknown_type_is_refused(tmp_path: Path) -> None:
    """Kinds the service's tables do not use yet (booleans, floats) serialize faithfully too; a type the backup
    cannot carry (NUMERIC) stops the backup instead of being written approximately."""
    database = Database(f"sqlite:///{tmp_path / 'kinds.sqlite3'}")
    try:
        with database.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
            connection.exec_driver_sql("INSERT INTO alembic_version VALUES ('0001')")
            connection.exec_driver_sql(
                "CREATE TABLE extra (id INTEGER PRIMARY KEY, flag BOOLEAN, ratio FLOAT, note TEXT, raw BLOB)"
            )
            connection.exec_driver_sql(
                "INSERT INTO extra VALUES (1, 1, 0.1, '区县', x'00ff'), (2, 0, -2.5e-300, NULL, NULL)"
            )
        manifest = backup(database, tmp_path / "kinds.zip")
        entry = manifest.table("extra")
        assert entry is not None
        assert entry.columns == {
            "id": "integer",
            "flag": "boolean",
            "ratio": "float",
            "note": "string",
            "raw": "binary",
        }
        assert entry.binary == {"raw": {"1": hashlib.sha256(b"\x00\xff").hexdigest()}}
        verify_archive(tmp_path / "kinds.zip")
        with zipfile.ZipFile(tmp_path / "kinds.zip") as archive:
            assert list(read_rows(archive, entry)) == [
                {"id": 1, "flag": True, "ratio": 0.1, "note": "区县", "raw": b"\x00\xff"},
                {"id": 2, "flag": False, "ratio": -2.5e-300, "note": None, "raw": None},
            ]
        with database.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE money (id INTEGER PRIMARY KEY, amount NUMERIC(10, 2))")
        with pytest.raises(BackupError, match=r"money\.amount") as refused:
            backup(database, tmp_path / "money.zip")
        assert refused.value.exit_code == EXIT_DATABASE and not (tmp_path / "money.zip").exists()
    finally:
        database.dispose()


def test_an_archive_of_an_older_revision_restores_and_the_service_upgrades_it(
    target: Callable[..., Settings], tmp_path: Path
) -> None:
    """A backup made before a migration restores at its own revision; the service then migrates it to the
    newest, and the old token works. A target already past the archive's revision is refused."""
    old = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    token = "dgs_" + "k" * 43
    try:
        old.migrate("0001")
        with old.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO api_tokens (id, token_hash, role, created_at) VALUES (7, ?, 'admin', ?)",
                (hashlib.sha256(token.encode()).hexdigest(), "2025-03-01 08:00:00.000000"),
            )
        manifest = backup(old, tmp_path / "old.zip")
    finally:
        old.dispose()
    assert manifest.alembic_revision == "0001"
    assert (
        manifest.table("api_tokens") is not None and "expires_at" not in manifest.table("api_tokens").columns
    )  # type: ignore[union-attr]

    settings = target(data_dir=tmp_path / "restored")
    database = database_of(settings)
    try:
        restore(database, tmp_path / "old.zip")
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0001"
    finally:
        database.dispose()
    app = create_app(settings)  # migrates to the newest revision at start
    try:
        with TestClient(app) as client:
            audit = client.get("/audit", headers={"Authorization": f"Bearer {token}"})
            assert audit.status_code == 200, audit.text
        assert app.state.context.db.schema_is_current()
    finally:
        app.state.context.db.dispose()

    newer = database_of(target(data_dir=tmp_path / "newer"))
    try:
        newer.migrate()  # empty, but at the newest revision: the 0001 archive cannot go in
        with pytest.raises(BackupError, match="past the archive's 0001") as refused:
            restore(newer, tmp_path / "old.zip")
        assert refused.value.exit_code == EXIT_DATABASE
    finally:
        newer.dispose()
