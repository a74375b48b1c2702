"""The account aggregate: console accounts (argon2 hashes only) and their sign-in sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, insert, select, update

from storage import tables as t
from storage.records import ConsoleSession, Counselor
from storage.repositories.base import Repository


class Counselors(Repository):
    """Console accounts (argon2 hashes only)."""

    def add(self, email: str, password_hash: str, agency_id: int, role: str, at: datetime) -> int:
        """Create an account."""
        result = self.conn.execute(insert(t.counselors).values(
            email=email, password_hash=password_hash, agency_id=agency_id, role=role, created_at=at))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def by_email(self, email: str) -> Counselor | None:
        """An account by email."""
        row = self.conn.execute(select(t.counselors).where(t.counselors.c.email == email)).one_or_none()
        return _counselor(row) if row else None

    def get(self, counselor_id: int) -> Counselor | None:
        """An account by id."""
        row = self.conn.execute(select(t.counselors).where(t.counselors.c.id == counselor_id)).one_or_none()
        return _counselor(row) if row else None

    def all(self) -> list[Counselor]:
        """Every account, by agency then email."""
        rows = self.conn.execute(select(t.counselors).order_by(t.counselors.c.agency_id, t.counselors.c.email))
        return [_counselor(r) for r in rows]

    def change(self, counselor_id: int, agency_id: int, role: str) -> None:
        """Move an account to an agency and give it a role."""
        self.conn.execute(update(t.counselors).where(t.counselors.c.id == counselor_id)
                          .values(agency_id=agency_id, role=role))

    def login_failed(self, counselor_id: int, lock_after: int, lock_until: datetime) -> None:
        """Count a failed password; lock the account when the count reaches `lock_after`."""
        failed = t.counselors.c.failed_logins + 1
        self.conn.execute(update(t.counselors).where(t.counselors.c.id == counselor_id).values(
            failed_logins=failed,
            locked_until=case((failed >= lock_after, lock_until), else_=t.counselors.c.locked_until)))

    def login_succeeded(self, counselor_id: int) -> None:
        """Forget earlier failures."""
        self.conn.execute(update(t.counselors).where(t.counselors.c.id == counselor_id)
                          .values(failed_logins=0, locked_until=None))


def _counselor(row: Any) -> Counselor:
    return Counselor(row.id, row.email, row.agency_id, row.role, row.password_hash,
                     row.failed_logins, row.locked_until)


class ConsoleSessions(Repository):
    """Console sign-ins, kept by the hash of the cookie value."""

    def add(self, session_hash: str, counselor_id: int, csrf: str, at: datetime, expires_at: datetime) -> None:
        """Start a session."""
        self.conn.execute(insert(t.console_sessions).values(
            id=session_hash, counselor_id=counselor_id, csrf=csrf, created_at=at, expires_at=expires_at))

    def get(self, session_hash: str, now: datetime) -> ConsoleSession | None:
        """A live session with its counselor and agency."""
        row = self.conn.execute(
            select(t.console_sessions.c.csrf, t.console_sessions.c.expires_at, t.counselors,
                   t.agencies.c.name.label("agency_name"))
            .join(t.counselors, t.counselors.c.id == t.console_sessions.c.counselor_id)
            .join(t.agencies, t.agencies.c.id == t.counselors.c.agency_id)
            .where(t.console_sessions.c.id == session_hash, t.console_sessions.c.expires_at > now)
        ).one_or_none()
        if row is None:
            return None
        return ConsoleSession(_counselor(row), row.agency_name, row.csrf, row.expires_at)

    def delete(self, session_hash: str) -> None:
        """End a session (logout)."""
        self.conn.execute(delete(t.console_sessions).where(t.console_sessions.c.id == session_hash))

    def end_all(self, counselor_id: int) -> None:
        """End every session of an account (its role or agency changed)."""
        self.conn.execute(delete(t.console_sessions).where(t.console_sessions.c.counselor_id == counselor_id))

