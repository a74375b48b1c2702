"""What runs in one process of the whole deployment: retention, the staff alerts, and each channel's background
task (Telegram polling). On PostgreSQL an advisory lock per singleton chooses the process (storage/locks.py);
another takes over within seconds when it dies. Replies are not a singleton: every process delivers, and row
locks make each outbox item one process's at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from storage.db import is_sqlite, libpq_url
from storage.locks import AdvisoryLocks, Alone, Leadership

log = logging.getLogger(__name__)
RETENTION = "retention"
ALERTS = "alerts"
CHECK_SECONDS = 0.5  # how often a background task's process asks whether it still runs it


def background_name(channel: str, index: int) -> str:
    """The singleton's name of a channel's background task."""
    return f"{channel}-background-{index}"


def leadership(database_url: str, names: list[str], interval: float = 1.0) -> Leadership:
    """Who runs what: this process alone on SQLite, else whoever holds each advisory lock."""
    if is_sqlite(database_url):
        return Alone()
    return AdvisoryLocks(libpq_url(database_url), names, interval)


async def while_held(lead: Leadership, name: str, task: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `task` while this process holds `name`: wait for it, start the task, cancel it when the lock is lost,
    and wait again (a task that ends by itself is started again the same way)."""
    while True:
        while not lead.holds(name):
            await asyncio.sleep(CHECK_SECONDS)
        running = asyncio.create_task(task(), name=name)
        while lead.holds(name) and not running.done():
            await asyncio.wait({running}, timeout=CHECK_SECONDS)
        if not running.done():
            log.warning("%s stops here: this process no longer holds it", name)
            running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            try:
                await running
            except Exception:  # a background task that fails is started again; logged without content
                log.exception("%s failed", name)
        await asyncio.sleep(CHECK_SECONDS)
