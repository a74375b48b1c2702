"""The agency aggregate: agencies, the municipalities whose handoffs they receive, their opening hours and
the reply texts each keeps ready (no personal content)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from storage import tables as t
from storage.records import Agency, CannedReply
from storage.repositories.base import Repository

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: a code on paper is typed by hand
CODE_LENGTH = 6


def new_code() -> str:
    """A fresh agency code for its outreach link (random: it says nothing about anyone)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Agencies(Repository):
    """Agencies and the municipalities they receive."""

    def add(self, name: str, municipalities: list[str], at: datetime, is_default: bool = False) -> Agency:
        """Create an agency."""
        code = new_code()
        result = self.conn.execute(insert(t.agencies).values(name=name, is_default=is_default, created_at=at,
                                                             code=code))
        agency_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        self.set_municipalities(agency_id, municipalities)
        return Agency(agency_id, name, is_default, tuple(municipalities), code=code)

    def set_municipalities(self, agency_id: int, municipalities: list[str]) -> None:
        """Route these municipalities to the agency (moving them from another one)."""
        for m in municipalities:
            self.conn.execute(delete(t.agency_municipalities)
                              .where(t.agency_municipalities.c.municipality == m))
            self.conn.execute(insert(t.agency_municipalities).values(municipality=m, agency_id=agency_id))

    def replace_municipalities(self, agency_id: int, municipalities: list[str]) -> None:
        """The agency receives exactly these municipalities from now on."""
        self.conn.execute(delete(t.agency_municipalities)
                          .where(t.agency_municipalities.c.agency_id == agency_id))
        self.set_municipalities(agency_id, municipalities)

    def get(self, agency_id: int) -> Agency | None:
        """An agency by id."""
        row = self.conn.execute(select(t.agencies).where(t.agencies.c.id == agency_id)).one_or_none()
        return self._agency(row) if row else None

    def by_name(self, name: str) -> Agency | None:
        """An agency by its name."""
        row = self.conn.execute(select(t.agencies).where(t.agencies.c.name == name)).one_or_none()
        return self._agency(row) if row else None

    def by_code(self, code: str) -> Agency | None:
        """An agency by the code in its outreach link."""
        row = self.conn.execute(select(t.agencies).where(t.agencies.c.code == code)).one_or_none()
        return self._agency(row) if row else None

    def default(self) -> Agency | None:
        """The agency that receives handoffs no municipality routes."""
        row = self.conn.execute(
            select(t.agencies).where(t.agencies.c.is_default.is_(True)).order_by(t.agencies.c.id)
        ).first()
        return self._agency(row) if row else None

    def for_municipality(self, municipality: str | None) -> Agency | None:
        """The agency serving a municipality, else the default one."""
        if municipality:
            row = self.conn.execute(
                select(t.agencies).join(t.agency_municipalities)
                .where(t.agency_municipalities.c.municipality == municipality)
            ).one_or_none()
            if row:
                return self._agency(row)
        return self.default()

    def routes(self, municipality: str | None) -> bool:
        """Whether an agency receives this municipality by name (not by falling back to the default)."""
        return bool(municipality) and self.conn.execute(
            select(t.agency_municipalities.c.agency_id)
            .where(t.agency_municipalities.c.municipality == municipality)).first() is not None

    def first_contacts(self, since: datetime | None = None) -> dict[int, int]:
        """How many conversations each agency's outreach link brought (agency id to count; nothing personal)."""
        via = t.conversations.c.via_agency_id
        stmt = select(via, func.count()).where(via.is_not(None)).group_by(via)
        if since is not None:
            stmt = stmt.where(t.conversations.c.created_at >= since)
        return {int(agency_id): int(n) for agency_id, n in self.conn.execute(stmt).all()}

    def all(self) -> list[Agency]:
        """Every agency."""
        return [self._agency(r) for r in self.conn.execute(select(t.agencies).order_by(t.agencies.c.id))]

    def _agency(self, row: Any) -> Agency:
        munis = self.conn.execute(
            select(t.agency_municipalities.c.municipality)
            .where(t.agency_municipalities.c.agency_id == row.id)
            .order_by(t.agency_municipalities.c.municipality)
        ).scalars().all()
        return Agency(row.id, row.name, bool(row.is_default), tuple(munis), row.hours, row.code)

    def set_hours(self, agency_id: int, hours: str | None) -> None:
        """The agency's opening hours ("mon-fri 09:00-17:00"; None for the default)."""
        self.conn.execute(update(t.agencies).where(t.agencies.c.id == agency_id).values(hours=hours))


class CannedReplies(Repository):
    """Reply texts each agency keeps ready (no personal content)."""

    def add(self, agency_id: int, title: str, body: str, at: datetime) -> int:
        """Keep a new reply text."""
        result = self.conn.execute(insert(t.canned_replies).values(
            agency_id=agency_id, title=title, body=body, created_at=at))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def for_agency(self, agency_id: int) -> list[CannedReply]:
        """The agency's reply texts, by title."""
        rows = self.conn.execute(select(t.canned_replies).where(t.canned_replies.c.agency_id == agency_id)
                                 .order_by(t.canned_replies.c.title, t.canned_replies.c.id)).all()
        return [CannedReply(r.id, r.agency_id, r.title, r.body) for r in rows]

    def remove(self, agency_id: int, reply_id: int) -> bool:
        """Delete one of the agency's reply texts."""
        result = self.conn.execute(delete(t.canned_replies).where(
            t.canned_replies.c.id == reply_id, t.canned_replies.c.agency_id == agency_id))
        return bool(result.rowcount)

