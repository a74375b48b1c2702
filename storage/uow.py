"""The unit of work: `with uow: ...; uow.commit()`; anything not committed is rolled back."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from sqlalchemy import Connection, Engine, RootTransaction

from storage.crypto import FieldCipher
from storage.repositories import (
    Agencies,
    AuditLog,
    CannedReplies,
    CaseNotes,
    ConsentRecords,
    ConsoleSessions,
    Conversations,
    Counselors,
    Handoffs,
    InboundEvents,
    Outbox,
    Relays,
    StaffAlerts,
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

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def commit(self) -> None: ...


class SqlUnitOfWork:
    """One database transaction with every repository bound to it."""

    def __init__(self, engine: Engine, cipher: FieldCipher) -> None:
        self._engine = engine
        self._cipher = cipher
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self._conn = self._engine.connect()
        self._tx = self._conn.begin()
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
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._tx = None
