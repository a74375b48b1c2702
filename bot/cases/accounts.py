"""Signing in to the console: argon2 passwords, a lockout after repeated failures, server-side sessions kept
by the hash of an unguessable cookie, each with its CSRF token."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.clock import Clock, utcnow
from storage.records import ConsoleSession
from storage.uow import UnitOfWork

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
SESSION_FOR = timedelta(hours=12)
_DUMMY_HASH = PasswordHasher().hash("an unused password, to spend the same time on unknown emails")


@dataclass(frozen=True)
class SignedIn:
    """A new session: the cookie value to set (only its hash is stored)."""

    token: str
    session: ConsoleSession


class WrongCredentials(Exception):
    """Wrong email or password; the message never says which."""


class Locked(Exception):
    """Too many failures: the account waits until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__("locked")
        self.until = until


def session_hash(token: str) -> str:
    """What the database keeps of a session cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Sign in, look up and end console sessions."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock = utcnow) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = PasswordHasher()

    def sign_in(self, email: str, password: str) -> SignedIn:
        """A session for the right password; WrongCredentials or Locked otherwise (all audited)."""
        now = self._clock()
        email = email.strip().lower()
        with self._uow() as uow:
            counselor = uow.counselors.by_email(email)
            if counselor is None:
                self._verify(_DUMMY_HASH, password)
                uow.audit.record(email[:254] or "?", "login_refused", None, now)
                uow.commit()
                raise WrongCredentials()
            if counselor.locked_until is not None and counselor.locked_until > now:
                uow.audit.record(email, "login_locked", None, now)
                uow.commit()
                raise Locked(counselor.locked_until)
            if not self._verify(counselor.password_hash, password):
                uow.counselors.login_failed(counselor.id, LOCK_AFTER, now + LOCK_FOR)
                uow.audit.record(email, "login_refused", None, now)
                uow.commit()
                raise WrongCredentials()
            uow.counselors.login_succeeded(counselor.id)
            token = secrets.token_urlsafe(32)
            uow.sessions.add(session_hash(token), counselor.id, secrets.token_urlsafe(32), now, now + SESSION_FOR)
            uow.audit.record(email, "login", None, now)
            session = uow.sessions.get(session_hash(token), now)
            uow.commit()
        assert session is not None
        return SignedIn(token, session)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def session(self, token: str | None) -> ConsoleSession | None:
        """The live session of a cookie value, if any."""
        if not token:
            return None
        with self._uow() as uow:
            return uow.sessions.get(session_hash(token), self._clock())

    def sign_out(self, token: str) -> None:
        """End the session."""
        with self._uow() as uow:
            uow.sessions.delete(session_hash(token))
            uow.commit()
