"""Several processes on one database: an outbox item is claimed by one of them however many try at once, and each
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


def test_two_processes_claiming_one_outbox_item_at_once_claim_it_once(engine: Engine, cipher: FieldCipher) -> None:
    with SqlUnitOfWork(engine, cipher) as uow:
        conv = uow.conversations.lock("webchat", "u", NOW)
        assert conv.id
        item = uow.outbox.add(conv.id, "webchat", "u", {"text": "1"}, NOW)
        uow.commit()
    lease = timedelta(seconds=60)
    claims: list[bool] = []
    go = threading.Barrier(4)

    def claim() -> None:
        go.wait()
        with SqlUnitOfWork(engine, cipher) as uow:
            claims.append(uow.outbox.claim(item, NOW, lease))
            uow.commit()

    claimers = [threading.Thread(target=claim) for _ in range(4)]
    for thread in claimers:
        thread.start()
    for thread in claimers:
        thread.join()
    assert sorted(claims) == [False, False, False, True]


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
