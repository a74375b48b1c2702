"""Reading cases: the queue and its badges, a case with its thread, the sheet (viewed or exported) and the
delivery state of replies. Every view of personal content is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.cases import exports
from bot.cases.actor import Actor, record, scoped
from bot.cases.errors import NotFound
from bot.cases.relaying import refusal
from bot.cases.work import Work
from storage.records import Agency, CannedReply, CaseNote, CaseSummary, Handoff, Relay, TranscriptEntry
from storage.uow import UnitOfWork

STATUSES = ("open", "claimed", "offered", "closed")
MAX_FOLLOWED = 100  # replies whose delivery one request asks about


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: a status (None: every status but closed), a topic, only the actor's cases, and
    for an operator one agency by name (None: every agency)."""

    status: str | None = None
    topic: str | None = None
    mine: bool = False
    agency: str | None = None


@dataclass(frozen=True)
class CaseView:
    """Everything the case page shows: the case with its sheet, its thread, notes, relay chain, the agency's
    canned replies, whether consent stands, why a relay is not possible now, and where it could go."""

    handoff: Handoff
    thread: list[TranscriptEntry]
    notes: list[CaseNote]
    relays: list[Relay]
    canned: list[CannedReply]
    consent: bool
    refusal: str | None
    targets: list[Agency]
    # 「行ってみたい」: (gathering, meeting, when said)
    interest: list[tuple[str, datetime, datetime]] = field(default_factory=list)


def relay_chain(relays: list[Relay], actor: Actor) -> list[Relay]:
    """The relays an actor may see: the chain up to the last one their agency took part in (all for an operator)."""
    if actor.agency_id is None:
        return relays
    last = max((n for n, r in enumerate(relays) if actor.agency_id in (r.from_agency_id, r.to_agency_id)), default=-1)
    return relays[: last + 1]


def thread_of(uow: UnitOfWork, case: CaseSummary) -> list[TranscriptEntry]:
    """The case's share of the conversation: from where its agency's share starts, up to its closing."""
    thread: list[TranscriptEntry] = []
    after = case.thread_from
    while page := uow.transcript.since(case.conversation_id, after, until=case.closed_at):
        thread.extend(page)
        after = page[-1].id
    return thread


class Reading(Work):
    """The queue, a case, its thread and its sheet."""

    def queue(self, actor: Actor, shown: QueueFilter = QueueFilter(), limit: int = 200) -> list[CaseSummary]:
        """The cases the actor may see, urgent first, then oldest (closed ones: the latest closed first);
        nothing personal is read."""
        with self.unit() as (uow, _):
            agency_id = actor.agency_id
            if actor.operator and shown.agency is not None:
                agency = uow.agencies.by_name(shown.agency)
                if agency is None:
                    raise NotFound(f"No agency is named {shown.agency!r}.")
                agency_id = agency.id
            return uow.handoffs.queue(agency_id, shown.status, shown.topic,
                                      actor.counselor_id if shown.mine else None, limit=limit)

    def counts(self, actor: Actor) -> dict[str, int]:
        """Open, urgent and offered (relayed, not yet accepted) cases of the actor's agency, for the badges."""
        with self.unit() as (uow, _):
            return uow.handoffs.counts(actor.agency_id)

    def case(self, actor: Actor, handoff_id: str) -> CaseView:
        """A case with its thread, notes and relay chain; the view is audited."""
        with self.unit() as (uow, now):
            summary = scoped(uow, actor, handoff_id)
            handoff = uow.handoffs.get(handoff_id)
            assert handoff is not None
            view = CaseView(handoff, thread_of(uow, summary), uow.notes.for_handoff(handoff_id),
                            relay_chain(uow.relays.for_conversation(summary.conversation_id), actor),
                            uow.canned.for_agency(summary.agency_id), uow.consents.shares(summary.conversation_id),
                            refusal(uow, actor, summary),
                            [a for a in uow.agencies.all() if a.id != summary.agency_id],
                            uow.interest.of_conversation(summary.conversation_id))
            record(uow, actor, "view_thread", now, handoff_id, agency_id=summary.agency_id)
            uow.commit()
            return view

    def thread(self, actor: Actor, handoff_id: str) -> list[TranscriptEntry]:
        """The conversation behind a case (its agency's share); audited as a view."""
        with self.unit() as (uow, now):
            case = scoped(uow, actor, handoff_id)
            entries = thread_of(uow, case)
            record(uow, actor, "view_thread", now, handoff_id, agency_id=case.agency_id)
            uow.commit()
            return entries

    def sheet(self, actor: Actor, handoff_id: str, export: str | None = None) -> dict[str, Any]:
        """The sheet with its consent records and relay chain, as plain JSON data (withdrawn and erased cases
        too); audited as a view, or as an export in the format named."""
        with self.unit() as (uow, now):
            scoped(uow, actor, handoff_id)
            case = uow.handoffs.get(handoff_id)
            assert case is not None
            data = exports.sheet(case, uow.consents.for_conversation(case.conversation_id),
                                 relay_chain(uow.relays.for_conversation(case.conversation_id), actor), self.zone)
            if export is None:
                record(uow, actor, "view_sheet", now, handoff_id, agency_id=case.agency_id)
            else:
                record(uow, actor, "export", now, handoff_id, f"format={export}", agency_id=case.agency_id)
            uow.commit()
            return data

    def deliveries(self, actor: Actor, handoff_id: str, message_ids: list[int]) -> dict[int, str]:
        """Whether these replies of a case reached the person, for the case page to follow them. Not audited:
        states only, no content, asked every few seconds by a page whose opening was."""
        with self.unit() as (uow, _):
            case = scoped(uow, actor, handoff_id)
            return uow.transcript.delivery_states(case.conversation_id, message_ids[:MAX_FOLLOWED])
