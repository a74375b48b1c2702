"""Several processes on one database: an outbox item is taken by one of them however many try at once, and each
singleton (retention, staff alerts, Telegram polling) has exactly one holder, taken over within seconds when the
holder's session ends. On SQLite the one process runs them all."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from storage.crypto import FieldCipher
from storage.db import libpq_url
from storage.locks import AdvisoryLocks, Alone
from storage.uow import SqlUnitOfWork
from tests.conftest import POSTGRES_URL

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NAMES = ["retention", "alerts", "telegram-background-0"]


def wait_for(condition: object, seconds: float = 10.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if callable(condition) and condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError("not within the time")


def test_four_deliverers_taking_at_once_take_each_reply_once(engine: Engine, cipher: FieldCipher) -> None:
    with SqlUnitOfWork(engine, cipher) as uow:
        for n in range(40):
            conv = uow.conversations.lock("webchat", f"u{n}", NOW)
            assert conv.id
            uow.outbox.add(conv.id, "webchat", f"u{n}", {"text": str(n)}, NOW)
        uow.commit()
    lease = timedelta(seconds=60)
    taken: list[int] = []
    go = threading.Barrier(4)

    def take() -> None:
        go.wait()
        for _ in range(5):
            with SqlUnitOfWork(engine, cipher) as uow:
                items = uow.outbox.take_due(NOW, lease, limit=3)
                uow.commit()
            taken.extend(item.id for item in items)

    takers = [threading.Thread(target=take) for _ in range(4)]
    for thread in takers:
        thread.start()
    for thread in takers:
        thread.join()
    assert len(taken) == len(set(taken)) == 40, "every reply taken, none twice"


def test_on_sqlite_the_one_process_runs_every_singleton() -> None:
    assert all(Alone().holds(name) for name in NAMES)


@pytest.mark.postgres
def test_each_singleton_has_one_holder_and_another_takes_over_within_seconds() -> None:
    if not POSTGRES_URL:
        pytest.skip("TSUNAGU_TEST_POSTGRES_URL is not set")
    url = libpq_url(POSTGRES_URL)
    first = AdvisoryLocks(url, NAMES, interval=0.2)
    wait_for(lambda: all(first.holds(n) for n in NAMES))
    second = AdvisoryLocks(url, NAMES, interval=0.2)
    try:
        time.sleep(1.0)
        assert not any(second.holds(n) for n in NAMES), "one holder each"
        first.stop()  # its session ends, as it does when the process is killed
        took = wait_for(lambda: all(second.holds(n) for n in NAMES))
        assert took < 3.0
    finally:
        first.stop()
        second.stop()
