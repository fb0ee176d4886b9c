"""Departments (部门) that supply indicators for every unit (issue 12, "who supplies what").

- ``api_tokens.department_code``: the department a ``department`` token is bound to (null for other roles);
- ``submissions.kind``: ``district`` (every existing row) or ``department``; a department's uploads are versions
  under its code in ``unit_code`` (department codes never equal a unit's: the system loader refuses that), so
  versions, reviews, leave and the audit log work for them as for units;
- ``review_cells.unit_code``: the unit of a commented cell of a department's version, which covers many units
  (null for a unit's own version, whose cells are all its own).

Revision ID: 0005_departments
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_departments"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns; every existing submission is a district's, every existing token bound to no department."""
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("department_code", sa.String(64), nullable=True))
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="district"))
    with op.batch_alter_table("review_cells") as batch:
        batch.add_column(sa.Column("unit_code", sa.String(64), nullable=True))


def downgrade() -> None:
    """Drop the columns (a department's submissions would then read as a unit's: refused while any exist)."""
    bind = op.get_bind()
    held = bind.execute(sa.text("SELECT count(*) FROM submissions WHERE kind = 'department'")).scalar()
    if held:
        raise RuntimeError(f"{held} department submissions exist: downgrading would mistake them for units'")
    with op.batch_alter_table("review_cells") as batch:
        batch.drop_column("unit_code")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("department_code")
