"""Administration, by an admin in the console or an operator at the command line: agencies, the
municipalities they receive, their opening hours, and console accounts; the default agency of a fresh install."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher

from bot.cases.actor import ADMIN, ROLES, Actor, record, require
from bot.cases.errors import Invalid, NotFound
from bot.clock import Clock, utcnow
from bot.safety.hours import BadHours, format_hours, parse_hours
from dialogs.i18n import N_
from dialogs.text import normalize_municipality
from storage.records import Agency, Counselor
from storage.uow import UnitOfWork

DEFAULT_AGENCY = "既定の相談窓口"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
NO_AGENCY = N_("機関を選んでください。")
T = TypeVar("T")


class Admin:
    """Agencies and accounts (admins and operators only)."""

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

    def agencies(self, actor: Actor) -> list[Agency]:
        """Every agency with its municipalities."""
        return self._listing(actor, lambda uow: uow.agencies.all())

    def accounts(self, actor: Actor) -> list[Counselor]:
        """Every console account."""
        return self._listing(actor, lambda uow: uow.counselors.all())

    def _listing(self, actor: Actor, read: Callable[[UnitOfWork], list[T]]) -> list[T]:
        require(actor, (ADMIN,))
        with self._uow() as uow:
            return read(uow)

    def agency_named(self, actor: Actor, name: str) -> Agency:
        """An agency by its name (NotFound without one)."""
        require(actor, (ADMIN,))
        with self._uow() as uow:
            agency = uow.agencies.by_name(name.strip())
        if agency is None:
            raise NotFound(f"No agency is named {name!r}.", NO_AGENCY)
        return agency

    def add_agency(self, actor: Actor, name: str, municipalities: list[str]) -> Agency:
        """An agency and the municipalities it receives."""
        require(actor, (ADMIN,))
        name = name.strip()
        if not name or len(name) > 200:
            raise Invalid("An agency needs a name of at most 200 characters.",
                          N_("機関名を1〜200文字で書いてください。"))
        munis = _municipalities(municipalities)
        with self._uow() as uow:
            if uow.agencies.by_name(name) is not None:
                raise Invalid(f"An agency named {name!r} exists already.", N_("同じ名前の機関がすでにあります。"))
            agency = uow.agencies.add(name, munis, self._clock())
            record(uow, actor, "agency_add", self._clock(), str(agency.id))
            uow.commit()
            return agency

    def set_municipalities(self, actor: Actor, agency_id: int, municipalities: list[str]) -> Agency:
        """The agency receives exactly these municipalities (taking them from any other agency)."""
        require(actor, (ADMIN,))
        munis = _municipalities(municipalities)
        with self._uow() as uow:
            if uow.agencies.get(agency_id) is None:
                raise NotFound(f"No agency has the id {agency_id}.", NO_AGENCY)
            uow.agencies.replace_municipalities(agency_id, munis)
            record(uow, actor, "agency_municipalities", self._clock(), str(agency_id), ",".join(munis))
            agency = uow.agencies.get(agency_id)
            uow.commit()
        assert agency is not None
        return agency

    def set_hours(self, actor: Actor, agency_id: int, hours: str) -> str:
        """When the agency's counselors read (in the people's time zone; holidays and the year-end break
        closed); returns the hours as stored."""
        require(actor, (ADMIN,))
        try:
            stored = format_hours(parse_hours(hours))
        except BadHours as exc:
            raise Invalid(f"The hours cannot be read: {exc}.",
                          N_("受付時間は「mon-fri 09:00-17:00」のように書いてください。")) from exc
        with self._uow() as uow:
            if uow.agencies.get(agency_id) is None:
                raise NotFound(f"No agency has the id {agency_id}.", NO_AGENCY)
            uow.agencies.set_hours(agency_id, stored)
            record(uow, actor, "agency_hours", self._clock(), str(agency_id), stored)
            uow.commit()
        return stored

    def change_account(self, actor: Actor, counselor_id: int, agency_id: int, role: str) -> None:
        """Move an account to an agency or give it another role; its sessions end, so the change holds at once."""
        require(actor, (ADMIN,))
        _check_role(role)
        with self._uow() as uow:
            if uow.counselors.get(counselor_id) is None or uow.agencies.get(agency_id) is None:
                raise NotFound("No such account or agency.", NO_AGENCY)
            uow.counselors.change(counselor_id, agency_id, role)
            uow.sessions.end_all(counselor_id)
            record(uow, actor, "account_change", self._clock(), str(counselor_id), f"agency={agency_id} role={role}")
            uow.commit()

    def unlock(self, actor: Actor, counselor_id: int) -> None:
        """Lift a lockout after failed sign-ins."""
        require(actor, (ADMIN,))
        with self._uow() as uow:
            if uow.counselors.get(counselor_id) is None:
                raise NotFound("No such account.", NO_AGENCY)
            uow.counselors.login_succeeded(counselor_id)
            record(uow, actor, "account_unlock", self._clock(), str(counselor_id))
            uow.commit()

    def add_counselor(self, actor: Actor, email: str, agency_name: str, role: str, password: str) -> int:
        """A console account; only the argon2 hash of the password is kept."""
        require(actor, (ADMIN,))
        email = email.strip().lower()
        if not _EMAIL.match(email):
            raise Invalid(f"{email!r} is not an email address.", N_("メールアドレスの形を確かめてください。"))
        _check_role(role)
        if len(password) < MIN_PASSWORD:
            raise Invalid(f"The password needs at least {MIN_PASSWORD} characters.",
                          N_("パスワードは10文字以上にしてください。"))
        with self._uow() as uow:
            agency = uow.agencies.by_name(agency_name)
            if agency is None:
                raise NotFound(f"No agency is named {agency_name!r}.", NO_AGENCY)
            if uow.counselors.by_email(email) is not None:
                raise Invalid(f"An account for {email} exists already.",
                              N_("このメールアドレスのアカウントはすでにあります。"))
            counselor_id = uow.counselors.add(email, self._hasher.hash(password), agency.id, role, self._clock())
            record(uow, actor, "counselor_add", self._clock(), str(counselor_id), f"role={role}", agency.id)
            uow.commit()
            return counselor_id


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise Invalid(f"The role must be one of {', '.join(ROLES)}.", N_("役割を選んでください。"))


def _municipalities(names: list[str]) -> list[str]:
    """Normalised, non-empty, each once, in the given order."""
    return list(dict.fromkeys(m for m in (normalize_municipality(x) for x in names) if m))
