"""Key rotation: every encrypted column re-encrypted under the first key of TSUNAGU_DATA_KEY, in small
batches with a progress report, so the service keeps working meanwhile. Resumable: a row already under
the first key is skipped, and a row the service rewrote meanwhile is left as it is (it was written under
the first key)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Column, Engine, Table, func, select, update

from storage import tables as t
from storage.crypto import FieldCipher

BATCH = 500
ENCRYPTED: tuple[tuple[Table, str], ...] = (
    (t.conversations, "sheet_enc"), (t.messages, "body_enc"), (t.outbox, "payload_enc"), (t.handoffs, "sheet_enc"),
    (t.relays, "note_enc"), (t.relays, "decision_note_enc"), (t.case_notes, "body_enc"),
)


@dataclass(frozen=True)
class Progress:
    """Rows looked at and rewritten so far, of all encrypted rows."""

    table: str
    seen: int
    rotated: int
    total: int


def new_key() -> str:
    """A fresh Fernet key to put first in TSUNAGU_DATA_KEY."""
    return Fernet.generate_key().decode("ascii")


def rotate(engine: Engine, cipher: FieldCipher, first_key: str,
           report: Callable[[Progress], None] = lambda p: None) -> int:
    """Re-encrypt every field not yet under `first_key`; returns how many were rewritten."""
    current = Fernet(first_key.strip().encode())
    total = _count(engine)
    seen = rotated = 0
    for table, name in ENCRYPTED:
        column: Column[str] = table.c[name]
        key = table.primary_key.columns.values()[0]
        for batch in _batches(engine, table, column, key):
            updates = [(row_id, token, cipher.rotate(token)) for row_id, token in batch
                       if token is not None and not _under(current, token)]
            with engine.begin() as conn:
                for row_id, old, new in updates:
                    result = conn.execute(update(table).where(key == row_id, column == old).values({name: new}))
                    rotated += result.rowcount or 0
            seen += len(batch)
            report(Progress(f"{table.name}.{name}", seen, rotated, total))
    return rotated


def _under(fernet: Fernet, token: str) -> bool:
    try:
        fernet.decrypt(token.encode("ascii"))
        return True
    except InvalidToken:
        return False


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return sum(int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                   for table, _ in ENCRYPTED)


Rows = Iterator[list[tuple[object, str]]]


def _batches(engine: Engine, table: Table, column: Column[str], key: Column[object]) -> Rows:
    after: object = None
    while True:
        stmt = select(key, column).order_by(key).limit(BATCH)
        if after is not None:
            stmt = stmt.where(key > after)
        with engine.connect() as conn:
            rows = [(r[0], r[1]) for r in conn.execute(stmt)]
        if not rows:
            return
        yield rows
        after = rows[-1][0]
