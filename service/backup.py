"""Back up the service's database into one archive, and restore an archive into an empty database.

The archive is a zip file: one member per table, ``tables/<name>.jsonl`` — one JSON object per row, ordered by
primary key, bytes in base64 and timestamps in ISO 8601 UTC, so that it reads back the same on SQLite and on
PostgreSQL — and ``manifest.json``: the format, the Alembic revision of the schema, and for each table its
columns and their kinds, its row count, the sha256 of its member and the sha256 of every raw-bytes value
(submitted files, published snapshots) by primary key. The service keeps its data nowhere else: every upload,
review, snapshot and audit entry is a row; no upload or result is a file in the data directory.

A backup is consistent while the service serves: on SQLite the online backup API copies the live database into
a temporary file in one step (in WAL mode readers do not block writers), and the export reads that copy; on
PostgreSQL the export runs in one ``REPEATABLE READ READ ONLY`` transaction, so it sees one snapshot of every
table and locks no writer out. Either way a transaction (an upload with its audit entry) is in it wholly or not.

A restore checks the whole archive first (every member's sha256, every row against its columns, every raw value's
sha256, the row counts) and that the target holds no rows, and writes nothing when a check fails. Then it
migrates the target to the archive's revision, inserts every table in foreign-key order in one transaction,
moves PostgreSQL's sequences past the restored ids, reads everything back and compares it with the manifest
before committing. An archive made on SQLite restores into PostgreSQL and back.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    column,
    create_engine,
    func,
    inspect,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import TableClause
from sqlalchemy.types import TypeEngine

import scoring
from service.db import MIGRATIONS_DIR, Database
from service.tables import UtcDateTime

FORMAT = "digiscore-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VERSION_TABLE = "alembic_version"
NAME_PATTERN = r"^[a-z_][a-z0-9_]{0,62}$"

EXIT_ARCHIVE = 3  # the archive is unreadable, corrupted, tampered with or of an unknown revision
EXIT_DATABASE = 4  # the source cannot be backed up, or the target is not empty / cannot take the archive

READ_BATCH = 16  # rows fetched at a time: a submission holds up to the upload limit (10 MB by default)
WRITE_BATCH_ROWS = 500
WRITE_BATCH_BYTES = 32 * 1024 * 1024
MAX_MANIFEST_BYTES = 512 * 1024 * 1024

Kind = Literal["integer", "string", "binary", "datetime", "boolean", "float"]

# how each kind is read and written: timestamps through UtcDateTime, so SQLite's zone-less text and PostgreSQL's
# timestamptz both come back as aware UTC datetimes and serialize alike
KIND_TYPES: dict[str, TypeEngine[Any]] = {
    "integer": Integer(),
    "string": Text(),
    "binary": LargeBinary(),
    "datetime": UtcDateTime(),
    "boolean": Boolean(),
    "float": Float(),
}


class BackupError(Exception):
    """A refusal: a message for the operator and the exit code of the command."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


def archive_error(message: str) -> BackupError:
    """The archive cannot be restored (exit :data:`EXIT_ARCHIVE`); nothing was written."""
    return BackupError(f"archive refused, nothing written: {message}", EXIT_ARCHIVE)


class TableEntry(BaseModel):
    """One table in the manifest."""

    name: str = Field(pattern=NAME_PATTERN)
    member: str
    columns: dict[str, Kind] = Field(description="column → kind, in the table's order")
    primary_key: list[str]
    rows: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    binary: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="binary column → row key (primary key values joined by '/') → sha256",
    )


class Manifest(BaseModel):
    """What ``manifest.json`` says: enough to check every member and every raw value before restoring."""

    format: Literal["digiscore-backup"]
    format_version: Literal[1]
    created_at: str
    digiscore_version: str
    source: Literal["sqlite", "postgresql"]
    alembic_revision: str
    tables: list[TableEntry]

    def table(self, name: str) -> TableEntry | None:
        """The entry of table ``name``, if the archive has it."""
        return next((entry for entry in self.tables if entry.name == name), None)


@dataclass
class TableShape:
    """A table as the backup sees it: name, columns with their kinds, primary key."""

    name: str
    columns: list[tuple[str, str]]
    primary_key: list[str]

    def clause(self, schema: str | None) -> TableClause:
        """A lightweight table whose column types read and write each kind faithfully."""
        return table(
            self.name, *(column(name, KIND_TYPES[kind]) for name, kind in self.columns), schema=schema
        )


# --- reading a database -------------------------------------------------------------------------------------


def kind_of(table_name: str, column_name: str, column_type: TypeEngine[Any]) -> str:
    """The portable kind of a reflected column type; a type the backup cannot carry faithfully is refused."""
    if isinstance(column_type, Boolean):
        return "boolean"
    if isinstance(column_type, Integer):
        return "integer"
    if isinstance(column_type, LargeBinary):
        return "binary"
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Float):
        return "float"
    if isinstance(column_type, String):
        return "string"
    raise BackupError(
        f"column {table_name}.{column_name} has the type {column_type!r}, which the backup does not know how "
        "to carry; teach service/backup.py (kind_of, KIND_TYPES) before backing up",
        EXIT_DATABASE,
    )


def table_shapes(connection: Connection, schema: str | None) -> list[TableShape]:
    """Every table of the database except Alembic's, parents before children (foreign-key order)."""
    metadata = MetaData()
    metadata.reflect(bind=connection, schema=schema)
    shapes = []
    for reflected in metadata.sorted_tables:
        if reflected.name == VERSION_TABLE:
            continue
        shapes.append(_shape(reflected))
    return shapes


def _shape(reflected: Table) -> TableShape:
    columns = [(c.name, kind_of(reflected.name, c.name, c.type)) for c in reflected.columns]
    return TableShape(reflected.name, columns, [c.name for c in reflected.primary_key.columns])


def schema_revision(connection: Connection, schema: str | None) -> str | None:
    """The Alembic revision the database is at, or None when it has no version table."""
    if not inspect(connection).has_table(VERSION_TABLE, schema=schema):
        return None
    versions = table(VERSION_TABLE, column("version_num", String()), schema=schema)
    found = connection.execute(select(versions.c.version_num)).scalars().all()
    if len(found) != 1:
        raise BackupError(
            f"the database names {len(found)} schema revisions; digiscore keeps one", EXIT_DATABASE
        )
    return str(found[0])


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "datetime":
        return value.astimezone(UTC).isoformat()
    return value


def row_key(shape: TableShape, row: dict[str, Any]) -> str:
    """The row's primary key values joined by '/' (how the manifest names a row's raw values)."""
    return "/".join(str(row[name]) for name in shape.primary_key)


def export_rows(
    connection: Connection, schema: str | None, shape: TableShape
) -> Iterator[tuple[bytes, dict[str, Any]]]:
    """The table's rows in primary-key order, each as its JSON line and the row as read."""
    clause = shape.clause(schema)
    order = [clause.c[name] for name in shape.primary_key] or list(clause.c)
    result = connection.execution_options(yield_per=READ_BATCH).execute(select(clause).order_by(*order))
    for row in result.mappings():
        record = {name: _encode(kind, row[name]) for name, kind in shape.columns}
        line = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        yield line.encode("utf-8") + b"\n", dict(row)


def digest_table(
    connection: Connection, schema: str | None, shape: TableShape, sink: IO[bytes] | None = None
) -> TableEntry:
    """Serialize one table (into ``sink`` when given) and return its manifest entry."""
    digest = hashlib.sha256()
    rows = size = 0
    binary_columns = [name for name, kind in shape.columns if kind == "binary"]
    binary: dict[str, dict[str, str]] = {name: {} for name in binary_columns}
    for line, row in export_rows(connection, schema, shape):
        digest.update(line)
        rows += 1
        size += len(line)
        if sink is not None:
            sink.write(line)
        for name in binary_columns:
            if row[name] is not None:
                binary[name][row_key(shape, row)] = hashlib.sha256(bytes(row[name])).hexdigest()
    return TableEntry(
        name=shape.name,
        member=f"tables/{shape.name}.jsonl",
        columns=dict(shape.columns),
        primary_key=shape.primary_key,
        rows=rows,
        sha256=digest.hexdigest(),
        size=size,
        binary=binary,
    )


# --- backup ---------------------------------------------------------------------------------------------------


def backup(database: Database, out: Path, now: datetime | None = None) -> Manifest:
    """Write one consistent archive of ``database`` to ``out`` (atomically: a finished file or none)."""
    out = out.resolve()
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist", EXIT_DATABASE)
    descriptor, partial_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    partial = Path(partial_name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
                if database.is_sqlite:
                    manifest = _backup_sqlite(database, archive, out.parent, now)
                else:
                    manifest = _backup_postgresql(database, archive, now)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _backup_sqlite(
    database: Database, archive: zipfile.ZipFile, work_dir: Path, now: datetime | None
) -> Manifest:
    """Copy the live file with SQLite's online backup API (one step: one read snapshot), export the copy."""
    path = make_url(str(database.engine.url)).database
    if not path or path == ":memory:" or not Path(path).is_file():
        raise BackupError(f"there is no SQLite database at {path}", EXIT_DATABASE)
    with tempfile.TemporaryDirectory(prefix=".digiscore-backup-", dir=work_dir) as scratch:
        copy = Path(scratch) / "copy.sqlite3"
        source = sqlite3.connect(path, timeout=30)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)  # pages=-1: everything in one step, under one read transaction
        finally:
            target.close()
            source.close()
        engine = create_engine(f"sqlite:///{copy}")
        try:
            with engine.connect() as connection:
                return _export(connection, None, archive, "sqlite", now)
        finally:
            engine.dispose()


def _backup_postgresql(database: Database, archive: zipfile.ZipFile, now: datetime | None) -> Manifest:
    """Export every table in one REPEATABLE READ, READ ONLY transaction: one snapshot, no writer waits."""
    with database.engine.connect() as connection:
        snapshot = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with snapshot.begin():
            return _export(snapshot, database.schema, archive, "postgresql", now)


def _export(
    connection: Connection,
    schema: str | None,
    archive: zipfile.ZipFile,
    source: Literal["sqlite", "postgresql"],
    now: datetime | None,
) -> Manifest:
    revision = schema_revision(connection, schema)
    if revision is None:
        raise BackupError(
            "the database has no schema revision (alembic_version): it is not a digiscore database, or was "
            "never migrated",
            EXIT_DATABASE,
        )
    entries = []
    for shape in table_shapes(connection, schema):
        with archive.open(f"tables/{shape.name}.jsonl", "w", force_zip64=True) as sink:
            entries.append(digest_table(connection, schema, shape, sink))
    manifest = Manifest(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        created_at=(now or datetime.now(UTC)).astimezone(UTC).isoformat(),
        digiscore_version=scoring.__version__,
        source=source,
        alembic_revision=revision,
        tables=entries,
    )
    archive.writestr(MANIFEST, manifest.model_dump_json(indent=1))
    return manifest


# --- checking an archive --------------------------------------------------------------------------------------


def _decode(kind: str, value: Any, where: str) -> Any:
    """A JSON value back into what the column takes; a value of the wrong shape is refused."""
    if value is None:
        return None
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "string" and isinstance(value, str):
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind == "binary" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise archive_error(f"{where}: not base64") from None
    if kind == "datetime" and isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise archive_error(f"{where}: not an ISO 8601 timestamp") from None
        if parsed.tzinfo is None:
            raise archive_error(f"{where}: a timestamp without its UTC offset")
        return parsed
    raise archive_error(f"{where}: {type(value).__name__} where the column holds {kind}")


def read_rows(archive: zipfile.ZipFile, entry: TableEntry) -> Iterator[dict[str, Any]]:
    """The rows of one table member, decoded and checked against the entry's columns."""
    kinds = entry.columns
    with archive.open(entry.member) as member:
        for number, line in enumerate(member, start=1):
            where = f"{entry.member} line {number}"
            try:
                record = json.loads(line)
            except ValueError:
                raise archive_error(f"{where}: not JSON") from None
            if not isinstance(record, dict) or set(record) != set(kinds):
                raise archive_error(f"{where}: the row does not have the manifest's columns")
            yield {name: _decode(kinds[name], record[name], f"{where}, {name}") for name in kinds}


def _read_manifest(archive: zipfile.ZipFile) -> Manifest:
    names = archive.namelist()
    if len(names) != len(set(names)):
        raise archive_error("a member name appears twice")
    if MANIFEST not in names:
        raise archive_error(f"no {MANIFEST}: not a digiscore backup")
    if archive.getinfo(MANIFEST).file_size > MAX_MANIFEST_BYTES:
        raise archive_error(f"{MANIFEST} is too large")
    try:
        manifest = Manifest.model_validate_json(archive.read(MANIFEST))
    except ValidationError as error:
        raise archive_error(
            f"{MANIFEST} is not a digiscore backup manifest: {error.errors()[0]['msg']}"
        ) from None
    tables = [entry.name for entry in manifest.tables]
    if len(tables) != len(set(tables)):
        raise archive_error(f"{MANIFEST} lists a table twice")
    for entry in manifest.tables:
        if entry.member != f"tables/{entry.name}.jsonl":
            raise archive_error(f"{MANIFEST}: table {entry.name} names the member {entry.member!r}")
        if not set(entry.primary_key) <= set(entry.columns):
            raise archive_error(f"{MANIFEST}: the columns of table {entry.name} are inconsistent")
        if not set(entry.binary) <= {name for name, kind in entry.columns.items() if kind == "binary"}:
            raise archive_error(
                f"{MANIFEST}: table {entry.name} lists hashes of a column that holds no bytes"
            )
    expected = {MANIFEST} | {entry.member for entry in manifest.tables}
    if set(names) != expected:
        strange = sorted(set(names) ^ expected)
        raise archive_error(f"the members do not match the manifest: {', '.join(strange)}")
    return manifest


def verify_archive(path: Path) -> Manifest:
    """Check the whole archive against its manifest; its manifest, or :class:`BackupError` saying what is wrong.

    Checked: the zip's own CRCs, every member's sha256 and size, every row's columns and values, the row counts,
    every raw value's sha256, and that the schema revision is one this digiscore knows.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive)
            for entry in manifest.tables:
                _verify_member(archive, entry)
    except FileNotFoundError:
        raise BackupError(f"no file {path}", EXIT_ARCHIVE) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise archive_error(f"{path} is not a readable zip archive ({error})") from None
    _known_revision(manifest.alembic_revision)
    return manifest


def _verify_member(archive: zipfile.ZipFile, entry: TableEntry) -> None:
    digest = hashlib.sha256()
    size = 0
    with archive.open(entry.member) as member:
        for chunk in iter(lambda: member.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    if digest.hexdigest() != entry.sha256 or size != entry.size:
        raise archive_error(f"{entry.member} does not match the sha256 in the manifest (changed or damaged)")
    shape = TableShape(entry.name, list(entry.columns.items()), entry.primary_key)
    binary_columns = [name for name, kind in entry.columns.items() if kind == "binary"]
    hashes: dict[str, dict[str, str]] = {name: {} for name in binary_columns}
    rows = 0
    for row in read_rows(archive, entry):
        rows += 1
        for name in binary_columns:
            if row[name] is not None:
                hashes[name][row_key(shape, row)] = hashlib.sha256(row[name]).hexdigest()
    if rows != entry.rows:
        raise archive_error(f"{entry.member} holds {rows} rows, the manifest says {entry.rows}")
    if hashes != {name: entry.binary.get(name, {}) for name in binary_columns}:
        raise archive_error(f"the raw bytes in {entry.member} do not match their sha256 in the manifest")


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def _known_revision(revision: str) -> None:
    try:
        found = _scripts().get_revision(revision)
    except CommandError:
        found = None
    if found is None:
        raise archive_error(
            f"the archive's schema revision {revision!r} is not one this digiscore ({scoring.__version__}) "
            "knows: restore it with the version that made it, or a newer one"
        )


def _revisions_up_to(revision: str) -> set[str]:
    """``revision`` and every revision before it."""
    return {script.revision for script in _scripts().walk_revisions(base="base", head=revision)}


# --- restore --------------------------------------------------------------------------------------------------


def target_contents(connection: Connection, database: Database) -> tuple[str | None, list[str]]:
    """The target's schema revision and the tables that hold rows (empty: none hold any)."""
    schema = database.schema
    if schema is not None:
        exists = connection.execute(
            text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :schema"), {"schema": schema}
        ).first()
        if exists is None:
            return None, []
    names = inspect(connection).get_table_names(schema=schema)
    revision = schema_revision(connection, schema)
    if names and revision is None:
        raise BackupError(
            f"the target holds tables ({', '.join(sorted(names))}) but no schema revision: it is not a "
            "digiscore database; restore into an empty database or schema",
            EXIT_DATABASE,
        )
    filled = []
    for name in sorted(names):
        if name == VERSION_TABLE:
            continue
        if connection.execute(select(literal_column("1")).select_from(table(name, schema=schema))).first():
            filled.append(name)
    return revision, filled


def _refuse_filled(filled: list[str]) -> None:
    if filled:
        raise BackupError(
            f"the target database is not empty (rows in {', '.join(filled)}); nothing written. Restore into a "
            "new database or schema (DIGISCORE_DATABASE_URL, DIGISCORE_DATABASE_SCHEMA, DIGISCORE_DATA_DIR)",
            EXIT_DATABASE,
        )


def restore(database: Database, path: Path) -> Manifest:
    """Restore the archive at ``path`` into the empty ``database``; its manifest. Refusals write nothing."""
    manifest = verify_archive(path)
    with database.engine.connect() as connection:
        revision, filled = target_contents(connection, database)
    _refuse_filled(filled)
    if revision is not None and revision not in _revisions_up_to(manifest.alembic_revision):
        raise BackupError(
            f"the target's schema is at revision {revision}, past the archive's {manifest.alembic_revision}: "
            "restore into a database or schema that was never migrated; the service upgrades it when it starts",
            EXIT_DATABASE,
        )
    database.migrate(manifest.alembic_revision)
    with zipfile.ZipFile(path) as archive, database.write() as session:
        connection = session.connection()
        schema = database.schema
        shapes = table_shapes(connection, schema)
        if not database.is_sqlite and shapes:
            # no one else writes while we check and fill (SQLite: the write transaction holds the lock already)
            names = ", ".join(
                connection.dialect.identifier_preparer.format_table(s.clause(schema)) for s in shapes
            )
            connection.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
        _refuse_filled(target_contents(connection, database)[1])
        _check_shapes(manifest, shapes)
        for shape in shapes:
            entry = manifest.table(shape.name)
            assert entry is not None  # _check_shapes: the same tables
            _insert(connection, schema, shape, archive, entry)
        if not database.is_sqlite:
            _reset_sequences(connection, schema, shapes)
        differences = compare(connection, schema, manifest)
        if differences:
            raise BackupError(
                "the restored rows differ from the manifest, so nothing was kept: " + "; ".join(differences),
                EXIT_DATABASE,
            )
    return manifest


def _check_shapes(manifest: Manifest, shapes: list[TableShape]) -> None:
    """The migrated target has exactly the archive's tables and columns, of the same kinds."""
    archived = {entry.name: dict(entry.columns) for entry in manifest.tables}
    present = {shape.name: dict(shape.columns) for shape in shapes}
    if set(archived) != set(present):
        raise BackupError(
            f"revision {manifest.alembic_revision} makes the tables {', '.join(sorted(present))}, the archive "
            f"has {', '.join(sorted(archived))}; nothing written",
            EXIT_DATABASE,
        )
    for name, columns in archived.items():
        if columns != present[name]:
            raise BackupError(
                f"table {name}: the archive's columns {columns} are not those revision "
                f"{manifest.alembic_revision} makes ({present[name]}); nothing written",
                EXIT_DATABASE,
            )


def _insert(
    connection: Connection, schema: str | None, shape: TableShape, archive: zipfile.ZipFile, entry: TableEntry
) -> None:
    statement = shape.clause(schema).insert()
    batch: list[dict[str, Any]] = []
    batch_bytes = 0
    binary_columns = [name for name, kind in shape.columns if kind == "binary"]

    def flush() -> None:
        if not batch:
            return
        try:
            connection.execute(statement, batch)
        except DBAPIError as error:
            raise BackupError(
                f"the target refused rows of table {shape.name} ({type(error.orig).__name__}: "
                f"{str(error.orig).splitlines()[0] if error.orig else error}); nothing written",
                EXIT_DATABASE,
            ) from None
        batch.clear()

    for row in read_rows(archive, entry):
        batch.append(row)
        batch_bytes += sum(len(row[name]) for name in binary_columns if row[name] is not None)
        if len(batch) >= WRITE_BATCH_ROWS or batch_bytes >= WRITE_BATCH_BYTES:
            flush()
            batch_bytes = 0
    flush()


def _reset_sequences(connection: Connection, schema: str | None, shapes: list[TableShape]) -> None:
    """Move each serial/identity sequence past the largest restored id (new rows must not collide)."""
    preparer = connection.dialect.identifier_preparer
    for shape in shapes:
        qualified = preparer.format_table(shape.clause(schema))
        for name, kind in shape.columns:
            if kind != "integer":
                continue
            sequence = connection.execute(select(func.pg_get_serial_sequence(qualified, name))).scalar()
            if sequence is None:
                continue
            largest = connection.execute(select(func.max(shape.clause(schema).c[name]))).scalar()
            connection.execute(select(func.setval(sequence, (largest or 0) + 1, False)))


def compare(connection: Connection, schema: str | None, manifest: Manifest) -> list[str]:
    """How the database's tables differ from the manifest (row counts, member sha256, raw values); [] if not."""
    differences = []
    shapes = {shape.name: shape for shape in table_shapes(connection, schema)}
    if set(shapes) != {entry.name for entry in manifest.tables}:
        differences.append(f"tables {sorted(shapes)} against {sorted(e.name for e in manifest.tables)}")
    for entry in manifest.tables:
        shape = shapes.get(entry.name)
        if shape is None:
            continue
        found = digest_table(connection, schema, shape)
        if found.rows != entry.rows:
            differences.append(f"{entry.name}: {found.rows} rows, the manifest says {entry.rows}")
        elif found.sha256 != entry.sha256:
            differences.append(f"{entry.name}: the rows read back differ from the archived ones")
        if found.binary != {name: entry.binary.get(name, {}) for name in found.binary}:
            differences.append(f"{entry.name}: raw bytes differ from their sha256 in the manifest")
    return differences


def compare_database(database: Database, manifest: Manifest) -> list[str]:
    """:func:`compare` on a database (in one read transaction)."""
    with database.engine.connect() as connection, connection.begin():
        return compare(connection, database.schema, manifest)
