"""The database: engine set-up for SQLite (WAL) or PostgreSQL, sessions for reading and for writing, migrations.

Writes are serialized where the backend needs it. SQLite has one writer at a time anyway: a write session here
holds a lock within the process and opens its transaction with ``BEGIN IMMEDIATE``, so it takes the database's
write lock up front (other processes wait on the busy timeout) instead of failing half-way on an upgrade from a
read lock. PostgreSQL writes run concurrently; the operations that need order take row or advisory locks
(``service.store``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from scoring.shipped import package_dir

MIGRATIONS_DIR = package_dir("service.migrations")  # package data: the same from a wheel as from the checkout
MIGRATION_LOCK_KEY = 0x64677363  # any constant: PostgreSQL advisory lock held while migrating
SQLITE_BUSY_TIMEOUT_S = 30


class Database:
    """One engine and its sessions; ``is_sqlite`` tells which locking the store uses."""

    def __init__(self, url: str, schema: str | None = None):
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.schema = None if self.is_sqlite else schema
        self._write_lock = threading.Lock()
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
                pool_size=20,
                max_overflow=20,
                hide_parameters=True,  # an error's message never carries the bytes or text of a request
            )
            _configure_sqlite(self.engine)
        else:
            connect_args: dict[str, Any] = {}
            if self.schema:
                connect_args["options"] = f"-csearch_path={self.schema}"
            # at most 20 connections per worker: several workers stay within PostgreSQL's default 100
            self.engine = create_engine(
                url,
                connect_args=connect_args,
                pool_size=5,
                max_overflow=15,
                pool_pre_ping=True,
                hide_parameters=True,  # an error's message never carries the bytes or text of a request
            )
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; whatever it did is rolled back at the end."""
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is committed at the end (rolled back on an exception); serialized on SQLite."""
        if not self.is_sqlite:
            with self._sessions.begin() as session:
                yield session
            return
        with self._write_lock, self.engine.connect() as connection:
            connection.execution_options(sqlite_begin="IMMEDIATE")
            with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                yield session

    def migrate(self, revision: str = "head") -> None:
        """Upgrade the schema to ``revision``, the newest by default (several workers starting at once take
        turns); a restore upgrades an empty database to its archive's revision."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        if self.is_sqlite:
            with self._write_lock, self.engine.connect() as connection, sqlite_foreign_keys_off(connection):
                connection.execution_options(sqlite_begin="IMMEDIATE")
                with connection.begin():
                    config.attributes["connection"] = connection
                    command.upgrade(config, revision)
            return
        with self.engine.connect() as connection:
            with connection.begin():
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                if self.schema:
                    connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            with connection.begin():
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                config.attributes["connection"] = connection
                command.upgrade(config, revision)

    def schema_is_current(self) -> bool:
        """Whether the database answers and its schema is at the newest migration."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        head = ScriptDirectory.from_config(config).get_current_head()
        with self.engine.connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return current == head

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


@contextmanager
def sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's foreign keys off on ``connection`` for a migration, on again after: a batch migration rebuilds a
    table (copy, drop, rename) that other tables refer to, and SQLite would rewrite or break their references.
    The pragma is a no-op inside a transaction, so it is set on the driver's connection before any begins;
    migrations that rebuild such a table check the keys themselves before their commit
    (:func:`check_sqlite_foreign_keys`)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def check_sqlite_foreign_keys(connection: Connection) -> None:
    """Raise if any row of the SQLite database refers to a row that is not there (``PRAGMA foreign_key_check``)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")


def _configure_sqlite(engine: Engine) -> None:
    """WAL journal, foreign keys, a busy timeout; transactions begun by us (pysqlite's own BEGIN is off)."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")
