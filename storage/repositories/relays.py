"""Relays (つなぐ): provisions of a case to another agency, with their note (encrypted) and decision; the
provision log reads them without decrypting anything."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, select, update

from storage import tables as t
from storage.records import CaseSummary, Provision, Relay
from storage.repositories.base import Repository, new_id

_r = t.relays.c


def _with_agency_names() -> Select[Any]:
    src, dst = t.agencies.alias("src"), t.agencies.alias("dst")
    return (select(t.relays, src.c.name.label("from_name"), dst.c.name.label("to_name"))
            .join(src, src.c.id == _r.from_agency_id).join(dst, dst.c.id == _r.to_agency_id)
            .order_by(_r.created_at, _r.id))


class Relays(Repository):
    """Provisions of a case to another agency, with their note (encrypted) and decision."""

    def add(self, source: CaseSummary, to_handoff_id: str, to_agency_id: int, by: str, note: str,
            items: list[str], basis: str, at: datetime) -> str:
        """Record a relay offered to another agency."""
        relay_id = new_id()
        self.conn.execute(insert(t.relays).values(
            id=relay_id, conversation_id=source.conversation_id, from_handoff_id=source.id,
            to_handoff_id=to_handoff_id, from_agency_id=source.agency_id, to_agency_id=to_agency_id,
            by_counselor=by, note_enc=self.cipher.encrypt_json({"text": note}), items=json.dumps(items),
            basis=basis, status="offered", created_at=at))
        return relay_id

    def decide(self, to_handoff_id: str, status: str, by: str, note: str, at: datetime) -> None:
        """The receiving agency accepted or declined."""
        self.conn.execute(update(t.relays).where(_r.to_handoff_id == to_handoff_id).values(
            status=status, decided_by=by, decided_at=at,
            decision_note_enc=self.cipher.encrypt_json({"text": note}) if note else None))

    def for_conversation(self, conversation_id: str) -> list[Relay]:
        """Every relay of a conversation's cases, oldest first: the relay chain."""
        rows = self.conn.execute(_with_agency_names().where(_r.conversation_id == conversation_id)).all()
        return [self._relay(r) for r in rows]

    def provisions(self, since: datetime | None = None, agency_id: int | None = None) -> list[Provision]:
        """The provision log: every relay (of one agency's, sent or received, when given), oldest first;
        who received it, whose data (pseudonymous ids), which items, basis, time. Nothing is decrypted."""
        stmt = _with_agency_names()
        if since is not None:
            stmt = stmt.where(_r.created_at >= since)
        if agency_id is not None:
            stmt = stmt.where((_r.from_agency_id == agency_id) | (_r.to_agency_id == agency_id))
        return [Provision(r.created_at, r.to_name, r.from_name, r.by_counselor, r.conversation_id, r.from_handoff_id,
                          r.to_handoff_id, list(json.loads(r.items)), r.basis, r.status, r.decided_by, r.decided_at)
                for r in self.conn.execute(stmt)]

    def _relay(self, r: Any) -> Relay:
        decision = self.cipher.decrypt_json(r.decision_note_enc) if r.decision_note_enc else {}
        return Relay(r.id, r.conversation_id, r.from_handoff_id, r.to_handoff_id, r.from_agency_id, r.from_name,
                     r.to_agency_id, r.to_name, r.by_counselor, str(self.cipher.decrypt_json(r.note_enc)["text"]),
                     list(json.loads(r.items)), r.basis, r.status, r.created_at, r.decided_by, r.decided_at,
                     decision.get("text"))

    def erase_notes(self, conversation_id: str) -> None:
        """Blank the notes of an erased conversation's relays (who, when and basis stay, as the law asks)."""
        self.conn.execute(update(t.relays).where(_r.conversation_id == conversation_id).values(
            note_enc=self.cipher.encrypt_json({"text": ""}), decision_note_enc=None))
