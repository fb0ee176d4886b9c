"""Token expiry and upload idempotency keys.

``api_tokens.expires_at``: null for every existing token, which stays valid as before (never expires);
``submissions.idempotency_key`` with a unique index per (round, unit, key): null for existing rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.tables import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two nullable columns (existing rows keep their meaning) and the unique index."""
    op.add_column("api_tokens", sa.Column("expires_at", UtcDateTime, nullable=True))
    op.add_column("submissions", sa.Column("idempotency_key", sa.String(200), nullable=True))
    op.create_index(
        "uq_submissions_round_unit_idempotency_key",
        "submissions",
        ["round_id", "unit_code", "idempotency_key"],
        unique=True,
    )


def downgrade() -> None:
    """Drop them again (SQLite needs a table copy to drop a column: batch mode)."""
    op.drop_index("uq_submissions_round_unit_idempotency_key", table_name="submissions")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("idempotency_key")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
