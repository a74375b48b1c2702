"""Counselors' private notes on a case (encrypted); the person never sees them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select

from storage import tables as t
from storage.records import CaseNote
from storage.repositories.base import Repository


class CaseNotes(Repository):
    """Counselors' private notes on a case (encrypted); the person never sees them."""

    def add(self, handoff_id: str, author: str, body: str, at: datetime) -> int:
        """Append a note."""
        result = self.conn.execute(insert(t.case_notes).values(
            handoff_id=handoff_id, author=author, body_enc=self.cipher.encrypt_json({"text": body}), created_at=at))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def for_handoff(self, handoff_id: str) -> list[CaseNote]:
        """A case's notes, oldest first."""
        rows = self.conn.execute(select(t.case_notes).where(t.case_notes.c.handoff_id == handoff_id)
                                 .order_by(t.case_notes.c.id)).all()
        return [CaseNote(r.id, r.author, str(self.cipher.decrypt_json(r.body_enc)["text"]), r.created_at)
                for r in rows]

    def erase(self, conversation_id: str) -> None:
        """Delete the notes on every case of an erased conversation."""
        cases = select(t.handoffs.c.id).where(t.handoffs.c.conversation_id == conversation_id)
        self.conn.execute(delete(t.case_notes).where(t.case_notes.c.handoff_id.in_(cases)))

