"""Cell-level review comments, corrections (versioned snapshots) and deadlines.

- ``review_cells``: the comment a reviewer wrote on one cell (indicator × year) of a returned version, a row each;
- ``snapshots.version`` (every existing snapshot is version 1) and ``snapshots.reason`` (null for version 1): a
  published round is corrected by a new snapshot version; the unique ``round_id`` becomes the unique
  ``(round_id, version)``, so earlier snapshots stay as they are;
- ``rounds.deadline`` (null: no deadline) and ``late_uploads``: an admin's leave for one unit to upload after the
  deadline, or into a published round to correct it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.tables import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the tables and columns; existing snapshots become version 1, existing rounds have no deadline."""
    op.create_table(
        "review_cells",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "review_id",
            sa.Integer,
            sa.ForeignKey("reviews.id", name="fk_review_cells_review_id_reviews"),
            nullable=False,
        ),
        sa.Column("indicator_code", sa.String(100), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
    )
    op.create_index("ix_review_cells_review_id", "review_cells", ["review_id"])
    op.create_table(
        "late_uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "round_id",
            sa.Integer,
            sa.ForeignKey("rounds.id", name="fk_late_uploads_round_id_rounds"),
            nullable=False,
        ),
        sa.Column("unit_code", sa.String(64), nullable=False),
        sa.Column("until", UtcDateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column(
            "granted_by",
            sa.Integer,
            sa.ForeignKey("api_tokens.id", name="fk_late_uploads_granted_by_api_tokens"),
            nullable=True,
        ),
        sa.Column("granted_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_late_uploads_round_id", "late_uploads", ["round_id"])
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("deadline", UtcDateTime, nullable=True))
    with op.batch_alter_table("snapshots") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("reason", sa.Text, nullable=True))
        batch.drop_constraint("uq_snapshots_round_id", type_="unique")
        batch.create_unique_constraint("uq_snapshots_round_version", ["round_id", "version"])


def downgrade() -> None:
    """Back to one snapshot a round: refused (by the unique constraint) once a round was corrected."""
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_constraint("uq_snapshots_round_version", type_="unique")
        batch.create_unique_constraint("uq_snapshots_round_id", ["round_id"])
        batch.drop_column("reason")
        batch.drop_column("version")
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("deadline")
    op.drop_index("ix_late_uploads_round_id", table_name="late_uploads")
    op.drop_table("late_uploads")
    op.drop_index("ix_review_cells_review_id", table_name="review_cells")
    op.drop_table("review_cells")
