"""Faults against the real `tsunagu serve` process and the stand-in Bot API (long runs, marked slow; CI
runs them): kill -9 at random moments under many conversations; the Bot API and the LINE Messaging API
down for a minute; the database briefly unreachable; two `serve` processes on one PostgreSQL. Each prints
its figures."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.conftest import BACKENDS, POSTGRES_URL, database_url
from tests.e2e.line_person import LinePerson
from tests.e2e.server import Server, free_port, start
from tests.e2e.telegram_person import SECRET
from tests.e2e.test_line import line_env
from tests.e2e.test_line import stored as line_stored
from tests.e2e.test_telegram import is_subsequence, sent_texts, stored_replies, telegram_env
from tests.standins.line_api import LineStandIn
from tests.standins.tcp_proxy import TcpProxy
from tests.standins.telegram_api import TelegramStandIn

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
OUTAGE = float(os.environ.get("TSUNAGU_TEST_OUTAGE_SECONDS", "60"))
SCRIPT = ["/start", "1", "1", "1", "15 2", "選び終えた", "1", "様子a", "様子b", "書き終えた"]


@pytest.fixture
def standin() -> Iterator[TelegramStandIn]:
    server = TelegramStandIn(timeout_sleep=1.5).start()
    yield server
    server.stop()


class Senders:
    """Many people writing at once, as Telegram delivers: each update sent again until it gets a 200."""

    def __init__(self, standin: TelegramStandIn, chats: list[int], ports: list[int], script: list[str] = SCRIPT,
                 gap: float = 0.05) -> None:
        self.updates = {chat: [standin.message(chat, text) for text in script] for chat in chats}
        self.ports = ports
        self.gap = gap
        self.refused = 0
        self.answers: dict[int, int] = {}
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._person, args=(chat,)) for chat in chats]

    def _person(self, chat: int) -> None:
        http = httpx.Client(timeout=5)
        rng = random.Random(chat)
        for update in self.updates[chat]:
            while True:
                port = rng.choice(self.ports)
                try:
                    response = http.post(f"http://127.0.0.1:{port}/webhooks/telegram", json=update,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                    with self._lock:
                        self.answers[response.status_code] = self.answers.get(response.status_code, 0) + 1
                    if response.status_code == 200:
                        break
                except httpx.HTTPError:
                    with self._lock:
                        self.refused += 1
                time.sleep(0.05)
            time.sleep(self.gap)

    def start(self) -> Senders:
        for thread in self._threads:
            thread.start()
        return self

    def join(self, timeout: float = 300) -> None:
        for thread in self._threads:
            thread.join(timeout=timeout)

    @property
    def total(self) -> int:
        return sum(len(u) for u in self.updates.values())


def check_all_delivered(server: Server, standin: TelegramStandIn, chats: list[int], expected_inbound: int,
                        timeout: float = 90) -> tuple[int, int]:
    """Every acknowledged update handled once, every reply sent in order; returns (lost, sent twice)."""
    standin.wait(lambda: stored_replies(server, chats[0])[2] == 0, timeout=timeout, what="the outbox drained")
    lost = twice = 0
    for chat in chats:
        expected, inbound, _ = stored_replies(server, chat)
        sent = sent_texts(standin, chat)
        assert inbound == expected_inbound, f"chat {chat}: {inbound} updates handled, not {expected_inbound}"
        assert is_subsequence(expected, sent), f"chat {chat}: a reply is missing or out of order"
        lost += sum(1 for text in expected if text not in sent)
        twice += len(sent) - len(expected)
    return lost, twice


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_9_at_random_moments_under_many_conversations(backend: str, tmp_path: Path,
                                                           standin: TelegramStandIn) -> None:
    url = database_url(backend, tmp_path)
    db = None if backend == "sqlite" else url
    server = start(tmp_path / "var", db, telegram_env(standin))
    port = int(server.url.rsplit(":", 1)[1])
    chats = list(range(5000, 5040))
    senders = Senders(standin, chats, [port]).start()
    rng = random.Random(7)
    kills = 0
    for _ in range(4):
        time.sleep(rng.uniform(0.3, 2.0))
        server.kill()
        kills += 1
        server = start(tmp_path / "var", db, telegram_env(standin), port=port)
    senders.join()
    try:
        lost, twice = check_all_delivered(server, standin, chats, len(SCRIPT))
        print(f"\n[{backend}] kill -9 x{kills} at random moments: {senders.total} updates from {len(chats)} chats, "
              f"{senders.refused} refused while down, replies lost {lost}, sent twice {twice}")
        assert lost == 0
    finally:
        server.stop()


def test_the_bot_api_down_for_a_minute_then_back(tmp_path: Path, standin: TelegramStandIn) -> None:
    server = start(tmp_path / "var", None, telegram_env(standin))
    port = int(server.url.rsplit(":", 1)[1])
    chats = list(range(5100, 5110))
    try:
        standin.down_for(OUTAGE)
        began = time.monotonic()
        Senders(standin, chats, [port], gap=OUTAGE / 2 / len(SCRIPT)).start().join()
        lost, twice = check_all_delivered(server, standin, chats, len(SCRIPT), timeout=OUTAGE + 90)
        took = time.monotonic() - began
        print(f"\nBot API down {OUTAGE:.0f} s: {len(chats) * len(SCRIPT)} updates, "
              f"{standin.state.refused_while_down} calls refused, all replies out {took - OUTAGE:.0f} s after it came "
              f"back, lost {lost}, sent twice {twice}")
        assert lost == 0 and took - OUTAGE < 45
    finally:
        server.stop()


def test_the_line_api_down_for_a_minute_then_back(tmp_path: Path) -> None:
    line = LineStandIn().start()
    server = start(tmp_path / "var", None, line_env(line))
    users = [f"U7{i:031d}" for i in range(8)]
    try:
        line.down_for(OUTAGE)
        began = time.monotonic()
        people = [LinePerson(line, server.url, user) for user in users]
        for person in people:
            person.open()
        for text in ("1", "1", "1", "15 2", "選び終えた"):
            for person in people:
                person.say(text)
            time.sleep(OUTAGE / 2 / 5)
        line.wait(lambda: line_stored(server, users[0])[2] == 0, timeout=OUTAGE + 90, what="the outbox drained")
        took = time.monotonic() - began
        lost = twice = 0
        for user in users:
            expected, inbound, _ = line_stored(server, user)
            shown = [s.text for s in line.shown(user)]
            assert inbound == 6 and is_subsequence(expected, shown), f"{user}: a reply is missing or out of order"
            lost += sum(1 for text in expected if text not in shown)
            twice += len(shown) - len(expected)
        print(f"\nLINE API down {OUTAGE:.0f} s: {len(users) * 6} events, {line.state.refused_while_down} calls "
              f"refused, all replies shown {took - OUTAGE:.0f} s after it came back, lost {lost}, shown twice {twice}")
        assert lost == 0 and took - OUTAGE < 45
    finally:
        server.stop()
        line.stop()


@pytest.mark.skipif(not POSTGRES_URL, reason="TSUNAGU_TEST_POSTGRES_URL is not set")
def test_the_database_briefly_unreachable(tmp_path: Path, standin: TelegramStandIn) -> None:
    url = database_url("postgres", tmp_path)
    parts = urlsplit(url)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    via_proxy = urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}"))
    server = start(tmp_path / "var", via_proxy, telegram_env(standin))
    http = httpx.Client(timeout=10)
    hook = f"{server.url}/webhooks/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    try:
        assert http.post(hook, json=standin.message(5200, "/start"), headers=headers).status_code == 200
        proxy.cut()
        away = http.post(hook, json=standin.message(5200, "1"), headers=headers)
        assert away.status_code == 503, "Telegram will send it again"
        assert http.get(f"{server.url}/healthz").status_code == 503
        proxy.restore()
        deadline = time.monotonic() + 20
        while http.post(hook, json=standin.message(5201, "/start"), headers=headers).status_code != 200:
            assert time.monotonic() < deadline, "the service did not recover by itself"
            time.sleep(0.2)
        assert http.get(f"{server.url}/healthz").status_code == 200
        again = standin.message(5200, "1")
        assert http.post(hook, json=again, headers=headers).status_code == 200, "the resent update is taken"
        standin.wait(lambda: len(sent_texts(standin, 5201)) >= 1, timeout=30, what="replies after recovery")
    finally:
        server.stop()
        proxy.close()


@pytest.mark.skipif(not POSTGRES_URL, reason="TSUNAGU_TEST_POSTGRES_URL is not set")
def test_two_serve_processes_on_one_postgres(tmp_path: Path, standin: TelegramStandIn) -> None:
    url = database_url("postgres", tmp_path)
    env = {**telegram_env(standin), "TSUNAGU_DATA_KEY": _key()}
    first = start(tmp_path / "a", url, env)
    second = start(tmp_path / "b", url, env, port=free_port())
    ports = [int(s.url.rsplit(":", 1)[1]) for s in (first, second)]
    chats = list(range(5300, 5320))
    script = [*SCRIPT, "もう消えたい"]  # a danger signal makes each a case at once, for the claims below
    try:
        senders = Senders(standin, chats, ports, script, gap=0.0).start()
        senders.join()
        lost, twice = check_all_delivered(first, standin, chats, len(script))
        for chat in chats:
            expected, _, _ = stored_replies(first, chat)
            assert sent_texts(standin, chat)[: len(expected)] == expected, "each conversation in order"
        print(f"\ntwo serve processes: {senders.total} updates spread over both, lost {lost}, sent twice {twice}")
        assert lost == 0 and twice == 0
        claims = _claim_everything_twice(first, second)
        assert claims == {"won": 20, "lost": 20}, claims
    finally:
        first.stop()
        second.stop()


def _key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _claim_everything_twice(first: Server, second: Server) -> dict[str, int]:
    """Two counselors, one on each process, press 担当する on every case at the same moment."""
    import json
    import re

    for email in ("a@x.example", "b@x.example"):
        added = first.cli("counselor", "add", email, "--agency", "既定の相談窓口", stdin="a long password!\n")
        assert added.returncode == 0, added.stderr
    cases = [row["id"] for row in json.loads(first.cli("queue", "--json").stdout)]
    sessions = []
    for server, email in ((first, "a@x.example"), (second, "b@x.example")):
        http = httpx.Client(base_url=server.url, timeout=10)
        page = http.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        http.post("/console/login", data={"csrf": token, "email": email, "password": "a long password!"})
        csrf = re.search(r'name="csrf" value="([^"]+)"', http.get("/console").text).group(1)  # type: ignore[union-attr]
        sessions.append((http, csrf))
    tally = {"won": 0, "lost": 0}
    lock = threading.Lock()

    def press(http: httpx.Client, csrf: str, case: str, go: threading.Barrier) -> None:
        go.wait()
        answer = http.post(f"/console/handoffs/{case}/claim", data={"csrf": csrf})
        with lock:
            tally["won" if answer.status_code == 303 else "lost"] += 1

    for case in cases:
        go = threading.Barrier(2)
        pressing = [threading.Thread(target=press, args=(http, csrf, case, go)) for http, csrf in sessions]
        for thread in pressing:
            thread.start()
        for thread in pressing:
            thread.join()
    return tally
