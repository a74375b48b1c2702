"""Supervisors' and admins' work in the console: the agency's canned replies and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, utcnow
from bot.console.cases import audit
from storage.records import AuditEntry, CannedReply, ConsoleSession
from storage.uow import UnitOfWork

SUPERVISING = ("supervisor", "admin")
MAX_TITLE = 100
MAX_BODY = 4000


class Forbidden(Exception):
    """The account's role does not allow this."""


def require(who: ConsoleSession, roles: tuple[str, ...]) -> None:
    """Forbidden unless the counselor has one of these roles."""
    if who.counselor.role not in roles:
        raise Forbidden(who.counselor.role)


@dataclass(frozen=True)
class AuditFilter:
    """The audit view's filters; admins may also pick an agency (None: every agency)."""

    actor: str | None = None
    action: str | None = None
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    agency_id: int | None = None
    before_id: int | None = None


class Manage:
    """Canned replies and the audit view."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock = utcnow) -> None:
        self._uow = uow
        self._clock = clock

    def canned(self, who: ConsoleSession) -> list[CannedReply]:
        """The agency's reply texts (every counselor may use them)."""
        with self._uow() as uow:
            return uow.canned.for_agency(who.counselor.agency_id)

    def add_canned(self, who: ConsoleSession, title: str, body: str) -> int:
        """Keep a reply text for the agency (supervisors and admins)."""
        require(who, SUPERVISING)
        title, body = title.strip(), body.strip()
        if not title or not body or len(title) > MAX_TITLE or len(body) > MAX_BODY:
            raise ValueError("a title of 1 to 100 and a text of 1 to 4000 characters")
        now = self._clock()
        with self._uow() as uow:
            reply_id = uow.canned.add(who.counselor.agency_id, title, body, now)
            audit(uow, who, "canned_add", str(reply_id), now)
            uow.commit()
            return reply_id

    def remove_canned(self, who: ConsoleSession, reply_id: int) -> bool:
        """Delete one of the agency's reply texts (supervisors and admins)."""
        require(who, SUPERVISING)
        now = self._clock()
        with self._uow() as uow:
            done = uow.canned.remove(who.counselor.agency_id, reply_id)
            if done:
                audit(uow, who, "canned_remove", str(reply_id), now)
            uow.commit()
            return done

    def provisions(self, who: ConsoleSession) -> list[dict[str, object]]:
        """The provision log (every relay sent or received; all agencies for an admin); the export is audited."""
        require(who, SUPERVISING)
        agency_id = None if who.counselor.role == "admin" else who.counselor.agency_id
        now = self._clock()
        with self._uow() as uow:
            rows = uow.relays.provisions(agency_id=agency_id)
            audit(uow, who, "export_provisions", None, now, f"rows={len(rows)}")
            uow.commit()
            return rows

    def audit_log(self, who: ConsoleSession, shown: AuditFilter, limit: int = 100) -> list[AuditEntry]:
        """Audit entries, newest first: a supervisor's agency only, any agency for an admin."""
        require(who, SUPERVISING)
        agency_id = shown.agency_id if who.counselor.role == "admin" else who.counselor.agency_id
        now = self._clock()
        with self._uow() as uow:
            entries = uow.audit.search(agency_id, shown.actor, shown.action, shown.target, shown.since,
                                       shown.until, shown.before_id, limit)
            audit(uow, who, "view_audit", None, now)
            uow.commit()
            return entries
