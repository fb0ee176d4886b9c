"""Rounds per (year, system): any number of systems may have a round in the same year, one each.

``rounds.system_id`` repeats the id of the round's system version (filled from ``indicator_systems`` for every
existing round) so that the unique constraint ``(year, system_id)`` can replace the unique ``year``. Every
existing round, submission, review and snapshot is kept as it is: a database made before holds at most one
round a year, which stays reachable at ``/rounds/{year}`` (docs/service.md, "Rounds per system").

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.db import check_sqlite_foreign_keys

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _check_foreign_keys() -> None:
    """SQLite rebuilds ``rounds`` (batch mode: copy, drop, rename) while submissions and snapshots refer to it,
    with foreign keys off (``Database.migrate``): the rebuilt table must hold every id they refer to."""
    if op.get_bind().dialect.name == "sqlite":
        check_sqlite_foreign_keys(op.get_bind())


def upgrade() -> None:
    """Add and fill ``system_id``, then swap the unique ``year`` for the unique ``(year, system_id)``."""
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("system_id", sa.String(200), nullable=True))
    op.execute(
        "UPDATE rounds SET system_id = (SELECT indicator_systems.system_id FROM indicator_systems "
        "WHERE indicator_systems.id = rounds.system_pk)"
    )
    with op.batch_alter_table("rounds") as batch:
        batch.alter_column("system_id", existing_type=sa.String(200), nullable=False)
        batch.drop_constraint("uq_rounds_year", type_="unique")
        batch.create_unique_constraint("uq_rounds_year_system", ["year", "system_id"])
        batch.create_index("ix_rounds_year", ["year"])
    _check_foreign_keys()


def downgrade() -> None:
    """Back to one round a year: refused (by the unique constraint) while a year has rounds of two systems."""
    with op.batch_alter_table("rounds") as batch:
        batch.drop_index("ix_rounds_year")
        batch.drop_constraint("uq_rounds_year_system", type_="unique")
        batch.create_unique_constraint("uq_rounds_year", ["year"])
        batch.drop_column("system_id")
    _check_foreign_keys()
