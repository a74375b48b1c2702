"""What every repository shares: the transaction's connection, the cipher, ids and the insert-or-ignore
statement of each dialect."""

from __future__ import annotations

import secrets
import time
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from storage.crypto import FieldCipher


def new_id() -> str:
    """An opaque, unguessable id (80 random bits) that sorts by creation time, as UUIDv7 does: a new row
    goes at the end of its index instead of a random page of it, which keeps inserts cheap in a large store."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


def insert_ignore(table: Table, index: list[str]) -> dict[str, Any]:
    """INSERT ... ON CONFLICT DO NOTHING, by dialect name."""
    return {name: dialect.insert(table).on_conflict_do_nothing(index_elements=index)
            for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))}


class Repository:
    """Shared plumbing: the transaction's connection and the cipher."""

    def __init__(self, conn: Connection, cipher: FieldCipher) -> None:
        self.conn = conn
        self.cipher = cipher
