"""Backups of the database while the service runs, and their restore into an empty target.

SQLite: the online backup API copies a consistent snapshot page by page (writers go on). PostgreSQL: `pg_dump`
in its custom format (one snapshot), restored by `pg_restore`. The data key is never written: it stays in
TSUNAGU_DATA_KEY or the data directory's data.key, and a restore needs it from there."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, select
from sqlalchemy.engine import make_url

from storage.crypto import FieldCipher, KeyError_
from storage.db import is_sqlite, libpq_url, make_engine, normalize_url
from storage.rotation import ENCRYPTED

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is one sentence for the operator."""


@dataclass(frozen=True)
class Done:
    """What was written or restored."""

    file: Path
    engine: str
    bytes: int

    def to_dict(self) -> dict[str, object]:
        """For the command's JSON line."""
        return {"file": str(self.file), "engine": self.engine, "bytes": self.bytes}


def backup(url: str, target: Path) -> Done:
    """Write a backup of the database at `url` to `target` (a new file), while the service may be writing."""
    if target.exists():
        raise BackupError(f"{target} exists already; give a new file name.")
    if not target.parent.is_dir():
        raise BackupError(f"The directory {target.parent} does not exist.")
    partial = target.with_name(f".{target.name}.partial")
    try:
        if is_sqlite(url):
            _sqlite_backup(url, partial)
        else:
            _pg_dump(url, partial)
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return Done(target, "sqlite" if is_sqlite(url) else "postgresql", target.stat().st_size)


def _sqlite_backup(url: str, target: Path) -> None:
    source_path = make_url(normalize_url(url)).database
    if not source_path or source_path == ":memory:" or not Path(source_path).is_file():
        raise BackupError("There is no SQLite database to back up at TSUNAGU_DATABASE_URL.")
    _sqlite_copy(f"file:{source_path}?mode=ro", target, self_contained=True)


def _sqlite_copy(source_uri: str, target: Path, self_contained: bool) -> None:
    """Copy a SQLite database with its online backup API, in one step: a consistent snapshot however the service
    writes meanwhile; `self_contained` leaves one file (the copy keeps the source's WAL mode otherwise)."""
    source = sqlite3.connect(source_uri, uri=True, timeout=10)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
        if self_contained:
            dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        dest.close()
        source.close()
    os.chmod(target, 0o600)


def _pg_dump(url: str, target: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed; install the PostgreSQL client tools of the server's version.")
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), libpq_url(url)],
         "pg_dump")
    os.chmod(target, 0o600)


def restore(source: Path, url: str, cipher: FieldCipher) -> Done:
    """Restore `source` into the empty database at `url`, then check the configured key reads what came back."""
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    with source.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    sqlite_target = is_sqlite(url)
    if head.startswith(PG_MAGIC) and sqlite_target:
        raise BackupError("This is a PostgreSQL backup; set TSUNAGU_DATABASE_URL to an empty PostgreSQL database.")
    if head == SQLITE_MAGIC and not sqlite_target:
        raise BackupError("This is an SQLite backup; restore it with TSUNAGU_DATABASE_URL unset or sqlite:///….")
    if head != SQLITE_MAGIC and not head.startswith(PG_MAGIC):
        raise BackupError(f"{source} is not a backup made by `tsunagu backup`.")
    if sqlite_target:
        _sqlite_restore(source, url)
    else:
        _pg_restore(source, url)
    check_key(url, cipher)
    return Done(source, "sqlite" if sqlite_target else "postgresql", source.stat().st_size)


def _empty(url: str) -> bool:
    engine = make_engine(url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _sqlite_restore(source: Path, url: str) -> None:
    target = Path(make_url(normalize_url(url)).database or "")
    if target.exists() and target.stat().st_size and not _empty(url):
        raise BackupError(f"The database {target} is not empty; restore into an empty data directory.")
    target.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(f"file:{source}?mode=ro&immutable=1", target, self_contained=False)


def _pg_restore(source: Path, url: str) -> None:
    if shutil.which("pg_restore") is None:
        raise BackupError("pg_restore is not installed; install the PostgreSQL client tools of the server's version.")
    if not _empty(url):
        raise BackupError("The database at TSUNAGU_DATABASE_URL is not empty; restore into a new, empty database.")
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--dbname", libpq_url(url), str(source)], "pg_restore")


def _run(command: list[str], name: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = lines[-1].removeprefix(f"{name}: ") if lines else f"exit {done.returncode}"
        raise BackupError(f"{name} failed: {reason}")


def check_key(url: str, cipher: FieldCipher) -> None:
    """Decrypt the first stored value of every encrypted column; a key that cannot is said at once."""
    engine: Engine = make_engine(url)
    try:
        with engine.connect() as conn:
            for table, name in ENCRYPTED:
                column = table.c[name]
                token = conn.execute(select(column).where(column.is_not(None)).limit(1)).scalar()
                if token is not None:
                    cipher.decrypt(token)
    except KeyError_ as exc:
        raise BackupError("Restored, but the configured key does not decrypt it: set TSUNAGU_DATA_KEY "
                          "to the key(s) in use when the backup was made.") from exc
    finally:
        engine.dispose()
