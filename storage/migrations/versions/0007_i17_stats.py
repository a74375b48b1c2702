"""statistics kept in plaintext at handoff and intake time (issue 17): a case's age band, municipality, origin
(a relay's copy names its source), whether it arrived out of hours, when it was flagged, claimed and first
answered, when its person's previous case came; the step an intake stands at; and intakes deleted unfinished,
kept as a step and a date only

Revision ID: 0007_i17
Revises: 0006
Create Date: 2026-12-07 08:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_i17"
down_revision = "0006"
branch_labels = None
depends_on = None

# every column the statistics read, led by the arrival time (as storage/tables.py has it, frozen here)
STATS_COLUMNS = ("created_at", "relay_of", "agency_id", "writer", "channel", "main_topic", "age_band", "municipality",
                 "after_hours", "previous_case_at", "priority", "status", "outcome", "reply_wait", "claim_wait",
                 "topics")
_FIRST = "(SELECT MIN(a.at) FROM audit_log a WHERE a.target = handoffs.id AND a.action IN ({actions}))"


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch_op:
        batch_op.add_column(sa.Column("age_band", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("municipality", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("relay_of", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("after_hours", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("previous_case_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reply_wait", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claim_wait", sa.Integer(), nullable=True))
    op.create_index("ix_handoffs_stats", "handoffs", list(STATS_COLUMNS), unique=False)
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(sa.Column("stopped_step", sa.String(length=32), nullable=True))
    op.create_index("ix_conversations_stats", "conversations", ["created_at", "stopped_step"], unique=False)
    op.create_table(
        "dropped_intakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_step", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dropped_intakes")),
    )
    op.create_index("ix_dropped_intakes_opened_at", "dropped_intakes", ["opened_at"], unique=False)
    _backfill()


def _backfill() -> None:
    """What the plaintext columns and the audit log already tell about existing rows (the age band and
    municipality live only in encrypted sheets: older cases count as 不明)."""
    op.execute("UPDATE handoffs SET relay_of = (SELECT r.from_handoff_id FROM relays r "
               "WHERE r.to_handoff_id = handoffs.id)")
    op.execute(f"UPDATE handoffs SET flagged_at = COALESCE({_FIRST.format(actions=repr('crisis'))}, created_at) "
               "WHERE priority = 'urgent'")
    op.execute(f"UPDATE handoffs SET claimed_at = {_FIRST.format(actions=repr('claim') + ', ' + repr('relay_accept'))}")
    op.execute(f"UPDATE handoffs SET first_reply_at = {_FIRST.format(actions=repr('reply'))}")
    op.execute("UPDATE handoffs SET previous_case_at = (SELECT MAX(e.created_at) FROM handoffs e "
               "WHERE e.conversation_id = handoffs.conversation_id AND e.relay_of IS NULL "
               "AND e.created_at < handoffs.created_at) WHERE relay_of IS NULL")
    seconds = ("CAST(EXTRACT(EPOCH FROM {end} - {start}) AS INTEGER)" if op.get_bind().dialect.name == "postgresql"
               else "CAST((julianday({end}) - julianday({start})) * 86400 AS INTEGER)")
    op.execute(f"UPDATE handoffs SET reply_wait = {seconds.format(start='created_at', end='first_reply_at')} "
               "WHERE first_reply_at IS NOT NULL")
    op.execute(f"UPDATE handoffs SET claim_wait = {seconds.format(start='flagged_at', end='claimed_at')} "
               "WHERE flagged_at IS NOT NULL AND claimed_at IS NOT NULL")
    op.execute("UPDATE handoffs SET claim_wait = 0 WHERE claim_wait < 0")
    op.execute("UPDATE conversations SET stopped_step = state WHERE state <> 'erased'")


def downgrade() -> None:
    op.drop_index("ix_dropped_intakes_opened_at", table_name="dropped_intakes")
    op.drop_table("dropped_intakes")
    op.drop_index("ix_conversations_stats", table_name="conversations")
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_column("stopped_step")
    op.drop_index("ix_handoffs_stats", table_name="handoffs")
    with op.batch_alter_table("handoffs") as batch_op:
        for name in ("claim_wait", "reply_wait", "previous_case_at", "first_reply_at", "claimed_at", "flagged_at",
                     "after_hours", "relay_of", "municipality", "age_band"):
            batch_op.drop_column(name)
