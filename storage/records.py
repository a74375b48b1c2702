"""Plain records the repositories return (besides the dialog's Conversation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Agency:
    """A support agency and the municipalities whose handoffs it receives."""

    id: int
    name: str
    is_default: bool
    municipalities: tuple[str, ...] = ()
    hours: str | None = None
    code: str | None = None  # in its outreach link, /chat?a=<code> (names the agency, nobody else)


@dataclass(frozen=True)
class Address:
    """Where a conversation's person is reached, and the language they chat in."""

    id: str
    channel: str
    user_key: str
    locale: str


@dataclass(frozen=True)
class CaseSummary:
    """A handoff in an agency's queue, without its sheet: what the queue, the checks and statistics need."""

    id: str
    conversation_id: str
    agency_id: int
    agency: str
    priority: str
    status: str
    channel: str
    writer: str | None
    topics: list[str]
    main_topic: str | None
    created_at: datetime
    received_by: str | None = None
    outcome: str | None = None
    closed_at: datetime | None = None
    thread_from: int = 0  # where this agency's share of the thread starts (a relayed case)
    basis: str | None = None
    holder: str | None = None  # the email of the counselor who claimed it last
    erased: bool = False  # its personal fields were erased (statistics stay)


@dataclass(frozen=True)
class Handoff(CaseSummary):
    """A case with its sheet, decrypted (the field names of docs/INTAKE_SHEET.md)."""

    sheet: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConsentRecord:
    """One answer to sharing with other agencies: what, when, which wording, and any withdrawal."""

    scope: str
    agreed: bool
    text_version: str
    at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class Provision:
    """One line of the provision log (Art. 29): who received whose case, what, on what basis, when."""

    at: datetime
    recipient: str
    provider: str
    by: str
    whose: str
    case: str
    received_as: str
    items: list[str]
    basis: str
    status: str
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class OutboxItem:
    """The replies of one turn waiting to be delivered: payload {"replies": [...], "delivery": {...}}."""

    id: int
    conversation_id: str
    channel: str
    user_key: str
    payload: dict[str, Any]
    attempts: int
    parts_sent: int = 0  # parts of this item already delivered by an earlier, interrupted attempt

    def replies(self) -> list[dict[str, Any]]:
        """The reply bodies, in order (a payload that is itself one reply counts as one)."""
        replies = self.payload.get("replies")
        return list(replies) if isinstance(replies, list) else [self.payload]

    def delivery(self) -> dict[str, Any]:
        """What the channel kept to answer the inbound message (a reply token, a message id)."""
        delivery = self.payload.get("delivery")
        return dict(delivery) if isinstance(delivery, dict) else {}


@dataclass(frozen=True)
class TranscriptEntry:
    """One message of a conversation's thread."""

    id: int
    direction: str
    author: str
    body: dict[str, Any]
    created_at: datetime
    delivered: bool
    delivery: str | None = None  # the outbox state of an outgoing message: pending, sent or failed


@dataclass(frozen=True)
class Counselor:
    """A console account."""

    id: int
    email: str
    agency_id: int
    role: str
    password_hash: str
    failed_logins: int = 0
    locked_until: datetime | None = None


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in counselor and the session's CSRF token."""

    counselor: Counselor
    agency: str
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class Relay:
    """One provision of a case to another agency (つなぐ): who, to whom, what, on what basis, when."""

    id: str
    conversation_id: str
    from_handoff_id: str
    to_handoff_id: str
    from_agency_id: int
    from_agency: str
    to_agency_id: int
    to_agency: str
    by_counselor: str
    note: str
    items: list[str]
    basis: str
    status: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


@dataclass(frozen=True)
class CaseNote:
    """A counselor's private note on a case; it never reaches the person."""

    id: int
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class CannedReply:
    """A reply text an agency keeps ready."""

    id: int
    agency_id: int
    title: str
    body: str


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: str | None
    agency_id: int | None


@dataclass(frozen=True)
class StaffAlert:
    """A note to staff that an urgent case arrived (a link only, nothing personal)."""

    id: int
    handoff_id: str
    target: str
    attempts: int


@dataclass(frozen=True)
class Reminder:
    """A reminder of a gathering's meeting a person asked for (nothing personal: the conversation is its link)."""

    id: int
    conversation_id: str
    gathering_id: str
    starts_at: datetime
    fingerprint: str
    due_at: datetime
    status: str
