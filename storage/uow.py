"""The unit of work: `with uow: ...; uow.commit()`; anything not committed is rolled back."""

from __future__ import annotations

from contextlib import ExitStack
from types import TracebackType
from typing import Protocol

from sqlalchemy import Connection, Engine, RootTransaction

from storage.crypto import FieldCipher
from storage.db import READ_ONLY, writer_gate
from storage.repositories import (
    Agencies,
    AuditLog,
    CalendarFeeds,
    CannedReplies,
    CaseNotes,
    ConsentRecords,
    ConsoleSessions,
    Conversations,
    Counselors,
    GatheringInterest,
    GatheringReminders,
    Handoffs,
    InboundEvents,
    Outbox,
    Relays,
    StaffAlerts,
    Stats,
    Transcript,
)


class UnitOfWork(Protocol):
    """The port the service layer uses; storage.uow.SqlUnitOfWork is the real one."""

    events: InboundEvents
    conversations: Conversations
    transcript: Transcript
    outbox: Outbox
    agencies: Agencies
    handoffs: Handoffs
    consents: ConsentRecords
    counselors: Counselors
    sessions: ConsoleSessions
    audit: AuditLog
    relays: Relays
    notes: CaseNotes
    canned: CannedReplies
    alerts: StaffAlerts
    stats: Stats
    interest: GatheringInterest
    reminders: GatheringReminders
    feeds: CalendarFeeds

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def commit(self) -> None: ...


class SqlUnitOfWork:
    """One database transaction with every repository bound to it; `read_only` for one that writes
    nothing (on SQLite it then neither waits for nor holds the write lock)."""

    def __init__(self, engine: Engine, cipher: FieldCipher, read_only: bool = False) -> None:
        self._engine = engine
        self._cipher = cipher
        self._read_only = read_only
        self._held = ExitStack()
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None

    def __enter__(self) -> SqlUnitOfWork:
        if not self._read_only:
            self._held.enter_context(writer_gate(self._engine))
        try:
            self._conn = self._engine.connect()
            if self._read_only:
                self._conn = self._conn.execution_options(**{READ_ONLY: True})
            self._tx = self._conn.begin()
        except BaseException:
            self._close()
            raise
        conn, cipher = self._conn, self._cipher
        self.events = InboundEvents(conn, cipher)
        self.conversations = Conversations(conn, cipher)
        self.transcript = Transcript(conn, cipher)
        self.outbox = Outbox(conn, cipher)
        self.agencies = Agencies(conn, cipher)
        self.handoffs = Handoffs(conn, cipher)
        self.consents = ConsentRecords(conn, cipher)
        self.counselors = Counselors(conn, cipher)
        self.sessions = ConsoleSessions(conn, cipher)
        self.audit = AuditLog(conn, cipher)
        self.relays = Relays(conn, cipher)
        self.notes = CaseNotes(conn, cipher)
        self.canned = CannedReplies(conn, cipher)
        self.alerts = StaffAlerts(conn, cipher)
        self.stats = Stats(conn, cipher)
        self.interest = GatheringInterest(conn, cipher)
        self.reminders = GatheringReminders(conn, cipher)
        self.feeds = CalendarFeeds(conn, cipher)
        return self

    def commit(self) -> None:
        """Make the transaction's work durable."""
        assert self._tx is not None
        self._tx.commit()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self._tx is not None and self._tx.is_active:
                self._tx.rollback()
        finally:
            self._close()

    def _close(self) -> None:
        try:
            if self._conn is not None:
                self._conn.close()
        finally:
            self._conn = None
            self._tx = None
            self._held.close()
