"""Crisis contacts from the operators' data file (TOML): which danger each is for, its hours, the
date it was checked; listed with the ones open now first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.safety.datafile import BadDataFile, load_entries
from bot.safety.hours import Hours, parse_hours
from dialogs.crisis import CATEGORIES
from dialogs.i18n import N_
from dialogs.i18n import gettext as _

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "data" / "crisis_contacts.toml"
DAY_NAMES = (N_("月"), N_("火"), N_("水"), N_("木"), N_("金"), N_("土"), N_("日"))
MAX_LISTED = 5


BadContacts = BadDataFile  # the contacts file cannot be used (the message says where)


@dataclass(frozen=True)
class Contact:
    """One crisis line."""

    name: str
    name_en: str
    number: str
    hours: Hours | None  # None: varies by day or prefecture
    categories: frozenset[str]
    checked: date

    def label(self, locale: str) -> str:
        """The name in the person's language."""
        return self.name_en if locale == "en" and self.name_en else self.name


def load_contacts(path: Path = DEFAULT_FILE) -> tuple[Contact, ...]:
    """Every contact of the file; BadContacts names the first problem."""
    contacts = load_entries(path, "contact", _contact)  # BadHours is a ValueError
    if not contacts:
        raise BadContacts(f"{path}: no [[contact]] entries")
    return tuple(contacts)


def _contact(entry: dict[str, object]) -> Contact:
    categories = frozenset(str(c) for c in entry.get("categories", []))  # type: ignore[attr-defined]
    unknown = categories - set(CATEGORIES)
    if unknown:
        raise ValueError(f"unknown categories {sorted(unknown)}")
    checked = entry["checked"]
    if not isinstance(checked, date):
        raise ValueError("checked must be a date like 2026-11-01")
    varies = bool(entry.get("varies", False))
    hours = None if varies else parse_hours(str(entry["hours"]), open_on_holidays=True)
    return Contact(str(entry["name"]), str(entry.get("name_en", "")), str(entry["number"]), hours, categories, checked)


def for_danger(contacts: tuple[Contact, ...], categories: frozenset[str], at: datetime) -> list[Contact]:
    """The contacts for these dangers: open now first (in the file's order), then those whose hours
    vary, then the closed ones; at most MAX_LISTED."""
    chosen = [c for c in contacts if c.categories & categories]
    open_now = [c for c in chosen if c.hours is not None and c.hours.is_open(at)]
    varies = [c for c in chosen if c.hours is None]
    closed = [c for c in chosen if c.hours is not None and not c.hours.is_open(at)]
    return (open_now + varies + closed)[:MAX_LISTED]


def always_open(contacts: tuple[Contact, ...]) -> list[Contact]:
    """The 24-hour lines for talking (not 110 or 119): for out-of-hours messages."""
    return [c for c in contacts if c.hours is not None and c.hours.always and "suicide" in c.categories
            and len(c.number) > 3]


def describe_hours(contact: Contact, at: datetime) -> str:
    """「24時間」, 「いま受付中」 with the schedule, the schedule, or 「日によって異なります」 (translated)."""
    if contact.hours is None:
        return _("時間は日によって異なります")
    if contact.hours.always:
        return _("24時間")
    schedule = schedule_text(contact.hours)
    if contact.hours.is_open(at):
        return _("いま受付中・{schedule}").format(schedule=schedule)
    return schedule


def schedule_text(hours: Hours) -> str:
    """A weekly schedule as people read it (「月〜金 9:00〜17:00」, translated); 「24時間」 when always open."""
    if hours.always:
        return _("24時間")
    return _("、").join(_span_text(hours, n) for n in range(len(hours.spans)))  # the list separator


def _span_text(hours: Hours, index: int) -> str:
    span = hours.spans[index]
    minutes = span.start.hour * 60 + span.start.minute + span.minutes
    end = f"{(minutes // 60) % 24}:{minutes % 60:02d}"
    end = _("翌{time}").format(time=end) if minutes >= 24 * 60 else end
    start = f"{span.start.hour}:{span.start.minute:02d}"
    if span.month_day:
        return _("毎月{day}日 {start}〜{end}").format(day=span.month_day, start=start, end=end)
    days = sorted(span.days)
    if len(days) == 7:
        when = _("毎日")
    elif days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        when = _("{first}〜{last}").format(first=_(DAY_NAMES[days[0]]), last=_(DAY_NAMES[days[-1]]))
    else:
        when = "・".join(_(DAY_NAMES[d]) for d in days)
    return _("{when} {start}〜{end}").format(when=when, start=start, end=end)


def contact_lines(contacts: list[Contact], at: datetime, locale: str) -> str:
    """One line per contact: name, number, hours."""
    return "\n".join(_("・{name} {number}（{hours}）").format(name=c.label(locale), number=c.number,
                                                              hours=describe_hours(c, at)) for c in contacts)
