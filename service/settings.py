"""Service settings, from ``DIGISCORE_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

import scoring
from scoring.io.safety import UploadLimits

INDICATORS_DIR = Path(scoring.__file__).resolve().parents[1] / "indicators"
DEFAULT_SYSTEMS = [INDICATORS_DIR / "jinan_district_digital.yaml"]


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
    migrate_on_start: bool = True

    max_upload_bytes: int = Field(10 * 1024 * 1024, gt=0)
    max_uncompressed_bytes: int = Field(100 * 1024 * 1024, gt=0)
    max_compression_ratio: float = Field(100.0, gt=1)
    max_sheets: int = Field(50, gt=0)
    max_rows: int = Field(200_000, gt=0)
    max_columns: int = Field(2_000, gt=0)

    page_size: int = Field(50, gt=0, description="default page size of rankings")
    max_page_size: int = Field(5_000, gt=0)
    cached_pages: int = Field(1_024, ge=0, description="encoded ranking pages kept in memory per worker")
    cached_snapshots: int = Field(4, ge=1, description="decoded published results kept in memory per worker")

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'digiscore.sqlite3').resolve()}"

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
        )
