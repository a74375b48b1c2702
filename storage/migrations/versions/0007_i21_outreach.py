"""outreach: each agency's link code (/chat?a=<code>) and the agency whose link brought a conversation's first
contact (plaintext, for counting)

Revision ID: 0007_i21
Revises: 0007_i18
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007_i21"
down_revision = "0007_i18"
branch_labels = None
depends_on = None

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # as storage.repositories.agencies.new_code: nothing to misread


def upgrade() -> None:
    with op.batch_alter_table("agencies") as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_agencies_code"), ["code"])
    agencies = sa.table("agencies", sa.column("id", sa.Integer), sa.column("code", sa.String))
    conn = op.get_bind()
    for (agency_id,) in conn.execute(sa.select(agencies.c.id)).all():
        code = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        conn.execute(sa.update(agencies).where(agencies.c.id == agency_id).values(code=code))
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(sa.Column("via_agency_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_conversations_via_agency_id", ["via_agency_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_index("ix_conversations_via_agency_id")
        batch_op.drop_column("via_agency_id")
    with op.batch_alter_table("agencies") as batch_op:
        batch_op.drop_constraint(op.f("uq_agencies_code"), type_="unique")
        batch_op.drop_column("code")
