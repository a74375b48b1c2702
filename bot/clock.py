"""The service's one clock and the people's one time zone. Every component takes the time from the clock it was
built with, so a whole process (or a test) reads one time, and a test can set it; everything shown to people and
counselors is in the zone of TSUNAGU_TIMEZONE, while storage keeps UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


JAPAN = ZoneInfo("Asia/Tokyo")  # TSUNAGU_TIMEZONE's default


def local(at: datetime, zone: tzinfo) -> datetime:
    """A moment in the people's time zone (storage keeps UTC; everything shown to people uses this)."""
    return at.astimezone(zone)


def shown(at: datetime, zone: tzinfo, seconds: bool = False) -> str:
    """A moment as counselors read it: 2026-12-09 10:30 in the people's time zone."""
    return local(at, zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def iso(at: datetime | None, zone: tzinfo) -> str | None:
    """A moment as ISO 8601 with the offset of the people's time zone (the same instant; None stays None)."""
    return local(at, zone).isoformat() if at is not None else None


def today(clock: Clock, zone: tzinfo) -> date:
    """The people's date now (for ages, the day a sheet is printed)."""
    return local(clock(), zone).date()
