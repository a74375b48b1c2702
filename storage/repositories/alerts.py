"""Staff alerts: notes to staff that an urgent case arrived, waiting to go out (a link only)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from storage import tables as t
from storage.records import StaffAlert
from storage.repositories.base import Repository


class StaffAlerts(Repository):
    """Notes to staff that an urgent case arrived, waiting to go out (a link only)."""

    def add(self, handoff_id: str, target: str, at: datetime) -> None:
        """Queue one alert."""
        self.conn.execute(insert(t.staff_alerts).values(
            handoff_id=handoff_id, target=target, status="pending", attempts=0, next_attempt_at=at, created_at=at))

    def take_due(self, now: datetime, lease: timedelta, limit: int = 20) -> list[StaffAlert]:
        """Due alerts, each leased for one attempt (another process will not take it meanwhile)."""
        a = t.staff_alerts.c
        ids = self.conn.execute(select(a.id).where(a.status == "pending", a.next_attempt_at <= now)
                                .order_by(a.id).limit(limit)
                                .with_for_update(skip_locked=True)).scalars().all()
        taken = []
        for alert_id in ids:
            row = self.conn.execute(
                update(t.staff_alerts).where(a.id == alert_id, a.status == "pending", a.next_attempt_at <= now)
                .values(next_attempt_at=now + lease).returning(a.id, a.handoff_id, a.target, a.attempts)).first()
            if row is not None:
                taken.append(StaffAlert(row.id, row.handoff_id, row.target, row.attempts))
        return taken

    def sent(self, alert_id: int, at: datetime) -> None:
        """Delivered."""
        self.conn.execute(update(t.staff_alerts).where(t.staff_alerts.c.id == alert_id).values(
            status="sent", sent_at=at, attempts=t.staff_alerts.c.attempts + 1))

    def failed(self, alert_id: int, retry_at: datetime | None, error: str) -> None:
        """Try again later, or (retry_at None) give up."""
        values: dict[str, Any] = {"attempts": t.staff_alerts.c.attempts + 1, "last_error": error[:200]}
        if retry_at is None:
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = retry_at
        self.conn.execute(update(t.staff_alerts).where(t.staff_alerts.c.id == alert_id).values(**values))

    def for_handoff(self, handoff_id: str) -> list[tuple[str, str]]:
        """(target, status) of a case's alerts."""
        rows = self.conn.execute(select(t.staff_alerts.c.target, t.staff_alerts.c.status)
                                 .where(t.staff_alerts.c.handoff_id == handoff_id)
                                 .order_by(t.staff_alerts.c.id)).all()
        return [(r.target, r.status) for r in rows]
