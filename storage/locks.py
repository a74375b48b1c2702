"""Who runs a singleton (Telegram polling, retention, the staff alerts): on PostgreSQL, the process holding a
session advisory lock named after it; on SQLite, the one process there is.

The locks live on one dedicated connection, tried and checked every `interval` seconds by a thread. When the
holder dies (kill -9, a lost host), PostgreSQL ends its session and frees the locks; another process takes each
at its next try, within `interval` seconds (a lost host: once TCP keepalives give up on it, about 15 s)."""

from __future__ import annotations

import logging
import os
import threading
import zlib
from collections.abc import Iterable
from typing import Protocol

import psycopg
from psycopg.conninfo import make_conninfo

log = logging.getLogger(__name__)
NAMESPACE = "tsunagu:"
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3,
             "connect_timeout": 5}


class Leadership(Protocol):
    """Whether this process runs a singleton now."""

    def holds(self, name: str) -> bool: ...

    def stop(self) -> None: ...


def lock_id(name: str) -> int:
    """The advisory lock's bigint for a singleton's name (stable across processes and versions)."""
    return zlib.crc32((NAMESPACE + name).encode("utf-8"))


def application_name() -> str:
    """How the lock's session names itself in pg_stat_activity: the process id, so operators (and the fault test)
    see which process holds what."""
    return f"tsunagu-singletons-{os.getpid()}"


class Alone:
    """SQLite: one serving process (`--workers` above 1 is refused), so it runs every singleton."""

    def holds(self, name: str) -> bool:
        return True

    def stop(self) -> None:
        return None


class AdvisoryLocks:
    """PostgreSQL session advisory locks on a connection of their own, kept by a thread."""

    def __init__(self, libpq_url: str, names: Iterable[str], interval: float = 1.0) -> None:
        self._url = libpq_url
        self._names = tuple(dict.fromkeys(names))
        self._interval = interval
        self._held: frozenset[str] = frozenset()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="singletons", daemon=True)
        self._thread.start()

    def holds(self, name: str) -> bool:
        """Whether this process held the lock at the last check (at most `interval` ago)."""
        return name in self._held

    def stop(self) -> None:
        """Let the locks go (closing the session frees them) and end the thread."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conninfo = make_conninfo(self._url, application_name=application_name(), **KEEPALIVE)
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    self._keep(conn)
            except psycopg.Error as exc:
                if self._held:
                    log.warning("singletons lost with their database session: %s", type(exc).__name__)
                self._held = frozenset()
            self._stop.wait(self._interval)
        self._held = frozenset()

    def _keep(self, conn: psycopg.Connection[tuple[object, ...]]) -> None:
        """Try for the locks not held, and check the session, until stopped or the session fails."""
        while not self._stop.is_set():
            held = set(self._held)
            for name in self._names:
                if name not in held:
                    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_id(name),)).fetchone()
                    if row and row[0]:
                        held.add(name)
                        log.info("this process now runs %s", name)
            conn.execute("SELECT 1")  # the session is alive: what it holds is still ours
            self._held = frozenset(held)
            self._stop.wait(self._interval)
        self._held = frozenset()
