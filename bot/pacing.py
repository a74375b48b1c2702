"""Send pacing: token buckets per chat and overall, so a channel's rate limits are kept, not hit."""

from __future__ import annotations

import asyncio
import time
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
