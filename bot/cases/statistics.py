"""Statistics (実態把握) for staff and operators: the report of a period, small numbers protected. Counselors and
supervisors see their agency; admins and operators every agency together or any one. Every view and export is
audited. The counts are read in a read-only unit, so the intake never waits for them, and the report made of
them is kept for a minute (bot.stats.cache), so a page reloaded in a loop neither reads nor builds it again."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from bot.cases.actor import ADMIN, Actor, record
from bot.cases.errors import Invalid, NotFound
from bot.cases.work import Work
from bot.clock import today
from bot.stats.cache import Recent
from bot.stats.protect import protect
from bot.stats.report import Period, build
from dialogs.i18n import N_
from storage.repositories.stats import PARTS, RawStats

READERS = 2  # parts of the counts read at once (the two cores of the machine the bench ran on)


@dataclass(frozen=True)
class StatsRequest:
    """What to count: a period of whole days (None: from the fiscal year's 1 April, to today) and an agency
    by name (None: the actor's own, or every agency for an admin or operator)."""

    first: date | None = None
    last: date | None = None
    agency: str | None = None
    export: str | None = None  # the export format, or None for a view (it is audited as either)


@dataclass(frozen=True)
class StatsResult:
    """The protected report, whose agency it is (None: every agency), and the agencies the actor may choose."""

    report: dict[str, Any]
    agency: str | None
    choices: tuple[str, ...]


class Statistics(Work):
    """The statistics use case."""

    def statistics(self, actor: Actor, asked: StatsRequest) -> StatsResult:
        """The report the actor may see; a view or export, audited."""
        period = self._period(asked)
        every = actor.operator or actor.role == ADMIN
        with self.reading() as uow:
            agencies = {a.name: a.id for a in uow.agencies.all()}
        own = next((name for name, i in agencies.items() if i == actor.agency_id), None)
        name = asked.agency if every else own
        someone_else = asked.agency is not None and asked.agency != name
        if someone_else or (name is not None and name not in agencies):
            raise NotFound(f"No agency is called {asked.agency!r}.", N_("その機関は見つかりません。"))
        start, end = period.bounds()
        key = (start, end, agencies[name] if name is not None else None)
        report = self._recent.get(key, self._clock())
        if report is None:
            own_gatherings = None if name is None else tuple(g.id for g in self.gatherings if g.agency == name)
            report = protect(build(self._count(*key), period, self.min_cell, own_gatherings))
            self._recent.put(key, report, self._clock())
        with self.unit() as (uow, now):
            detail = f"from={period.first} to={period.last} agency={name or '*'}"
            record(uow, actor, "export_stats" if asked.export else "view_stats", now,
                   detail=f"{detail} format={asked.export}" if asked.export else detail)
            uow.commit()
        return StatsResult(report, name, tuple(sorted(agencies)) if every else ())

    def _count(self, start: datetime, end: datetime, agency_id: int | None) -> RawStats:
        """The counts, their parts read side by side (each in its own read-only transaction: on SQLite and
        PostgreSQL alike, readers never wait for the intake nor it for them)."""
        raw = RawStats()

        def read(part: str) -> None:
            with self.reading() as uow:
                uow.stats.read_part(part, raw, start, end, agency_id)

        with ThreadPoolExecutor(max_workers=READERS) as pool:
            for done in [pool.submit(read, part) for part in PARTS]:
                done.result()
        return raw

    @cached_property
    def _recent(self) -> Recent[dict[str, Any]]:
        """The protected reports made in the last minute: a reloaded page costs neither the database nor the
        process's Python (which the intake beside it shares) more than its audit line."""
        return Recent()

    def _period(self, asked: StatsRequest) -> Period:
        now = today(self._clock, self.zone)
        first = asked.first or date(now.year if now.month >= 4 else now.year - 1, 4, 1)
        last = asked.last or max(now, first)
        if last < first:
            raise Invalid(f"The period ends ({last}) before it begins ({first}).",
                          N_("終わりの日は、はじめの日より後にしてください。"))
        if (last - first).days > 3660:
            raise Invalid("A period is at most ten years.", N_("期間は10年までにしてください。"))
        return Period(first, last, self.zone)
