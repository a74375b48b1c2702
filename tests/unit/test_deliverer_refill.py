"""The deliverer under a backlog: it looks for more due replies once a share of its places is free, not after each
send (each look is a query; two workers' deliverers looking after every send cost the database more than the
intake did). Runs the real Deliverer against a fake unit of work and a sender that holds each send until told."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from bot.outbox import REFILL, Deliverer, Result, Sent
from bot.pacing import Pacer
from storage.records import OutboxItem

NOW = datetime(2026, 4, 1, 9, 0)  # the clock the deliverer is given; nothing here reads the real one


class Backlog:
    """The outbox: more due items than the deliverer has places, one per conversation; records each look."""

    def __init__(self, size: int) -> None:
        self.waiting = [OutboxItem(n, f"c{n}", "fake", f"u{n}", {"replies": [{"text": "…"}]}, 0)
                        for n in range(size)]
        self.looks: list[int] = []

    def take_due(self, now: datetime, lease: timedelta, limit: int = 50,
                 skip: Collection[str] = ()) -> list[OutboxItem]:
        self.looks.append(limit)
        return [item for item in self.waiting if item.conversation_id not in skip][:limit]

    def mark_sent(self, item_id: int, at: datetime) -> None:
        self.waiting = [item for item in self.waiting if item.id != item_id]


class FakeUnitOfWork:
    def __init__(self, outbox: Backlog) -> None:
        self.outbox = outbox

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def commit(self) -> None:
        return None


class HeldSender:
    """Each send waits until `release` lets one more through."""

    pacer: Pacer | None = None

    def __init__(self) -> None:
        self.release = asyncio.Semaphore(0)
        self.sent = 0

    async def send(self, item: OutboxItem) -> Result:
        await self.release.acquire()
        self.sent += 1
        return Sent()

    async def close(self) -> None:
        return None


async def settle() -> None:
    """Let the deliverer's loop and its threads catch up."""
    for _ in range(50):
        await asyncio.sleep(0.01)


def test_a_busy_deliverer_refills_its_places_in_batches() -> None:
    places = 16
    batch = places // REFILL
    backlog = Backlog(100)

    async def scenario() -> tuple[list[int], int]:
        sender = HeldSender()
        uow: Any = lambda: FakeUnitOfWork(backlog)  # noqa: E731
        deliverer = Deliverer(uow, {"fake": sender}, clock=lambda: NOW, idle_seconds=30, concurrency=places)
        running = asyncio.create_task(deliverer.run())
        await settle()
        assert backlog.looks == [places], "the first look fills every place"
        for _ in range(batch - 1):
            sender.release.release()
        await settle()
        assert backlog.looks == [places], "fewer places free than a batch: no look yet"
        sender.release.release()
        await settle()
        looks = list(backlog.looks)
        deliverer.stop()
        for _ in range(places):
            sender.release.release()
        await asyncio.wait_for(running, 5)
        return looks, sender.sent

    looks, sent = asyncio.run(scenario())
    assert looks == [places, batch], "a batch of places free: one look, for that many"
    assert sent >= batch


def test_an_idle_deliverer_looks_at_once() -> None:
    backlog = Backlog(1)

    async def scenario() -> int:
        sender = HeldSender()
        uow: Any = lambda: FakeUnitOfWork(backlog)  # noqa: E731
        deliverer = Deliverer(uow, {"fake": sender}, clock=lambda: NOW, idle_seconds=30, concurrency=16)
        running = asyncio.create_task(deliverer.run())
        await settle()
        sender.release.release()
        await settle()
        backlog.waiting.append(OutboxItem(7, "c7", "fake", "u7", {"replies": [{"text": "…"}]}, 0))
        deliverer.wake()
        await settle()
        sender.release.release()
        await settle()
        deliverer.stop()
        await asyncio.wait_for(running, 5)
        return sender.sent

    assert asyncio.run(scenario()) == 2, "with nothing in flight a wake-up looks at once, however few places"
