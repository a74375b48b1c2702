"""The agency's gatherings as the console lists them: their next meetings, and how many people would like to go
or asked for a reminder (counts only, never who)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.cases.actor import ADMIN, Actor, record
from bot.cases.work import Work
from bot.gatherings.catalog import Gathering

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
