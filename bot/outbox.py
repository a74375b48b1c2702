"""The outbox deliverer: sends queued replies per channel, in order per conversation, with retries.

It runs its own asyncio loop in a thread of `tsunagu serve`. Conversations are delivered side by
side; the replies of one conversation go one after another, and a failure holds the rest back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from bot.clock import Clock, utcnow
from bot.pacing import Pacer
from dialogs.model import Reply
from storage.records import Address, OutboxItem
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(seconds=30)  # after an outage, replies go out within half a minute of its end
LEASE = timedelta(seconds=60)
CONCURRENCY = 64
REFILL = 8  # a busy deliverer looks for more once this share (1/REFILL) of its places is free


@dataclass(frozen=True)
class Sent:
    """Delivered."""


@dataclass(frozen=True)
class RetryLater:
    """A passing failure: try again after `after` (or the backoff)."""

    error: str
    after: timedelta | None = None
    parts_sent: int | None = None  # how many parts of the item did go out (the next try starts after them)


@dataclass(frozen=True)
class GiveUp:
    """A final failure; the reply stays in the thread, marked undelivered."""

    error: str


@dataclass(frozen=True)
class Unreachable:
    """The person blocked the bot or left: this and every pending reply of theirs fail now."""

    error: str


Result = Sent | RetryLater | GiveUp | Unreachable


class Sender(Protocol):
    """One channel's way of delivering a reply (used only from the deliverer's loop).

    `pacer`, when set, keeps the channel's rate limits: the deliverer waits on it before taking an
    item, and a sender that makes more than one call for an item waits on it before each further one.
    """

    pacer: Pacer | None

    async def send(self, item: OutboxItem) -> Result: ...

    async def close(self) -> None: ...


def enqueue(uow: UnitOfWork, to: Address, replies: list[Reply], author: str, now: datetime,
            delivery: dict[str, Any] | None = None) -> int | None:
    """One outbox item for one turn's replies (a channel may send them in one call), and each reply in the
    thread, pointing at that item; returns the last message's id (None when there was nothing to say).
    `delivery` is what the channel needs to answer the inbound message (a reply token, a button's message)."""
    if not replies:
        return None
    bodies = [reply.to_dict() for reply in replies]
    payload: dict[str, Any] = {"replies": bodies}
    if delivery:
        payload["delivery"] = delivery
    outbox_id = uow.outbox.add(to.id, to.channel, to.user_key, payload, now)
    return uow.transcript.add_all(to.id, "out", author, bodies, now, outbox_id=outbox_id)[-1]


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s … up to half a minute (MAX_BACKOFF)."""
    return min(timedelta(seconds=2 ** min(attempts, 20)), MAX_BACKOFF)


class Deliverer:
    """Delivers due outbox rows; wake() (from any thread) after a commit makes it look at once."""

    def __init__(self, uow: Callable[[], UnitOfWork], senders: dict[str, Sender],
                 clock: Clock = utcnow, idle_seconds: float = 1.0,
                 lease: timedelta = LEASE, concurrency: int = CONCURRENCY) -> None:
        self._uow = uow
        self._senders = senders
        self._clock = clock
        self._idle = idle_seconds
        self._lease = lease
        self._concurrency = concurrency
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._tasks: dict[str, asyncio.Task[bool]] = {}
        self._waking = False  # a wake-up is on its way to the loop

    def wake(self) -> None:
        """Something was queued (thread-safe); one wake-up waits at most, however many commits ask."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None and not self._waking:
            self._waking = True
            try:
                loop.call_soon_threadsafe(self._woken)
            except RuntimeError:  # the loop has just closed; the next start finds the row
                self._waking = False

    def _woken(self) -> None:
        self._waking = False
        if self._wake is not None:
            self._wake.set()

    def stop(self) -> None:
        """End run_forever() (thread-safe)."""
        self._stopping = True
        self.wake()

    def run_forever(self) -> None:
        """Deliver until stopped; the target of the outbox thread."""
        asyncio.run(self.run())

    async def run(self) -> None:
        """The delivery loop in the current event loop: start each due conversation's delivery as
        its own task (one per conversation at a time), and look again when woken or a task ends."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._waking = False
        try:
            while not self._stopping:
                try:
                    started = await self._start_due()
                except Exception:  # the loop must survive a database hiccup; logged without content
                    log.exception("outbox delivery round failed")
                    started = 0
                if not started and not self._stopping:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._idle)
                    self._wake.clear()
        finally:
            self._loop = None
            for task in list(self._tasks.values()):
                task.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            for sender in self._senders.values():
                await sender.close()

    async def _start_due(self) -> int:
        """Take what is due, for conversations not already being delivered, and start each delivery as its own
        task (the database work runs in a thread, so sends in flight go on meanwhile)."""
        room = self._concurrency - len(self._tasks)
        if room <= 0 or (self._tasks and room < max(1, self._concurrency // REFILL)):
            return 0  # a task that ends wakes the loop; under a backlog one query fills several places
        items = await asyncio.to_thread(self._take, room, frozenset(self._tasks))
        for item in items:
            task = asyncio.get_running_loop().create_task(self._deliver(item))
            self._tasks[item.conversation_id] = task
            task.add_done_callback(partial(self._finished, item.conversation_id))
        return len(items)

    def _take(self, limit: int, busy: frozenset[str]) -> list[OutboxItem]:
        with self._uow() as uow:
            items = uow.outbox.take_due(self._clock(), self._lease, limit, busy)
            uow.commit()
        return items

    def _finished(self, conversation_id: str, task: asyncio.Task[bool]) -> None:
        self._tasks.pop(conversation_id, None)
        if self._wake is not None:
            self._wake.set()  # its next reply may be due now

    async def deliver_due(self) -> int:
        """Deliver what is due now, round after round (a conversation's next reply is its head once the one
        before it is sent), awaited (for tests and tools): the number of items tried."""
        if self._wake is None:
            self._wake = asyncio.Event()
        tried = 0
        while await self._start_due():
            tried += len(await asyncio.gather(*self._tasks.values()))
        return tried

    async def _deliver(self, item: OutboxItem) -> bool:
        sender = self._senders.get(item.channel)
        if sender is not None and sender.pacer is not None:
            await sender.pacer.wait(item.user_key)
        try:
            result: Result = await sender.send(item) if sender else GiveUp(f"no sender for {item.channel}")
        except Exception as exc:  # a sender bug must not kill the loop; the lease retries it later
            log.exception("sender failed on outbox item %s", item.id)
            result = RetryLater(type(exc).__name__)
        if isinstance(result, RetryLater) and result.after and sender is not None and sender.pacer is not None:
            sender.pacer.hold(item.user_key, result.after.total_seconds())
        await asyncio.to_thread(self._record, item, result)
        return isinstance(result, Sent)

    def _record(self, item: OutboxItem, result: Result) -> None:
        now = self._clock()
        with self._uow() as uow:
            if isinstance(result, Sent):
                uow.outbox.mark_sent(item.id, now)
            elif isinstance(result, RetryLater):
                uow.outbox.retry_later(item.id, now + (result.after or backoff(item.attempts)), result.error,
                                       result.parts_sent)
            elif isinstance(result, Unreachable):
                uow.outbox.give_up(item.id, result.error)
                uow.outbox.give_up_conversation(item.conversation_id, result.error)
                uow.conversations.mark_unreachable(item.conversation_id, now)
            else:
                uow.outbox.give_up(item.id, result.error)
            uow.commit()
        if not isinstance(result, Sent):
            log.warning("outbox item %s not delivered: %s", item.id, type(result).__name__)
