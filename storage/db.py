"""Engines: SQLite in WAL mode with BEGIN IMMEDIATE (the default), or PostgreSQL through psycopg."""

from __future__ import annotations

import contextlib
import threading
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_MS = 10_000
REQUEST_THREADS = 16  # threads a serving process runs requests' database work in (anyio's default is 40)
# PostgreSQL connections a process keeps open: one per request thread and 8 for its deliverer and background
# threads, so that none is opened and closed per request (a new connection costs PostgreSQL a process); two
# workers stay well under PostgreSQL's default of 100 connections
POOL_SIZE = REQUEST_THREADS + 8
POOL_OVERFLOW = 8  # more, opened for a burst and closed after it
READ_ONLY = "tsunagu_read_only"  # execution option: a SQLite transaction that only reads begins deferred
_gates: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()


def normalize_url(url: str) -> str:
    """Pick the driver: postgresql:// and postgres:// use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_sqlite(url: str) -> bool:
    """Whether the URL names an SQLite database."""
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def libpq_url(url: str) -> str:
    """The URL as libpq reads it (pg_dump, pg_restore, a psycopg connection of our own): no SQLAlchemy driver."""
    return make_url(normalize_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def default_url(data_dir: Path) -> str:
    """The embedded database in the data directory."""
    return f"sqlite:///{(data_dir / 'tsunagu.sqlite3').resolve()}"


def make_engine(url: str) -> Engine:
    """An engine whose transactions lock as the service needs. On SQLite the driver's own transaction handling
    is off and every writing transaction begins IMMEDIATE: pysqlite does not BEGIN before a SELECT, so a read then
    an update in one unit of work would race with another writer."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA temp_store=MEMORY")  # GROUP BY sorts (statistics) stay off the disk
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

    _gates[engine] = threading.RLock()
    return engine


def writer_gate(engine: Engine) -> contextlib.AbstractContextManager[Any]:
    """Held around each writing transaction of this process.

    SQLite has one writer; threads that queue here take turns at once, where SQLite's busy handler
    would have them sleep and retry (up to 100 ms a try), which cost throughput and made the slowest
    answers seconds long. Other processes (the CLI) still meet the busy timeout. PostgreSQL needs no
    gate: row locks order the writers that touch the same conversation."""
    return _gates.get(engine) or contextlib.nullcontext()
