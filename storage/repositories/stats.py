"""The statistics read model (実態把握): SQL aggregates over handoffs, conversations, relays and the intakes
retention dropped, on SQLite and PostgreSQL alike. It reads plaintext columns only and decrypts nothing; every
answer is a count. Moments come back as UTC hours, which bot.stats turns into the people's time zone."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from dialogs.model import AGE_BANDS
from dialogs.topics import TOPIC_IDS
from storage import tables as t
from storage.repositories.base import Repository

_h = t.handoffs.c
# time from one moment to another, in buckets (seconds): < 1 h, 1-4 h, 4-8 h, 8-24 h, > 24 h; "none" for no answer
WAIT_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("lt_1h", 3600), ("1_4h", 4 * 3600), ("4_8h", 8 * 3600), ("8_24h", 24 * 3600), ("gt_24h", None))
NO_ANSWER = "none"
KNOWN = {"writer": ("self", "family", "supporter"), "channel": ("telegram", "line", "webchat"),
         "main_topic": TOPIC_IDS, "age_band": AGE_BANDS}  # the categories counted; anything else is 不明
PARTS = ("cases", "profile", "topics", "hours", "handling", "relays", "steps", "outreach",
         "gatherings")  # Stats.read_part
GATHERING_COUNTS = ("interested", "reminders")  # 「行ってみたい」 and 「思い出させて」, per gathering


@dataclass
class RawStats:
    """Exact counts, before small numbers are protected (never shown as they are)."""

    total: int = 0
    new: int = 0
    people: int = 0
    columns: dict[str, Counter[str | None]] = field(default_factory=dict)  # writer, channel, … municipality
    topics: Counter[str] = field(default_factory=Counter)  # every topic ticked; "" for a case with none
    hours: Counter[datetime] = field(default_factory=Counter)  # cases by the UTC hour they arrived
    first_reply: Counter[tuple[str, bool | None]] = field(default_factory=Counter)  # (bucket, after hours)
    urgent_claim: Counter[str] = field(default_factory=Counter)  # flag to claim, by bucket
    outcomes: Counter[str] = field(default_factory=Counter)  # "open" while not closed
    relays: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (from agency, to agency, status)
    steps: Counter[str | None] = field(default_factory=Counter)  # intakes by the step they stand or stopped at
    outreach: Counter[str] = field(default_factory=Counter)  # first contacts by the agency whose link brought them
    gatherings: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gathering id, GATHERING_COUNTS)


class Stats(Repository):
    """Counts for a period [start, end) and one agency (None: every agency). A relay's copy is not a case of
    its own: a case counts once, at the agency it first reached."""

    def read(self, start: datetime, end: datetime, agency_id: int | None) -> RawStats:
        """Every count of the statistics, one part after another."""
        raw = RawStats()
        for part in PARTS:
            self.read_part(part, raw, start, end, agency_id)
        return raw

    def read_part(self, part: str, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        """One part of the counts (PARTS) into `raw`: the parts fill different fields, so they may be read side
        by side, each in its own transaction."""
        getattr(self, f"_{part}")(raw, start, end, agency_id)

    @staticmethod
    def _cases_in(start: datetime, end: datetime, agency_id: int | None) -> ColumnElement[bool]:
        where = and_(_h.relay_of.is_(None), _h.created_at >= start, _h.created_at < end)
        return where if agency_id is None else and_(where, _h.agency_id == agency_id)

    def _cases(self, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        """Cases (延べ); the returning ones (継続: the person had a case before); people (実人数), each counted
        at their first case of the period: the one whose previous case came before the period, or never. Both
        come from the previous case's time, kept at handoff time, so no person is looked up here."""
        previous = _h.previous_case_at
        row = self.conn.execute(select(func.count(), func.count().filter(previous.is_not(None)),
                                       func.count().filter(or_(previous.is_(None), previous < start)))
                                .where(self._cases_in(start, end, agency_id))).one()
        raw.total, raw.new, raw.people = int(row[0]), int(row[0]) - int(row[1]), int(row[2])

    def _profile(self, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        """Each known category of writer, channel, main topic and age band (what is in none is 不明): counted in
        one pass without sorting on SQLite, grouped on PostgreSQL (whose hash aggregate is quicker); then the
        municipalities, which are the people's own words."""
        column, where = t.handoffs.c, self._cases_in(start, end, agency_id)
        if self.conn.dialect.name == "postgresql":
            keys = [column[name] for name in KNOWN]
            for *values, n in self.conn.execute(select(*keys, func.count()).where(where).group_by(*keys)):
                for (name, known), value in zip(KNOWN.items(), values, strict=True):
                    if value in known:
                        raw.columns.setdefault(name, Counter())[value] += int(n)
        else:
            pairs = [(name, value) for name, values in KNOWN.items() for value in values]
            row = self.conn.execute(select(*(func.count().filter(column[name] == value) for name, value in pairs))
                                    .where(where)).one()
            for (name, value), n in zip(pairs, row, strict=True):
                raw.columns.setdefault(name, Counter())[value] = int(n)
        rows = self.conn.execute(select(_h.municipality, func.count()).where(where).group_by(_h.municipality))
        raw.columns["municipality"] = Counter({town: int(n) for town, n in rows})

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
        """In one pass: the wait for the first counselor reply (by arrival in or out of hours); for urgent
        cases, the wait from the flag to a claim; the outcome ("open" while not closed). The waits are kept in
        seconds at reply and claim time, so nothing is parsed here."""
        reply = _bucket(_h.reply_wait)
        claim = case((_h.priority == "urgent", _bucket(_h.claim_wait)), else_=None)
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

    def _steps(self, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        """Intakes opened in the period by the step they reached (the whole service's: an intake reaches an
        agency only at its end), with those retention deleted unfinished."""
        c, d = t.conversations.c, t.dropped_intakes.c
        for table_step, opened in ((c.stopped_step, c.created_at), (d.stopped_step, d.opened_at)):
            rows = self.conn.execute(select(table_step, func.count()).where(opened >= start, opened < end)
                                     .group_by(table_step))
            for step, n in rows:
                raw.steps[step] += int(n)

    def _outreach(self, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        """First contacts (conversations opened in the period) that came in through an agency's outreach link,
        by that agency's name; for one agency, its own link only."""
        a = t.agencies.c
        for table, via, opened in ((t.conversations, t.conversations.c.via_agency_id, t.conversations.c.created_at),
                                   (t.dropped_intakes, t.dropped_intakes.c.via_agency_id,
                                    t.dropped_intakes.c.opened_at)):  # and those retention deleted unfinished
            stmt = (select(a.name, func.count()).join_from(table, t.agencies, a.id == via)
                    .where(opened >= start, opened < end).group_by(a.name))
            if agency_id is not None:
                stmt = stmt.where(via == agency_id)
            for name, n in self.conn.execute(stmt):
                raw.outreach[str(name)] += int(n)

    def _gatherings(self, raw: RawStats, start: datetime, end: datetime, agency_id: int | None) -> None:
        """「行ってみたい」 said and reminders asked for in the period, by gathering (every gathering: which one is
        an agency's is in the gatherings file, so bot.stats.report keeps an agency's own)."""
        for key, table in zip(GATHERING_COUNTS, (t.gathering_interest, t.gathering_reminders), strict=True):
            rows = self.conn.execute(select(table.c.gathering_id, func.count())
                                     .where(table.c.created_at >= start, table.c.created_at < end)
                                     .group_by(table.c.gathering_id))
            for gathering, n in rows:
                raw.gatherings[(str(gathering), key)] += int(n)

    def _utc_hour(self, column: Any) -> ColumnElement[str]:
        """The hour a moment falls in: the stored text's first 13 characters on SQLite (no parsing), the
        truncated moment on PostgreSQL."""
        if self.conn.dialect.name == "postgresql":
            return func.date_trunc("hour", func.timezone("UTC", column))
        return func.substr(column, 1, 13)


def _bucket(wait: Any) -> ColumnElement[str]:
    """A wait in seconds as one of WAIT_BUCKETS, or NO_ANSWER while it is unset."""
    whens: list[tuple[ColumnElement[bool], str]] = [(wait.is_(None), NO_ANSWER)]
    whens += [(wait < limit, name) for name, limit in WAIT_BUCKETS if limit is not None]
    return case(*whens, else_=WAIT_BUCKETS[-1][0])

def _hour_of(value: Any) -> datetime:
    """An hour as the database gave it ("YYYY-MM-DD HH" text, or a moment) as an aware UTC moment."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    text = str(value)
    return datetime(int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), tzinfo=UTC)
