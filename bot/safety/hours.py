"""Opening hours, in the people's time zone (TSUNAGU_TIMEZONE):
weekly spans like "mon-fri 09:00-17:00, sat 10:00-12:00", a day of the month
("day10 08:00-08:00"), a span past midnight ("12:00-05:30" ends the next morning), "24h", and closed
days (Japanese public holidays from jpholiday, the year-end break 12/29–1/3)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SPAN = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?|day\d{1,2})\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$")
TOKYO = ZoneInfo("Asia/Tokyo")


class BadHours(ValueError):
    """Hours that cannot be read."""


@dataclass(frozen=True)
class Span:
    """Open from `start` on each of `days` (0 = Monday), or on one day of every month, for `minutes`."""

    days: frozenset[int]
    start: time
    minutes: int
    month_day: int | None = None

    def on(self, day: date) -> bool:
        """Whether the span begins on this day."""
        return day.day == self.month_day if self.month_day else day.weekday() in self.days


@dataclass(frozen=True)
class Hours:
    """A weekly schedule; `always` for 24 hours; holidays and the year-end break closed unless told."""

    spans: tuple[Span, ...] = ()
    always: bool = False
    open_on_holidays: bool = False
    zone: ZoneInfo = field(default=TOKYO)

    def is_open(self, at: datetime) -> bool:
        """Whether someone answers at this moment."""
        if self.always:
            return True
        local = at.astimezone(self.zone)
        for back in (0, 1):  # a span that began yesterday may still run
            day = local.date() - timedelta(days=back)
            if not self._works(day):
                continue
            for span in self.spans:
                if span.on(day):
                    begin = datetime.combine(day, span.start, self.zone)
                    if begin <= local < begin + timedelta(minutes=span.minutes):
                        return True
        return False

    def next_open(self, at: datetime, horizon_days: int = 21) -> datetime | None:
        """When someone next answers (`at` itself when open now); None if never within the horizon."""
        if self.is_open(at):
            return at
        local = at.astimezone(self.zone)
        starts = sorted(
            datetime.combine(day, span.start, self.zone)
            for day in (local.date() + timedelta(days=n) for n in range(horizon_days))
            if self._works(day)
            for span in self.spans if span.on(day)
        )
        return next((s for s in starts if s > local), None)

    def _works(self, day: date) -> bool:
        return self.open_on_holidays or not (year_end(day) or holiday(day))


def year_end(day: date) -> bool:
    """Whether the day falls in the year-end break offices keep (12/29–1/3)."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def holiday(day: date) -> bool:
    """Whether the day is a Japanese public holiday (jpholiday, substitute holidays included)."""
    return bool(jpholiday.is_holiday(day))


def parse_hours(text: str, open_on_holidays: bool = False, zone: ZoneInfo = TOKYO) -> Hours:
    """Hours from "24h" or comma-separated spans like "mon-fri 09:00-17:00", in a time zone; BadHours otherwise."""
    text = text.strip().lower()
    if text in ("24h", "24/7", "always"):
        return Hours(always=True, open_on_holidays=True, zone=zone)
    spans = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;、]", text))):
        found = SPAN.match(part)
        if not found:
            raise BadHours(f"cannot read {part!r}; write e.g. 'mon-fri 09:00-17:00'")
        start, length = _time(found["start"]), _length(found["start"], found["end"])
        if found["days"].startswith("day"):
            month_day = int(found["days"][3:])
            if not 1 <= month_day <= 31:
                raise BadHours(f"{found['days']!r} is not a day of the month")
            spans.append(Span(frozenset(), start, length, month_day))
        else:
            spans.append(Span(_days(found["days"]), start, length))
    if not spans:
        raise BadHours("no hours given")
    return Hours(tuple(spans), open_on_holidays=open_on_holidays, zone=zone)


def _days(text: str) -> frozenset[int]:
    first, _, last = text.partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise BadHours(f"unknown day in {text!r}; use {', '.join(DAYS)}")
    a, b = DAYS.index(first), DAYS.index(last or first)
    return frozenset(range(a, b + 1)) if a <= b else frozenset([*range(a, 7), *range(0, b + 1)])


def _time(text: str) -> time:
    hour, minute = (int(x) for x in text.split(":"))
    if not (0 <= hour <= 24 and 0 <= minute < 60) or (hour == 24 and minute):
        raise BadHours(f"{text!r} is not a time of day")
    return time(0, minute) if hour == 24 else time(hour, minute)


def _length(start: str, end: str) -> int:
    """Minutes from start to end; an end at or before the start is the next day's."""
    def minutes(text: str) -> int:
        hour, minute = (int(x) for x in text.split(":"))
        return hour * 60 + minute

    span = minutes(end) - minutes(start)
    return span if span > 0 else span + 24 * 60


def format_hours(hours: Hours) -> str:
    """The schedule written back in the form parse_hours reads."""
    if hours.always:
        return "24h"
    parts = []
    for span in hours.spans:
        end = (datetime.combine(date(2000, 1, 1), span.start) + timedelta(minutes=span.minutes)).time()
        if span.month_day:
            parts.append(f"day{span.month_day} {span.start:%H:%M}-{end:%H:%M}")
            continue
        days = sorted(span.days)
        contiguous = days == list(range(days[0], days[-1] + 1))
        names = [f"{DAYS[days[0]]}-{DAYS[days[-1]]}"] if contiguous and len(days) > 1 else [DAYS[d] for d in days]
        parts.extend(f"{name} {span.start:%H:%M}-{end:%H:%M}" for name in names)
    return ", ".join(parts)


DEFAULT_HOURS = parse_hours("mon-fri 09:00-17:00")  # an agency that has not set its own
