"""Working a case: claim, release and close it, reply to the person (or send them a local resource), keep
private notes, record a withdrawn consent, erase at the person's request. Only the holder works a claimed case
(an operator may reply from the command line); every change is audited in the same unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.cases.actor import SUPERVISING, Actor, holds, record, scoped
from bot.cases.errors import Forbidden, Invalid, Refused
from bot.cases.work import Work
from bot.outbox import enqueue
from bot.trust.erasure import erase_conversation
from dialogs.i18n import N_, use_locale
from dialogs.model import Reply
from storage.records import Address, CaseSummary
from storage.uow import UnitOfWork

OUTCOMES = {"connected": N_("支援につないだ"), "relayed": N_("ほかの機関へつないだ"),
            "no_contact": N_("連絡が取れなかった"), "ended": N_("本人・家族の希望で終了"), "other": N_("その他")}
MAX_NOTE = 4000
MAX_REPLY = 4000
ONLY_THE_HOLDER = N_("担当している人だけができます。")
ONLY_THE_HOLDER_REPLIES = N_("担当している人だけが返信できます。")


@dataclass(frozen=True)
class Claim:
    """A won claim: who holds the case now."""

    holder: str


class Handling(Work):
    """The holder's work on a case."""

    def claim(self, actor: Actor, handoff_id: str) -> Claim:
        """Take the case; one counselor wins when two press at once (Refused names who holds it)."""
        with self.unit() as (uow, now):
            case = scoped(uow, actor, handoff_id)
            if actor.counselor_id is None:
                raise Forbidden("Only a counselor can claim a case.")
            if not uow.handoffs.claim(handoff_id, actor.counselor_id, now, actor.name):
                holder = uow.handoffs.claimed_by(handoff_id) or "?"
                raise Refused(f"{holder} holds this case.", N_("{holder}さんがすでに担当しています。"), holder=holder)
            record(uow, actor, "claim", now, handoff_id, agency_id=case.agency_id)
            uow.commit()
            return Claim(actor.name)

    def release(self, actor: Actor, handoff_id: str) -> None:
        """Give the case back to the queue (only its holder can)."""
        with self.unit() as (uow, now):
            case = scoped(uow, actor, handoff_id)
            if actor.counselor_id is None or not uow.handoffs.release(handoff_id, actor.counselor_id, now):
                raise Refused("Only the holder can release the case.", ONLY_THE_HOLDER)
            record(uow, actor, "release", now, handoff_id, agency_id=case.agency_id)
            uow.commit()

    def close(self, actor: Actor, handoff_id: str, outcome: str) -> None:
        """Close the case with an outcome (only its holder can)."""
        if outcome not in OUTCOMES:
            raise Invalid(f"The outcome is one of {', '.join(OUTCOMES)}.", N_("結果を選んでください。"))
        with self.unit() as (uow, now):
            case = scoped(uow, actor, handoff_id)
            if actor.counselor_id is None or not uow.handoffs.close(handoff_id, actor.counselor_id, outcome, now):
                raise Refused("Only the holder can close the case.", ONLY_THE_HOLDER)
            record(uow, actor, "close", now, handoff_id, f"outcome={outcome}", agency_id=case.agency_id)
            uow.commit()

    def reply(self, actor: Actor, handoff_id: str, text: str) -> int:
        """A reply queued for the person's channel (the holder's, or an operator's); returns the message id."""
        text = text.strip()
        with self.unit() as (uow, now):
            case, to = self._replying(uow, actor, handoff_id)
            if not text or len(text) > MAX_REPLY:
                raise Invalid("The reply is empty." if not text else f"The reply is over {MAX_REPLY} characters.",
                              N_("返信は1〜{n}文字で書いてください。"), n=MAX_REPLY)
            message_id = self._send(uow, actor, case, to, text, now)
            uow.commit()
        self._on_outbox()
        return message_id

    def send_resource(self, actor: Actor, handoff_id: str, resource_id: str) -> int:
        """One of the operators' local resources, sent as a reply in the person's language; audited as both."""
        resource = next((r for r in self.resources if r.id == resource_id), None)
        with self.unit() as (uow, now):
            case, to = self._replying(uow, actor, handoff_id)
            if resource is None:
                raise Invalid(f"No resource has the id {resource_id!r}.", N_("相談先を選んでください。"))
            with use_locale(to.locale):
                text = resource.text()
            message_id = self._send(uow, actor, case, to, text, now)
            record(uow, actor, "send_resource", now, handoff_id, f"resource={resource.id}", agency_id=case.agency_id)
            uow.commit()
        self._on_outbox()
        return message_id

    def _replying(self, uow: UnitOfWork, actor: Actor, handoff_id: str) -> tuple[CaseSummary, Address]:
        """The case, if the actor may reply to it, and its person, locked (a reply takes its turn in order)."""
        case = scoped(uow, actor, handoff_id)
        if not actor.operator and not holds(actor, case):
            raise Refused("Only the holder can reply.", ONLY_THE_HOLDER_REPLIES)
        to = uow.conversations.address(case.conversation_id, lock=True)
        if to is None:
            raise Refused(f"The conversation of handoff {handoff_id} no longer exists.", ONLY_THE_HOLDER_REPLIES)
        return case, to

    @staticmethod
    def _send(uow: UnitOfWork, actor: Actor, case: CaseSummary, to: Address, text: str, now: datetime) -> int:
        message_id = enqueue(uow, to, [Reply(text)], "counselor", now)
        assert message_id is not None
        record(uow, actor, "reply", now, case.id, agency_id=case.agency_id)
        uow.handoffs.replied(case.id, now)
        return message_id

    def add_note(self, actor: Actor, handoff_id: str, text: str) -> None:
        """A private note for the agency's counselors; it never reaches the person."""
        if not text.strip() or len(text) > MAX_NOTE:
            raise Invalid(f"A note is 1 to {MAX_NOTE} characters.", N_("メモは1〜4000文字で書いてください。"))
        with self.unit() as (uow, now):
            case = scoped(uow, actor, handoff_id)
            uow.notes.add(handoff_id, actor.name, text.strip(), now)
            record(uow, actor, "note", now, handoff_id, agency_id=case.agency_id)
            uow.commit()

    def withdraw_consent(self, actor: Actor, handoff_id: str) -> None:
        """Record that the person withdrew their consent to sharing (they told the counselor); no further relay
        is possible. Only the holder can."""
        with self.unit() as (uow, now):
            case = scoped(uow, actor, handoff_id)
            if not holds(actor, case):
                raise Refused("Only the holder can record this.", ONLY_THE_HOLDER)
            uow.consents.withdraw(case.conversation_id, now)
            record(uow, actor, "consent_withdrawn", now, handoff_id, agency_id=case.agency_id)
            uow.commit()

    def erase(self, actor: Actor, handoff_id: str, confirmed: bool) -> None:
        """Erase the person's data at their request (as their own 削除 does): the holder or a supervisor, once
        confirmed."""
        with self.unit() as (uow, now):
            case = scoped(uow, actor, handoff_id)
            if not holds(actor, case) and not actor.operator and actor.role not in SUPERVISING:
                raise Forbidden("Only the holder or a supervisor can erase.",
                                N_("担当している人かスーパーバイザーだけが消去できます。"))
            if not confirmed:
                raise Invalid("Erasing needs a confirmation.", N_("消去するには、確認の欄にチェックを入れてください。"))
            if uow.conversations.address(case.conversation_id, lock=True) is not None:
                erase_conversation(uow, case.conversation_id, actor.name, now)
            uow.commit()
