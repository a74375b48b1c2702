"""What a counselor may do with the cases of their own agency (those relayed to it included): the
queue, the case with its thread and notes, claim, release, close, export; every access audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import Clock, utcnow
from bot.service import NotFound
from dialogs.i18n import N_
from storage.records import CannedReply, CaseNote, ConsoleSession, Handoff, Relay, TranscriptEntry
from storage.uow import UnitOfWork

OUTCOMES = {"connected": N_("支援につないだ"), "relayed": N_("ほかの機関へつないだ"),
            "no_contact": N_("連絡が取れなかった"), "ended": N_("本人・家族の希望で終了"), "other": N_("その他")}
STATUSES = ("open", "claimed", "offered", "closed")
MAX_NOTE = 4000
MAX_FOLLOWED = 100  # replies whose delivery one request asks about


@dataclass(frozen=True)
class Claim:
    """The outcome of a claim: won, or held by someone else (their email)."""

    won: bool
    holder: str | None


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: a status (None: every status but closed), a topic, only my cases."""

    status: str | None = None
    topic: str | None = None
    mine: bool = False


@dataclass(frozen=True)
class CaseView:
    """Everything the case page shows."""

    handoff: Handoff
    thread: list[TranscriptEntry]
    holder: str | None
    notes: list[CaseNote]
    relays: list[Relay]
    canned: list[CannedReply]
    consent: bool


def visible(uow: UnitOfWork, who: ConsoleSession, handoff_id: str) -> Handoff:
    """The handoff if it belongs to the counselor's agency; NotFound otherwise, whether it exists or not."""
    handoff = uow.handoffs.get(handoff_id)
    if handoff is None or handoff.agency_id != who.counselor.agency_id:
        raise NotFound("No such handoff.")
    return handoff


def held_by(uow: UnitOfWork, who: ConsoleSession, handoff: Handoff) -> bool:
    """Whether this counselor holds the (claimed) case."""
    return handoff.status == "claimed" and uow.handoffs.claimed_by(handoff.id) == who.counselor.email


def relay_chain(relays: list[Relay], agency_id: int) -> list[Relay]:
    """The relays an agency may see: the chain up to the last one it took part in."""
    last = max((n for n, r in enumerate(relays) if agency_id in (r.from_agency_id, r.to_agency_id)), default=-1)
    return relays[: last + 1]


def audit(uow: UnitOfWork, who: ConsoleSession, action: str, target: str | None, at: datetime,
          detail: str | None = None) -> None:
    """Record what a counselor did, under their agency."""
    uow.audit.record(who.counselor.email, action, target, at, detail, who.counselor.agency_id)


class Cases:
    """Queue, case, sheet, notes, claim, release and close, scoped to the counselor's agency."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock = utcnow) -> None:
        self._uow = uow
        self._clock = clock

    def queue(self, who: ConsoleSession, shown: QueueFilter = QueueFilter()) -> list[Handoff]:
        """The agency's cases, urgent first, then oldest (closed ones: the latest closed first)."""
        with self._uow() as uow:
            return uow.handoffs.queue(who.counselor.agency_id, shown.status, shown.topic,
                                      who.counselor.id if shown.mine else None, limit=200)

    def counts(self, who: ConsoleSession) -> dict[str, int]:
        """Open, urgent and offered (relayed, not yet accepted) cases of the agency, for the badges."""
        with self._uow() as uow:
            return uow.handoffs.counts(who.counselor.agency_id)

    def case(self, who: ConsoleSession, handoff_id: str) -> CaseView:
        """A case, its thread (from where this agency's share starts, up to its closing), notes and
        relay chain; the view is audited."""
        now = self._clock()
        with self._uow() as uow:
            handoff = visible(uow, who, handoff_id)
            thread = self._thread(uow, handoff)
            view = CaseView(handoff, thread, uow.handoffs.claimed_by(handoff_id), uow.notes.for_handoff(handoff_id),
                            relay_chain(uow.relays.for_conversation(handoff.conversation_id), handoff.agency_id),
                            uow.canned.for_agency(handoff.agency_id), uow.consents.shares(handoff.conversation_id))
            audit(uow, who, "view_thread", handoff_id, now)
            uow.commit()
            return view

    def deliveries(self, who: ConsoleSession, handoff_id: str, message_ids: list[int]) -> dict[int, str]:
        """Whether these replies of a case reached the person, for the case page to follow them. Not
        audited: states only, no content, asked every few seconds by a page whose opening was."""
        with self._uow() as uow:
            handoff = visible(uow, who, handoff_id)
            return uow.transcript.delivery_states(handoff.conversation_id, message_ids[:MAX_FOLLOWED])

    def _thread(self, uow: UnitOfWork, handoff: Handoff) -> list[TranscriptEntry]:
        thread: list[TranscriptEntry] = []
        after = handoff.thread_from
        while page := uow.transcript.since(handoff.conversation_id, after, until=handoff.closed_at):
            thread.extend(page)
            after = page[-1].id
        return thread

    def sheet(self, who: ConsoleSession, handoff_id: str, action: str = "view_sheet") -> dict[str, Any]:
        """The sheet with its consent records and relay chain; audited as a view or an export."""
        now = self._clock()
        with self._uow() as uow:
            handoff = visible(uow, who, handoff_id)
            sheet = dict(handoff.sheet)
            sheet["consent_records"] = [{**c, "withdrawn_at": c["withdrawn_at"].isoformat()
                                         if c["withdrawn_at"] else None}
                                        for c in uow.consents.for_conversation(handoff.conversation_id)]
            sheet["agency"] = handoff.agency
            sheet["priority"] = handoff.priority
            sheet["basis"] = handoff.basis
            sheet["received_by"] = handoff.received_by
            chain = relay_chain(uow.relays.for_conversation(handoff.conversation_id), handoff.agency_id)
            sheet["relays"] = [relay_entry(r) for r in chain]
            audit(uow, who, action, handoff_id, now, "format=json" if action == "export" else None)
            uow.commit()
            return sheet

    def check(self, who: ConsoleSession, handoff_id: str) -> Handoff:
        """The handoff, or NotFound unless it is the counselor's agency's."""
        with self._uow() as uow:
            return visible(uow, who, handoff_id)

    def holds(self, who: ConsoleSession, handoff_id: str) -> bool:
        """Whether the counselor holds this (visible) case."""
        with self._uow() as uow:
            return held_by(uow, who, visible(uow, who, handoff_id))

    def claim(self, who: ConsoleSession, handoff_id: str) -> Claim:
        """Take the case; one counselor wins when two press at once."""
        now = self._clock()
        with self._uow() as uow:
            visible(uow, who, handoff_id)
            won = uow.handoffs.claim(handoff_id, who.counselor.id, now, who.counselor.email)
            if won:
                audit(uow, who, "claim", handoff_id, now)
            holder = uow.handoffs.claimed_by(handoff_id)
            uow.commit()
            return Claim(won, holder)

    def release(self, who: ConsoleSession, handoff_id: str) -> bool:
        """Give the case back to the queue (only its holder can); audited."""
        return self._change(who, handoff_id, "release", None)

    def close(self, who: ConsoleSession, handoff_id: str, outcome: str) -> bool:
        """Close the case with an outcome (only its holder can); audited."""
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        return self._change(who, handoff_id, "close", outcome)

    def _change(self, who: ConsoleSession, handoff_id: str, action: str, outcome: str | None) -> bool:
        now = self._clock()
        with self._uow() as uow:
            visible(uow, who, handoff_id)
            if outcome is None:
                done = uow.handoffs.release(handoff_id, who.counselor.id, now)
            else:
                done = uow.handoffs.close(handoff_id, who.counselor.id, outcome, now)
            if done:
                audit(uow, who, action, handoff_id, now, f"outcome={outcome}" if outcome else None)
            uow.commit()
            return done

    def person_locale(self, who: ConsoleSession, handoff_id: str) -> str:
        """The language the person chats in."""
        with self._uow() as uow:
            handoff = visible(uow, who, handoff_id)
            conv = uow.conversations.get(handoff.conversation_id)
            return conv.locale if conv is not None else "ja"

    def record(self, who: ConsoleSession, handoff_id: str, action: str, detail: str | None = None) -> None:
        """Audit something done on a visible case."""
        with self._uow() as uow:
            visible(uow, who, handoff_id)
            audit(uow, who, action, handoff_id, self._clock(), detail)
            uow.commit()

    def add_note(self, who: ConsoleSession, handoff_id: str, text: str) -> None:
        """A private note for the agency's counselors; it never reaches the person."""
        if not text.strip() or len(text) > MAX_NOTE:
            raise ValueError("a note is 1 to 4000 characters")
        now = self._clock()
        with self._uow() as uow:
            visible(uow, who, handoff_id)
            uow.notes.add(handoff_id, who.counselor.email, text.strip(), now)
            audit(uow, who, "note", handoff_id, now)
            uow.commit()

    def withdraw_consent(self, who: ConsoleSession, handoff_id: str) -> bool:
        """Record that the person withdrew their consent to sharing (they told the counselor); no
        further relay is possible. Only the holder can; audited."""
        now = self._clock()
        with self._uow() as uow:
            handoff = visible(uow, who, handoff_id)
            if not held_by(uow, who, handoff):
                return False
            uow.consents.withdraw(handoff.conversation_id, now)
            audit(uow, who, "consent_withdrawn", handoff_id, now)
            uow.commit()
            return True


def relay_entry(relay: Relay) -> dict[str, Any]:
    """A relay as the exported sheet carries it."""
    return {"from_agency": relay.from_agency, "to_agency": relay.to_agency, "by": relay.by_counselor,
            "at": relay.created_at.isoformat(), "note": relay.note, "items": relay.items, "basis": relay.basis,
            "status": relay.status, "decided_by": relay.decided_by,
            "decided_at": relay.decided_at.isoformat() if relay.decided_at else None,
            "decision_note": relay.decision_note}
