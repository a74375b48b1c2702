"""Operator use cases: agencies, the default agency, counselor accounts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime

from argon2 import PasswordHasher

from bot.service import NotFound, utcnow
from storage.records import Agency
from storage.uow import UnitOfWork

DEFAULT_AGENCY = "既定の相談窓口"
ROLES = ("counselor", "supervisor", "admin")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


class Invalid(ValueError):
    """An operator's input that cannot be accepted."""


def normalize_municipality(name: str) -> str:
    """Municipality names compare after NFKC and trimming (足立区 == 足立区 typed full-width)."""
    return unicodedata.normalize("NFKC", name).strip()


class Admin:
    """Agencies and accounts."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Callable[[], datetime] = utcnow) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = PasswordHasher()

    def ensure_default_agency(self) -> Agency:
        """A fresh install has a default agency that receives every unrouted handoff."""
        with self._uow() as uow:
            agency = uow.agencies.default()
            if agency is None:
                agency = uow.agencies.add(DEFAULT_AGENCY, [], self._clock(), is_default=True)
                uow.commit()
            return agency

    def add_agency(self, name: str, municipalities: list[str]) -> Agency:
        """An agency and the municipalities it receives."""
        name = name.strip()
        if not name:
            raise Invalid("An agency needs a name.")
        munis = [m for m in (normalize_municipality(x) for x in municipalities) if m]
        with self._uow() as uow:
            if uow.agencies.by_name(name) is not None:
                raise Invalid(f"An agency named {name!r} exists already.")
            agency = uow.agencies.add(name, munis, self._clock())
            uow.audit.record("operator", "agency_add", str(agency.id), self._clock())
            uow.commit()
            return agency

    def add_counselor(self, email: str, agency_name: str, role: str, password: str) -> int:
        """A console account; only the argon2 hash of the password is kept."""
        email = email.strip().lower()
        if not _EMAIL.match(email):
            raise Invalid(f"{email!r} is not an email address.")
        if role not in ROLES:
            raise Invalid(f"The role must be one of {', '.join(ROLES)}.")
        if len(password) < MIN_PASSWORD:
            raise Invalid(f"The password needs at least {MIN_PASSWORD} characters.")
        with self._uow() as uow:
            agency = uow.agencies.by_name(agency_name)
            if agency is None:
                raise NotFound(f"No agency is named {agency_name!r}.")
            if uow.counselors.by_email(email) is not None:
                raise Invalid(f"An account for {email} exists already.")
            counselor_id = uow.counselors.add(email, self._hasher.hash(password), agency.id, role,
                                              self._clock())
            uow.audit.record("operator", "counselor_add", str(counselor_id), self._clock())
            uow.commit()
            return counselor_id
