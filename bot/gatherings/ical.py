"""An agency's gatherings as an iCalendar feed (RFC 5545) for staff calendars: each meeting of the coming weeks
as one event, in UTC, with the anonymous counts in its description."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.gatherings.catalog import Gathering

HORIZON = timedelta(days=120)
FOLD = 75  # octets a content line may hold before it is folded


@dataclass(frozen=True)
class FeedItem:
    """A gathering with its counts."""

    gathering: Gathering
    interest: int
    reminders: int


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newline escaped."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> list[str]:
    """A content line folded at 75 octets, never inside a character."""
    parts: list[str] = []
    current = ""
    for char in line:
        limit = FOLD if not parts else FOLD - 1  # continuation lines begin with a space
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = ""
        current += char
    parts.append(current)
    return [parts[0], *(" " + part for part in parts[1:])]


def stamp(at: datetime) -> str:
    """A UTC DATE-TIME."""
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, items: Iterable[FeedItem], now: datetime) -> str:
    """The VCALENDAR text, CRLF-separated."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tsunagu//gatherings//JA", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}"]
    for item in items:
        g = item.gathering
        for start in g.schedule.between(now, now + HORIZON):
            lines += ["BEGIN:VEVENT", f"UID:{g.id}-{start.strftime('%Y%m%dT%H%M')}@tsunagu", f"DTSTAMP:{stamp(now)}",
                      f"DTSTART:{stamp(start)}", f"DTEND:{stamp(start + timedelta(minutes=g.schedule.minutes))}",
                      f"SUMMARY:{escape(g.name)}", f"LOCATION:{escape(g.place or g.online or '')}",
                      f"DESCRIPTION:{escape(description(item))}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in fold(line))


def description(item: FeedItem) -> str:
    """What staff read in the event: booking, and the anonymous counts (never who)."""
    g = item.gathering
    booking = f"booking: {g.booking_how}" if g.booking == "required" else "booking: none"
    return f"{booking}\ninterested (all meetings): {item.interest}\nreminders waiting: {item.reminders}"
