"""handoffs.outcome and closed_at: how a case was closed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch_op:
        batch_op.drop_column("closed_at")
        batch_op.drop_column("outcome")
