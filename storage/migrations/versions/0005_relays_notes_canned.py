"""relays (つなぐ), private case notes, canned replies, the audit log's agency, a handoff's thread start

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    ref = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{ref}"), ondelete=ondelete)


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch_op:
        batch_op.add_column(sa.Column("thread_from", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_audit_log_agency_id_id", ["agency_id", "id"], unique=False)
    op.create_table(
        "relays",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("from_handoff_id", sa.String(length=32), nullable=False),
        sa.Column("to_handoff_id", sa.String(length=32), nullable=False),
        sa.Column("from_agency_id", sa.Integer(), nullable=False),
        sa.Column("to_agency_id", sa.Integer(), nullable=False),
        sa.Column("by_counselor", sa.String(length=254), nullable=False),
        sa.Column("note_enc", sa.Text(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("basis", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("decided_by", sa.String(length=254), nullable=True),
        sa.Column("decided_at", _TS, nullable=True),
        sa.Column("decision_note_enc", sa.Text(), nullable=True),
        _fk("relays", "conversation_id", "conversations.id", "CASCADE"),
        _fk("relays", "from_handoff_id", "handoffs.id", "CASCADE"),
        _fk("relays", "to_handoff_id", "handoffs.id", "CASCADE"),
        _fk("relays", "from_agency_id", "agencies.id"),
        _fk("relays", "to_agency_id", "agencies.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relays")),
    )
    op.create_index("ix_relays_conversation_id", "relays", ["conversation_id"], unique=False)
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=254), nullable=False),
        sa.Column("body_enc", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        _fk("case_notes", "handoff_id", "handoffs.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index("ix_case_notes_handoff_id", "case_notes", ["handoff_id"], unique=False)
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        _fk("canned_replies", "agency_id", "agencies.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_replies")),
    )
    op.create_index("ix_canned_replies_agency_id", "canned_replies", ["agency_id"], unique=False)


def downgrade() -> None:
    op.drop_table("canned_replies")
    op.drop_table("case_notes")
    op.drop_table("relays")
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_index("ix_audit_log_agency_id_id")
        batch_op.drop_column("agency_id")
    with op.batch_alter_table("handoffs") as batch_op:
        batch_op.drop_column("thread_from")
