"""Replies waiting for delivery; a crash or an outage delays them, never loses them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update

from storage import tables as t
from storage.records import OutboxItem
from storage.repositories.base import Repository

_ADD_OUTBOX = insert(t.outbox).returning(t.outbox.c.id)
_out = t.outbox.c
_DUE = (select(t.outbox)
        .where(_out.status == "pending", _out.next_attempt_at <= bindparam("b_now"),
               _out.conversation_id.not_in(select(_out.conversation_id).where(
                   _out.status == "pending", _out.next_attempt_at > bindparam("b_now"))),
               _out.conversation_id.not_in(bindparam("b_skip", expanding=True)))
        .order_by(_out.id).limit(bindparam("b_limit")))
_earlier = t.outbox.alias("earlier")
# The heads a deliverer may take: due, with no earlier reply of their conversation still pending (so a
# conversation's replies go out in order whichever process takes them), none of the conversations in `b_skip`.
# FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite has one writer at a time and leaves the clause out): a process
# passes over rows another one is taking at this moment instead of waiting for it or taking them too, and the
# conditions are checked again under the lock, so each head is taken once.
_TAKEABLE = (select(_out.id)
             .where(_out.status == "pending", _out.next_attempt_at <= bindparam("b_now"),
                    _out.conversation_id.not_in(bindparam("b_skip", expanding=True)),
                    ~select(_earlier.c.id).where(_earlier.c.conversation_id == _out.conversation_id,
                                                 _earlier.c.id < _out.id, _earlier.c.status == "pending").exists())
             .order_by(_out.id).limit(bindparam("b_limit"))
             .with_for_update(skip_locked=True)
             .cte("takeable").prefix_with("MATERIALIZED"))  # run once: a rescan would skip to other rows
_TAKE = (update(t.outbox)
         .where(_out.id.in_(select(_TAKEABLE.c.id)))
         .values(next_attempt_at=bindparam("b_until"))
         .returning(_out.id, _out.conversation_id, _out.channel, _out.user_key, _out.payload_enc, _out.attempts,
                    _out.parts_sent))
_MARK_SENT = (update(t.outbox).where(_out.id == bindparam("b_id"))
              .values(status="sent", sent_at=bindparam("b_at"), attempts=_out.attempts + 1))



class Outbox(Repository):
    """Replies waiting for delivery; a crash or an outage delays them, never loses them."""

    def add(self, conversation_id: str, channel: str, user_key: str, payload: dict[str, Any],
            at: datetime) -> int:
        """Queue one reply."""
        return int(self.conn.execute(_ADD_OUTBOX, {
            "conversation_id": conversation_id, "channel": channel, "user_key": user_key,
            "payload_enc": self.cipher.encrypt_json(payload), "status": "pending", "attempts": 0,
            "next_attempt_at": at, "created_at": at,
        }).scalar_one())

    def due(self, now: datetime, limit: int = 50, skip: Collection[str] = ()) -> list[OutboxItem]:
        """Pending replies whose time has come, oldest first, of conversations none of whose replies waits for a
        later time, leaving out the conversations in `skip`: a look that takes nothing (deliverers use take_due)."""
        rows = self.conn.execute(_DUE, {"b_now": now, "b_skip": list(skip), "b_limit": limit}).all()
        return [self._item(r) for r in rows]

    def take_due(self, now: datetime, lease: timedelta, limit: int = 50,
                 skip: Collection[str] = ()) -> list[OutboxItem]:
        """Take up to `limit` due heads (the oldest pending reply of a conversation) for one delivery attempt
        each, oldest first: until `now + lease` no other deliverer, in any process, takes them. Heads of several
        parts (a sender paces them) are leased as many times over as the longest of the batch has parts."""
        rows = self.conn.execute(_TAKE, {"b_now": now, "b_skip": list(skip), "b_limit": limit,
                                         "b_until": now + lease}).all()
        items = sorted((self._item(r) for r in rows), key=lambda item: item.id)
        longer = [item.id for item in items if len(item.replies()) > 1]
        if longer:  # turns of several messages: one more statement for all of them
            self.conn.execute(update(t.outbox).where(_out.id.in_(longer)).values(
                next_attempt_at=now + lease * max(len(item.replies()) for item in items)))
        return items

    def _item(self, row: Any) -> OutboxItem:
        return OutboxItem(row.id, row.conversation_id, row.channel, row.user_key,
                          self.cipher.decrypt_json(row.payload_enc), row.attempts, row.parts_sent)

    def mark_sent(self, item_id: int, at: datetime) -> None:
        """Delivered."""
        self.conn.execute(_MARK_SENT, {"b_id": item_id, "b_at": at})

    def retry_later(self, item_id: int, at: datetime, error: str, parts_sent: int | None = None) -> None:
        """A passing failure: try again at a later time (after the parts that did go out, if told)."""
        values: dict[str, Any] = {"next_attempt_at": at, "last_error": error[:200],
                                  "attempts": t.outbox.c.attempts + 1}
        if parts_sent is not None:
            values["parts_sent"] = parts_sent
        self.conn.execute(update(t.outbox).where(t.outbox.c.id == item_id).values(**values))

    def give_up(self, item_id: int, error: str) -> None:
        """A final failure (the person blocked the bot, say)."""
        self.conn.execute(update(t.outbox).where(t.outbox.c.id == item_id).values(
            status="failed", last_error=error[:200], attempts=t.outbox.c.attempts + 1))

    def give_up_conversation(self, conversation_id: str, error: str) -> int:
        """Every pending reply of a conversation fails at once (the person blocked the bot)."""
        result = self.conn.execute(
            update(t.outbox).where(t.outbox.c.conversation_id == conversation_id, t.outbox.c.status == "pending")
            .values(status="failed", last_error=error[:200]))
        return int(result.rowcount or 0)

    def pending_count(self) -> int:
        """How many replies wait (for /metrics)."""
        return int(self.conn.execute(
            select(func.count()).select_from(t.outbox).where(t.outbox.c.status == "pending")
        ).scalar_one())

    def erase(self, conversation_id: str) -> None:
        """Drop undelivered replies of an erased conversation."""
        self.conn.execute(delete(t.outbox).where(t.outbox.c.conversation_id == conversation_id))

