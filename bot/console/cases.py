"""What a counselor may do with handoffs: only those of their own agency, each view audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.service import NotFound, utcnow
from dialogs.i18n import N_
from storage.records import ConsoleSession, Handoff, TranscriptEntry
from storage.uow import UnitOfWork

OUTCOMES = {"connected": N_("支援につないだ"), "relayed": N_("ほかの機関へつないだ"),
            "no_contact": N_("連絡が取れなかった"), "ended": N_("本人・家族の希望で終了"), "other": N_("その他")}


@dataclass(frozen=True)
class Claim:
    """The outcome of a claim: won, or held by someone else (their email)."""

    won: bool
    holder: str | None


class Cases:
    """Queue, sheet and claim, scoped to the counselor's agency."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Callable[[], datetime] = utcnow) -> None:
        self._uow = uow
        self._clock = clock

    def queue(self, who: ConsoleSession) -> list[Handoff]:
        """The agency's handoffs that are not closed, urgent first, then oldest."""
        with self._uow() as uow:
            return uow.handoffs.queue(who.counselor.agency_id)

    def _visible(self, uow: UnitOfWork, who: ConsoleSession, handoff_id: str) -> Handoff:
        handoff = uow.handoffs.get(handoff_id)
        if handoff is None or handoff.agency_id != who.counselor.agency_id:
            raise NotFound("No such handoff.")  # the same answer whether it exists elsewhere or not
        return handoff

    def case(self, who: ConsoleSession, handoff_id: str) -> tuple[Handoff, list[TranscriptEntry], str | None]:
        """A handoff, its whole thread and who holds it; the view is audited."""
        now = self._clock()
        with self._uow() as uow:
            handoff = self._visible(uow, who, handoff_id)
            thread: list[TranscriptEntry] = []
            while page := uow.transcript.since(handoff.conversation_id, thread[-1].id if thread else 0):
                thread.extend(page)
            holder = uow.handoffs.claimed_by(handoff_id)
            uow.audit.record(who.counselor.email, "view_thread", handoff_id, now)
            uow.commit()
            return handoff, thread, holder

    def sheet(self, who: ConsoleSession, handoff_id: str) -> dict[str, Any]:
        """The sheet with its consent records, for the printable form; the view is audited."""
        now = self._clock()
        with self._uow() as uow:
            handoff = self._visible(uow, who, handoff_id)
            sheet = dict(handoff.sheet)
            sheet["consent_records"] = uow.consents.for_conversation(handoff.conversation_id)
            sheet["agency"] = handoff.agency
            sheet["priority"] = handoff.priority
            uow.audit.record(who.counselor.email, "view_sheet", handoff_id, now)
            uow.commit()
            return sheet

    def check(self, who: ConsoleSession, handoff_id: str) -> None:
        """NotFound unless the handoff is the counselor's agency's."""
        with self._uow() as uow:
            self._visible(uow, who, handoff_id)

    def claim(self, who: ConsoleSession, handoff_id: str) -> Claim:
        """Take the case; one counselor wins when two press at once."""
        now = self._clock()
        with self._uow() as uow:
            self._visible(uow, who, handoff_id)
            won = uow.handoffs.claim(handoff_id, who.counselor.id, now)
            if won:
                uow.audit.record(who.counselor.email, "claim", handoff_id, now)
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
            self._visible(uow, who, handoff_id)
            if outcome is None:
                done = uow.handoffs.release(handoff_id, who.counselor.id, now)
            else:
                done = uow.handoffs.close(handoff_id, who.counselor.id, outcome, now)
            if done:
                detail = f"outcome={outcome}" if outcome else None
                uow.audit.record(who.counselor.email, action, handoff_id, now, detail)
            uow.commit()
            return done
