"""A conversation's thread: questions, answers and counselor messages, encrypted, with the delivery state
of what went out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select

from storage import tables as t
from storage.records import TranscriptEntry
from storage.repositories.base import Repository

_ADD_MESSAGES = insert(t.messages).returning(t.messages.c.id, sort_by_parameter_order=True)


class Transcript(Repository):
    """The thread of a conversation: questions, answers and counselor messages, encrypted."""

    def add(self, conversation_id: str, direction: str, author: str, body: dict[str, Any],
            at: datetime, outbox_id: int | None = None) -> int:
        """Append one message; returns its id."""
        return self.add_all(conversation_id, direction, author, [body], at, outbox_id)[-1]

    def add_all(self, conversation_id: str, direction: str, author: str, bodies: list[dict[str, Any]],
                at: datetime, outbox_id: int | None = None) -> list[int]:
        """Append messages in one statement; returns their ids, in order."""
        rows = self.conn.execute(_ADD_MESSAGES, [
            {"conversation_id": conversation_id, "direction": direction, "author": author,
             "body_enc": self.cipher.encrypt_json(body), "outbox_id": outbox_id, "created_at": at}
            for body in bodies
        ]).all()
        return [int(row.id) for row in rows]

    def since(self, conversation_id: str, after_id: int, limit: int = 200,
              until: datetime | None = None) -> list[TranscriptEntry]:
        """Messages after an id (and up to a time, if given), oldest first, with the delivery state of
        outgoing ones."""
        stmt = (
            select(t.messages, t.outbox.c.status)
            .outerjoin(t.outbox, t.outbox.c.id == t.messages.c.outbox_id)
            .where(t.messages.c.conversation_id == conversation_id, t.messages.c.id > after_id)
        )
        if until is not None:
            stmt = stmt.where(t.messages.c.created_at <= until)
        rows = self.conn.execute(stmt.order_by(t.messages.c.id).limit(limit)).all()
        return [
            TranscriptEntry(r.id, r.direction, r.author, self.cipher.decrypt_json(r.body_enc),
                            r.created_at, r.status in (None, "sent"), r.status)
            for r in rows
        ]

    def delivery_states(self, conversation_id: str, message_ids: list[int]) -> dict[int, str]:
        """The outbox state (pending, sent, failed) of these outgoing messages of a conversation; nothing
        is decrypted."""
        rows = self.conn.execute(
            select(t.messages.c.id, t.outbox.c.status)
            .join(t.outbox, t.outbox.c.id == t.messages.c.outbox_id)
            .where(t.messages.c.conversation_id == conversation_id, t.messages.c.id.in_(message_ids)))
        return {int(r.id): str(r.status) for r in rows}

    def last_id(self, conversation_id: str) -> int:
        """The newest message's id (0 for none)."""
        return int(self.conn.execute(select(func.max(t.messages.c.id))
                                     .where(t.messages.c.conversation_id == conversation_id)).scalar() or 0)

    def erase(self, conversation_id: str) -> int:
        """Delete the whole thread; returns how many messages went."""
        return int(self.conn.execute(
            delete(t.messages).where(t.messages.c.conversation_id == conversation_id)).rowcount)

