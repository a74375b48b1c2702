"""The conversation aggregate: one person on one channel, its state and encrypted sheet, and the inbound
events already seen for it (the same event never runs twice)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from dialogs.model import Conversation, Sheet
from storage import tables as t
from storage.crypto import FieldCipher
from storage.records import Address
from storage.repositories.base import Repository, insert_ignore, new_id

# The statements of the per-message path, built once: SQLAlchemy then reuses each one's cache key and
# compiled form, where a statement built per call is built and hashed again for every message.
_conv = t.conversations.c
_SEEN = {name: stmt.returning(t.inbound_events.c.id)
         for name, stmt in insert_ignore(t.inbound_events, ["channel", "event_id"]).items()}
_NEW_CONVERSATION = insert_ignore(t.conversations, ["channel", "user_key"])
_FIND_CONVERSATION = select(t.conversations).where(_conv.channel == bindparam("b_channel"),
                                                   _conv.user_key == bindparam("b_user_key"))
_LOCK_CONVERSATION = _FIND_CONVERSATION.with_for_update()
_SAVE_STATE = dict(state=bindparam("b_state"), locale=bindparam("b_locale"), context=bindparam("b_context"),
                   last_active_at=bindparam("b_last_active_at"), updated_at=bindparam("b_updated_at"),
                   version=_conv.version + 1, stopped_step=bindparam("b_state"),
                   unreachable_at=None)  # someone who just wrote can be written to again
_SAVE_CONVERSATION = update(t.conversations).where(_conv.id == bindparam("b_id")).values(**_SAVE_STATE)
_SAVE_CONVERSATION_AND_SHEET = (update(t.conversations).where(_conv.id == bindparam("b_id"))
                                .values(sheet_enc=bindparam("b_sheet_enc"), **_SAVE_STATE))


class InboundEvents(Repository):
    """Seen event ids per channel: the same event never runs twice."""

    def first_time(self, channel: str, event_id: str, at: datetime) -> bool:
        """Record the event; False when it was recorded before (a redelivery)."""
        stmt = _SEEN[self.conn.dialect.name]
        return self.conn.execute(stmt, {"channel": channel, "event_id": event_id, "received_at": at}).first() \
            is not None


class Conversations(Repository):
    """Conversations, loaded under a row lock."""

    def __init__(self, conn: Connection, cipher: FieldCipher) -> None:
        super().__init__(conn, cipher)
        self._loaded_sheets: dict[str, Any] = {}  # as read in this unit of work: an unchanged one is not rewritten

    def lock(self, channel: str, user_key: str, now: datetime) -> Conversation:
        """Lock and load; create first when new (the usual case, an existing row, costs one SELECT)."""
        locked = self._select_locked(channel, user_key)
        if locked is not None:
            return self._load(locked)
        blank = Conversation(channel=channel, user_key=user_key)
        self.conn.execute(_NEW_CONVERSATION[self.conn.dialect.name], {
            "id": new_id(), "channel": channel, "user_key": user_key, "state": blank.state, "locale": blank.locale,
            "context": json.dumps(blank.context()), "sheet_enc": self.cipher.encrypt_json(blank.sheet.to_dict()),
            "version": 1, "created_at": now, "updated_at": now, "stopped_step": blank.state,
        })
        return self._load(self._select_locked(channel, user_key))

    def _select_locked(self, channel: str, user_key: str) -> Any:
        return self.conn.execute(_LOCK_CONVERSATION, {"b_channel": channel, "b_user_key": user_key}).one_or_none()

    def address(self, conversation_id: str, lock: bool = False) -> Address | None:
        """Where a conversation's person is reached and in which language; nothing is decrypted. `lock`
        holds the row, as a turn does, so a reply takes its place in the conversation's order."""
        stmt = select(_conv.id, _conv.channel, _conv.user_key, _conv.locale).where(_conv.id == conversation_id)
        row = self.conn.execute(stmt.with_for_update() if lock else stmt).one_or_none()
        return Address(row.id, row.channel, row.user_key, row.locale) if row else None

    def exists(self, channel: str, user_key: str) -> bool:
        """Whether a conversation exists (nothing decrypted)."""
        return self.conn.execute(
            select(_conv.id).where(_conv.channel == channel, _conv.user_key == user_key)
        ).first() is not None

    def find(self, channel: str, user_key: str) -> Conversation | None:
        """A conversation by channel and user key, without locking."""
        row = self.conn.execute(_FIND_CONVERSATION, {"b_channel": channel, "b_user_key": user_key}).one_or_none()
        return self._load(row) if row else None

    def _load(self, row: Any) -> Conversation:
        sheet = self.cipher.decrypt_json(row.sheet_enc)
        self._loaded_sheets[row.id] = sheet
        conv = Conversation(
            channel=row.channel, user_key=row.user_key, state=row.state, locale=row.locale,
            sheet=Sheet.from_dict(sheet), last_active_at=row.last_active_at, id=row.id,
        )
        conv.restore_context(json.loads(row.context))
        return conv

    def save(self, conv: Conversation, now: datetime) -> None:
        """Write state and bookkeeping back, and the sheet (encrypted) when this turn changed it."""
        params = {"b_id": conv.id, "b_state": conv.state, "b_locale": conv.locale,
                  "b_context": json.dumps(conv.context()), "b_last_active_at": conv.last_active_at,
                  "b_updated_at": now}
        sheet = conv.sheet.to_dict()
        assert conv.id is not None, "only a loaded conversation is saved"
        if self._loaded_sheets.get(conv.id) == sheet:
            self.conn.execute(_SAVE_CONVERSATION, params)
            return
        self.conn.execute(_SAVE_CONVERSATION_AND_SHEET, {**params, "b_sheet_enc": self.cipher.encrypt_json(sheet)})
        self._loaded_sheets[conv.id] = sheet

    def erase(self, conversation_id: str, blank: Sheet, now: datetime, unlink: bool = False) -> None:
        """An empty sheet; with `unlink`, the channel's user key replaced so the person is not known again."""
        values: dict[str, Any] = {"sheet_enc": self.cipher.encrypt_json(blank.to_dict()), "updated_at": now}
        if unlink:
            values.update(user_key=f"erased:{conversation_id}", state="erased")
        self.conn.execute(update(t.conversations).where(_conv.id == conversation_id).values(**values))

    def idle_unfinished(self, before: datetime, limit: int = 500) -> list[str]:
        """Conversations silent since before `before` that never reached a handoff."""
        has_handoff = select(t.handoffs.c.id).where(t.handoffs.c.conversation_id == _conv.id).exists()
        return list(self.conn.execute(
            select(_conv.id).where(func.coalesce(_conv.last_active_at, _conv.created_at) < before, ~has_handoff,
                                   _conv.state != "erased").order_by(_conv.id).limit(limit)).scalars())

    def delete(self, conversation_id: str) -> None:
        """Remove a conversation and everything that hangs on it; where its intake stopped and whose outreach link
        brought it stay, for the statistics."""
        self.conn.execute(insert(t.dropped_intakes).from_select(
            ["channel", "opened_at", "stopped_step", "via_agency_id"],
            select(_conv.channel, _conv.created_at, _conv.stopped_step, _conv.via_agency_id)
            .where(_conv.id == conversation_id)))
        for table in (t.messages, t.outbox, t.consent_records):
            self.conn.execute(delete(table).where(table.c.conversation_id == conversation_id))
        self.conn.execute(delete(t.conversations).where(_conv.id == conversation_id))

    def came_via(self, conversation_id: str, agency_id: int) -> None:
        """Record whose outreach link brought the first contact (kept once; plaintext, for counting)."""
        self.conn.execute(update(t.conversations).where(_conv.id == conversation_id, _conv.via_agency_id.is_(None))
                          .values(via_agency_id=agency_id))

    def via(self, conversation_id: str) -> int | None:
        """The agency whose outreach link brought the conversation, if any."""
        return self.conn.execute(select(_conv.via_agency_id).where(_conv.id == conversation_id)).scalar()

    def mark_unreachable(self, conversation_id: str, now: datetime) -> None:
        """The person blocked the bot or left the channel: stop sending until they write again."""
        self.conn.execute(update(t.conversations).where(_conv.id == conversation_id).values(unreachable_at=now))
