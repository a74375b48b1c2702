"""first contacts by outreach link counted from an index alone: (agency, opened) on conversations and on the
intakes retention dropped, so a year's statistics do not read every conversation row of the year (issue 17)

Revision ID: 0009_i17
Revises: 0008_i21
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0009_i17"
down_revision = "0008_i21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_conversations_via_agency_id", table_name="conversations")
    op.create_index("ix_conversations_via", "conversations", ["via_agency_id", "created_at"], unique=False)
    op.create_index("ix_dropped_intakes_via", "dropped_intakes", ["via_agency_id", "opened_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_dropped_intakes_via", table_name="dropped_intakes")
    op.drop_index("ix_conversations_via", table_name="conversations")
    op.create_index("ix_conversations_via_agency_id", "conversations", ["via_agency_id"], unique=False)
