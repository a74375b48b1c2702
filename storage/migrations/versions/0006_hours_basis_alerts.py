"""agency opening hours, a handoff's basis (danger to life) and erasure time, and staff alerts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agencies") as batch_op:
        batch_op.add_column(sa.Column("hours", sa.String(length=200), nullable=True))
    with op.batch_alter_table("handoffs") as batch_op:
        batch_op.add_column(sa.Column("basis", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "staff_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], name=op.f("fk_staff_alerts_handoff_id_handoffs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_alerts")),
    )
    op.create_index("ix_staff_alerts_status_next_attempt_at", "staff_alerts", ["status", "next_attempt_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_table("staff_alerts")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("parts_sent")
    with op.batch_alter_table("handoffs") as batch_op:
        batch_op.drop_column("erased_at")
        batch_op.drop_column("basis")
    with op.batch_alter_table("agencies") as batch_op:
        batch_op.drop_column("hours")
