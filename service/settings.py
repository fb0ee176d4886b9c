"""Service settings, from ``DIGISCORE_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

import dataclasses
import os
import secrets
import time
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from scoring.io.safety import UploadLimits
from scoring.shipped import shipped_systems_dir

# the shipped systems (package data, scoring/shipped): the default system and the folder POST /systems confines
# include:/units: to
INDICATORS_DIR = shipped_systems_dir()
DEFAULT_SYSTEMS = [INDICATORS_DIR / "jinan_district_digital.yaml"]
SECRET_FILE = "secret_key"


class Settings(BaseSettings):
    """Everything the app factory needs; each field is also the environment variable ``DIGISCORE_<NAME>``.

    With no ``database_url`` the service keeps an SQLite file (WAL mode) in ``data_dir``, created on first
    start; ``postgresql+psycopg://user@host/db`` switches to PostgreSQL. ``database_schema`` puts the tables
    in a PostgreSQL schema of that name (created if missing), so several installations — or test sessions —
    can share one database.
    """

    model_config = SettingsConfigDict(env_prefix="DIGISCORE_", extra="ignore")

    data_dir: Path = Path("digiscore-data")
    database_url: str | None = None
    database_schema: str | None = Field(None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    systems: list[Path] = Field(default_factory=lambda: list(DEFAULT_SYSTEMS))
    default_system: str | None = Field(
        None,
        max_length=200,
        description="the id of the system `/rounds/{year}` means without `?system=`; default: the first of systems",
    )
    migrate_on_start: bool = True

    max_upload_bytes: int = Field(10 * 1024 * 1024, gt=0)
    max_uncompressed_bytes: int = Field(100 * 1024 * 1024, gt=0)
    max_compression_ratio: float = Field(100.0, gt=1)
    max_sheets: int = Field(50, gt=0)
    max_rows: int = Field(200_000, gt=0)
    max_columns: int = Field(2_000, gt=0)
    max_cells: int = Field(2_000_000, gt=0, description="cells of a sheet's used range (rows × columns)")
    parse_timeout_seconds: float = Field(60.0, gt=0, description="an upload's parse, in a worker process")
    parse_memory_bytes: int = Field(3 * 1024**3, gt=0, description="address space of a parse worker")
    parse_workers: int = Field(2, gt=0, description="parse worker processes kept warm")

    max_evidence_bytes: int = Field(
        20 * 1024 * 1024, gt=0, description="an evidence file (佐证材料: PDF, PNG, JPEG, xlsx, docx) at most"
    )
    max_evidence_files: int = Field(
        10, gt=0, description="evidence files per indicator of a unit's submission (its versions together)"
    )

    page_size: int = Field(50, gt=0, description="default page size of rankings")
    max_page_size: int = Field(5_000, gt=0)
    cached_pages: int = Field(1_024, ge=0, description="encoded ranking pages kept in memory per worker")
    cached_snapshots: int = Field(4, ge=1, description="decoded published results kept in memory per worker")

    secret_key: SecretStr | None = Field(
        None, description="signs the dashboard's form tokens; default: a random key in <data_dir>/secret_key"
    )
    auth_failures_per_minute: int = Field(
        20, ge=0, description="failed sign-ins per client address and minute before 429 (0: no limit)"
    )
    token_days: int = Field(
        365, ge=0, le=36_500, description="how long a new token is valid unless told (0: never expires)"
    )

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'digiscore.sqlite3').resolve()}"

    def server_secret(self) -> bytes:
        """The secret behind the form tokens: ``secret_key``, or else the key in ``<data_dir>/secret_key``,
        made (32 random bytes, owner-only) by the first worker that starts and read by the others. Workers on
        several machines need ``DIGISCORE_SECRET_KEY`` (the same on all), or form posts fail across them."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode("utf-8")
        path = self.data_dir / SECRET_FILE
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            for _ in range(50):  # another worker is writing it: its 64 characters land at once
                text = path.read_text(encoding="ascii").strip()
                if len(text) == 64:
                    return bytes.fromhex(text)
                time.sleep(0.02)
            raise RuntimeError(f"{path} does not hold a key: remove it to make a new one") from None
        key = secrets.token_bytes(32)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(key.hex())
        return key

    @property
    def upload_limits(self) -> UploadLimits:
        """The limits of :mod:`scoring.io.safety` from these settings."""
        return UploadLimits(
            max_bytes=self.max_upload_bytes,
            max_uncompressed_bytes=self.max_uncompressed_bytes,
            max_compression_ratio=self.max_compression_ratio,
            max_sheets=self.max_sheets,
            max_rows=self.max_rows,
            max_columns=self.max_columns,
            max_cells=self.max_cells,
            parse_timeout_seconds=self.parse_timeout_seconds,
            parse_memory_bytes=self.parse_memory_bytes,
            parse_workers=self.parse_workers,
        )

    @property
    def evidence_limits(self) -> UploadLimits:
        """The limits an evidence file is checked against (:mod:`scoring.io.evidence`): the upload limits with
        the evidence size limit."""
        return dataclasses.replace(self.upload_limits, max_bytes=self.max_evidence_bytes)
