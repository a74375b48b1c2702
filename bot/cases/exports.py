"""Cases as plain JSON data for the command line and the console's exports: the same shapes for both, every
moment in ISO 8601 with the offset of the people's time zone (the same instants storage keeps in UTC)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from bot.clock import iso
from storage.records import CaseSummary, ConsentRecord, Handoff, Provision, Relay


def _moment(stamp: object, zone: tzinfo) -> object:
    """An ISO 8601 text from the sheet moved into the zone (anything else as it is)."""
    return iso(datetime.fromisoformat(stamp), zone) if isinstance(stamp, str) and stamp else stamp


def queue_entry(case: CaseSummary, zone: tzinfo) -> dict[str, Any]:
    """The `tsunagu queue --json` row: no personal fields."""
    return {"id": case.id, "agency": case.agency, "priority": case.priority, "status": case.status,
            "channel": case.channel, "writer": case.writer, "topics": case.topics, "main_topic": case.main_topic,
            "created_at": iso(case.created_at, zone)}


def consent_entry(record: ConsentRecord, zone: tzinfo) -> dict[str, Any]:
    """One consent answer as the exported sheet carries it."""
    return {"scope": record.scope, "agreed": record.agreed, "text_version": record.text_version,
            "at": iso(record.at, zone), "withdrawn_at": iso(record.withdrawn_at, zone)}


def relay_entry(relay: Relay, zone: tzinfo) -> dict[str, Any]:
    """A relay as the exported sheet carries it (its relay record)."""
    return {"from_agency": relay.from_agency, "to_agency": relay.to_agency, "by": relay.by_counselor,
            "at": iso(relay.created_at, zone), "note": relay.note, "items": relay.items, "basis": relay.basis,
            "status": relay.status, "decided_by": relay.decided_by, "decided_at": iso(relay.decided_at, zone),
            "decision_note": relay.decision_note}


def sheet(case: Handoff, consents: list[ConsentRecord], relays: list[Relay], zone: tzinfo) -> dict[str, Any]:
    """The sheet with the case's own lines: its consent records, agency, priority, basis, who received it and
    the relay chain. Plain JSON, also for a withdrawn or erased case."""
    data = dict(case.sheet)
    if "received_at" in data:
        data["received_at"] = _moment(data["received_at"], zone)
    if isinstance(data.get("consent"), dict):
        data["consent"] = {**data["consent"], "at": _moment(data["consent"].get("at"), zone)}
    return {**data, "consent_records": [consent_entry(c, zone) for c in consents], "agency": case.agency,
            "priority": case.priority, "basis": case.basis, "received_by": case.received_by,
            "relays": [relay_entry(r, zone) for r in relays]}


def provision_entry(provision: Provision, zone: tzinfo) -> dict[str, Any]:
    """One line of the provision log: who received whose case (pseudonymous ids), what, on what basis, when."""
    return {"at": iso(provision.at, zone), "recipient": provision.recipient, "provider": provision.provider,
            "by": provision.by, "whose": provision.whose, "case": provision.case, "received_as": provision.received_as,
            "items": provision.items, "basis": provision.basis, "status": provision.status,
            "decided_by": provision.decided_by, "decided_at": iso(provision.decided_at, zone)}
