"""The handoff aggregate: the cases in agencies' queues, each with its sheet (encrypted) and, apart from it,
what the queue and statistics need (topics, channel, dates, outcome), which is read without decrypting."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, update

from dialogs.model import Conversation
from storage import tables as t
from storage.records import Agency, CaseSummary, Handoff
from storage.repositories.base import Repository, new_id

_h = t.handoffs.c
_SUMMARY = [c for c in t.handoffs.c if c.name != "sheet_enc"]


def _select(*extra: Any) -> Select[Any]:
    """The handoffs with their agency's name and the holder's email (and `extra` columns)."""
    return (select(*_SUMMARY, *extra, t.agencies.c.name.label("agency_name"),
                   t.counselors.c.email.label("holder_email"))
            .join(t.agencies, t.agencies.c.id == _h.agency_id)
            .outerjoin(t.counselors, t.counselors.c.id == _h.claimed_by))


def _summary_fields(row: Any) -> dict[str, Any]:
    return {"id": row.id, "conversation_id": row.conversation_id, "agency_id": row.agency_id,
            "agency": row.agency_name, "priority": row.priority, "status": row.status, "channel": row.channel,
            "writer": row.writer, "topics": json.loads(row.topics), "main_topic": row.main_topic,
            "created_at": row.created_at, "received_by": row.received_by, "outcome": row.outcome,
            "closed_at": row.closed_at, "thread_from": row.thread_from, "basis": row.basis,
            "holder": row.holder_email, "erased": row.erased_at is not None}


class Handoffs(Repository):
    """The counselor queue."""

    def add(self, conv: Conversation, agency: Agency, urgent: bool, at: datetime, basis: str | None = None,
            after_hours: bool | None = None) -> str:
        """Put a sheet in an agency's queue; returns the handoff id. Its statistics (age band, municipality,
        out of hours, when flagged) are kept in plaintext beside it."""
        handoff_id = new_id()
        sheet = conv.sheet
        self.conn.execute(insert(t.handoffs).values(
            id=handoff_id, conversation_id=conv.id, agency_id=agency.id,
            priority="urgent" if urgent else "normal", status="open", channel=conv.channel,
            writer=sheet.writer, topics=json.dumps(sheet.topics), main_topic=sheet.main_topic,
            sheet_enc=self.cipher.encrypt_json(_handoff_sheet(handoff_id, conv, at)),
            received_by=None, created_at=at, updated_at=at, basis=basis, after_hours=after_hours,
            flagged_at=at if urgent else None, previous_case_at=self._previous(conv), **_statistics(conv),
        ))
        return handoff_id

    def _previous(self, conv: Conversation) -> datetime | None:
        """When the person's latest case came, if they have one (a relay's copy is not one)."""
        latest: datetime | None = self.conn.execute(
            select(func.max(_h.created_at)).where(_h.conversation_id == conv.id, _h.relay_of.is_(None))).scalar()
        return latest

    def refresh(self, handoff: CaseSummary, conv: Conversation, urgent: bool, at: datetime) -> None:
        """The person finished the intake of a case a crisis opened early: the fuller sheet replaces the
        first one (same id and received date); it stays urgent."""
        sheet = _handoff_sheet(handoff.id, conv, handoff.created_at)
        sheet["received_by"] = handoff.received_by
        self.conn.execute(update(t.handoffs).where(_h.id == handoff.id).values(
            writer=conv.sheet.writer, topics=json.dumps(conv.sheet.topics), main_topic=conv.sheet.main_topic,
            sheet_enc=self.cipher.encrypt_json(sheet), updated_at=at, **_statistics(conv),
            flagged_at=func.coalesce(_h.flagged_at, at) if urgent else _h.flagged_at,
            priority="urgent" if urgent or handoff.priority == "urgent" else "normal"))

    def make_urgent(self, conversation_id: str, at: datetime) -> list[CaseSummary]:
        """Every case of the conversation that is not closed goes to the top of its queue."""
        self.conn.execute(update(t.handoffs).where(
            _h.conversation_id == conversation_id, _h.status != "closed")
            .values(priority="urgent", updated_at=at, flagged_at=func.coalesce(_h.flagged_at, at)))
        self.conn.execute(update(t.handoffs).where(  # held already when the danger showed: no wait
            _h.conversation_id == conversation_id, _h.status == "claimed", _h.claim_wait.is_(None))
            .values(claim_wait=0))
        rows = self.conn.execute(_select().where(_h.conversation_id == conversation_id, _h.status != "closed")).all()
        return [CaseSummary(**_summary_fields(r)) for r in rows]

    def get(self, handoff_id: str) -> Handoff | None:
        """One handoff with its sheet (decrypted)."""
        row = self.conn.execute(_select(_h.sheet_enc).where(_h.id == handoff_id)).one_or_none()
        return self._handoff(row) if row else None

    def summary(self, handoff_id: str) -> CaseSummary | None:
        """One handoff without its sheet: nothing is decrypted."""
        row = self.conn.execute(_select().where(_h.id == handoff_id)).one_or_none()
        return CaseSummary(**_summary_fields(row)) if row else None

    def open_for_conversation(self, conversation_id: str) -> CaseSummary | None:
        """The conversation's handoff that is not closed, if any."""
        row = self.conn.execute(_select().where(
            _h.conversation_id == conversation_id, _h.status != "closed")
            .order_by(_h.created_at.desc())).first()
        return CaseSummary(**_summary_fields(row)) if row else None

    def queue(self, agency_id: int | None = None, status: str | None = None, topic: str | None = None,
              claimed_by: int | None = None, limit: int = 500) -> list[CaseSummary]:
        """Handoffs that are not closed (or those of one status), urgent first, then oldest first;
        optionally only those with a topic, or held by one counselor. Nothing is decrypted."""
        h = t.handoffs.c
        stmt = _select().where(h.status != "closed" if status is None else h.status == status)
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
        return [CaseSummary(**_summary_fields(r)) for r in rows]

    def counts(self, agency_id: int | None) -> dict[str, int]:
        """How many of the agency's handoffs (every agency's, for None) are open, urgent and open, or offered by
        another agency."""
        h = t.handoffs.c
        stmt = select(
            func.count().filter(h.status == "open"),
            func.count().filter(h.status == "open", h.priority == "urgent"),
            func.count().filter(h.status == "offered"),
        ).where(h.status.in_(("open", "offered")))
        row = self.conn.execute(stmt if agency_id is None else stmt.where(h.agency_id == agency_id)).one()
        return {"open": int(row[0]), "urgent": int(row[1]), "offered": int(row[2])}

    def offer(self, source: Handoff, to_agency_id: int, thread_from: int, at: datetime) -> str:
        """A copy of a case in another agency's queue, waiting for that agency to accept it."""
        handoff_id = new_id()
        sheet = dict(source.sheet)
        sheet["id"] = handoff_id
        person = sheet.get("person") or {}
        self.conn.execute(insert(t.handoffs).values(
            relay_of=source.id, age_band=person.get("age_band"), municipality=person.get("municipality"),
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
            update(t.handoffs).where(_h.id == handoff_id, _h.status == "offered")
            .values(status="claimed", claimed_by=counselor_id, updated_at=at,
                    claimed_at=func.coalesce(_h.claimed_at, at)))
        if result.rowcount:
            self._claimed(handoff_id, at)
        return bool(result.rowcount)

    def decline(self, handoff_id: str, at: datetime) -> bool:
        """The receiving agency turns an offered case down: it closes there."""
        result = self.conn.execute(
            update(t.handoffs).where(_h.id == handoff_id, _h.status == "offered")
            .values(status="closed", outcome="declined", closed_at=at, updated_at=at))
        return bool(result.rowcount)

    def claim(self, handoff_id: str, counselor_id: int, at: datetime, email: str | None = None) -> bool:
        """Take an open handoff; False when someone else took it first (one wins, atomically). The
        first counselor to claim it becomes the sheet's 受付者 (received_by)."""
        result = self.conn.execute(
            update(t.handoffs).where(_h.id == handoff_id, _h.status == "open")
            .values(status="claimed", claimed_by=counselor_id, updated_at=at,
                    received_by=func.coalesce(_h.received_by, email), claimed_at=func.coalesce(_h.claimed_at, at)))
        if result.rowcount:
            self._claimed(handoff_id, at)
        return bool(result.rowcount)

    def release(self, handoff_id: str, counselor_id: int, at: datetime) -> bool:
        """Give a claimed case back to the queue; only its holder can."""
        result = self.conn.execute(
            update(t.handoffs).where(_h.id == handoff_id, _h.status == "claimed",
                                     _h.claimed_by == counselor_id)
            .values(status="open", claimed_by=None, updated_at=at))
        return bool(result.rowcount)

    def close(self, handoff_id: str, counselor_id: int, outcome: str, at: datetime) -> bool:
        """Close a case its holder has claimed, with an outcome."""
        result = self.conn.execute(
            update(t.handoffs).where(_h.id == handoff_id, _h.status == "claimed",
                                     _h.claimed_by == counselor_id)
            .values(status="closed", outcome=outcome, closed_at=at, updated_at=at))
        return bool(result.rowcount)

    def replied(self, handoff_id: str, at: datetime) -> None:
        """A counselor answered the case (the first answer's time, and its wait, are kept for statistics)."""
        received = self.conn.execute(select(_h.created_at).where(_h.id == handoff_id, _h.first_reply_at.is_(None))
                                     ).scalar_one_or_none()
        if received is not None:
            self.conn.execute(update(t.handoffs).where(_h.id == handoff_id).values(
                first_reply_at=at, reply_wait=_seconds(received, at)))

    def _claimed(self, handoff_id: str, at: datetime) -> None:
        """A won claim of an urgent case: the wait since its flag is kept for statistics."""
        flagged = self.conn.execute(select(_h.flagged_at).where(_h.id == handoff_id, _h.claim_wait.is_(None))
                                    ).scalar_one_or_none()
        if flagged is not None:
            self.conn.execute(update(t.handoffs).where(_h.id == handoff_id)
                              .values(claim_wait=_seconds(flagged, at)))

    def claimed_by(self, handoff_id: str) -> str | None:
        """The email of the counselor holding a handoff."""
        case = self.summary(handoff_id)
        return case.holder if case else None

    def agencies_of(self, conversation_id: str) -> list[tuple[int, str]]:
        """(agency id, handoff id) of every case of a conversation."""
        rows = self.conn.execute(select(_h.agency_id, _h.id)
                                 .where(_h.conversation_id == conversation_id)).all()
        return [(int(r.agency_id), str(r.id)) for r in rows]

    def close_all(self, conversation_id: str, outcome: str, at: datetime) -> None:
        """Close every case of a conversation that is still open anywhere."""
        self.conn.execute(update(t.handoffs).where(_h.conversation_id == conversation_id,
                                                   _h.status != "closed")
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
        self.conn.execute(update(t.handoffs).where(_h.conversation_id == conversation_id)
                          .values(sheet_enc=self.cipher.encrypt_json({"erased": True}), updated_at=at, erased_at=at))

    def _handoff(self, row: Any) -> Handoff:
        return Handoff(**_summary_fields(row), sheet=self.cipher.decrypt_json(row.sheet_enc))


def _seconds(start: datetime, end: datetime) -> int:
    """Whole seconds from one moment to a later one (0 if it is not later)."""
    return max(0, int((end - start).total_seconds()))


def _statistics(conv: Conversation) -> dict[str, str | None]:
    """The plaintext statistics of a sheet: age band and municipality (bands and places, never who)."""
    return {"age_band": conv.sheet.person.age_band, "municipality": conv.sheet.person.municipality}


def _handoff_sheet(handoff_id: str, conv: Conversation, at: datetime) -> dict[str, Any]:
    """The sheet as exported: the field names of docs/INTAKE_SHEET.md, plus id, received_at, channel, locale."""
    data = conv.sheet.to_dict()
    data["details"] = "\n\n".join(conv.sheet.details)
    return {"id": handoff_id, "received_at": at.isoformat(), "received_by": None,
            "channel": conv.channel, "locale": conv.locale, **data}

