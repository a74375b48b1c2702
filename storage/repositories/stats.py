"""The statistics read model (実態把握): SQL aggregates over handoffs, conversations, relays and the intakes
retention dropped, on SQLite and PostgreSQL alike. It reads plaintext columns only and decrypts nothing; every
answer is a count. Moments come back as UTC hours, which bot.stats turns into the people's time zone."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select

from storage import tables as t
from storage.repositories.base import Repository

_h = t.handoffs.c
# time from one moment to another, in buckets (seconds): < 1 h, 1-4 h, 4-8 h, 8-24 h, > 24 h; "none" for no answer
WAIT_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("lt_1h", 3600), ("1_4h", 4 * 3600), ("4_8h", 8 * 3600), ("8_24h", 24 * 3600), ("gt_24h", None))
NO_ANSWER = "none"


@dataclass
class RawStats:
    """Exact counts, before small numbers are protected (never shown as they are)."""

    total: int = 0
    new: int = 0
    people: int = 0
    profile: Counter[tuple[str | None, ...]] = field(default_factory=Counter)  # writer, channel, main topic…
    topics: Counter[str] = field(default_factory=Counter)  # every topic ticked; "" for a case with none
    hours: Counter[datetime] = field(default_factory=Counter)  # cases by the UTC hour they arrived
    first_reply: Counter[tuple[str, bool | None]] = field(default_factory=Counter)  # (bucket, after hours)
    urgent_claim: Counter[str] = field(default_factory=Counter)  # flag to claim, by bucket
    outcomes: Counter[str] = field(default_factory=Counter)  # "open" while not closed
    relays: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (from agency, to agency, status)
    steps: Counter[str | None] = field(default_factory=Counter)  # intakes by the step they stand or stopped at


class Stats(Repository):
    """Counts for a period [start, end) and one agency (None: every agency). A relay's copy is not a case of
    its own: a case counts once, at the agency it first reached."""

    def read(self, start: datetime, end: datetime, agency_id: int | None) -> RawStats:
        """Every count of the statistics."""
        raw = RawStats()
        self._cases(raw, start, end, agency_id)
        self._profile(raw, start, end, agency_id)
        self._topics(raw, start, end, agency_id)
        self._hours(raw, start, end, agency_id)
        self._handling(raw, start, end, agency_id)
        self._relays(raw, start, end, agency_id)
        self._steps(raw, start, end)
        return raw

    @staticmethod
    def _cases_in(start: datetime, end: datetime, agency_id: int | None) -> ColumnElement[bool]:
        where = and_(_h.relay_of.is_(None), _h.created_at >= start, _h.created_at < end)
        return where if agency_id is None else and_(where, _h.agency_id == agency_id)

    def _cases(self, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        """Cases (延べ), people (実人数: a conversation), and the returning ones (継続: the person had a case
        before, kept at handoff time); the others are new (新規)."""
        row = self.conn.execute(
            select(func.count(), func.count(_h.conversation_id.distinct()),
                   func.count().filter(_h.returning_case.is_(True)))
            .where(self._cases_in(start, end, agency_id))).one()
        raw.total, raw.people, raw.new = int(row[0]), int(row[1]), int(row[0]) - int(row[2])

    def _profile(self, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        cols = (_h.writer, _h.channel, _h.main_topic, _h.age_band, _h.municipality)
        rows = self.conn.execute(select(*cols, func.count()).where(self._cases_in(start, end, agency_id))
                                 .group_by(*cols))
        for *key, n in rows:
            raw.profile[tuple(key)] += int(n)

    def _topics(self, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        """Every topic ticked (複数回答): the distinct lists are few, so they are read whole and split here."""
        rows = self.conn.execute(select(_h.topics, func.count()).where(self._cases_in(start, end, agency_id))
                                 .group_by(_h.topics))
        for text, n in rows:
            ticked = set(json.loads(text or "[]")) or {""}
            for topic in ticked:
                raw.topics[topic] += int(n)

    def _hours(self, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        """Cases by the UTC hour they arrived (at most 8,784 a year): the people's zone is applied later,
        exactly, since a zone's offset is whole hours."""
        hour = self._utc_hour(_h.created_at)
        rows = self.conn.execute(select(hour, func.count()).where(self._cases_in(start, end, agency_id))
                                 .group_by(hour))
        for value, n in rows:
            raw.hours[_hour_of(value)] += int(n)

    def _handling(self, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        """In one pass: the first counselor reply after the handoff (by arrival in or out of hours); for urgent
        cases, the claim after the flag; the outcome ("open" while not closed)."""
        reply = self._bucket(_h.created_at, _h.first_reply_at)
        claim = case((_h.priority == "urgent", self._bucket(_h.flagged_at, _h.claimed_at)), else_=None)
        outcome = case((_h.status != "closed", "open"), else_=func.coalesce(_h.outcome, "other"))
        keys = (reply, _h.after_hours, claim, outcome)
        rows = self.conn.execute(select(*keys, func.count()).where(self._cases_in(start, end, agency_id))
                                 .group_by(*keys))
        for bucket, after_hours, claimed, ended, n in rows:
            raw.first_reply[(str(bucket), None if after_hours is None else bool(after_hours))] += int(n)
            if claimed is not None:
                raw.urgent_claim[str(claimed)] += int(n)
            raw.outcomes[str(ended)] += int(n)

    def _relays(self, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        """Relays made in the period, from which agency to which, by their answer (the agency's own, sent or
        received)."""
        r = t.relays.c
        src, dst = t.agencies.alias("src"), t.agencies.alias("dst")
        stmt = (select(src.c.name, dst.c.name, r.status, func.count())
                .join_from(t.relays, src, src.c.id == r.from_agency_id).join(dst, dst.c.id == r.to_agency_id)
                .where(r.created_at >= start, r.created_at < end)
                .group_by(src.c.name, dst.c.name, r.status))
        if agency_id is not None:
            stmt = stmt.where(or_(r.from_agency_id == agency_id, r.to_agency_id == agency_id))
        for from_name, to_name, status, n in self.conn.execute(stmt):
            raw.relays[(str(from_name), str(to_name), str(status))] += int(n)

    def _steps(self, raw: RawStats, start: datetime, end: datetime) -> None:
        """Intakes opened in the period by the step they reached (the whole service's: an intake reaches an
        agency only at its end), with those retention deleted unfinished."""
        c, d = t.conversations.c, t.dropped_intakes.c
        for table_step, opened in ((c.stopped_step, c.created_at), (d.stopped_step, d.opened_at)):
            rows = self.conn.execute(select(table_step, func.count()).where(opened >= start, opened < end)
                                     .group_by(table_step))
            for step, n in rows:
                raw.steps[step] += int(n)

    def _utc_hour(self, column: Any) -> ColumnElement[str]:
        """The hour a moment falls in: the stored text's first 13 characters on SQLite (no parsing), the
        truncated moment on PostgreSQL."""
        if self.conn.dialect.name == "postgresql":
            return func.date_trunc("hour", column)
        return func.substr(column, 1, 13)

    def _seconds(self, start: Any, end: Any) -> ColumnElement[Any]:
        if self.conn.dialect.name == "postgresql":
            return func.extract("epoch", end - start)
        return (func.julianday(end) - func.julianday(start)) * literal_column("86400.0")

    def _bucket(self, start: Any, end: Any) -> ColumnElement[str]:
        """The wait from `start` to `end` as one of WAIT_BUCKETS, or NO_ANSWER while `end` is unset."""
        seconds = self._seconds(start, end)
        whens: list[tuple[ColumnElement[bool], str]] = [(end.is_(None), NO_ANSWER)]
        whens += [(seconds < limit, name) for name, limit in WAIT_BUCKETS if limit is not None]
        return case(*whens, else_=WAIT_BUCKETS[-1][0])


def _hour_of(value: Any) -> datetime:
    """An hour as the database gave it ("YYYY-MM-DD HH" text, or a moment) as an aware UTC moment."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    text = str(value)
    return datetime(int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), tzinfo=UTC)
