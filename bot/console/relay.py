"""Relay (つなぐ): the holder sends a case to another agency, only with the person's standing consent;
the receiving agency accepts or declines. Each relay is a provision record (SAFETY.md): recipient,
items, basis and time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.clock import Clock, utcnow
from bot.console.cases import audit, held_by, visible
from bot.service import NotFound
from dialogs.i18n import N_
from storage.records import Agency, ConsoleSession, Handoff
from storage.uow import UnitOfWork

ITEMS = {"sheet": N_("つなぐシート"), "thread": N_("これまでのやりとり")}
BASIS_CONSENT = "consent"
MAX_NOTE = 2000

NOT_HOLDER = N_("担当している人だけがつなげます。")
NO_CONSENT = N_("ご本人が情報の共有に同意していないため、ほかの機関へはつなげません。")
WITHDRAWN = N_("ご本人が共有への同意を取り消したため、ほかの機関へはつなげません。")
ERASED = N_("ご本人の希望で記録が消去されたため、つなげません。")


class RelayRefused(Exception):
    """Why this relay cannot happen (a message id, translated where shown)."""


@dataclass(frozen=True)
class RelayForm:
    """What the holder chose: the receiving agency, a note for it, and whether the thread goes too."""

    to_agency_id: int
    note: str
    with_thread: bool


def why_not(uow: UnitOfWork, who: ConsoleSession, handoff: Handoff) -> str | None:
    """None when the counselor may relay this case now, else the reason (a message id)."""
    if not held_by(uow, who, handoff):
        return NOT_HOLDER
    if handoff.sheet.get("erased"):
        return ERASED
    if not uow.consents.shares(handoff.conversation_id):
        records = uow.consents.for_conversation(handoff.conversation_id)
        return WITHDRAWN if any(r["withdrawn_at"] for r in records) else NO_CONSENT
    return None


class Relays:
    """Offer, accept and decline relays."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock = utcnow) -> None:
        self._uow = uow
        self._clock = clock

    def targets(self, who: ConsoleSession) -> list[Agency]:
        """The agencies a case can be relayed to (all but the counselor's own)."""
        with self._uow() as uow:
            return [a for a in uow.agencies.all() if a.id != who.counselor.agency_id]

    def refusal(self, who: ConsoleSession, handoff_id: str) -> str | None:
        """Why the relay button is off for this case, or None when it is on."""
        with self._uow() as uow:
            return why_not(uow, who, visible(uow, who, handoff_id))

    def offer(self, who: ConsoleSession, handoff_id: str, form: RelayForm) -> str:
        """Put a copy of the case in the other agency's queue, waiting for its answer; returns the new
        handoff's id. RelayRefused says why not."""
        now = self._clock()
        with self._uow() as uow:
            source = visible(uow, who, handoff_id)
            reason = why_not(uow, who, source)
            if reason:
                raise RelayRefused(reason)
            target = uow.agencies.get(form.to_agency_id)
            if target is None or target.id == source.agency_id:
                raise NotFound("No such agency.")
            if any(h_agency == target.id and h_id != source.id and self._live(uow, h_id)
                   for h_agency, h_id in uow.handoffs.agencies_of(source.conversation_id)):
                raise RelayRefused(N_("この機関にはすでにつないでいます。"))
            thread_from = 0 if form.with_thread else uow.transcript.last_id(source.conversation_id)
            to_id = uow.handoffs.offer(source, target.id, thread_from, now)
            items = ["sheet", "thread"] if form.with_thread else ["sheet"]
            uow.relays.add(source, to_id, target.id, who.counselor.email, form.note.strip()[:MAX_NOTE], items,
                           BASIS_CONSENT, now)
            audit(uow, who, "relay", handoff_id, now, f"to_agency={target.id} items={','.join(items)} basis=consent")
            uow.audit.record(who.counselor.email, "relay_received", to_id, now, f"from_agency={source.agency_id}",
                             target.id)
            uow.commit()
            return to_id

    @staticmethod
    def _live(uow: UnitOfWork, handoff_id: str) -> bool:
        handoff = uow.handoffs.get(handoff_id)
        return handoff is not None and handoff.status != "closed"

    def accept(self, who: ConsoleSession, handoff_id: str) -> bool:
        """The receiving agency takes the case; the counselor who accepts holds it."""
        return self._decide(who, handoff_id, "accepted", "")

    def decline(self, who: ConsoleSession, handoff_id: str, reason: str) -> bool:
        """The receiving agency turns the case down, with a reason the sender reads."""
        return self._decide(who, handoff_id, "declined", reason.strip()[:MAX_NOTE])

    def _decide(self, who: ConsoleSession, handoff_id: str, status: str, note: str) -> bool:
        now = self._clock()
        with self._uow() as uow:
            visible(uow, who, handoff_id)
            if status == "accepted":
                done = uow.handoffs.accept(handoff_id, who.counselor.id, now)
            else:
                done = uow.handoffs.decline(handoff_id, now)
            if done:
                uow.relays.decide(handoff_id, status, who.counselor.email, note, now)
                audit(uow, who, "relay_accept" if status == "accepted" else "relay_decline", handoff_id, now)
            uow.commit()
            return done
