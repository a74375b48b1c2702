"""Counts read in the last minute, kept to answer the same question again: a page reloaded in a loop then costs
the database nothing, and the intake beside it does not slow down. Counts only, never anything personal."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Generic, TypeVar

KEEP = timedelta(seconds=60)
MOST = 64  # distinct questions kept at once (periods × agencies)
T = TypeVar("T")


class Recent(Generic[T]):
    """Answers by key, each for KEEP after it was read."""

    def __init__(self, keep: timedelta = KEEP) -> None:
        self._keep = keep
        self._kept: dict[object, tuple[datetime, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: object, now: datetime) -> T | None:
        """The answer read for this key within KEEP of now, or None."""
        with self._lock:
            found = self._kept.get(key)
            return found[1] if found and timedelta(0) <= now - found[0] < self._keep else None

    def put(self, key: object, value: T, now: datetime) -> None:
        """Keep an answer (the oldest go first beyond MOST)."""
        with self._lock:
            self._kept[key] = (now, value)
            if len(self._kept) > MOST:
                oldest = min(self._kept, key=lambda k: self._kept[k][0])
                del self._kept[oldest]
