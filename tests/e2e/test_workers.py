"""`tsunagu serve --workers 2` on PostgreSQL, with kill -9 of the process that runs the singletons (Telegram polling,
retention, staff alerts) while people write on Telegram (polled) and on the web chat (spread over both workers).
Nothing is lost; a reply is sent twice only where its delivery was cut short (at least once, as documented).
Marked slow: CI runs it in its PostgreSQL run."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from storage.db import make_engine
from storage.locks import lock_id
from tests.conftest import POSTGRES_URL, database_url
from tests.e2e.server import Server, start
from tests.e2e.test_faults import SCRIPT, _key, check_all_delivered
from tests.e2e.test_telegram import telegram_env
from tests.standins.telegram_api import TelegramStandIn

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.postgres,
              pytest.mark.skipif(not POSTGRES_URL, reason="TSUNAGU_TEST_POSTGRES_URL is not set")]
POLLING = "telegram-background-0"
# pg_locks shows every database's locks, and an advisory key is a database's own: another database's Tsunagu (a
# second suite, a staging copy) holds the same keys without sharing anything with this one.
HOLDER = text("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
              "WHERE l.locktype = 'advisory' AND l.granted AND l.objid::text = :id "
              "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())")


@pytest.fixture
def standin() -> Iterator[TelegramStandIn]:
    server = TelegramStandIn(timeout_sleep=1.5).start()
    yield server
    server.stop()


def holders(url: str, name: str) -> list[int]:
    """The process ids holding a singleton's advisory lock (as their sessions name themselves)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = conn.execute(HOLDER, {"id": str(lock_id(name))}).scalars().all()
    finally:
        engine.dispose()
    return [int(n.rsplit("-", 1)[1]) for n in names]


def wait_for_holder(url: str, name: str, not_pid: int | None = None, timeout: float = 30) -> tuple[int, float]:
    """The one holder (another than `not_pid`), and how long it took to appear."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        found = holders(url, name)
        assert len(found) <= 1, f"{name} held by {found}: one holder at most"
        if found and found[0] != not_pid:
            return found[0], time.monotonic() - began
        time.sleep(0.1)
    raise AssertionError(f"nobody took {name} over within {timeout} s")


class WebWriters:
    """People on the web chat sending numbered texts to the shared port; a message that met a dead worker is sent
    again with the same event id (the page's own retry), so each must be stored exactly once."""

    def __init__(self, base: str, people: int, messages: int) -> None:
        self.base = base
        self.messages = messages
        self.clients = [httpx.Client(base_url=base, timeout=10) for _ in range(people)]
        self.retried = 0
        self._threads = [threading.Thread(target=self._write, args=(i,)) for i in range(people)]

    def _write(self, index: int) -> None:
        client = self.clients[index]
        for n in range(self.messages):
            body = {"text": f"様子 {index}-{n}", "event_id": uuid.uuid4().hex}
            while True:
                try:
                    if client.post("/chat/api/messages", json=body).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                self.retried += 1
                time.sleep(0.1)
            time.sleep(0.05)

    def start(self) -> WebWriters:
        for thread in self._threads:
            thread.start()
        return self

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=300)

    def stored_once(self) -> bool:
        for index, client in enumerate(self.clients):
            thread = client.get("/chat/api/messages?after=0").json()["messages"]
            mine = [m["text"] for m in thread if m["from"] == "person"]
            if sorted(mine) != sorted(f"様子 {index}-{n}" for n in range(self.messages)):
                return False
        return True


def push_all(standin: TelegramStandIn, chats: list[int], gap: float) -> threading.Thread:
    """Telegram people writing: their updates queue at the stand-in, for whichever worker polls."""

    def push() -> None:
        for text_ in SCRIPT:
            for chat in chats:
                standin.push(standin.message(chat, text_))
            time.sleep(gap)

    thread = threading.Thread(target=push)
    thread.start()
    return thread


def test_kill_9_of_the_singleton_holder_while_people_write(tmp_path: Path, standin: TelegramStandIn) -> None:
    url = database_url("postgres", tmp_path)
    env = {**telegram_env(standin, mode="polling"), "TSUNAGU_DATA_KEY": _key()}
    server: Server = start(tmp_path / "var", url, env, args=("--workers", "2"))
    chats = list(range(5500, 5530))
    try:
        holder, _ = wait_for_holder(url, POLLING)
        pushing = push_all(standin, chats, gap=0.4)
        web = WebWriters(server.url, people=10, messages=20).start()
        takeovers = []
        for _ in range(2):
            time.sleep(1.2)
            os.kill(holder, signal.SIGKILL)
            dead, (holder, took) = holder, wait_for_holder(url, POLLING, not_pid=holder)
            takeovers.append(took)
            for name in ("retention", "alerts"):  # each singleton has one holder, not always the same process
                wait_for_holder(url, name, not_pid=dead)
        pushing.join()
        web.join()
        standin.wait(lambda: standin.pending_updates() == 0, timeout=60, what="every update confirmed")
        lost, twice = check_all_delivered(server, standin, chats, len(SCRIPT))
        assert web.stored_once(), "every web chat message stored exactly once"
        print(f"\n--workers 2, kill -9 of the singleton holder x2: {len(chats) * len(SCRIPT)} polled updates, "
              f"{len(web.clients) * web.messages} web chat messages ({web.retried} retried), takeover "
              f"{', '.join(f'{t:.1f} s' for t in takeovers)}, replies lost {lost}, sent twice {twice}")
        assert lost == 0
        assert all(t < 10 for t in takeovers), "another takes over within seconds (about one on a quiet machine)"
        assert twice <= 2 * 64, "sent twice only where a delivery was cut short (at most the deliverer's in flight)"
    finally:
        server.stop()


def workers_of(pid: int) -> list[int]:
    """The worker processes `serve --workers N` started (the children of its process, but multiprocessing's
    resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid and b"resource_tracker" not in command:
                found.append(int(entry.name))
    return found


def accepted_by(port: int, pids: list[int]) -> dict[int, int]:
    """How many established connections to `port` each process holds (from /proc: the socket inodes in
    /proc/net/tcp whose local port is the server's, found among each process's open files)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
            inodes.add(f"socket:[{fields[9]}]")
    held = {}
    for pid in pids:
        links = []
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                links.append(os.readlink(fd))
            except OSError:
                continue
        held[pid] = sum(1 for link in links if link in inodes)
    return held


def test_long_lived_connections_are_spread_over_the_workers(tmp_path: Path) -> None:
    """Telegram and LINE keep their connections open, and open several at once: each worker must take its share
    of them, not the worker that woke first all of them."""
    server: Server = start(tmp_path / "var", database_url("postgres", tmp_path), {"TSUNAGU_DATA_KEY": _key()},
                           args=("--workers", "2"))
    port = int(server.url.rsplit(":", 1)[1])
    sockets: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers_of(server.process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # both workers listening
        sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(64)]  # a burst, as a platform opens
        for sock in sockets:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: tsunagu\r\n\r\n")
        for sock in sockets:
            assert sock.recv(64).startswith(b"HTTP/1.1 200")
        held = accepted_by(port, workers_of(server.process.pid))
        print(f"\nconnections held by each worker: {sorted(held.values())}")
        assert sum(held.values()) == len(sockets)
        assert min(held.values()) >= len(sockets) // 4, held
    finally:
        for sock in sockets:
            sock.close()
        server.stop()
