"""Relay (つなぐ): the holder sends a case to another agency, only with the person's standing consent; the
receiving agency accepts or declines. Each relay is a provision record (docs/SAFETY.md): recipient, items,
basis and time."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cases.actor import Actor, holds, record, scoped
from bot.cases.errors import NotFound, Refused
from bot.cases.work import Work
from dialogs.i18n import N_
from storage.records import CaseSummary
from storage.uow import UnitOfWork

ITEMS = {"sheet": N_("つなぐシート"), "thread": N_("これまでのやりとり")}
BASIS_CONSENT = "consent"
MAX_NOTE = 2000

NOT_HOLDER = N_("担当している人だけがつなげます。")
NO_CONSENT = N_("ご本人が情報の共有に同意していないため、ほかの機関へはつなげません。")
WITHDRAWN = N_("ご本人が共有への同意を取り消したため、ほかの機関へはつなげません。")
ERASED = N_("ご本人の希望で記録が消去されたため、つなげません。")
ANSWERED = N_("このつなぎの依頼には、すでに返事がされています。")


@dataclass(frozen=True)
class RelayForm:
    """What the holder chose: the receiving agency, a note for it, and whether the thread goes too."""

    to_agency_id: int
    note: str
    with_thread: bool


def refusal(uow: UnitOfWork, actor: Actor, case: CaseSummary) -> str | None:
    """None when the actor may relay this case now, else the reason (a message id)."""
    if not holds(actor, case):
        return NOT_HOLDER
    if case.erased:
        return ERASED
    if not uow.consents.shares(case.conversation_id):
        records = uow.consents.for_conversation(case.conversation_id)
        return WITHDRAWN if any(r.withdrawn_at for r in records) else NO_CONSENT
    return None


class Relaying(Work):
    """Offer, accept and decline relays."""

    def offer(self, actor: Actor, handoff_id: str, form: RelayForm) -> str:
        """Put a copy of the case in the other agency's queue, waiting for its answer; returns the new case's
        id. Refused says why not."""
        with self.unit() as (uow, now):
            reason = refusal(uow, actor, scoped(uow, actor, handoff_id))
            if reason:
                raise Refused("This case cannot be relayed now.", reason)
            source = uow.handoffs.get(handoff_id)
            target = uow.agencies.get(form.to_agency_id)
            assert source is not None
            if target is None or target.id == source.agency_id:
                raise NotFound("No such agency.")
            for agency_id, other_id in uow.handoffs.agencies_of(source.conversation_id):
                other = uow.handoffs.summary(other_id) if agency_id == target.id and other_id != source.id else None
                if other is not None and other.status != "closed":
                    raise Refused("The case is relayed to this agency already.",
                                  N_("この機関にはすでにつないでいます。"))
            thread_from = 0 if form.with_thread else uow.transcript.last_id(source.conversation_id)
            to_id = uow.handoffs.offer(source, target.id, thread_from, now)
            items = ["sheet", "thread"] if form.with_thread else ["sheet"]
            uow.relays.add(source, to_id, target.id, actor.name, form.note.strip()[:MAX_NOTE], items, BASIS_CONSENT,
                           now)
            record(uow, actor, "relay", now, handoff_id, f"to_agency={target.id} items={','.join(items)} basis=consent",
                   agency_id=source.agency_id)
            record(uow, actor, "relay_received", now, to_id, f"from_agency={source.agency_id}", agency_id=target.id)
            uow.commit()
            return to_id

    def accept(self, actor: Actor, handoff_id: str) -> None:
        """The receiving agency takes the case; the counselor who accepts holds it."""
        self._decide(actor, handoff_id, "accepted", "")

    def decline(self, actor: Actor, handoff_id: str, reason: str) -> None:
        """The receiving agency turns the case down, with a reason the sender reads."""
        self._decide(actor, handoff_id, "declined", reason.strip()[:MAX_NOTE])

    def _decide(self, actor: Actor, handoff_id: str, status: str, note: str) -> None:
        with self.unit() as (uow, now):
            case = scoped(uow, actor, handoff_id)
            if status == "accepted":
                done = actor.counselor_id is not None and uow.handoffs.accept(handoff_id, actor.counselor_id, now)
            else:
                done = uow.handoffs.decline(handoff_id, now)
            if not done:
                raise Refused("The relay was answered already.", ANSWERED)
            uow.relays.decide(handoff_id, status, actor.name, note, now)
            record(uow, actor, "relay_accept" if status == "accepted" else "relay_decline", now, handoff_id,
                   agency_id=case.agency_id)
            uow.commit()
