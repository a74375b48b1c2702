"""gatherings: interest (「行ってみたい」), reminders (「思い出させて」) and the agencies' calendar feeds

Revision ID: 0007_i18
Revises: 0007_i17
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_i18"
down_revision = "0007_i17"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gathering_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("gathering_id", sa.String(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_gathering_interest_conversation_id_conversations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gathering_interest")),
        sa.UniqueConstraint("conversation_id", "gathering_id", "starts_at", name="uq_gathering_interest_once"),
    )
    op.create_index("ix_gathering_interest_gathering_id", "gathering_interest", ["gathering_id"], unique=False)
    op.create_table(
        "gathering_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("gathering_id", sa.String(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_gathering_reminders_conversation_id_conversations"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gathering_reminders")),
        sa.UniqueConstraint("conversation_id", "gathering_id", "starts_at", name="uq_gathering_reminders_once"),
    )
    op.create_index("ix_gathering_reminders_status_due_at", "gathering_reminders", ["status", "due_at"],
                    unique=False)


    op.create_table(
        "calendar_feeds",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_enc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_calendar_feeds_agency_id_agencies"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
    op.drop_table("gathering_reminders")
    op.drop_table("gathering_interest")
