"""Shared fixtures: the databases every storage test runs on (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine

from storage.crypto import FieldCipher
from storage.db import make_engine
from storage.migrate import upgrade
from tests import timeshift
from tests.clock import ORDINARY, TestClock

SHIFTED = pytest.StashKey[datetime]()
POSTGRES_URL = os.environ.get("TSUNAGU_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def reset_postgres(url: str) -> None:
    """An empty public schema."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()


def database_url(backend: str, tmp_path: Path) -> str:
    """A fresh database of the backend, or skip when PostgreSQL is not configured."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    if not POSTGRES_URL:
        pytest.skip("TSUNAGU_TEST_POSTGRES_URL is not set")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, empty database on each backend."""
    return database_url(request.param, tmp_path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def cipher() -> FieldCipher:
    """A cipher with a fresh key."""
    return FieldCipher([Fernet.generate_key().decode()])


@pytest.fixture
def clock() -> TestClock:
    """A ticking clock set to an ordinary Wednesday morning in Tokyo; tests move or freeze it."""
    return TestClock(ORDINARY)


def pytest_configure(config: pytest.Config) -> None:
    """Under TSUNAGU_TEST_TIME, the whole session runs with the machine's clock sent elsewhere."""
    there = timeshift.start_from_env()
    if there is not None:
        config.stash[SHIFTED] = there


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say where the clock was sent, so a shifted run is plain in the log."""
    there = config.stash.get(SHIFTED, None)
    return f"clock shifted by {timeshift.ENV} to {there.isoformat()}" if there else None
