"""The first schema: systems, tokens, rounds, submissions, reviews, snapshots, audit log.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.tables import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table; the names of constraints follow ``service.tables.NAMING``."""
    op.create_table(
        "indicator_systems",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("system_id", sa.String(200), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("registered_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("system_id", "version", name="uq_indicator_systems_id_version"),
        sa.UniqueConstraint("content_hash", name="uq_indicator_systems_content_hash"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(64)),
        sa.Column("label", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column(
            "system_pk",
            sa.Integer,
            sa.ForeignKey("indicator_systems.id", name="fk_rounds_system_pk_indicator_systems"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_at", UtcDateTime, nullable=False),
        sa.Column("closed_at", UtcDateTime),
        sa.Column("published_at", UtcDateTime),
        sa.UniqueConstraint("year", name="uq_rounds_year"),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "round_id",
            sa.Integer,
            sa.ForeignKey("rounds.id", name="fk_submissions_round_id_rounds"),
            nullable=False,
        ),
        sa.Column("unit_code", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("content_type", sa.String(255)),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("values_json", sa.Text, nullable=False),
        sa.Column("problems_json", sa.Text, nullable=False),
        sa.Column("error_count", sa.Integer, nullable=False),
        sa.Column("warning_count", sa.Integer, nullable=False),
        sa.Column(
            "uploaded_by",
            sa.Integer,
            sa.ForeignKey("api_tokens.id", name="fk_submissions_uploaded_by_api_tokens"),
        ),
        sa.Column("uploaded_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("round_id", "unit_code", "version", name="uq_submissions_round_unit_version"),
    )
    op.create_index("ix_submissions_round_id", "submissions", ["round_id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "submission_id",
            sa.Integer,
            sa.ForeignKey("submissions.id", name="fk_reviews_submission_id_submissions"),
            nullable=False,
        ),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column(
            "reviewer", sa.Integer, sa.ForeignKey("api_tokens.id", name="fk_reviews_reviewer_api_tokens")
        ),
        sa.Column("reviewed_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_reviews_submission_id", "reviews", ["submission_id"])
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "round_id",
            sa.Integer,
            sa.ForeignKey("rounds.id", name="fk_snapshots_round_id_rounds"),
            nullable=False,
        ),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("document", sa.LargeBinary, nullable=False),
        sa.Column("inputs_json", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column(
            "created_by",
            sa.Integer,
            sa.ForeignKey("api_tokens.id", name="fk_snapshots_created_by_api_tokens"),
        ),
        sa.UniqueConstraint("round_id", name="uq_snapshots_round_id"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column(
            "actor_token",
            sa.Integer,
            sa.ForeignKey("api_tokens.id", name="fk_audit_log_actor_token_api_tokens"),
        ),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("detail_json", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    """Drop every table (children first)."""
    for table in (
        "audit_log",
        "snapshots",
        "reviews",
        "submissions",
        "rounds",
        "api_tokens",
        "indicator_systems",
    ):
        op.drop_table(table)
