"""Repositories, one module per aggregate: the only code that reads and writes tables. Encryption happens
here, at the edge, and only for what a query returns: one that needs no personal field decrypts none."""

from storage.repositories.accounts import ConsoleSessions, Counselors
from storage.repositories.agencies import Agencies, CannedReplies
from storage.repositories.alerts import StaffAlerts
from storage.repositories.audit import AuditLog
from storage.repositories.base import Repository, new_id
from storage.repositories.consents import ConsentRecords
from storage.repositories.conversations import Conversations, InboundEvents
from storage.repositories.gatherings import CalendarFeeds, GatheringInterest, GatheringReminders
from storage.repositories.handoffs import Handoffs
from storage.repositories.notes import CaseNotes
from storage.repositories.outbox import Outbox
from storage.repositories.relays import Relays
from storage.repositories.stats import Stats
from storage.repositories.transcript import Transcript

__all__ = [
    "Agencies", "AuditLog", "CalendarFeeds", "CannedReplies", "CaseNotes", "ConsentRecords", "ConsoleSessions",
    "Conversations", "Counselors", "GatheringInterest", "GatheringReminders", "Handoffs", "InboundEvents", "Outbox",
    "Relays", "Repository", "StaffAlerts", "Stats", "Transcript", "new_id",
]
