"""The database tables (SQLAlchemy 2 ORM). Schema changes go through Alembic: ``service/migrations``.

Submissions, reviews, snapshots and the audit log are append-only: rows are inserted, never updated or
deleted. A submission's review state is its latest review; a round's published results are its newest snapshot (earlier ones are the versions a correction replaced).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores no zone: it is put back on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class SystemRow(Base):
    """A registered indicator-system version: the checked system as JSON, immutable once a round uses it."""

    __tablename__ = "indicator_systems"
    __table_args__ = (UniqueConstraint("system_id", "version", name="uq_indicator_systems_id_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    definition: Mapped[str] = mapped_column(Text)  # IndicatorSystem.model_dump_json()
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TokenRow(Base):
    """An API bearer token, kept only as the sha256 of its text."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    department_code: Mapped[str | None] = mapped_column(String(64))  # a department token's department
    label: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # None: never (tokens made before 0002)


class RoundRow(Base):
    """A yearly round of one system: one year evaluated with one version of that system; open → closed →
    published. Any number of systems may have a round in the same year, one each (``system_id`` repeats the
    system's id so that the database holds the rule)."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("year", "system_id", name="uq_rounds_year_system"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    system_id: Mapped[str] = mapped_column(String(200))  # the id of system_pk's system
    system_pk: Mapped[int] = mapped_column(ForeignKey("indicator_systems.id"))
    status: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)  # None: uploads until the round closes


KIND_DISTRICT, KIND_DEPARTMENT = "district", "department"


class SubmissionRow(Base):
    """One upload of one unit's file in a round: a new version every time, with the raw bytes. A department's
    upload (``kind`` department) is a version under the department's code in ``unit_code``; its values carry
    their units."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("round_id", "unit_code", "version", name="uq_submissions_round_unit_version"),
        # a client's Idempotency-Key names one upload of a unit in a round (NULLs never collide)
        Index(
            "uq_submissions_round_unit_idempotency_key",
            "round_id",
            "unit_code",
            "idempotency_key",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    outcome: Mapped[str] = mapped_column(String(16))  # valid | invalid | unusable
    values_json: Mapped[str] = mapped_column(Text)  # the unit's parsed values (service.submissions)
    problems_json: Mapped[str] = mapped_column(Text)  # [Problem.to_dict()]
    error_count: Mapped[int] = mapped_column(Integer)
    warning_count: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))  # the upload's Idempotency-Key header
    kind: Mapped[str] = mapped_column(String(16), server_default=KIND_DISTRICT)  # district | department


class ReviewRow(Base):
    """A reviewer's decision on a submission version: accept, or return with a comment."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # accept | return
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReviewCellRow(Base):
    """A reviewer's comment on one cell (indicator × year) of the version a review returned."""

    __tablename__ = "review_cells"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(Text)  # the cell the value was read from ("数据填报!I10")
    unit_code: Mapped[str | None] = mapped_column(String(64))  # the unit, on a department's version
    comment: Mapped[str] = mapped_column(Text)


class EvidenceBlobRow(Base):
    """The bytes of an evidence file, stored once by their sha256 (content-addressed: the same PDF attached to
    two indicators is kept once)."""

    __tablename__ = "evidence_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EvidenceRow(Base):
    """An evidence file (佐证材料) attached to one indicator of a submission version; its bytes are the blob of
    its sha256. A version's evidence is what was attached to it and to the unit's earlier versions."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(255))  # from the bytes, never the upload's header
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blobs.sha256"))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SnapshotRow(Base):
    """A version of a round's published results: the serialized document (zlib), its sha256 and the inputs it
    used. Version 1 is the publication; each later version is a correction (更正) with its reason."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("round_id", "version", name="uq_snapshots_round_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    reason: Mapped[str | None] = mapped_column(Text)  # why this correction (None for version 1)
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[bytes] = mapped_column(LargeBinary)
    inputs_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))


class LateUploadRow(Base):
    """An admin's leave for one unit to upload after the round's deadline, or into the published round to
    correct it, until a time; the newest leave of a unit counts."""

    __tablename__ = "late_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditRow(Base):
    """Every write: who (token), what (action and target), when, and the hash of what was written."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor_token: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    detail_json: Mapped[str] = mapped_column(Text)
