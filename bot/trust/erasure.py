"""Erasing a person's data: the thread, undelivered replies, notes, relay notes and the sheets go; the
handoffs keep only what statistics need (topics, channel, dates, outcome) and the audit keeps the
erasure itself. A withdrawn consent goes with it, so nothing erased can be relayed again."""

from __future__ import annotations

from datetime import datetime

from dialogs.model import Sheet
from storage.uow import UnitOfWork


def erase_conversation(uow: UnitOfWork, conversation_id: str, actor: str, now: datetime,
                       unlink: bool = False) -> None:
    """Erase within the caller's unit of work; `unlink` also forgets who the person was on the channel
    (retention: a later message starts a new conversation)."""
    uow.transcript.erase(conversation_id)
    uow.outbox.erase(conversation_id)
    uow.reminders.cancel_all(conversation_id, now)  # nothing reaches a person who asked to be forgotten
    uow.notes.erase(conversation_id)
    uow.relays.erase_notes(conversation_id)
    uow.consents.withdraw(conversation_id, now)
    uow.handoffs.erase_sheet(conversation_id, now)
    uow.handoffs.close_all(conversation_id, "erased", now)
    uow.conversations.erase(conversation_id, Sheet(), now, unlink)
    uow.audit.record(actor, "erase", conversation_id, now)
    for agency_id, handoff_id in uow.handoffs.agencies_of(conversation_id):
        uow.audit.record(actor, "erase", handoff_id, now, None, agency_id)
