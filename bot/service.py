"""The people's side of the service: one unit of work per inbound message (record the event, lock the
conversation, run the dialog, write state, sheet, thread and outbox, commit), and what the channels ask of it.
Counselors' and operators' use cases are in bot/cases/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.cases.errors import NotFound
from bot.clock import JAPAN, Clock, utcnow
from bot.gatherings.chat import Invitations
from bot.outbox import enqueue
from bot.safety.care import Care, agency_hours, away
from bot.trust.erasure import erase_conversation
from dialogs import crisis, engine, prompts
from dialogs.i18n import gettext as _
from dialogs.i18n import use_locale
from dialogs.model import (
    ConsentGiven,
    ConsentWithdrawn,
    ContactsRequested,
    Conversation,
    CrisisSignaled,
    EraseRequested,
    Event,
    GatheringPressed,
    GatheringsRequested,
    HandoffRequested,
    Inbound,
    MessageForCounselor,
    Reply,
    ResourcesRequested,
)
from storage.records import Address, Agency, TranscriptEntry
from storage.uow import UnitOfWork

BOT = "bot"
DANGER_TO_LIFE = "danger_to_life"
FLOOD_LIMIT = 20  # messages from one person within FLOOD_WINDOW before the dialog pauses for them
FLOOD_WINDOW = timedelta(seconds=10)
RESOURCES_BUTTON = "handed_off:resources"


@dataclass(frozen=True)
class Handled:
    """What became of one inbound message."""

    duplicate: bool
    conversation_id: str | None
    handoff_id: str | None = None
    urgent: bool = False
    slowed: bool = False


def inbound_body(inbound: Inbound) -> dict[str, Any]:
    """How an inbound message is kept in the thread."""
    if inbound.choice_id:
        return {"choice": inbound.choice_id}
    if inbound.text is not None:
        return {"text": inbound.text}
    return {"kind": inbound.kind}


class Service:
    """What the channels call: handle a message, read a person's thread, mark them unreachable."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock = utcnow,
                 on_outbox: Callable[[], None] = lambda: None, care: Care | None = None,
                 alert_targets: tuple[str, ...] = (), on_alert: Callable[[], None] = lambda: None,
                 zone: ZoneInfo = JAPAN, invitations: Invitations | None = None) -> None:
        self._uow = uow
        self._invitations = invitations
        self._clock = clock
        self._zone = zone
        self._on_outbox = on_outbox
        self._care = care
        self._alert_targets = alert_targets
        self._on_alert = on_alert

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
            assert conv.id is not None
            if inbound.via and conv.last_active_at is None:
                self._came_via(uow, conv.id, inbound.via)
            if self._flooding(conv, inbound, now):
                return self._slow(uow, conv, inbound, now, delivery)
            outcome = engine.handle(conv, inbound, self._zone)
            uow.transcript.add(conv.id, "in", "person", inbound_body(inbound), now)
            handoff_id = None
            for event in outcome.events:
                handoff_id = self._apply(uow, conv, event, now) or handoff_id
            replies = self._with_care(uow, conv, outcome.replies, outcome.events, now)
            replies = self._with_gatherings(uow, conv, replies, outcome.events, now)
            self._queue_replies(uow, conv, replies, BOT, now, delivery)
            uow.conversations.save(conv, now)
            uow.commit()
        self._on_outbox()
        urgent = any(isinstance(e, CrisisSignaled) for e in outcome.events)
        if urgent and self._alert_targets:
            self._on_alert()
        return Handled(duplicate=False, conversation_id=conv.id, handoff_id=handoff_id, urgent=urgent)

    def _flooding(self, conv: Conversation, inbound: Inbound, now: datetime) -> bool:
        """Typed messages beyond FLOOD_LIMIT within FLOOD_WINDOW, and this one signals no danger (button
        presses do not count: the dialog paces them)."""
        if inbound.text is None:
            return False
        recent = [t for t in conv.text_times if now - datetime.fromisoformat(t) < FLOOD_WINDOW]
        conv.text_times = [*recent, now.isoformat()][-FLOOD_LIMIT:]
        return len(recent) >= FLOOD_LIMIT and not crisis.detect(inbound.text)

    def _slow(self, uow: UnitOfWork, conv: Conversation, inbound: Inbound, now: datetime,
              delivery: dict[str, Any] | None) -> Handled:
        """Keep the message for the counselor without running the dialog; say so once per flood."""
        assert conv.id is not None
        uow.transcript.add(conv.id, "in", "person", inbound_body(inbound), now)
        if conv.slow_until is None or now >= datetime.fromisoformat(conv.slow_until):
            with use_locale(conv.locale):
                self._queue_replies(uow, conv, [Reply(_(prompts.SLOW_DOWN))], BOT, now, delivery)
            conv.slow_until = (now + FLOOD_WINDOW).isoformat()
        uow.conversations.save(conv, now)
        uow.commit()
        self._on_outbox()
        return Handled(duplicate=False, conversation_id=conv.id, slowed=True)

    def _with_care(self, uow: UnitOfWork, conv: Conversation, replies: list[Reply], events: list[Event],
                   now: datetime) -> list[Reply]:
        """The crisis contacts right after the dialog's first word of care; or, once per closed period, when
        counselors will read a handoff or a later message."""
        if self._care is None or conv.id is None:
            return replies
        crisis = next((e for e in events if isinstance(e, CrisisSignaled)), None)
        to_counselor = any(isinstance(e, HandoffRequested | MessageForCounselor) for e in events)
        if any(isinstance(e, ContactsRequested) for e in events):
            return [*replies, self._care.contacts_reply(now, conv.locale)]
        if any(isinstance(e, ResourcesRequested) for e in events):
            return [*replies, self._care.resource_list(conv.sheet, conv.locale)]
        if any(isinstance(e, HandoffRequested) for e in events):
            offer = self._care.resource_offer(conv.sheet, conv.locale)
            replies = [*replies, offer] if offer else replies
        if crisis is None and not to_counselor:
            return replies
        handoff = uow.handoffs.open_for_conversation(conv.id)
        agency = uow.agencies.get(handoff.agency_id) if handoff else self._route(uow, conv)
        hours = agency_hours(agency, self._zone)
        gone = away(hours, now)
        told = conv.after_hours_until is not None and now < datetime.fromisoformat(conv.after_hours_until)
        if gone is not None:
            conv.after_hours_until = (gone.until or now + timedelta(days=1)).isoformat()
        if crisis is not None:
            return [*replies[:1], self._care.crisis_reply(frozenset(crisis.categories), hours, now, conv.locale),
                    *replies[1:]]
        note = None if told else self._care.after_hours_reply(hours, now, conv.locale)
        return [*replies, note] if note else replies

    def _with_gatherings(self, uow: UnitOfWork, conv: Conversation, replies: list[Reply], events: list[Event],
                         now: datetime) -> list[Reply]:
        """The gatherings asked for (then the question again, before the handoff), a button's answer, or the
        quiet offer after the handoff."""
        if self._invitations is None:
            return replies
        for event in events:
            if isinstance(event, GatheringsRequested):
                again: list[Reply] = []
                if event.again:
                    with use_locale(conv.locale):
                        again = engine.current_prompt(conv)
                replies = [*replies, *self._invitations.listing(conv, now), *again]
            elif isinstance(event, GatheringPressed):
                replies = [*replies, self._invitations.answer(uow, conv, event, now)]
            elif isinstance(event, HandoffRequested):
                replies = self._offer_gatherings(conv, replies, now)
        return replies

    def _offer_gatherings(self, conv: Conversation, replies: list[Reply], now: datetime) -> list[Reply]:
        """The gatherings' button joins the resources' offer when there is one (a turn stays within LINE's five
        messages a reply), else a quiet word of its own."""
        assert self._invitations is not None
        offer = self._invitations.offer(conv, now)
        if offer is None:
            return replies
        for n, reply in enumerate(replies):
            if any(choice.id == RESOURCES_BUTTON for choice in reply.choices):
                return [*replies[:n], replace(reply, choices=(*reply.choices, *offer.choices)), *replies[n + 1:]]
        return [*replies, offer]

    def _apply(self, uow: UnitOfWork, conv: Conversation, event: Event, now: datetime) -> str | None:
        assert conv.id is not None
        if isinstance(event, HandoffRequested):
            early = uow.handoffs.open_for_conversation(conv.id)
            if early is not None and early.basis == DANGER_TO_LIFE:
                uow.handoffs.refresh(early, conv, event.urgent, now)
                uow.audit.record(BOT, "handoff_complete", early.id, now, None, early.agency_id)
                return early.id
            agency = self._agency(uow, conv)
            handoff_id = uow.handoffs.add(conv, agency, event.urgent, now, after_hours=self._after_hours(agency, now))
            uow.audit.record(BOT, "handoff", handoff_id, now, f"agency={agency.id}", agency.id)
            return handoff_id
        if isinstance(event, CrisisSignaled):
            return self._urgent(uow, conv, event, now)
        if isinstance(event, ConsentGiven):
            uow.consents.add(conv.id, event.agreed, event.text_version, now)
        elif isinstance(event, ConsentWithdrawn):
            uow.consents.withdraw(conv.id, now)
            for agency_id, handoff_id in uow.handoffs.agencies_of(conv.id):
                uow.audit.record("person", "consent_withdrawn", handoff_id, now, None, agency_id)
        elif isinstance(event, EraseRequested):
            erase_conversation(uow, conv.id, "person", now)
        elif isinstance(event, MessageForCounselor):
            pass  # already in the thread as the inbound message; the console reads it there
        return None

    @staticmethod
    def _came_via(uow: UnitOfWork, conversation_id: str, code: str) -> None:
        """A first contact through an agency's outreach link: recorded for routing and counting (an unknown
        code is ignored, and the person is routed as anyone else)."""
        agency = uow.agencies.by_code(code)
        if agency is not None:
            uow.conversations.came_via(conversation_id, agency.id)

    @staticmethod
    def _route(uow: UnitOfWork, conv: Conversation) -> Agency | None:
        """The agency that serves the person's municipality; while none does (or it is not known yet), the
        agency whose outreach link brought them; else the default one."""
        municipality = conv.sheet.person.municipality
        if conv.id is not None and not uow.agencies.routes(municipality):
            via = uow.conversations.via(conv.id)
            agency = uow.agencies.get(via) if via is not None else None
            if agency is not None:
                return agency
        return uow.agencies.for_municipality(municipality)

    def _agency(self, uow: UnitOfWork, conv: Conversation) -> Agency:
        agency = self._route(uow, conv)
        if agency is None:
            raise NotFound("No agency exists; run `tsunagu db upgrade` to create the default one.")
        return agency

    def _after_hours(self, agency: Agency, now: datetime) -> bool:
        """Whether the agency's counselors are away now (kept on the case for statistics)."""
        return away(agency_hours(agency, self._zone), now) is not None

    def _urgent(self, uow: UnitOfWork, conv: Conversation, event: CrisisSignaled, now: datetime) -> str:
        """A case at the top of the queue at once: the open ones become urgent, or a new one is made with
        what is known so far, on the basis of danger to life (個人情報保護法 Art. 27(1)(ii))."""
        assert conv.id is not None
        detail = f"categories={','.join(event.categories)}"
        raised = uow.handoffs.make_urgent(conv.id, now)
        if raised:
            for handoff in raised:
                uow.audit.record(BOT, "crisis", handoff.id, now, detail, handoff.agency_id)
                self._alert(uow, handoff.id, now)
            return raised[0].id
        agency = self._agency(uow, conv)
        handoff_id = uow.handoffs.add(conv, agency, True, now, basis=DANGER_TO_LIFE,
                                      after_hours=self._after_hours(agency, now))
        uow.audit.record(BOT, "handoff", handoff_id, now, f"agency={agency.id} basis={DANGER_TO_LIFE}", agency.id)
        uow.audit.record(BOT, "crisis", handoff_id, now, detail, agency.id)
        self._alert(uow, handoff_id, now)
        return handoff_id

    def _alert(self, uow: UnitOfWork, handoff_id: str, now: datetime) -> None:
        for target in self._alert_targets:
            uow.alerts.add(handoff_id, target, now)

    @staticmethod
    def _queue_replies(uow: UnitOfWork, conv: Conversation, replies: list[Reply], author: str, now: datetime,
                       delivery: dict[str, Any] | None = None) -> int | None:
        assert conv.id is not None
        return enqueue(uow, Address(conv.id, conv.channel, conv.user_key, conv.locale), replies, author, now, delivery)

    def thread(self, channel: str, user_key: str, after_id: int = 0) -> tuple[Conversation | None,
                                                                           list[TranscriptEntry]]:
        """A person's conversation and its messages after an id (for the web chat)."""
        with self._uow() as uow:
            conv = uow.conversations.find(channel, user_key)
            if conv is None or conv.id is None:
                return None, []
            return conv, uow.transcript.since(conv.id, after_id)

    def locale(self, channel: str, user_key: str) -> str | None:
        """The language a person chats in (None: not met yet)."""
        with self._uow() as uow:
            conv = uow.conversations.find(channel, user_key)
            return conv.locale if conv is not None else None

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
