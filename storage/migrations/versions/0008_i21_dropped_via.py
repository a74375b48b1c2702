"""outreach counted through retention: an unfinished intake that retention deletes keeps the agency whose link
brought it, beside its step, so the statistics' first contacts by link do not shrink with time

Revision ID: 0008_i21
Revises: 0007_i21
Create Date: 2026-12-07 10:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_i21"
down_revision = "0007_i21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dropped_intakes") as batch_op:
        batch_op.add_column(sa.Column("via_agency_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dropped_intakes") as batch_op:
        batch_op.drop_column("via_agency_id")
