"""The database schema (SQLAlchemy Core). Columns ending in _enc hold ciphertext only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are aware UTC datetimes in Python on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stamp: datetime = value
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


# Every column the statistics read (storage/repositories/stats.py), in one index led by the arrival time: a
# period's counts are read from the index alone, never from the rows and their large encrypted sheets.
STATS_COLUMNS = ("created_at", "relay_of", "agency_id", "writer", "channel", "main_topic", "age_band", "municipality",
                 "after_hours", "previous_case_at", "priority", "status", "outcome", "reply_wait", "claim_wait",
                 "topics")


def _ts(name: str, nullable: bool = False) -> Column[datetime]:
    return Column(name, UTCDateTime(), nullable=nullable)


agencies = Table(
    "agencies", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("is_default", Boolean, nullable=False, default=False),
    _ts("created_at"),
    Column("hours", String(200), nullable=True),  # "mon-fri 09:00-17:00" (bot.safety.hours); None: the default
    Column("code", String(16), nullable=True, unique=True),  # in the outreach link /chat?a=<code>; not secret
)

agency_municipalities = Table(
    "agency_municipalities", metadata,
    Column("municipality", String(100), primary_key=True),
    Column("agency_id", Integer, ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
)

conversations = Table(
    "conversations", metadata,
    Column("id", String(32), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("user_key", String(128), nullable=False),
    Column("state", String(32), nullable=False),
    Column("locale", String(8), nullable=False),
    Column("context", Text, nullable=False),
    Column("sheet_enc", Text, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    _ts("last_active_at", nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    _ts("unreachable_at", nullable=True),
    Column("stopped_step", String(32), nullable=True),  # the intake's step (kept through erasure: statistics)
    Column("via_agency_id", Integer, nullable=True),  # whose outreach link brought the first contact (counted)
    UniqueConstraint("channel", "user_key", name="uq_conversations_channel_user_key"),
    Index("ix_conversations_stats", "created_at", "stopped_step"),  # the funnel, read from the index alone
    Index("ix_conversations_via", "via_agency_id", "created_at"),  # first contacts by link, from the index alone
)

dropped_intakes = Table(  # intakes deleted unfinished by retention: only where they stopped, for the funnel
    "dropped_intakes", metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    _ts("opened_at"),
    Column("stopped_step", String(32), nullable=True),
    Column("via_agency_id", Integer, nullable=True),  # whose outreach link brought it (counted)
    Index("ix_dropped_intakes_opened_at", "opened_at"),
    Index("ix_dropped_intakes_via", "via_agency_id", "opened_at"),
)

inbound_events = Table(
    "inbound_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("event_id", String(128), nullable=False),
    _ts("received_at"),
    UniqueConstraint("channel", "event_id", name="uq_inbound_events_channel_event_id"),
)

messages = Table(
    "messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"),
           nullable=False),
    Column("direction", String(3), nullable=False),
    Column("author", String(16), nullable=False),
    Column("body_enc", Text, nullable=False),
    Column("outbox_id", Integer, nullable=True),
    _ts("created_at"),
    Index("ix_messages_conversation_id_id", "conversation_id", "id"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"),
           nullable=False),
    Column("channel", String(16), nullable=False),
    Column("user_key", String(128), nullable=False),
    Column("payload_enc", Text, nullable=False),
    Column("status", String(16), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    _ts("next_attempt_at"),
    Column("last_error", String(200), nullable=True),
    _ts("created_at"),
    _ts("sent_at", nullable=True),
    Column("parts_sent", Integer, nullable=False, default=0, server_default="0"),
    Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_outbox_conversation_id_id", "conversation_id", "id"),
)

handoffs = Table(
    "handoffs", metadata,
    Column("id", String(32), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"),
           nullable=False),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("priority", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("writer", String(16), nullable=True),
    Column("topics", Text, nullable=False),
    Column("main_topic", String(32), nullable=True),
    Column("sheet_enc", Text, nullable=False),
    Column("received_by", String(200), nullable=True),
    Column("claimed_by", Integer, ForeignKey("counselors.id"), nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    Column("outcome", String(32), nullable=True),
    _ts("closed_at", nullable=True),
    Column("thread_from", Integer, nullable=False, default=0, server_default="0"),
    Column("basis", String(32), nullable=True),  # danger_to_life when a crisis made the case
    _ts("erased_at", nullable=True),  # the personal fields were erased (statistics stay)
    # statistics in plaintext, written at handoff time and kept through erasure (bot/stats, issue 17):
    Column("age_band", String(16), nullable=True),  # dialogs.model.AGE_BANDS; None: 不明
    Column("municipality", String(100), nullable=True),
    Column("relay_of", String(32), nullable=True),  # a relay's copy: the handoff it was relayed from
    Column("after_hours", Boolean, nullable=True),  # arrived outside the agency's office hours
    _ts("flagged_at", nullable=True),  # became urgent
    _ts("claimed_at", nullable=True),  # first claimed (or accepted, for a relay's copy)
    _ts("first_reply_at", nullable=True),  # the first counselor reply
    _ts("previous_case_at", nullable=True),  # the person's (conversation's) case before this one (継続), if any
    Column("reply_wait", Integer, nullable=True),  # seconds from the handoff to the first counselor reply
    Column("claim_wait", Integer, nullable=True),  # seconds from the urgent flag to a claim (0: held already)
    Index("ix_handoffs_queue", "status", "priority", "created_at"),
    Index("ix_handoffs_conversation_id", "conversation_id"),
    Index("ix_handoffs_stats", *STATS_COLUMNS),
)

consent_records = Table(
    "consent_records", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"),
           nullable=False),
    Column("scope", String(32), nullable=False),
    Column("agreed", Boolean, nullable=False),
    Column("text_version", String(32), nullable=False),
    _ts("at"),
    _ts("withdrawn_at", nullable=True),
    Index("ix_consent_records_conversation_id", "conversation_id"),
)

counselors = Table(
    "counselors", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("role", String(16), nullable=False),
    _ts("created_at"),
    Column("failed_logins", Integer, nullable=False, default=0, server_default="0"),
    _ts("locked_until", nullable=True),
)

console_sessions = Table(
    "console_sessions", metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the cookie value; the cookie itself is never stored
    Column("counselor_id", Integer, ForeignKey("counselors.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    _ts("created_at"),
    _ts("expires_at"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    _ts("at"),
    Column("actor", String(254), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(64), nullable=True),
    Column("detail", Text, nullable=True),
    Column("agency_id", Integer, nullable=True),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_agency_id_id", "agency_id", "id"),
)

relays = Table(
    "relays", metadata,
    Column("id", String(32), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"),
           nullable=False),
    Column("from_handoff_id", String(32), ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
    Column("to_handoff_id", String(32), ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
    Column("from_agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("to_agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("by_counselor", String(254), nullable=False),
    Column("note_enc", Text, nullable=False),
    Column("items", Text, nullable=False),  # JSON list: what was provided (docs/SAFETY.md, Art. 29)
    Column("basis", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # offered, accepted, declined
    _ts("created_at"),
    Column("decided_by", String(254), nullable=True),
    _ts("decided_at", nullable=True),
    Column("decision_note_enc", Text, nullable=True),
    Index("ix_relays_conversation_id", "conversation_id"),
)

case_notes = Table(
    "case_notes", metadata,
    Column("id", Integer, primary_key=True),
    Column("handoff_id", String(32), ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
    Column("author", String(254), nullable=False),
    Column("body_enc", Text, nullable=False),
    _ts("created_at"),
    Index("ix_case_notes_handoff_id", "handoff_id"),
)

canned_replies = Table(
    "canned_replies", metadata,
    Column("id", Integer, primary_key=True),
    Column("agency_id", Integer, ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(100), nullable=False),
    Column("body", Text, nullable=False),
    _ts("created_at"),
    Index("ix_canned_replies_agency_id", "agency_id"),
)

staff_alerts = Table(
    "staff_alerts", metadata,
    Column("id", Integer, primary_key=True),
    Column("handoff_id", String(32), ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
    Column("target", String(16), nullable=False),  # webhook, telegram, line: only a link goes out
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    _ts("next_attempt_at"),
    Column("last_error", String(200), nullable=True),
    _ts("created_at"),
    _ts("sent_at", nullable=True),
    Index("ix_staff_alerts_status_next_attempt_at", "status", "next_attempt_at"),
)

gathering_interest = Table(  # 「行ってみたい」: no obligation; counted without names
    "gathering_interest", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("gathering_id", String(64), nullable=False),
    _ts("starts_at"),
    _ts("created_at"),
    UniqueConstraint("conversation_id", "gathering_id", "starts_at", name="uq_gathering_interest_once"),
    Index("ix_gathering_interest_gathering_id", "gathering_id"),
)

gathering_reminders = Table(  # 「思い出させて」: one reminder per person and meeting, sent by the sweep
    "gathering_reminders", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("gathering_id", String(64), nullable=False),
    _ts("starts_at"),
    Column("fingerprint", String(64), nullable=False),  # the gathering and its start when asked; checked at sending
    _ts("due_at"),
    Column("status", String(16), nullable=False),  # pending, sent, cancelled, stale
    _ts("created_at"),
    _ts("done_at", nullable=True),
    UniqueConstraint("conversation_id", "gathering_id", "starts_at", name="uq_gathering_reminders_once"),
    Index("ix_gathering_reminders_status_due_at", "status", "due_at"),
)

calendar_feeds = Table(  # one secret iCalendar URL per agency for staff calendars; an admin rotates it
    "calendar_feeds", metadata,
    Column("agency_id", Integer, ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # looked up by the hash
    Column("token_enc", Text, nullable=False),  # shown to admins
    _ts("created_at"),
)
