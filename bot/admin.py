"""Operator use cases: agencies, the default agency, counselor accounts."""

from __future__ import annotations

import re
from collections.abc import Callable

from argon2 import PasswordHasher

from bot.clock import Clock, utcnow
from bot.safety.hours import BadHours, format_hours, parse_hours
from bot.service import NotFound
from dialogs.text import normalize_municipality
from storage.records import Agency, Counselor
from storage.uow import UnitOfWork

DEFAULT_AGENCY = "既定の相談窓口"
ROLES = ("counselor", "supervisor", "admin")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


class Invalid(ValueError):
    """An operator's input that cannot be accepted: an English sentence (the CLI's) and a short code
    (the console translates it)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Admin:
    """Agencies and accounts."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock = utcnow) -> None:
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

    def add_agency(self, name: str, municipalities: list[str], actor: str = "operator") -> Agency:
        """An agency and the municipalities it receives."""
        name = name.strip()
        if not name or len(name) > 200:
            raise Invalid("An agency needs a name of at most 200 characters.", "agency_name")
        munis = _municipalities(municipalities)
        with self._uow() as uow:
            if uow.agencies.by_name(name) is not None:
                raise Invalid(f"An agency named {name!r} exists already.", "agency_exists")
            agency = uow.agencies.add(name, munis, self._clock())
            uow.audit.record(actor, "agency_add", str(agency.id), self._clock())
            uow.commit()
            return agency

    def agencies(self) -> list[Agency]:
        """Every agency with its municipalities."""
        with self._uow() as uow:
            return uow.agencies.all()

    def set_municipalities(self, agency_id: int, municipalities: list[str], actor: str = "operator") -> Agency:
        """The agency receives exactly these municipalities (taking them from any other agency)."""
        munis = _municipalities(municipalities)
        with self._uow() as uow:
            if uow.agencies.get(agency_id) is None:
                raise NotFound(f"No agency has the id {agency_id}.")
            uow.agencies.replace_municipalities(agency_id, munis)
            uow.audit.record(actor, "agency_municipalities", str(agency_id), self._clock(), ",".join(munis))
            agency = uow.agencies.get(agency_id)
            uow.commit()
        assert agency is not None
        return agency

    def set_hours(self, agency_id: int, hours: str, actor: str = "operator") -> str:
        """When the agency's counselors read (Japan time; holidays and the year-end break closed);
        returns the hours as stored. Invalid("hours") when they cannot be read."""
        try:
            stored = format_hours(parse_hours(hours))
        except BadHours as exc:
            raise Invalid(f"The hours cannot be read: {exc}.", "hours") from exc
        with self._uow() as uow:
            if uow.agencies.get(agency_id) is None:
                raise NotFound(f"No agency has the id {agency_id}.")
            uow.agencies.set_hours(agency_id, stored)
            uow.audit.record(actor, "agency_hours", str(agency_id), self._clock(), stored)
            uow.commit()
        return stored

    def accounts(self) -> list[Counselor]:
        """Every console account."""
        with self._uow() as uow:
            return uow.counselors.all()

    def change_account(self, counselor_id: int, agency_id: int, role: str, actor: str = "operator") -> None:
        """Move an account to an agency or give it another role; its sessions end, so the change holds at once."""
        if role not in ROLES:
            raise Invalid(f"The role must be one of {', '.join(ROLES)}.", "role")
        with self._uow() as uow:
            if uow.counselors.get(counselor_id) is None or uow.agencies.get(agency_id) is None:
                raise NotFound("No such account or agency.")
            uow.counselors.change(counselor_id, agency_id, role)
            uow.sessions.end_all(counselor_id)
            uow.audit.record(actor, "account_change", str(counselor_id), self._clock(),
                             f"agency={agency_id} role={role}")
            uow.commit()

    def unlock(self, counselor_id: int, actor: str = "operator") -> None:
        """Lift a lockout after failed sign-ins."""
        with self._uow() as uow:
            if uow.counselors.get(counselor_id) is None:
                raise NotFound("No such account.")
            uow.counselors.login_succeeded(counselor_id)
            uow.audit.record(actor, "account_unlock", str(counselor_id), self._clock())
            uow.commit()

    def add_counselor(self, email: str, agency_name: str, role: str, password: str,
                      actor: str = "operator") -> int:
        """A console account; only the argon2 hash of the password is kept."""
        email = email.strip().lower()
        if not _EMAIL.match(email):
            raise Invalid(f"{email!r} is not an email address.", "email")
        if role not in ROLES:
            raise Invalid(f"The role must be one of {', '.join(ROLES)}.", "role")
        if len(password) < MIN_PASSWORD:
            raise Invalid(f"The password needs at least {MIN_PASSWORD} characters.", "password")
        with self._uow() as uow:
            agency = uow.agencies.by_name(agency_name)
            if agency is None:
                raise NotFound(f"No agency is named {agency_name!r}.")
            if uow.counselors.by_email(email) is not None:
                raise Invalid(f"An account for {email} exists already.", "account_exists")
            counselor_id = uow.counselors.add(email, self._hasher.hash(password), agency.id, role,
                                              self._clock())
            uow.audit.record(actor, "counselor_add", str(counselor_id), self._clock(), f"role={role}", agency.id)
            uow.commit()
            return counselor_id


def _municipalities(names: list[str]) -> list[str]:
    """Normalised, non-empty, each once, in the given order."""
    return list(dict.fromkeys(m for m in (normalize_municipality(x) for x in names) if m))
