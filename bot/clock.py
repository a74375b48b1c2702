"""The service's one clock. Every component takes the time from the clock it was built with, so a whole
process (or a test) reads one time, and a test can set it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
