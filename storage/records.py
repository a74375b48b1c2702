"""Plain records the repositories return (besides the dialog's Conversation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Agency:
    """A support agency and the municipalities whose handoffs it receives."""

    id: int
    name: str
    is_default: bool
    municipalities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Handoff:
    """A finished (or urgent) intake waiting in an agency's queue."""

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
    received_by: str | None
    sheet: dict[str, Any]

    def queue_entry(self) -> dict[str, Any]:
        """The `tsunagu queue --json` row (INTERFACES.md): no personal fields."""
        return {
            "id": self.id,
            "agency": self.agency,
            "priority": self.priority,
            "status": self.status,
            "channel": self.channel,
            "writer": self.writer,
            "topics": self.topics,
            "main_topic": self.main_topic,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class OutboxItem:
    """A reply waiting to be delivered."""

    id: int
    conversation_id: str
    channel: str
    user_key: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class TranscriptEntry:
    """One message of a conversation's thread."""

    id: int
    direction: str
    author: str
    body: dict[str, Any]
    created_at: datetime
    delivered: bool


@dataclass(frozen=True)
class Counselor:
    """A console account."""

    id: int
    email: str
    agency_id: int
    role: str
    password_hash: str
