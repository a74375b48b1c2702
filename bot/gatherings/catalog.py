"""Gatherings from the operators' file (TOML, like the resources): 居場所, groups, family groups, outreach and
online meetings, each kept by an agency; those that fit who writes, their municipality and age, next first."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_datetime

from bot.clock import JAPAN
from bot.gatherings.schedule import Schedule, read_schedule
from bot.safety.datafile import BadDataFile, load_entries
from dialogs.i18n import LANGUAGES, N_, SOURCE_LOCALE
from dialogs.i18n import gettext as _
from dialogs.model import Sheet
from dialogs.text import normalize_municipality

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "data" / "gatherings.toml"
KINDS = {"ibasho": N_("居場所"), "peer_group": N_("当事者グループ"), "family_group": N_("家族会・家族グループ"),
         "outreach": N_("出張相談"), "online": N_("オンライン")}
AUDIENCES = ("person", "family", "both")
BOOKING = ("none", "required")
MAX_SHOWN = 3
WHEN = {language.code: language.moment for language in LANGUAGES}
BAND_AGES = {"10s": (10, 19), "20s": (20, 29), "30s": (30, 39), "40s": (40, 49), "50s": (50, 59), "60s_plus": (60, 200)}

ID = re.compile(r"^[a-z0-9_-]{1,32}$")  # carried by the buttons (bot.channels.port), so short and plain
BadGatherings = BadDataFile  # the file cannot be used (the message says where)


@dataclass(frozen=True)
class Gathering:
    """One gathering an agency holds, and when."""

    id: str
    agency: str
    name: str
    kind: str
    audience: str
    ages: tuple[int, int] | None
    municipalities: frozenset[str]
    place: str | None
    online: str | None
    schedule: Schedule
    booking: str
    booking_how: str | None
    expect: tuple[str, ...]
    checked: date
    example: bool = False

    def serves(self, municipality: str | None) -> bool:
        """Open to people of this municipality (a gathering without municipalities is open to everyone)."""
        if not self.municipalities:
            return True
        return municipality is not None and normalize_municipality(municipality) in self.municipalities

    def welcomes(self, writer: str | None) -> bool:
        """Meant for who writes: the person themself, or a family member or supporter (anyone, if unsaid)."""
        if writer == "self":
            return self.audience in ("person", "both")
        if writer in ("family", "supporter"):
            return self.audience in ("family", "both")
        return True

    def fits_age(self, age: int | None, band: str | None) -> bool:
        """The person's age (or age band) falls in the gathering's range (an unknown age fits)."""
        if self.ages is None:
            return True
        low, high = self.ages
        if age is not None:
            return low <= age <= high
        if band in BAND_AGES:
            band_low, band_high = BAND_AGES[band]
            return band_low <= high and low <= band_high
        return True

    def fingerprint(self, start: datetime) -> str:
        """What a reminder for the meeting at `start` was promised on: changed by a new time, place or way to
        join, so a stale reminder is never sent."""
        parts = [self.id, start.astimezone(JAPAN).isoformat(), self.place or "", self.online or "",
                 str(self.schedule.minutes)]
        text = "|".join(parts)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def when(self, start: datetime, locale: str) -> str:
        """A meeting's start as people read it, in Japan time."""
        return format_datetime(start.astimezone(JAPAN), WHEN.get(locale, WHEN[SOURCE_LOCALE]), locale=locale)

    def text(self, start: datetime, locale: str) -> str:
        """The gathering and its next meeting as a message (in the active locale)."""
        lines = [_("【{kind}】{name}").format(kind=_(KINDS[self.kind]), name=self.name), self.when(start, locale)]
        if self.place:
            lines.append(_("場所：{place}").format(place=self.place))
        if self.online:
            lines.append(_("オンライン：{how}").format(how=self.online))
        if self.booking == "required":
            lines.append(_("予約：要予約（{how}）").format(how=self.booking_how or ""))
        else:
            lines.append(_("予約：いりません"))
        lines.extend(self.expect)
        return "\n".join(lines)


def load_gatherings(path: Path = DEFAULT_FILE) -> tuple[Gathering, ...]:
    """Every gathering of the file; BadGatherings names the first problem."""
    found = load_entries(path, "gathering", _gathering)
    ids = [g.id for g in found]
    if len(set(ids)) != len(ids):
        raise BadGatherings(f"{path}: two gatherings share an id")
    return tuple(found)


def _gathering(entry: dict[str, Any]) -> Gathering:
    if not ID.match(str(entry["id"])):
        raise ValueError("id must be 1 to 32 of a-z, 0-9, - and _")
    _one_of(entry, "kind", tuple(KINDS))
    _one_of(entry, "for_whom", AUDIENCES)
    booking = str(entry.get("booking", "none"))
    if booking not in BOOKING:
        raise ValueError(f"booking must be one of {', '.join(BOOKING)}")
    if booking == "required" and not entry.get("booking_how"):
        raise ValueError("booking = \"required\" needs booking_how (how to book)")
    if not entry.get("place") and not entry.get("online"):
        raise ValueError("give place (an address) or online (how to join)")
    if not isinstance(entry["checked"], date) or isinstance(entry["checked"], datetime):
        raise ValueError("checked must be a date like 2026-11-01")
    municipalities = frozenset(normalize_municipality(str(m)) for m in entry.get("municipalities", []))
    return Gathering(
        str(entry["id"]), str(entry["agency"]), str(entry["name"]), str(entry["kind"]), str(entry["for_whom"]),
        _ages(entry.get("ages")), municipalities, _text(entry.get("place")), _text(entry.get("online")),
        read_schedule(entry), booking, _text(entry.get("booking_how")),
        tuple(str(line) for line in entry.get("expect", [])), entry["checked"], bool(entry.get("example", False)))


def _one_of(entry: dict[str, Any], key: str, allowed: tuple[str, ...]) -> None:
    if entry[key] not in allowed:
        raise ValueError(f"{key} must be one of {', '.join(allowed)}")


def _ages(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    if (not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, int) for v in value)
            or not 0 <= value[0] <= value[1]):
        raise ValueError("ages must be two whole numbers like [18, 49]")
    return value[0], value[1]


def _text(value: Any) -> str | None:
    return (str(value).strip() or None) if value is not None else None


@dataclass(frozen=True)
class Upcoming:
    """A gathering's next meeting."""

    gathering: Gathering
    start: datetime


def fitting(gatherings: tuple[Gathering, ...], sheet: Sheet, now: datetime,
            limit: int = MAX_SHOWN) -> list[Upcoming]:
    """Up to `limit` gatherings for this writer, municipality and age, soonest first (for a family member, family
    groups before the rest)."""
    person = sheet.person
    found = []
    for gathering in gatherings:
        if not (gathering.welcomes(sheet.writer) and gathering.serves(person.municipality)
                and gathering.fits_age(person.age, person.age_band)):
            continue
        start = gathering.schedule.next(now)
        if start is not None:
            found.append(Upcoming(gathering, start))
    family = sheet.writer in ("family", "supporter")
    found.sort(key=lambda u: (not (family and u.gathering.kind == "family_group"), u.start, u.gathering.id))
    return found[:limit]


def by_agency(gatherings: tuple[Gathering, ...], agency: str) -> list[Gathering]:
    """The gatherings an agency keeps."""
    return [g for g in gatherings if g.agency == agency]
