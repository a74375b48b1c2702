"""Conversations already stored, generated in bulk for the scale benchmark: each with a filled,
encrypted sheet, two messages in its thread and two seen updates. Written straight into SQLite
(one ciphertext reused: only the rows' number matters here, and no one reads them back)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from dialogs.model import Conversation, Sheet
from storage.crypto import FieldCipher, load_keys

BATCH = 50_000
STAMP = datetime(2026, 1, 1, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def sheet() -> Sheet:
    """A sheet as a family member fills it in."""
    filled = Sheet(writer="family", topics=["hikikomori", "income"], main_topic="hikikomori",
                   details=["部屋から出てこない日が続いています。", "夜はゲームをしているようです。"])
    filled.person.municipality = "足立区"
    filled.person.age_band = "30s"
    filled.consent.share_with_agencies = True
    return filled


def _batches(total: int, start: int) -> Iterator[range]:
    for first in range(0, total, BATCH):
        yield range(start + first, start + min(total, first + BATCH))


def preload(data_dir: Path, count: int, start: int = 10_000_000) -> None:
    """Add `count` conversations (Telegram chats start, start+1, …) to the database in `data_dir`."""
    cipher = FieldCipher(load_keys(None, data_dir))
    blank = Conversation(channel="telegram", user_key="0", state="handed_off")
    sheet_enc = cipher.encrypt_json(sheet().to_dict())
    body_in = cipher.encrypt_json({"text": "よろしくお願いします"})
    body_out = cipher.encrypt_json({"text": "相談員に届けました。", "choices": []})
    context = json.dumps(blank.context())
    db = sqlite3.connect(data_dir / "tsunagu.sqlite3", isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        for chats in _batches(count, start):
            ids = [uuid.uuid4().hex for _ in chats]
            db.execute("BEGIN")
            db.executemany(
                "INSERT INTO conversations (id, channel, user_key, state, locale, context, sheet_enc, version,"
                " last_active_at, created_at, updated_at) VALUES (?, 'telegram', ?, 'handed_off', 'ja', ?, ?, 1,"
                " ?, ?, ?)",
                ((cid, str(chat), context, sheet_enc, STAMP, STAMP, STAMP)
                 for cid, chat in zip(ids, chats, strict=True)))
            db.executemany(
                "INSERT INTO messages (conversation_id, direction, author, body_enc, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                ((cid, direction, author, body, STAMP) for cid in ids
                 for direction, author, body in (("in", "person", body_in), ("out", "bot", body_out))))
            db.executemany(
                "INSERT INTO inbound_events (channel, event_id, received_at) VALUES ('telegram', ?, ?)",
                ((f"{chat}:{n}", STAMP) for chat in chats for n in (1, 2)))
            db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
