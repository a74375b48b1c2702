"""Repositories: the only code that reads and writes tables. Encryption happens here, at the edge."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from dialogs.model import Conversation, Sheet
from storage import tables as t
from storage.crypto import FieldCipher
from storage.records import (
    Agency,
    AuditEntry,
    CannedReply,
    CaseNote,
    ConsoleSession,
    Counselor,
    Handoff,
    OutboxItem,
    Relay,
    StaffAlert,
    TranscriptEntry,
)


def new_id() -> str:
    """An opaque, unguessable id (80 random bits) that sorts by creation time, as UUIDv7 does: a new row
    goes at the end of its index instead of a random page of it, which keeps inserts cheap in a large store."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


def _insert_ignore(table: Table, index: list[str]) -> dict[str, Any]:
    """INSERT ... ON CONFLICT DO NOTHING, by dialect name."""
    return {name: dialect.insert(table).on_conflict_do_nothing(index_elements=index)
            for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))}


# The statements of the per-message path, built once: SQLAlchemy then reuses each one's cache key and
# compiled form, where a statement built per call is built and hashed again for every message.
_conv = t.conversations.c
_SEEN = {name: stmt.returning(t.inbound_events.c.id)
         for name, stmt in _insert_ignore(t.inbound_events, ["channel", "event_id"]).items()}
_NEW_CONVERSATION = _insert_ignore(t.conversations, ["channel", "user_key"])
_FIND_CONVERSATION = select(t.conversations).where(_conv.channel == bindparam("b_channel"),
                                                   _conv.user_key == bindparam("b_user_key"))
_LOCK_CONVERSATION = _FIND_CONVERSATION.with_for_update()
_SAVE_STATE = dict(state=bindparam("b_state"), locale=bindparam("b_locale"), context=bindparam("b_context"),
                   last_active_at=bindparam("b_last_active_at"), updated_at=bindparam("b_updated_at"),
                   version=_conv.version + 1,
                   unreachable_at=None)  # someone who just wrote can be written to again
_SAVE_CONVERSATION = update(t.conversations).where(_conv.id == bindparam("b_id")).values(**_SAVE_STATE)
_SAVE_CONVERSATION_AND_SHEET = (update(t.conversations).where(_conv.id == bindparam("b_id"))
                                .values(sheet_enc=bindparam("b_sheet_enc"), **_SAVE_STATE))
_ADD_MESSAGES = insert(t.messages).returning(t.messages.c.id, sort_by_parameter_order=True)
_ADD_OUTBOX = insert(t.outbox).returning(t.outbox.c.id)
_out = t.outbox.c
_DUE = (select(t.outbox)
        .where(_out.status == "pending", _out.next_attempt_at <= bindparam("b_now"),
               _out.conversation_id.not_in(select(_out.conversation_id).where(
                   _out.status == "pending", _out.next_attempt_at > bindparam("b_now"))),
               _out.conversation_id.not_in(bindparam("b_skip", expanding=True)))
        .order_by(_out.id).limit(bindparam("b_limit")))
_earlier = t.outbox.alias("earlier")
_CLAIM = (update(t.outbox)
          .where(_out.id == bindparam("b_id"), _out.status == "pending", _out.next_attempt_at <= bindparam("b_now"),
                 ~select(_earlier.c.id).where(_earlier.c.conversation_id == _out.conversation_id,
                                              _earlier.c.id < _out.id, _earlier.c.status == "pending").exists())
          .values(next_attempt_at=bindparam("b_until"))
          .returning(_out.id))
_MARK_SENT = (update(t.outbox).where(_out.id == bindparam("b_id"))
              .values(status="sent", sent_at=bindparam("b_at"), attempts=_out.attempts + 1))


class Repository:
    """Shared plumbing: the transaction's connection and the cipher."""

    def __init__(self, conn: Connection, cipher: FieldCipher) -> None:
        self.conn = conn
        self.cipher = cipher


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
            "version": 1, "created_at": now, "updated_at": now,
        })
        return self._load(self._select_locked(channel, user_key))

    def _select_locked(self, channel: str, user_key: str) -> Any:
        return self.conn.execute(_LOCK_CONVERSATION, {"b_channel": channel, "b_user_key": user_key}).one_or_none()

    def get(self, conversation_id: str) -> Conversation | None:
        """A conversation by id, without locking."""
        row = self.conn.execute(
            select(t.conversations).where(t.conversations.c.id == conversation_id)
        ).one_or_none()
        return self._load(row) if row else None

    def exists(self, channel: str, user_key: str) -> bool:
        """Whether a conversation exists (nothing decrypted)."""
        return self.conn.execute(
            select(t.conversations.c.id)
            .where(t.conversations.c.channel == channel, t.conversations.c.user_key == user_key)
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
        self.conn.execute(update(t.conversations).where(t.conversations.c.id == conversation_id).values(**values))

    def idle_unfinished(self, before: datetime, limit: int = 500) -> list[str]:
        """Conversations silent since before `before` that never reached a handoff."""
        c = t.conversations.c
        has_handoff = select(t.handoffs.c.id).where(t.handoffs.c.conversation_id == c.id).exists()
        return list(self.conn.execute(
            select(c.id).where(func.coalesce(c.last_active_at, c.created_at) < before, ~has_handoff,
                               c.state != "erased").order_by(c.id).limit(limit)).scalars())

    def delete(self, conversation_id: str) -> None:
        """Remove a conversation and everything that hangs on it."""
        for table in (t.messages, t.outbox, t.consent_records):
            self.conn.execute(delete(table).where(table.c.conversation_id == conversation_id))
        self.conn.execute(delete(t.conversations).where(t.conversations.c.id == conversation_id))

    def mark_unreachable(self, conversation_id: str, now: datetime) -> None:
        """The person blocked the bot or left the channel: stop sending until they write again."""
        self.conn.execute(update(t.conversations).where(t.conversations.c.id == conversation_id)
                          .values(unreachable_at=now))


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
        """Pending replies whose time has come, oldest first, at most one unsent head per conversation;
        none of the conversations in `skip` (those being delivered already: nothing is decrypted for them)."""
        rows = self.conn.execute(_DUE, {"b_now": now, "b_skip": list(skip), "b_limit": limit}).all()
        return [OutboxItem(r.id, r.conversation_id, r.channel, r.user_key,
                           self.cipher.decrypt_json(r.payload_enc), r.attempts, r.parts_sent) for r in rows]

    def claim(self, item_id: int, now: datetime, lease: timedelta) -> bool:
        """Take a due item for one delivery attempt; False when another process took it first, or an
        earlier item of its conversation is still pending."""
        return self.conn.execute(_CLAIM, {"b_id": item_id, "b_now": now, "b_until": now + lease}).first() is not None

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


class Agencies(Repository):
    """Agencies and the municipalities they receive."""

    def add(self, name: str, municipalities: list[str], at: datetime, is_default: bool = False) -> Agency:
        """Create an agency."""
        result = self.conn.execute(insert(t.agencies).values(name=name, is_default=is_default, created_at=at))
        agency_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        self.set_municipalities(agency_id, municipalities)
        return Agency(agency_id, name, is_default, tuple(municipalities))

    def set_municipalities(self, agency_id: int, municipalities: list[str]) -> None:
        """Route these municipalities to the agency (moving them from another one)."""
        for m in municipalities:
            self.conn.execute(delete(t.agency_municipalities)
                              .where(t.agency_municipalities.c.municipality == m))
            self.conn.execute(insert(t.agency_municipalities).values(municipality=m, agency_id=agency_id))

    def replace_municipalities(self, agency_id: int, municipalities: list[str]) -> None:
        """The agency receives exactly these municipalities from now on."""
        self.conn.execute(delete(t.agency_municipalities)
                          .where(t.agency_municipalities.c.agency_id == agency_id))
        self.set_municipalities(agency_id, municipalities)

    def get(self, agency_id: int) -> Agency | None:
        """An agency by id."""
        row = self.conn.execute(select(t.agencies).where(t.agencies.c.id == agency_id)).one_or_none()
        return self._agency(row) if row else None

    def by_name(self, name: str) -> Agency | None:
        """An agency by its name."""
        row = self.conn.execute(select(t.agencies).where(t.agencies.c.name == name)).one_or_none()
        return self._agency(row) if row else None

    def default(self) -> Agency | None:
        """The agency that receives handoffs no municipality routes."""
        row = self.conn.execute(
            select(t.agencies).where(t.agencies.c.is_default.is_(True)).order_by(t.agencies.c.id)
        ).first()
        return self._agency(row) if row else None

    def for_municipality(self, municipality: str | None) -> Agency | None:
        """The agency serving a municipality, else the default one."""
        if municipality:
            row = self.conn.execute(
                select(t.agencies).join(t.agency_municipalities)
                .where(t.agency_municipalities.c.municipality == municipality)
            ).one_or_none()
            if row:
                return self._agency(row)
        return self.default()

    def all(self) -> list[Agency]:
        """Every agency."""
        return [self._agency(r) for r in self.conn.execute(select(t.agencies).order_by(t.agencies.c.id))]

    def _agency(self, row: Any) -> Agency:
        munis = self.conn.execute(
            select(t.agency_municipalities.c.municipality)
            .where(t.agency_municipalities.c.agency_id == row.id)
            .order_by(t.agency_municipalities.c.municipality)
        ).scalars().all()
        return Agency(row.id, row.name, bool(row.is_default), tuple(munis), row.hours)

    def set_hours(self, agency_id: int, hours: str | None) -> None:
        """The agency's opening hours ("mon-fri 09:00-17:00"; None for the default)."""
        self.conn.execute(update(t.agencies).where(t.agencies.c.id == agency_id).values(hours=hours))


class Handoffs(Repository):
    """The counselor queue."""

    def add(self, conv: Conversation, agency: Agency, urgent: bool, at: datetime, basis: str | None = None) -> str:
        """Put a sheet in an agency's queue; returns the handoff id."""
        handoff_id = new_id()
        sheet = conv.sheet
        self.conn.execute(insert(t.handoffs).values(
            id=handoff_id, conversation_id=conv.id, agency_id=agency.id,
            priority="urgent" if urgent else "normal", status="open", channel=conv.channel,
            writer=sheet.writer, topics=json.dumps(sheet.topics), main_topic=sheet.main_topic,
            sheet_enc=self.cipher.encrypt_json(_handoff_sheet(handoff_id, conv, at)),
            received_by=None, created_at=at, updated_at=at, basis=basis,
        ))
        return handoff_id

    def refresh(self, handoff: Handoff, conv: Conversation, urgent: bool, at: datetime) -> None:
        """The person finished the intake of a case a crisis opened early: the fuller sheet replaces the
        first one (same id and received date); it stays urgent."""
        sheet = _handoff_sheet(handoff.id, conv, handoff.created_at)
        sheet["received_by"] = handoff.received_by
        self.conn.execute(update(t.handoffs).where(t.handoffs.c.id == handoff.id).values(
            writer=conv.sheet.writer, topics=json.dumps(conv.sheet.topics), main_topic=conv.sheet.main_topic,
            sheet_enc=self.cipher.encrypt_json(sheet), updated_at=at,
            priority="urgent" if urgent or handoff.priority == "urgent" else "normal"))

    def make_urgent(self, conversation_id: str, at: datetime) -> list[Handoff]:
        """Every case of the conversation that is not closed goes to the top of its queue."""
        self.conn.execute(update(t.handoffs).where(
            t.handoffs.c.conversation_id == conversation_id, t.handoffs.c.status != "closed")
            .values(priority="urgent", updated_at=at))
        rows = self.conn.execute(self._select().where(
            t.handoffs.c.conversation_id == conversation_id, t.handoffs.c.status != "closed")).all()
        return [self._handoff(r) for r in rows]

    def get(self, handoff_id: str) -> Handoff | None:
        """One handoff with its sheet."""
        row = self.conn.execute(self._select().where(t.handoffs.c.id == handoff_id)).one_or_none()
        return self._handoff(row) if row else None

    def open_for_conversation(self, conversation_id: str) -> Handoff | None:
        """The conversation's handoff that is not closed, if any."""
        row = self.conn.execute(self._select().where(
            t.handoffs.c.conversation_id == conversation_id, t.handoffs.c.status != "closed")
            .order_by(t.handoffs.c.created_at.desc())).first()
        return self._handoff(row) if row else None

    def queue(self, agency_id: int | None = None, status: str | None = None, topic: str | None = None,
              claimed_by: int | None = None, limit: int = 500) -> list[Handoff]:
        """Handoffs that are not closed (or those of one status), urgent first, then oldest first;
        optionally only those with a topic, or held by one counselor."""
        h = t.handoffs.c
        stmt = self._select().where(h.status != "closed" if status is None else h.status == status)
        if agency_id is not None:
            stmt = stmt.where(h.agency_id == agency_id)
        if topic is not None:
            stmt = stmt.where(h.topics.contains(json.dumps(topic), autoescape=True))
        if claimed_by is not None:
            stmt = stmt.where(h.claimed_by == claimed_by)
        if status == "closed":
            stmt = stmt.order_by(h.closed_at.desc(), h.id)
        else:
            stmt = stmt.order_by(h.priority != "urgent", h.created_at, h.id)
        rows = self.conn.execute(stmt.limit(limit)).all()
        return [self._handoff(r) for r in rows]

    def counts(self, agency_id: int) -> dict[str, int]:
        """How many of the agency's handoffs are open, urgent and open, or offered by another agency."""
        h = t.handoffs.c
        row = self.conn.execute(select(
            func.count().filter(h.status == "open"),
            func.count().filter(h.status == "open", h.priority == "urgent"),
            func.count().filter(h.status == "offered"),
        ).where(h.agency_id == agency_id, h.status.in_(("open", "offered")))).one()
        return {"open": int(row[0]), "urgent": int(row[1]), "offered": int(row[2])}

    def offer(self, source: Handoff, to_agency_id: int, thread_from: int, at: datetime) -> str:
        """A copy of a case in another agency's queue, waiting for that agency to accept it."""
        handoff_id = new_id()
        sheet = dict(source.sheet)
        sheet["id"] = handoff_id
        self.conn.execute(insert(t.handoffs).values(
            id=handoff_id, conversation_id=source.conversation_id, agency_id=to_agency_id,
            priority=source.priority, status="offered", channel=source.channel, writer=source.writer,
            topics=json.dumps(source.topics), main_topic=source.main_topic,
            sheet_enc=self.cipher.encrypt_json(sheet), received_by=source.received_by,
            created_at=at, updated_at=at, thread_from=thread_from,
        ))
        return handoff_id

    def accept(self, handoff_id: str, counselor_id: int, at: datetime) -> bool:
        """The receiving agency takes an offered case; the counselor who accepts holds it."""
        result = self.conn.execute(
            update(t.handoffs).where(t.handoffs.c.id == handoff_id, t.handoffs.c.status == "offered")
            .values(status="claimed", claimed_by=counselor_id, updated_at=at))
        return bool(result.rowcount)

    def decline(self, handoff_id: str, at: datetime) -> bool:
        """The receiving agency turns an offered case down: it closes there."""
        result = self.conn.execute(
            update(t.handoffs).where(t.handoffs.c.id == handoff_id, t.handoffs.c.status == "offered")
            .values(status="closed", outcome="declined", closed_at=at, updated_at=at))
        return bool(result.rowcount)

    def claim(self, handoff_id: str, counselor_id: int, at: datetime, email: str | None = None) -> bool:
        """Take an open handoff; False when someone else took it first (one wins, atomically). The
        first counselor to claim it becomes the sheet's 受付者 (received_by)."""
        result = self.conn.execute(
            update(t.handoffs).where(t.handoffs.c.id == handoff_id, t.handoffs.c.status == "open")
            .values(status="claimed", claimed_by=counselor_id, updated_at=at,
                    received_by=func.coalesce(t.handoffs.c.received_by, email)))
        return bool(result.rowcount)

    def release(self, handoff_id: str, counselor_id: int, at: datetime) -> bool:
        """Give a claimed case back to the queue; only its holder can."""
        result = self.conn.execute(
            update(t.handoffs).where(t.handoffs.c.id == handoff_id, t.handoffs.c.status == "claimed",
                                     t.handoffs.c.claimed_by == counselor_id)
            .values(status="open", claimed_by=None, updated_at=at))
        return bool(result.rowcount)

    def close(self, handoff_id: str, counselor_id: int, outcome: str, at: datetime) -> bool:
        """Close a case its holder has claimed, with an outcome."""
        result = self.conn.execute(
            update(t.handoffs).where(t.handoffs.c.id == handoff_id, t.handoffs.c.status == "claimed",
                                     t.handoffs.c.claimed_by == counselor_id)
            .values(status="closed", outcome=outcome, closed_at=at, updated_at=at))
        return bool(result.rowcount)

    def claimed_by(self, handoff_id: str) -> str | None:
        """The email of the counselor holding a handoff."""
        row = self.conn.execute(
            select(t.counselors.c.email).join(t.handoffs, t.handoffs.c.claimed_by == t.counselors.c.id)
            .where(t.handoffs.c.id == handoff_id)).first()
        return str(row.email) if row else None

    def agencies_of(self, conversation_id: str) -> list[tuple[int, str]]:
        """(agency id, handoff id) of every case of a conversation."""
        rows = self.conn.execute(select(t.handoffs.c.agency_id, t.handoffs.c.id)
                                 .where(t.handoffs.c.conversation_id == conversation_id)).all()
        return [(int(r.agency_id), str(r.id)) for r in rows]

    def close_all(self, conversation_id: str, outcome: str, at: datetime) -> None:
        """Close every case of a conversation that is still open anywhere."""
        self.conn.execute(update(t.handoffs).where(t.handoffs.c.conversation_id == conversation_id,
                                                   t.handoffs.c.status != "closed")
                          .values(status="closed", outcome=outcome, closed_at=at, updated_at=at))

    def closed_before(self, before: datetime, limit: int = 500) -> list[str]:
        """Conversations whose every case was closed before `before` and whose sheets are not erased yet."""
        h = t.handoffs.c
        other = t.handoffs.alias("other")
        still_open_or_recent = select(other.c.id).where(
            other.c.conversation_id == h.conversation_id,
            (other.c.status != "closed") | (other.c.closed_at >= before)).exists()
        return list(self.conn.execute(
            select(h.conversation_id).where(h.status == "closed", h.closed_at < before, ~still_open_or_recent,
                                            h.erased_at.is_(None))
            .group_by(h.conversation_id).order_by(h.conversation_id).limit(limit)).scalars())

    def erase_sheet(self, conversation_id: str, at: datetime) -> None:
        """Replace the stored sheets of a conversation with an empty one (statistics stay)."""
        self.conn.execute(update(t.handoffs).where(t.handoffs.c.conversation_id == conversation_id)
                          .values(sheet_enc=self.cipher.encrypt_json({"erased": True}), updated_at=at, erased_at=at))

    def _select(self) -> Any:
        return select(t.handoffs, t.agencies.c.name.label("agency_name")).join(
            t.agencies, t.agencies.c.id == t.handoffs.c.agency_id)

    def _handoff(self, row: Any) -> Handoff:
        return Handoff(
            id=row.id, conversation_id=row.conversation_id, agency_id=row.agency_id,
            agency=row.agency_name, priority=row.priority, status=row.status, channel=row.channel,
            writer=row.writer, topics=json.loads(row.topics), main_topic=row.main_topic,
            created_at=row.created_at, received_by=row.received_by,
            sheet=self.cipher.decrypt_json(row.sheet_enc), outcome=row.outcome, closed_at=row.closed_at,
            thread_from=row.thread_from, basis=row.basis,
        )


def _handoff_sheet(handoff_id: str, conv: Conversation, at: datetime) -> dict[str, Any]:
    """The sheet as exported: INTAKE_SHEET.md's field names, plus id, received_at, channel, locale."""
    data = conv.sheet.to_dict()
    data["details"] = "\n\n".join(conv.sheet.details)
    return {"id": handoff_id, "received_at": at.isoformat(), "received_by": None,
            "channel": conv.channel, "locale": conv.locale, **data}


class ConsentRecords(Repository):
    """Every consent answer and withdrawal, with the wording version shown."""

    def add(self, conversation_id: str, agreed: bool, text_version: str, at: datetime,
            scope: str = "share_with_agencies") -> None:
        """Record one answer."""
        self.conn.execute(insert(t.consent_records).values(
            conversation_id=conversation_id, scope=scope, agreed=agreed,
            text_version=text_version, at=at))

    def for_conversation(self, conversation_id: str) -> list[dict[str, Any]]:
        """All answers of a conversation, oldest first."""
        rows = self.conn.execute(select(t.consent_records)
                                 .where(t.consent_records.c.conversation_id == conversation_id)
                                 .order_by(t.consent_records.c.id)).all()
        return [{"scope": r.scope, "agreed": r.agreed, "text_version": r.text_version,
                 "at": r.at.isoformat(), "withdrawn_at": r.withdrawn_at} for r in rows]

    def shares(self, conversation_id: str, scope: str = "share_with_agencies") -> bool:
        """Whether the latest answer agreed and has not been withdrawn."""
        row = self.conn.execute(
            select(t.consent_records.c.agreed, t.consent_records.c.withdrawn_at)
            .where(t.consent_records.c.conversation_id == conversation_id, t.consent_records.c.scope == scope)
            .order_by(t.consent_records.c.id.desc())).first()
        return row is not None and bool(row.agreed) and row.withdrawn_at is None

    def withdraw(self, conversation_id: str, at: datetime, scope: str = "share_with_agencies") -> int:
        """Mark every standing agreement withdrawn now; returns how many were."""
        result = self.conn.execute(
            update(t.consent_records)
            .where(t.consent_records.c.conversation_id == conversation_id, t.consent_records.c.scope == scope,
                   t.consent_records.c.agreed.is_(True), t.consent_records.c.withdrawn_at.is_(None))
            .values(withdrawn_at=at))
        return int(result.rowcount or 0)


class Counselors(Repository):
    """Console accounts (argon2 hashes only)."""

    def add(self, email: str, password_hash: str, agency_id: int, role: str, at: datetime) -> int:
        """Create an account."""
        result = self.conn.execute(insert(t.counselors).values(
            email=email, password_hash=password_hash, agency_id=agency_id, role=role, created_at=at))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def by_email(self, email: str) -> Counselor | None:
        """An account by email."""
        row = self.conn.execute(select(t.counselors).where(t.counselors.c.email == email)).one_or_none()
        return _counselor(row) if row else None

    def get(self, counselor_id: int) -> Counselor | None:
        """An account by id."""
        row = self.conn.execute(select(t.counselors).where(t.counselors.c.id == counselor_id)).one_or_none()
        return _counselor(row) if row else None

    def all(self) -> list[Counselor]:
        """Every account, by agency then email."""
        rows = self.conn.execute(select(t.counselors).order_by(t.counselors.c.agency_id, t.counselors.c.email))
        return [_counselor(r) for r in rows]

    def change(self, counselor_id: int, agency_id: int, role: str) -> None:
        """Move an account to an agency and give it a role."""
        self.conn.execute(update(t.counselors).where(t.counselors.c.id == counselor_id)
                          .values(agency_id=agency_id, role=role))

    def login_failed(self, counselor_id: int, lock_after: int, lock_until: datetime) -> None:
        """Count a failed password; lock the account when the count reaches `lock_after`."""
        failed = t.counselors.c.failed_logins + 1
        self.conn.execute(update(t.counselors).where(t.counselors.c.id == counselor_id).values(
            failed_logins=failed,
            locked_until=case((failed >= lock_after, lock_until), else_=t.counselors.c.locked_until)))

    def login_succeeded(self, counselor_id: int) -> None:
        """Forget earlier failures."""
        self.conn.execute(update(t.counselors).where(t.counselors.c.id == counselor_id)
                          .values(failed_logins=0, locked_until=None))


def _counselor(row: Any) -> Counselor:
    return Counselor(row.id, row.email, row.agency_id, row.role, row.password_hash,
                     row.failed_logins, row.locked_until)


class ConsoleSessions(Repository):
    """Console sign-ins, kept by the hash of the cookie value."""

    def add(self, session_hash: str, counselor_id: int, csrf: str, at: datetime, expires_at: datetime) -> None:
        """Start a session."""
        self.conn.execute(insert(t.console_sessions).values(
            id=session_hash, counselor_id=counselor_id, csrf=csrf, created_at=at, expires_at=expires_at))

    def get(self, session_hash: str, now: datetime) -> ConsoleSession | None:
        """A live session with its counselor and agency."""
        row = self.conn.execute(
            select(t.console_sessions.c.csrf, t.console_sessions.c.expires_at, t.counselors,
                   t.agencies.c.name.label("agency_name"))
            .join(t.counselors, t.counselors.c.id == t.console_sessions.c.counselor_id)
            .join(t.agencies, t.agencies.c.id == t.counselors.c.agency_id)
            .where(t.console_sessions.c.id == session_hash, t.console_sessions.c.expires_at > now)
        ).one_or_none()
        if row is None:
            return None
        return ConsoleSession(_counselor(row), row.agency_name, row.csrf, row.expires_at)

    def delete(self, session_hash: str) -> None:
        """End a session (logout)."""
        self.conn.execute(delete(t.console_sessions).where(t.console_sessions.c.id == session_hash))

    def end_all(self, counselor_id: int) -> None:
        """End every session of an account (its role or agency changed)."""
        self.conn.execute(delete(t.console_sessions).where(t.console_sessions.c.counselor_id == counselor_id))


class AuditLog(Repository):
    """Who viewed, exported, replied to, relayed or erased what, and when."""

    def record(self, actor: str, action: str, target: str | None, at: datetime,
               detail: str | None = None, agency_id: int | None = None) -> None:
        """Append one entry (never personal content); `agency_id` is the actor's agency."""
        self.conn.execute(insert(t.audit_log).values(
            actor=actor, action=action, target=target, at=at, detail=detail, agency_id=agency_id))

    def search(self, agency_id: int | None = None, actor: str | None = None, action: str | None = None,
               target: str | None = None, since: datetime | None = None, until: datetime | None = None,
               before_id: int | None = None, limit: int = 100) -> list[AuditEntry]:
        """Entries matching every given filter, newest first (`before_id` pages back)."""
        a = t.audit_log.c
        stmt = select(t.audit_log)
        for column, value in ((a.agency_id, agency_id), (a.actor, actor), (a.action, action), (a.target, target)):
            if value is not None:
                stmt = stmt.where(column == value)
        if since is not None:
            stmt = stmt.where(a.at >= since)
        if until is not None:
            stmt = stmt.where(a.at < until)
        if before_id is not None:
            stmt = stmt.where(a.id < before_id)
        rows = self.conn.execute(stmt.order_by(a.id.desc()).limit(limit)).all()
        return [AuditEntry(r.id, r.at, r.actor, r.action, r.target, r.detail, r.agency_id) for r in rows]

    def entries(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest entries first."""
        rows = self.conn.execute(select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)).all()
        return [{"at": r.at.isoformat(), "actor": r.actor, "action": r.action,
                 "target": r.target, "detail": r.detail} for r in rows]


class Relays(Repository):
    """Provisions of a case to another agency, with their note (encrypted) and decision."""

    def add(self, source: Handoff, to_handoff_id: str, to_agency_id: int, by: str, note: str,
            items: list[str], basis: str, at: datetime) -> str:
        """Record a relay offered to another agency."""
        relay_id = new_id()
        self.conn.execute(insert(t.relays).values(
            id=relay_id, conversation_id=source.conversation_id, from_handoff_id=source.id,
            to_handoff_id=to_handoff_id, from_agency_id=source.agency_id, to_agency_id=to_agency_id,
            by_counselor=by, note_enc=self.cipher.encrypt_json({"text": note}), items=json.dumps(items),
            basis=basis, status="offered", created_at=at))
        return relay_id

    def decide(self, to_handoff_id: str, status: str, by: str, note: str, at: datetime) -> None:
        """The receiving agency accepted or declined."""
        self.conn.execute(update(t.relays).where(t.relays.c.to_handoff_id == to_handoff_id).values(
            status=status, decided_by=by, decided_at=at,
            decision_note_enc=self.cipher.encrypt_json({"text": note}) if note else None))

    def for_conversation(self, conversation_id: str) -> list[Relay]:
        """Every relay of a conversation's cases, oldest first: the relay chain."""
        src, dst = t.agencies.alias("src"), t.agencies.alias("dst")
        rows = self.conn.execute(
            select(t.relays, src.c.name.label("from_name"), dst.c.name.label("to_name"))
            .join(src, src.c.id == t.relays.c.from_agency_id).join(dst, dst.c.id == t.relays.c.to_agency_id)
            .where(t.relays.c.conversation_id == conversation_id)
            .order_by(t.relays.c.created_at, t.relays.c.id)).all()
        return [self._relay(r) for r in rows]

    def provisions(self, since: datetime | None = None, agency_id: int | None = None) -> list[dict[str, Any]]:
        """The provision log: every relay (of one agency's, sent or received, when given), oldest first;
        who received it, whose data (pseudonymous ids), which items, basis, time. No personal content."""
        src, dst = t.agencies.alias("src"), t.agencies.alias("dst")
        stmt = (select(t.relays, src.c.name.label("from_name"), dst.c.name.label("to_name"))
                .join(src, src.c.id == t.relays.c.from_agency_id).join(dst, dst.c.id == t.relays.c.to_agency_id)
                .order_by(t.relays.c.created_at, t.relays.c.id))
        if since is not None:
            stmt = stmt.where(t.relays.c.created_at >= since)
        if agency_id is not None:
            stmt = stmt.where((t.relays.c.from_agency_id == agency_id) | (t.relays.c.to_agency_id == agency_id))
        return [{"at": r.created_at.isoformat(), "recipient": r.to_name, "provider": r.from_name,
                 "by": r.by_counselor, "whose": r.conversation_id, "case": r.from_handoff_id,
                 "received_as": r.to_handoff_id, "items": json.loads(r.items), "basis": r.basis, "status": r.status,
                 "decided_by": r.decided_by, "decided_at": r.decided_at.isoformat() if r.decided_at else None}
                for r in self.conn.execute(stmt)]

    def _relay(self, r: Any) -> Relay:
        decision = self.cipher.decrypt_json(r.decision_note_enc) if r.decision_note_enc else {}
        return Relay(r.id, r.conversation_id, r.from_handoff_id, r.to_handoff_id, r.from_agency_id, r.from_name,
                     r.to_agency_id, r.to_name, r.by_counselor, str(self.cipher.decrypt_json(r.note_enc)["text"]),
                     list(json.loads(r.items)), r.basis, r.status, r.created_at, r.decided_by, r.decided_at,
                     decision.get("text"))

    def erase_notes(self, conversation_id: str) -> None:
        """Blank the notes of an erased conversation's relays (who, when and basis stay, as the law asks)."""
        self.conn.execute(update(t.relays).where(t.relays.c.conversation_id == conversation_id).values(
            note_enc=self.cipher.encrypt_json({"text": ""}), decision_note_enc=None))


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


class CannedReplies(Repository):
    """Reply texts each agency keeps ready (no personal content)."""

    def add(self, agency_id: int, title: str, body: str, at: datetime) -> int:
        """Keep a new reply text."""
        result = self.conn.execute(insert(t.canned_replies).values(
            agency_id=agency_id, title=title, body=body, created_at=at))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def for_agency(self, agency_id: int) -> list[CannedReply]:
        """The agency's reply texts, by title."""
        rows = self.conn.execute(select(t.canned_replies).where(t.canned_replies.c.agency_id == agency_id)
                                 .order_by(t.canned_replies.c.title, t.canned_replies.c.id)).all()
        return [CannedReply(r.id, r.agency_id, r.title, r.body) for r in rows]

    def remove(self, agency_id: int, reply_id: int) -> bool:
        """Delete one of the agency's reply texts."""
        result = self.conn.execute(delete(t.canned_replies).where(
            t.canned_replies.c.id == reply_id, t.canned_replies.c.agency_id == agency_id))
        return bool(result.rowcount)


class StaffAlerts(Repository):
    """Notes to staff that an urgent case arrived, waiting to go out (a link only)."""

    def add(self, handoff_id: str, target: str, at: datetime) -> None:
        """Queue one alert."""
        self.conn.execute(insert(t.staff_alerts).values(
            handoff_id=handoff_id, target=target, status="pending", attempts=0, next_attempt_at=at, created_at=at))

    def take_due(self, now: datetime, lease: timedelta, limit: int = 20) -> list[StaffAlert]:
        """Due alerts, each leased for one attempt (another process will not take it meanwhile)."""
        a = t.staff_alerts.c
        ids = self.conn.execute(select(a.id).where(a.status == "pending", a.next_attempt_at <= now)
                                .order_by(a.id).limit(limit)).scalars().all()
        taken = []
        for alert_id in ids:
            row = self.conn.execute(
                update(t.staff_alerts).where(a.id == alert_id, a.status == "pending", a.next_attempt_at <= now)
                .values(next_attempt_at=now + lease).returning(a.id, a.handoff_id, a.target, a.attempts)).first()
            if row is not None:
                taken.append(StaffAlert(row.id, row.handoff_id, row.target, row.attempts))
        return taken

    def sent(self, alert_id: int, at: datetime) -> None:
        """Delivered."""
        self.conn.execute(update(t.staff_alerts).where(t.staff_alerts.c.id == alert_id).values(
            status="sent", sent_at=at, attempts=t.staff_alerts.c.attempts + 1))

    def failed(self, alert_id: int, retry_at: datetime | None, error: str) -> None:
        """Try again later, or (retry_at None) give up."""
        values: dict[str, Any] = {"attempts": t.staff_alerts.c.attempts + 1, "last_error": error[:200]}
        if retry_at is None:
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = retry_at
        self.conn.execute(update(t.staff_alerts).where(t.staff_alerts.c.id == alert_id).values(**values))

    def for_handoff(self, handoff_id: str) -> list[tuple[str, str]]:
        """(target, status) of a case's alerts."""
        rows = self.conn.execute(select(t.staff_alerts.c.target, t.staff_alerts.c.status)
                                 .where(t.staff_alerts.c.handoff_id == handoff_id)
                                 .order_by(t.staff_alerts.c.id)).all()
        return [(r.target, r.status) for r in rows]
