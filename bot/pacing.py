"""Send pacing: token buckets per chat and overall, so a channel's rate limits are kept, not hit,
and a window over the moments sends actually go out, so sends held up together cannot leave in a burst."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 10_000


@dataclass
class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up; a reservation may run the balance negative."""

    rate: float
    burst: float
    tokens: float
    updated: float

    def reserve(self, now: float) -> float:
        """Take one token; the seconds to wait before using it."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def hold(self, now: float, seconds: float) -> None:
        """Nothing more for `seconds` (the platform said retry_after)."""
        self.tokens = min(self.tokens, -seconds * self.rate)
        self.updated = now

    def full(self, now: float) -> bool:
        """Unused long enough to forget."""
        return self.tokens + (now - self.updated) * self.rate >= self.burst


class Pacer:
    """Paces sends per key (a chat) and overall; used from one event loop."""

    def __init__(self, per_key: tuple[float, float], overall: tuple[float, float],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._per_key = per_key
        self._clock = clock
        rate, burst = overall
        self._overall = TokenBucket(rate, burst, burst, clock())
        self._keys: dict[str, TokenBucket] = {}

    def _bucket(self, key: str, now: float) -> TokenBucket:
        bucket = self._keys.get(key)
        if bucket is None:
            if len(self._keys) >= MAX_KEYS:
                self._keys = {k: b for k, b in self._keys.items() if not b.full(now)}
            rate, burst = self._per_key
            bucket = self._keys[key] = TokenBucket(rate, burst, burst, now)
        return bucket

    def delay(self, key: str) -> float:
        """Reserve one send for `key`; the seconds to wait first."""
        now = self._clock()
        return max(self._bucket(key, now).reserve(now), self._overall.reserve(now))

    async def wait(self, key: str) -> None:
        """Sleep until `key` may send once more."""
        seconds = self.delay(key)
        if seconds > 0:
            await asyncio.sleep(seconds)

    def hold(self, key: str, seconds: float) -> None:
        """The platform asked this chat to wait."""
        now = self._clock()
        self._bucket(key, now).hold(now, seconds)


class SendWindow:
    """At most `per_key` sends to one key and `overall` in all in any `seconds`, counted when each send
    goes out. The buckets reserve turns ahead; this catches sends that a slow database call or a busy
    event loop has bunched together after their turn came."""

    def __init__(self, per_key: int, overall: int, seconds: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._per_key = per_key
        self._overall_limit = overall
        self._seconds = seconds
        self._clock = clock
        self._overall: deque[float] = deque()
        self._keys: dict[str, deque[float]] = {}

    def _log(self, key: str, now: float) -> deque[float]:
        log = self._keys.get(key)
        if log is None:
            if len(self._keys) >= MAX_KEYS:
                self._keys = {k: v for k, v in self._keys.items() if v and now - v[-1] < self._seconds}
            log = self._keys[key] = deque()
        return log

    def _forget(self, log: deque[float], now: float) -> None:
        while log and now - log[0] >= self._seconds:
            log.popleft()

    def room(self, key: str) -> float:
        """Take a place for `key` now and return 0.0, or return the seconds until one frees up."""
        now = self._clock()
        log = self._log(key, now)
        self._forget(log, now)
        self._forget(self._overall, now)
        waits = [log[0] + self._seconds - now] if len(log) >= self._per_key else []
        if len(self._overall) >= self._overall_limit:
            waits.append(self._overall[0] + self._seconds - now)
        if waits:
            return max(max(waits), 0.001)
        log.append(now)
        self._overall.append(now)
        return 0.0

    async def enter(self, key: str) -> None:
        """Wait until a send to `key` fits in the window, and count it."""
        while (seconds := self.room(key)) > 0:
            await asyncio.sleep(seconds)
