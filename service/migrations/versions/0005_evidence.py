"""Evidence files (佐证材料) per indicator of a submission version.

- ``evidence_blobs``: the bytes of each evidence file once, keyed by their sha256;
- ``evidence_files``: a file attached to an indicator of a version (name, media type sniffed from the bytes,
  size, sha256, who and when).

Existing rows are untouched; a database upgraded from 0004 simply has no evidence yet.

Revision ID: 0005_evidence
Revises: 0005_departments
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.tables import UtcDateTime

revision = "0005_evidence"
down_revision = "0005_departments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two tables."""
    op.create_table(
        "evidence_blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("stored_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "submission_id",
            sa.Integer,
            sa.ForeignKey("submissions.id", name="fk_evidence_files_submission_id_submissions"),
            nullable=False,
        ),
        sa.Column("indicator_code", sa.String(100), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(255), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column(
            "sha256",
            sa.String(64),
            sa.ForeignKey("evidence_blobs.sha256", name="fk_evidence_files_sha256_evidence_blobs"),
            nullable=False,
        ),
        sa.Column(
            "uploaded_by",
            sa.Integer,
            sa.ForeignKey("api_tokens.id", name="fk_evidence_files_uploaded_by_api_tokens"),
            nullable=True,
        ),
        sa.Column("uploaded_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_evidence_files_submission_id", "evidence_files", ["submission_id"])


def downgrade() -> None:
    """Drop the two tables (and every evidence file with them)."""
    op.drop_index("ix_evidence_files_submission_id", table_name="evidence_files")
    op.drop_table("evidence_files")
    op.drop_table("evidence_blobs")
