"""The audit log: who viewed, exported, replied to, relayed or erased what, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from storage import tables as t
from storage.records import AuditEntry
from storage.repositories.base import Repository


class AuditLog(Repository):
    """Who viewed, exported, replied to, relayed or erased what, and when."""

    def record(self, actor: str, action: str, target: str | None, at: datetime,
               detail: str | None = None, agency_id: int | None = None) -> None:
        """Append one entry (never personal content); `agency_id` is the actor's agency."""
        self.conn.execute(insert(t.audit_log).values(
            actor=actor, action=action, target=target, at=at, detail=detail, agency_id=agency_id))

    def search(self, agency_id: int | None = None, actor: str | None = None, action: str | None = None,
               target: str | None = None, since: datetime | None = None, until: datetime | None = None,
               before_id: int | None = None, limit: int = 100) -> list[AuditEntry]:
        """Entries matching every given filter, newest first (`before_id` pages back)."""
        a = t.audit_log.c
        stmt = select(t.audit_log)
        for column, value in ((a.agency_id, agency_id), (a.actor, actor), (a.action, action), (a.target, target)):
            if value is not None:
                stmt = stmt.where(column == value)
        if since is not None:
            stmt = stmt.where(a.at >= since)
        if until is not None:
            stmt = stmt.where(a.at < until)
        if before_id is not None:
            stmt = stmt.where(a.id < before_id)
        rows = self.conn.execute(stmt.order_by(a.id.desc()).limit(limit)).all()
        return [AuditEntry(r.id, r.at, r.actor, r.action, r.target, r.detail, r.agency_id) for r in rows]

