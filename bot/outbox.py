"""The outbox deliverer: sends queued replies per channel, in order per conversation, with retries."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.service import utcnow
from storage.records import OutboxItem
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(minutes=10)
LEASE = timedelta(seconds=60)


@dataclass(frozen=True)
class Sent:
    """Delivered."""


@dataclass(frozen=True)
class RetryLater:
    """A passing failure: try again after `after` (or the backoff)."""

    error: str
    after: timedelta | None = None


@dataclass(frozen=True)
class GiveUp:
    """A final failure; the reply stays in the thread, marked undelivered."""

    error: str


Result = Sent | RetryLater | GiveUp


class Sender(Protocol):
    """One channel's way of delivering a reply."""

    def send(self, item: OutboxItem) -> Result: ...


class WebChatSender:
    """The web chat reads replies from the thread itself, so delivery is recording that it may."""

    def send(self, item: OutboxItem) -> Result:
        return Sent()


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s … up to ten minutes."""
    return min(timedelta(seconds=2 ** min(attempts, 20)), MAX_BACKOFF)


class Deliverer:
    """Delivers due outbox rows; wake() after a commit makes it look at once."""

    def __init__(self, uow: Callable[[], UnitOfWork], senders: dict[str, Sender],
                 clock: Callable[[], datetime] = utcnow, idle_seconds: float = 1.0) -> None:
        self._uow = uow
        self._senders = senders
        self._clock = clock
        self._idle = idle_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()

    def wake(self) -> None:
        """Something was queued."""
        self._wake.set()

    def stop(self) -> None:
        """End run_forever()."""
        self._stop.set()
        self._wake.set()

    def run_forever(self) -> None:
        """Deliver until stopped (run in a thread)."""
        while not self._stop.is_set():
            try:
                busy = self.deliver_due() > 0
            except Exception:  # the loop must survive a database hiccup; logged without content
                log.exception("outbox delivery round failed")
                busy = False
            if not busy:
                self._wake.wait(self._idle)
                self._wake.clear()

    def deliver_due(self) -> int:
        """One round: send what is due, oldest first, stopping a conversation at its first failure."""
        now = self._clock()
        with self._uow() as uow:
            items = uow.outbox.due(now)
        stalled: set[str] = set()
        done = 0
        for item in items:
            if item.conversation_id in stalled:
                continue
            if not self._deliver(item):
                stalled.add(item.conversation_id)
            done += 1
        return done

    def _deliver(self, item: OutboxItem) -> bool:
        with self._uow() as uow:
            claimed = uow.outbox.claim(item.id, self._clock(), LEASE)
            uow.commit()
        if not claimed:
            return False  # another deliverer has it; this conversation waits for the next round
        sender = self._senders.get(item.channel)
        result: Result = sender.send(item) if sender else GiveUp(f"no sender for {item.channel}")
        now = self._clock()
        with self._uow() as uow:
            if isinstance(result, Sent):
                uow.outbox.mark_sent(item.id, now)
            elif isinstance(result, RetryLater):
                uow.outbox.retry_later(item.id, now + (result.after or backoff(item.attempts)), result.error)
            else:
                uow.outbox.give_up(item.id, result.error)
            uow.commit()
        if not isinstance(result, Sent):
            log.warning("outbox item %s not delivered: %s", item.id, type(result).__name__)
        return isinstance(result, Sent)
