"""Backup while people write, restore elsewhere: every message committed before the backup began, and every sheet,
comes back and decrypts with the key (which is not in the backup), on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from storage import tables as t
from storage.crypto import FieldCipher
from storage.db import make_engine
from tests.conftest import BACKENDS, database_url
from tests.e2e.intake import SECRET_DETAIL, walk_family_intake
from tests.e2e.server import TSUNAGU, start
from tests.e2e.webchat_person import Person

pytestmark = pytest.mark.e2e
PEOPLE = 4


class Chatter:
    """People who finished their intake and go on writing, each message a unique text with its time of commit."""

    def __init__(self, base: str, people: int) -> None:
        self.people = [Person(base) for _ in range(people)]
        self.committed: list[tuple[str, float, float]] = []  # text, sent at, answered at
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._write, args=(i,)) for i in range(people)]

    def intake(self) -> None:
        threads = [threading.Thread(target=walk_family_intake, args=(p,)) for p in self.people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _write(self, index: int) -> None:
        n = 0
        while not self._stop.is_set():
            text = f"その後の様子 {index}-{n}"
            sent = time.monotonic()
            answer = self.people[index].http.post("/chat/api/messages", json={"text": text})
            assert answer.status_code == 200, answer.text  # kept, even when the bot says nothing more
            with self._lock:
                self.committed.append((text, sent, time.monotonic()))
            n += 1

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


def tsunagu(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TSUNAGU, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def empty_target(backend: str, source_url: str, tmp_path: Path) -> str:
    """An empty database beside the source: a new SQLite file, or a new PostgreSQL database on the same server."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'elsewhere' / 'tsunagu.sqlite3'}"
    url = make_url(source_url)
    name = f"{url.database}_restored"
    admin = make_engine(source_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def decrypted(url: str, key: str) -> tuple[list[str], list[dict[str, object]]]:
    """Every stored message body, and every handoff's sheet, decrypted with the key."""
    cipher = FieldCipher([key])
    engine = make_engine(url)
    with engine.connect() as conn:
        bodies = [cipher.decrypt(token) for token in conn.execute(select(t.messages.c.body_enc)).scalars()]
        sheets = [cipher.decrypt_json(token) for token in conn.execute(select(t.handoffs.c.sheet_enc)).scalars()]
        for token in conn.execute(select(t.conversations.c.sheet_enc)).scalars():
            if token is not None:
                cipher.decrypt_json(token)
    engine.dispose()
    return bodies, sheets


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_backup_taken_while_people_write_restores_elsewhere_with_the_key(backend: str, tmp_path: Path) -> None:
    source = database_url(backend, tmp_path)
    server = start(tmp_path / "var", None if backend == "sqlite" else source)
    chatter = Chatter(server.url, PEOPLE)
    file = tmp_path / "tsunagu.backup"
    try:
        chatter.intake()
        cases = json.loads(server.cli("queue", "--json").stdout)
        chatter.start()
        time.sleep(1.0)
        began = time.monotonic()
        made = server.cli("backup", str(file))
        ended = time.monotonic()
        time.sleep(0.5)
    finally:
        chatter.stop()
        server.stop()
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["engine"] == ("sqlite" if backend == "sqlite" else "postgresql")
    assert "data key is not in the backup" in made.stderr
    key = (tmp_path / "var" / "data.key").read_text().strip()
    assert key.encode() not in file.read_bytes(), "the key never goes into the backup"
    before = [text for text, _, answered in chatter.committed if answered < began]
    overlapping = [text for text, sent, answered in chatter.committed if sent < ended and answered > began]
    assert len(cases) == PEOPLE and before and overlapping, "people were writing while the backup ran"

    target = empty_target(backend, source, tmp_path)
    env = {k: v for k, v in server.env.items() if k not in ("TSUNAGU_DATA_KEY", "TSUNAGU_DATABASE_URL")}
    env.update(TSUNAGU_DATA_DIR=str(tmp_path / "elsewhere"), TSUNAGU_DATABASE_URL=target)
    keyless = tsunagu(env, "restore", str(file))
    assert keyless.returncode == 2 and "TSUNAGU_DATA_KEY" in keyless.stderr, "no key: told where it must come from"
    assert not (tmp_path / "elsewhere" / "data.key").exists(), "and no new key was made up"
    env["TSUNAGU_DATA_KEY"] = key
    restored = tsunagu(env, "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    assert "TSUNAGU_DATA_KEY" in restored.stderr
    again = tsunagu(env, "restore", str(file))
    assert again.returncode == 2 and "not empty" in again.stderr, "only into an empty target"

    bodies, sheets = decrypted(target, key)
    missing = [text for text in before if not any(text in body for body in bodies)]
    assert not missing, f"{len(missing)} of {len(before)} committed messages are not in the backup"
    assert len(sheets) == PEOPLE and all(SECRET_DETAIL in json.dumps(s, ensure_ascii=False) for s in sheets)
    thread = tsunagu(env, "thread", cases[0]["id"])
    assert thread.returncode == 0 and SECRET_DETAIL in thread.stdout, "the restored service reads it with the key"
    print(f"\n{backend}: {len(before)} messages committed before the backup, {len(overlapping)} during it, "
          f"{len(chatter.committed)} in all; backup {ended - began:.2f} s, {file.stat().st_size} bytes")
