"""When a gathering meets: an iCalendar recurrence (RRULE, RDATE, EXDATE) read by python-dateutil, in Japan time,
with public holidays and the year-end break skipped unless the gathering says otherwise."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrule, rrulestr

from bot.clock import JAPAN
from bot.safety.hours import holiday, year_end

FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}  # nothing that meets more than once a day
HORIZON = timedelta(days=400)  # how far ahead occurrences are looked for


@dataclass(frozen=True)
class Schedule:
    """A recurrence starting on `first` at `start` (Japan time) for `minutes`; `dates` are extra meetings (RDATE,
    kept even on a holiday: the operator named them), `cancelled` the days a meeting is called off (EXDATE)."""

    rule: str | None
    first: date
    start: time
    minutes: int
    dates: tuple[datetime, ...] = ()
    cancelled: frozenset[date] = frozenset()
    on_holidays: bool = False
    over_year_end: bool = False

    def _rule(self) -> rrule | None:
        if self.rule is None:
            return None
        parsed = rrulestr(self.rule, dtstart=datetime.combine(self.first, self.start))
        assert isinstance(parsed, rrule)
        return parsed

    def _kept(self, at: datetime) -> bool:
        day = at.date()
        if day in self.cancelled:
            return False
        return (self.on_holidays or not holiday(day)) and (self.over_year_end or not year_end(day))

    def between(self, since: datetime, until: datetime) -> list[datetime]:
        """The meetings that start in [since, until), aware, in Japan time."""
        lo, hi = (moment.astimezone(JAPAN).replace(tzinfo=None) for moment in (since, until))
        found: set[datetime] = set()
        rule = self._rule()
        if rule is not None:
            found.update(at for at in rule.between(lo, hi, inc=True) if at < hi and self._kept(at))
        found.update(at for at in self.dates if lo <= at < hi and at.date() not in self.cancelled)
        return [at.replace(tzinfo=JAPAN) for at in sorted(found)]

    def upcoming(self, now: datetime, count: int = 1) -> list[datetime]:
        """The next `count` meetings that have not yet begun."""
        return self.between(now + timedelta(microseconds=1), now + HORIZON)[:count]

    def next(self, now: datetime) -> datetime | None:
        """The next meeting that has not yet begun, or None."""
        return next(iter(self.upcoming(now)), None)


def read_schedule(entry: dict[str, Any]) -> Schedule:
    """A schedule from a gathering's TOML fields (rrule, dates, cancelled, start, minutes, first, on_holidays,
    over_year_end); ValueError says what is wrong."""
    start = _time(entry["start"])
    rule = entry.get("rrule")
    dates = tuple(_moment(d, start) for d in entry.get("dates", []))
    if rule is None and not dates:
        raise ValueError("give rrule (e.g. \"FREQ=WEEKLY;BYDAY=TU\") or dates")
    first = entry.get("first", entry.get("checked"))
    if not isinstance(first, date) or isinstance(first, datetime):
        raise ValueError("first must be a date like 2026-04-01")
    minutes = entry.get("minutes", 120)
    if not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        raise ValueError("minutes must be a whole number from 1 to 1440")
    cancelled = frozenset(_day(d) for d in entry.get("cancelled", []))
    schedule = Schedule(str(rule).strip() if rule is not None else None, first, start, minutes, dates, cancelled,
                        bool(entry.get("on_holidays", False)), bool(entry.get("over_year_end", False)))
    _check_rule(schedule)
    return schedule


def _check_rule(schedule: Schedule) -> None:
    if schedule.rule is None:
        return
    if "DTSTART" in schedule.rule.upper():
        raise ValueError("rrule takes the rule only; the first day goes in first, the time in start")
    try:
        parsed = schedule._rule()
    except (ValueError, TypeError) as exc:
        raise ValueError(f"cannot read rrule {schedule.rule!r}: {exc}") from exc
    freq = re.search(r"FREQ=(\w+)", schedule.rule.upper())
    if parsed is None or freq is None or freq[1] not in FREQUENCIES:
        raise ValueError("rrule must repeat daily, weekly, monthly or yearly")


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    try:
        hour, minute = (int(part) for part in str(value).split(":"))
        return time(hour, minute)
    except ValueError as exc:
        raise ValueError(f"start must be a time like \"14:00\", not {value!r}") from exc


def _moment(value: Any, start: time) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError("dates are in Japan time: write 2027-01-20T13:30:00 without an offset")
        return value
    return datetime.combine(_day(value), start)


def _day(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError(f"{value!r} is not a date like 2027-01-20")
