"""The agency's gatherings as the console lists them: their next meetings, and how many people would like to go
or asked for a reminder (counts only, never who); and each agency's secret calendar feed for staff."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.cases.actor import ADMIN, Actor, record, require
from bot.cases.errors import NotFound
from bot.cases.work import Work
from bot.gatherings.catalog import Gathering
from bot.gatherings.ical import FeedItem, calendar

SHOWN_MEETINGS = 3


@dataclass(frozen=True)
class GatheringRow:
    """One gathering with its next meetings and its anonymous counts."""

    gathering: Gathering
    meetings: list[datetime]
    interest: int
    reminders: int


class GatheringList(Work):
    """Gatherings by agency (an admin or an operator sees every agency's)."""

    def gathering_rows(self, actor: Actor) -> list[GatheringRow]:
        """The actor's agency's gatherings (every agency's for an admin); the view is audited."""
        with self.unit() as (uow, now):
            if actor.operator or actor.role == ADMIN:
                kept = list(self.gatherings)
            else:
                agency = uow.agencies.get(actor.agency_id) if actor.agency_id is not None else None
                kept = [g for g in self.gatherings if agency is not None and g.agency == agency.name]
            interest, reminders = uow.interest.counts(), uow.reminders.pending_by_gathering()
            rows = [GatheringRow(g, g.schedule.upcoming(now, SHOWN_MEETINGS), interest[g.id], reminders[g.id])
                    for g in kept]
            record(uow, actor, "view_gatherings", now, detail=f"rows={len(rows)}")
            uow.commit()
            return rows

    def rotate_feed(self, actor: Actor, agency_id: int) -> str:
        """A new secret calendar URL token for the agency (admins); the old URL stops working. Audited, without
        the secret."""
        require(actor, (ADMIN,))
        token = secrets.token_urlsafe(24)
        with self.unit() as (uow, now):
            if uow.agencies.get(agency_id) is None:
                raise NotFound(f"No agency has the id {agency_id}.")
            uow.feeds.rotate(agency_id, token, now)
            record(uow, actor, "calendar_rotate", now, str(agency_id))
            uow.commit()
        return token

    def feed_tokens(self, actor: Actor) -> dict[int, str]:
        """Every agency's calendar token (admins)."""
        require(actor, (ADMIN,))
        with self.unit() as (uow, _):
            return uow.feeds.tokens()

    def calendar_feed(self, token: str) -> str | None:
        """The iCalendar text of the agency this secret opens (None for an unknown or rotated secret)."""
        with self.unit() as (uow, now):
            agency_id = uow.feeds.agency_for(token)
            agency = uow.agencies.get(agency_id) if agency_id is not None else None
            if agency is None:
                return None
            interest, reminders = uow.interest.counts(), uow.reminders.pending_by_gathering()
        items = [FeedItem(g, interest[g.id], reminders[g.id]) for g in self.gatherings if g.agency == agency.name]
        return calendar(agency.name, items, now)
