"""Consent records: every answer to sharing with other agencies and every withdrawal, with the version of
the wording shown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

from storage import tables as t
from storage.records import ConsentRecord
from storage.repositories.base import Repository

SHARING = "share_with_agencies"
_c = t.consent_records.c


class ConsentRecords(Repository):
    """Every consent answer and withdrawal, with the wording version shown."""

    def add(self, conversation_id: str, agreed: bool, text_version: str, at: datetime, scope: str = SHARING) -> None:
        """Record one answer."""
        self.conn.execute(insert(t.consent_records).values(
            conversation_id=conversation_id, scope=scope, agreed=agreed, text_version=text_version, at=at))

    def for_conversation(self, conversation_id: str) -> list[ConsentRecord]:
        """All answers of a conversation, oldest first."""
        rows = self.conn.execute(select(t.consent_records).where(_c.conversation_id == conversation_id)
                                 .order_by(_c.id)).all()
        return [ConsentRecord(r.scope, bool(r.agreed), r.text_version, r.at, r.withdrawn_at) for r in rows]

    def shares(self, conversation_id: str, scope: str = SHARING) -> bool:
        """Whether the latest answer agreed and has not been withdrawn."""
        row = self.conn.execute(
            select(_c.agreed, _c.withdrawn_at).where(_c.conversation_id == conversation_id, _c.scope == scope)
            .order_by(_c.id.desc())).first()
        return row is not None and bool(row.agreed) and row.withdrawn_at is None

    def withdraw(self, conversation_id: str, at: datetime, scope: str = SHARING) -> int:
        """Mark every standing agreement withdrawn now; returns how many were."""
        result = self.conn.execute(
            update(t.consent_records)
            .where(_c.conversation_id == conversation_id, _c.scope == scope, _c.agreed.is_(True),
                   _c.withdrawn_at.is_(None))
            .values(withdrawn_at=at))
        return int(result.rowcount or 0)
