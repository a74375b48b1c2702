"""The tests' clock: time starts where a test says and moves only as the test lets it.

A test that depends on time takes this clock from the `clock` fixture and hands it to everything it builds
(`build(settings, clock)`, `Service(uow, clock=...)`), and stamps its inbound messages with `clock()`. So a
conversation reads one time from start to end, whatever the date of the machine running the suite."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
# An ordinary moment: a Wednesday morning in Tokyo, counselors in, no holiday near, mid-month.
ORDINARY = datetime(2026, 12, 9, 10, 30, tzinfo=TOKYO)


class TestClock:
    """A clock set to `start`. Ticking, it runs on from there at the pace of the machine's monotonic clock
    (for retries, leases and pacing); frozen, it moves only by `advance` and `set`."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, start: datetime = ORDINARY, ticking: bool = True) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs an aware start")
        self._at = start.astimezone(UTC)
        self._ticking = ticking
        self._mark = time.monotonic()

    def __call__(self) -> datetime:
        """Now, by this clock, aware and in UTC."""
        if not self._ticking:
            return self._at
        return self._at + timedelta(seconds=time.monotonic() - self._mark)

    def set(self, at: datetime) -> None:
        """Jump to a moment (forward or back)."""
        if at.tzinfo is None:
            raise ValueError("the clock needs an aware moment")
        self._at = at.astimezone(UTC)
        self._mark = time.monotonic()

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move on by `delta` (or by `days=`, `hours=`, `seconds=`…); the new now."""
        self.set(self() + (delta or timedelta(**parts)))
        return self()

    def freeze(self) -> None:
        """Stop ticking at the current moment."""
        self.set(self())
        self._ticking = False
