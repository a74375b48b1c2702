"""The service layer: one unit of work per inbound message, and the counselor-side operations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dialogs import engine
from dialogs.model import (
    ConsentGiven,
    ConsentWithdrawn,
    Conversation,
    EraseRequested,
    Event,
    HandoffRequested,
    Inbound,
    MessageForCounselor,
    Reply,
)
from storage.records import Handoff, TranscriptEntry
from storage.uow import UnitOfWork

BOT = "bot"


class NotFound(LookupError):
    """No such handoff, agency or conversation."""


@dataclass(frozen=True)
class Handled:
    """What became of one inbound message."""

    duplicate: bool
    conversation_id: str | None
    handoff_id: str | None = None


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def inbound_body(inbound: Inbound) -> dict[str, Any]:
    """How an inbound message is kept in the thread."""
    if inbound.choice_id:
        return {"choice": inbound.choice_id}
    if inbound.text is not None:
        return {"text": inbound.text}
    return {"kind": inbound.kind}


class Service:
    """Use cases over the unit of work; adapters call these and nothing deeper."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Callable[[], datetime] = utcnow,
                 on_outbox: Callable[[], None] = lambda: None) -> None:
        self._uow = uow
        self._clock = clock
        self._on_outbox = on_outbox

    def handle(self, inbound: Inbound, delivery: dict[str, Any] | None = None) -> Handled:
        """Lock the conversation, run the dialog, save state, sheet, thread and outbox; commit.

        `delivery` is what the channel needs to answer this message (a reply token, the id of the
        message whose button was pressed); it goes with the replies to the outbox, not the thread.
        """
        now = self._clock()
        with self._uow() as uow:
            if not uow.events.first_time(inbound.channel, inbound.event_id, now):
                return Handled(duplicate=True, conversation_id=None)
            conv = uow.conversations.lock(inbound.channel, inbound.user_key, now)
            outcome = engine.handle(conv, inbound)
            assert conv.id is not None
            uow.transcript.add(conv.id, "in", "person", inbound_body(inbound), now)
            handoff_id = None
            for event in outcome.events:
                handoff_id = self._apply(uow, conv, event, now) or handoff_id
            self._queue_replies(uow, conv, outcome.replies, BOT, now, delivery)
            uow.conversations.save(conv, now)
            uow.commit()
        self._on_outbox()
        return Handled(duplicate=False, conversation_id=conv.id, handoff_id=handoff_id)

    def _apply(self, uow: UnitOfWork, conv: Conversation, event: Event, now: datetime) -> str | None:
        assert conv.id is not None
        if isinstance(event, HandoffRequested):
            agency = uow.agencies.for_municipality(conv.sheet.person.municipality)
            if agency is None:
                raise NotFound("No agency exists; run `tsunagu db upgrade` to create the default one.")
            handoff_id = uow.handoffs.add(conv, agency, event.urgent, now)
            uow.audit.record(BOT, "handoff", handoff_id, now, f"agency={agency.id}", agency.id)
            return handoff_id
        if isinstance(event, ConsentGiven):
            uow.consents.add(conv.id, event.agreed, event.text_version, now)
        elif isinstance(event, ConsentWithdrawn):
            uow.consents.withdraw(conv.id, now)
            for agency_id, handoff_id in uow.handoffs.agencies_of(conv.id):
                uow.audit.record("person", "consent_withdrawn", handoff_id, now, None, agency_id)
        elif isinstance(event, EraseRequested):
            uow.transcript.erase(conv.id)
            uow.outbox.erase(conv.id)
            uow.notes.erase(conv.id)
            uow.relays.erase_notes(conv.id)
            uow.consents.withdraw(conv.id, now)  # nothing erased may be relayed again
            uow.handoffs.erase_sheet(conv.id, now)
            uow.audit.record("person", "erase", conv.id, now)
            for agency_id, handoff_id in uow.handoffs.agencies_of(conv.id):
                uow.audit.record("person", "erase", handoff_id, now, None, agency_id)
        elif isinstance(event, MessageForCounselor):
            pass  # already in the thread as the inbound message; the console reads it there
        return None

    def _queue_replies(self, uow: UnitOfWork, conv: Conversation, replies: list[Reply], author: str,
                       now: datetime, delivery: dict[str, Any] | None = None) -> int | None:
        """One outbox item for one turn's replies (a channel may send them in one call), and each
        reply in the thread, pointing at that item; returns the last message id."""
        assert conv.id is not None
        if not replies:
            return None
        bodies = [reply.to_dict() for reply in replies]
        payload: dict[str, Any] = {"replies": bodies}
        if delivery:
            payload["delivery"] = delivery
        outbox_id = uow.outbox.add(conv.id, conv.channel, conv.user_key, payload, now)
        message_id = None
        for body in bodies:
            message_id = uow.transcript.add(conv.id, "out", author, body, now, outbox_id=outbox_id)
        return message_id

    def thread(self, channel: str, user_key: str, after_id: int = 0) -> tuple[Conversation | None,
                                                                           list[TranscriptEntry]]:
        """A person's conversation and its messages after an id (for the web chat)."""
        with self._uow() as uow:
            conv = uow.conversations.find(channel, user_key)
            if conv is None or conv.id is None:
                return None, []
            return conv, uow.transcript.since(conv.id, after_id)

    def knows(self, channel: str, user_key: str) -> bool:
        """Whether this person has written before (a channel asks before a first-contact lookup)."""
        with self._uow() as uow:
            return uow.conversations.exists(channel, user_key)

    def mark_unreachable(self, channel: str, user_key: str) -> bool:
        """The person blocked the bot (a channel told us): pending replies fail, none are tried."""
        now = self._clock()
        with self._uow() as uow:
            conv = uow.conversations.find(channel, user_key)
            if conv is None or conv.id is None:
                return False
            uow.outbox.give_up_conversation(conv.id, "the person blocked the bot")
            uow.conversations.mark_unreachable(conv.id, now)
            uow.commit()
            return True

    def handoff_thread(self, handoff_id: str, actor: str) -> list[TranscriptEntry]:
        """The whole conversation behind a handoff, for a counselor; audited as a view."""
        now = self._clock()
        with self._uow() as uow:
            handoff = uow.handoffs.get(handoff_id)
            if handoff is None:
                raise NotFound(f"No handoff has the id {handoff_id}.")
            entries: list[TranscriptEntry] = []
            while page := uow.transcript.since(handoff.conversation_id, entries[-1].id if entries else 0):
                entries.extend(page)
            uow.audit.record(actor, "view_thread", handoff_id, now, None, handoff.agency_id)
            uow.commit()
            return entries

    def reply(self, handoff_id: str, text: str, actor: str) -> int:
        """A counselor's reply, queued for the person's channel and audited; returns the message id."""
        now = self._clock()
        with self._uow() as uow:
            handoff = uow.handoffs.get(handoff_id)
            if handoff is None:
                raise NotFound(f"No handoff has the id {handoff_id}.")
            stored = uow.conversations.get(handoff.conversation_id)
            if stored is None:
                raise NotFound(f"The conversation of handoff {handoff_id} no longer exists.")
            conv = uow.conversations.lock(stored.channel, stored.user_key, now)
            assert conv.id is not None
            message_id = self._queue_replies(uow, conv, [Reply(text)], "counselor", now)
            assert message_id is not None
            uow.audit.record(actor, "reply", handoff_id, now, None, handoff.agency_id)
            uow.commit()
        self._on_outbox()
        return message_id

    def queue(self, agency_name: str | None = None) -> list[Handoff]:
        """Open handoffs, most urgent first, optionally of one agency."""
        with self._uow() as uow:
            agency_id = None
            if agency_name is not None:
                agency = uow.agencies.by_name(agency_name)
                if agency is None:
                    raise NotFound(f"No agency is named {agency_name!r}.")
                agency_id = agency.id
            return uow.handoffs.queue(agency_id)

    def export_sheet(self, handoff_id: str, actor: str, fmt: str) -> dict[str, Any]:
        """One sheet with its consent records; the export is audited."""
        now = self._clock()
        with self._uow() as uow:
            handoff = uow.handoffs.get(handoff_id)
            if handoff is None:
                raise NotFound(f"No handoff has the id {handoff_id}.")
            sheet = dict(handoff.sheet)
            sheet["consent_records"] = uow.consents.for_conversation(handoff.conversation_id)
            sheet["agency"] = handoff.agency
            sheet["priority"] = handoff.priority
            sheet["received_by"] = handoff.received_by
            uow.audit.record(actor, "export", handoff_id, now, f"format={fmt}", handoff.agency_id)
            uow.commit()
            return sheet
