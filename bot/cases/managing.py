"""Supervisors' and admins' work beside the cases: the agency's canned replies, the audit log and the
provision log (an operator sees every agency's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.cases import exports
from bot.cases.actor import ADMIN, SUPERVISING, Actor, record, require
from bot.cases.errors import Invalid, NotFound
from bot.cases.work import Work
from dialogs.i18n import N_
from storage.records import AuditEntry, CannedReply

MAX_TITLE = 100
MAX_TEXT = 4000


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


class Managing(Work):
    """Canned replies, the audit log and the provision log."""

    def canned(self, actor: Actor) -> list[CannedReply]:
        """The agency's reply texts (every counselor may use them)."""
        with self.unit() as (uow, _):
            return uow.canned.for_agency(actor.agency_id) if actor.agency_id is not None else []

    def add_canned(self, actor: Actor, title: str, body: str) -> int:
        """Keep a reply text for the agency (supervisors and admins)."""
        require(actor, SUPERVISING)
        title, body = title.strip(), body.strip()
        if not title or not body or len(title) > MAX_TITLE or len(body) > MAX_TEXT or actor.agency_id is None:
            raise Invalid(f"A title of 1 to {MAX_TITLE} and a text of 1 to {MAX_TEXT} characters.",
                          N_("題は1〜100文字、本文は1〜4000文字で書いてください。"))
        with self.unit() as (uow, now):
            reply_id = uow.canned.add(actor.agency_id, title, body, now)
            record(uow, actor, "canned_add", now, str(reply_id))
            uow.commit()
            return reply_id

    def remove_canned(self, actor: Actor, reply_id: int) -> None:
        """Delete one of the agency's reply texts (supervisors and admins)."""
        require(actor, SUPERVISING)
        with self.unit() as (uow, now):
            if actor.agency_id is None or not uow.canned.remove(actor.agency_id, reply_id):
                raise NotFound(f"No canned reply has the id {reply_id}.")
            record(uow, actor, "canned_remove", now, str(reply_id))
            uow.commit()

    def provisions(self, actor: Actor, since: datetime | None = None) -> list[dict[str, Any]]:
        """The provision log (every relay sent or received by the agency; all agencies for an admin or an
        operator), as plain JSON data; the export is audited."""
        require(actor, SUPERVISING)
        agency_id = None if actor.role == ADMIN else actor.agency_id
        with self.unit() as (uow, now):
            rows = [exports.provision_entry(p, self.zone) for p in uow.relays.provisions(since, agency_id)]
            record(uow, actor, "export_provisions", now, detail=f"rows={len(rows)}")
            uow.commit()
            return rows

    def audit_log(self, actor: Actor, shown: AuditFilter, limit: int = 100) -> list[AuditEntry]:
        """Audit entries, newest first: a supervisor's agency only, any agency for an admin; the view is audited."""
        require(actor, SUPERVISING)
        agency_id = shown.agency_id if actor.role == ADMIN or actor.operator else actor.agency_id
        with self.unit() as (uow, now):
            entries = uow.audit.search(agency_id, shown.actor, shown.action, shown.target, shown.since, shown.until,
                                       shown.before_id, limit)
            record(uow, actor, "view_audit", now)
            uow.commit()
            return entries
