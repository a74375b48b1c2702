"""Interest in gatherings (「行ってみたい」) and the reminders people asked for (「思い出させて」): no names, no text;
a conversation id links them to the person's case."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from storage import tables as t
from storage.records import Reminder
from storage.repositories.base import Repository, insert_ignore

_INTEREST = insert_ignore(t.gathering_interest, ["conversation_id", "gathering_id", "starts_at"])
_REMIND = insert_ignore(t.gathering_reminders, ["conversation_id", "gathering_id", "starts_at"])
_i = t.gathering_interest.c
_r = t.gathering_reminders.c


def _reminder(row: Any) -> Reminder:
    return Reminder(row.id, row.conversation_id, row.gathering_id, row.starts_at, row.fingerprint, row.due_at,
                    row.status)


class GatheringInterest(Repository):
    """Who would like to go, by conversation, and how many, by gathering."""

    def add(self, conversation_id: str, gathering_id: str, starts_at: datetime, at: datetime) -> bool:
        """Record it once per meeting; False when it was already recorded."""
        stmt = _INTEREST[self.conn.dialect.name].values(
            conversation_id=conversation_id, gathering_id=gathering_id, starts_at=starts_at, created_at=at)
        return bool(self.conn.execute(stmt).rowcount)

    def of_conversation(self, conversation_id: str) -> list[tuple[str, datetime, datetime]]:
        """(gathering, meeting, when said) for one person, newest first (the case page)."""
        rows = self.conn.execute(select(_i.gathering_id, _i.starts_at, _i.created_at)
                                 .where(_i.conversation_id == conversation_id).order_by(_i.id.desc())).all()
        return [(r.gathering_id, r.starts_at, r.created_at) for r in rows]

    def counts(self, since: datetime | None = None) -> Counter[str]:
        """How many said they would like to go, by gathering (anonymous; from `since`, if given)."""
        stmt = select(_i.gathering_id, func.count()).group_by(_i.gathering_id)
        if since is not None:
            stmt = stmt.where(_i.created_at >= since)
        return Counter({gathering: int(n) for gathering, n in self.conn.execute(stmt).all()})


class GatheringReminders(Repository):
    """Reminders asked for, waiting for their hour; each is sent at most once."""

    def add(self, conversation_id: str, gathering_id: str, starts_at: datetime, fingerprint: str, due_at: datetime,
            at: datetime) -> Reminder | None:
        """Plan one (None when this person already has one for this meeting, cancelled or not)."""
        stmt = _REMIND[self.conn.dialect.name].values(
            conversation_id=conversation_id, gathering_id=gathering_id, starts_at=starts_at, fingerprint=fingerprint,
            due_at=due_at, status="pending", created_at=at)
        if not self.conn.execute(stmt).rowcount:
            return None
        return self.find(conversation_id, gathering_id, starts_at)

    def find(self, conversation_id: str, gathering_id: str, starts_at: datetime) -> Reminder | None:
        """This person's reminder of this meeting."""
        row = self.conn.execute(select(t.gathering_reminders).where(
            _r.conversation_id == conversation_id, _r.gathering_id == gathering_id,
            _r.starts_at == starts_at)).one_or_none()
        return _reminder(row) if row else None

    def renew(self, reminder_id: int, fingerprint: str, due_at: datetime) -> None:
        """Plan a cancelled reminder again (the person asked once more)."""
        self.conn.execute(update(t.gathering_reminders).where(_r.id == reminder_id).values(
            status="pending", fingerprint=fingerprint, due_at=due_at, done_at=None))

    def cancel(self, reminder_id: int, conversation_id: str, at: datetime) -> bool:
        """「やめる」: only the person's own pending reminder; False when there was none."""
        return bool(self.conn.execute(update(t.gathering_reminders).where(
            _r.id == reminder_id, _r.conversation_id == conversation_id, _r.status == "pending",
        ).values(status="cancelled", done_at=at)).rowcount)

    def cancel_all(self, conversation_id: str, at: datetime) -> int:
        """Every pending reminder of a conversation is cancelled (the person's data was erased)."""
        return int(self.conn.execute(update(t.gathering_reminders).where(
            _r.conversation_id == conversation_id, _r.status == "pending",
        ).values(status="cancelled", done_at=at)).rowcount or 0)

    def due(self, now: datetime, limit: int = 50) -> list[Reminder]:
        """Pending reminders whose hour has come, oldest first."""
        rows = self.conn.execute(select(t.gathering_reminders).where(_r.status == "pending", _r.due_at <= now)
                                 .order_by(_r.due_at, _r.id).limit(limit)).all()
        return [_reminder(r) for r in rows]

    def finish(self, reminder_id: int, status: str, at: datetime) -> bool:
        """Take a pending reminder out (sent or stale); False when another process did first."""
        return bool(self.conn.execute(update(t.gathering_reminders).where(
            _r.id == reminder_id, _r.status == "pending").values(status=status, done_at=at)).rowcount)

    def pending_by_gathering(self) -> Counter[str]:
        """Reminders still to go, by gathering (anonymous)."""
        rows = self.conn.execute(select(_r.gathering_id, func.count()).where(_r.status == "pending")
                                 .group_by(_r.gathering_id)).all()
        return Counter({gathering: int(n) for gathering, n in rows})

    def counts(self) -> Counter[str]:
        """Reminders by status (anonymous, for the statistics)."""
        rows = self.conn.execute(select(_r.status, func.count()).group_by(_r.status)).all()
        return Counter({status: int(n) for status, n in rows})


def token_hash(token: str) -> str:
    """How a feed's secret is looked up (the secret itself is kept encrypted, for admins to read)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class CalendarFeeds(Repository):
    """Each agency's secret calendar URL token."""

    def rotate(self, agency_id: int, token: str, at: datetime) -> None:
        """A new secret for the agency; the old one stops working at once."""
        self.conn.execute(delete(t.calendar_feeds).where(t.calendar_feeds.c.agency_id == agency_id))
        self.conn.execute(insert(t.calendar_feeds).values(
            agency_id=agency_id, token_hash=token_hash(token), token_enc=self.cipher.encrypt(token), created_at=at))

    def agency_for(self, token: str) -> int | None:
        """The agency whose feed this secret opens."""
        found = self.conn.execute(select(t.calendar_feeds.c.agency_id).where(
            t.calendar_feeds.c.token_hash == token_hash(token))).scalar_one_or_none()
        return int(found) if found is not None else None

    def tokens(self) -> dict[int, str]:
        """Every agency's secret (admins only see them)."""
        rows = self.conn.execute(select(t.calendar_feeds.c.agency_id, t.calendar_feeds.c.token_enc)).all()
        return {int(r.agency_id): self.cipher.decrypt(r.token_enc) for r in rows}
