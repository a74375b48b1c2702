"""End to end over LINE: the real `tsunagu serve` process, the real line-bot-sdk inside it, and
the stand-in Messaging API server."""

from __future__ import annotations

import json
import random
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import BACKENDS, database_url
from tests.e2e.intake import SECRET_DETAIL, SECRET_NAME, walk_family_intake
from tests.e2e.line_person import LinePerson
from tests.e2e.server import Server, start
from tests.standins.line_api import ACCESS_TOKEN, CHANNEL_SECRET, Fault, LineStandIn

pytestmark = pytest.mark.e2e
# What a person whose LINE speaks English is told (the en catalog).
NOT_TEXT = "Thank you for sending that. Only text can be read here, so please write it in words if you can."
NUDGE = "Thank you. If you like, choose one of the buttons below. Typing your answer is fine too."
FIRST_QUESTION = "Counselors read what you write during office hours, in turn. Would you like to begin?"
AGENCY = "足立区くらしとしごとの相談センター"


def line_env(standin: LineStandIn, token: str = ACCESS_TOKEN) -> dict[str, str]:
    return {"LINE_CHANNEL_SECRET": CHANNEL_SECRET, "LINE_CHANNEL_ACCESS_TOKEN": token,
            "LINE_API_BASE_URL": standin.root, "TSUNAGU_HTTP_TIMEOUT": "1"}


@pytest.fixture
def standin() -> Iterator[LineStandIn]:
    server = LineStandIn(timeout_sleep=1.5).start()
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path, standin: LineStandIn) -> Iterator[Server]:
    url = database_url(request.param, tmp_path)
    srv = start(tmp_path / "var", None if request.param == "sqlite" else url, line_env(standin))
    yield srv
    srv.stop()


def stored(server: Server, user: str) -> tuple[list[str], int, int]:
    """What the person should see according to the database (each stored reply rendered as LINE
    messages: its text, or a Flex message's alt text), the inbound count, pending outbox items."""
    from bot.bootstrap import build
    from bot.channels.line.render import render
    from bot.settings import Settings
    from dialogs.model import Reply

    container = build(Settings.load(server.env, dotenv=Path("/nonexistent")))
    try:
        with container.uow() as uow:
            conv = uow.conversations.find("line", user)
            assert conv is not None and conv.id is not None
            entries = uow.transcript.since(conv.id, 0, limit=10_000)
            pending = uow.outbox.pending_count()
    finally:
        container.close()
    texts = [getattr(m, "text", None) or m.alt_text
             for e in entries if e.direction == "out" for m in render(Reply.from_dict(e.body))]
    return texts, sum(1 for e in entries if e.direction == "in"), pending


def test_intake_and_counselor_exchange(server: Server, standin: LineStandIn) -> None:
    assert server.cli("agency", "add", AGENCY, "--municipality", "足立区").returncode == 0
    person = LinePerson(standin, server.url, "U10000000000000000000000000000001")
    walk_family_intake(person, tick_topics=True)
    person.wait_for_text("送りました。ありがとうございます。")
    rows = json.loads(server.cli("queue", "--json").stdout)
    assert [(r["channel"], r["agency"], r["topics"]) for r in rows] == [("line", AGENCY, ["income", "hikikomori"])]
    sheet = json.loads(server.cli("sheet", rows[0]["id"], "--format", "json").stdout)
    assert sheet["person"]["name"] == SECRET_NAME and SECRET_DETAIL in sheet["details"]
    assert all(s.via == "reply" for s in standin.shown(person.user)), "every answer used its reply token"

    assert server.cli("reply", rows[0]["id"], "こんばんは。相談員の佐藤です。").returncode == 0
    assert person.wait_for_text("こんばんは。相談員の佐藤です。").via == "push"
    person.say("よろしくお願いします")
    person.wait_for_text("相談員に届けました。")
    person.post(standin.sticker(person.user))
    person.wait_for_text("スタンプありがとうございます")
    thread = server.cli("thread", rows[0]["id"]).stdout
    assert "よろしくお願いします" in thread and "［スタンプが送られました。ここでは表示できません］" in thread

    acks = sorted(person.seconds)
    print(f"\nline webhook: {len(acks)} events, answer median {statistics.median(acks) * 1000:.1f} ms, "
          f"max {acks[-1] * 1000:.1f} ms")
    assert acks[-1] < 2.0, "LINE waits about two seconds"
    log = server.log.read_bytes()
    for secret in (SECRET_DETAIL, SECRET_NAME, "よろしくお願いします"):
        assert secret.encode() not in log, "no personal content in any log line"


def test_send_now_reaches_the_handoff_in_at_most_eight_presses(server: Server, standin: LineStandIn) -> None:
    assert server.cli("agency", "add", AGENCY, "--municipality", "足立区").returncode == 0
    person = LinePerson(standin, server.url, "U10000000000000000000000000000008")
    person.open()
    presses = ("welcome:start", "who:family", "consent:yes", "topics:hikikomori", "topics:send_now", "review:send")
    assert len(presses) <= 8, "the issue's bar: a minimal handoff in at most 8 presses"
    for choice in presses:
        person.press(choice)
    person.wait_for_text("送りました。ありがとうございます。")
    print(f"\nline: a family member with one topic reaches the handoff in {len(presses)} presses")
    rows = json.loads(server.cli("queue", "--json").stdout)
    assert [(r["channel"], r["topics"], r["main_topic"]) for r in rows] == [("line", ["hikikomori"], "hikikomori")]


def test_webhook_refuses_what_is_not_line(server: Server, standin: LineStandIn) -> None:
    http = httpx.Client(base_url=server.url, timeout=10)
    user = "U20000000000000000000000000000002"
    good = standin.body(standin.text(user, "こんにちは"))
    assert http.post("/webhooks/line", content=good).status_code == 401
    assert http.post("/webhooks/line", content=good, headers={"x-line-signature": "bm9wZQ=="}).status_code == 401
    assert http.post("/webhooks/line", content=good,
                     headers={"x-line-signature": standin.sign(good, "another-secret")}).status_code == 401
    for bad in (b"{nope", b"[]", b'{"events": 5}', b'{"events": [{"type": "message"}]}', b"\xff\xfe"):
        status = http.post("/webhooks/line", content=bad, headers={"x-line-signature": standin.sign(bad)}).status_code
        assert status in (400, 401) and (status == 400 or bad == b"\xff\xfe"), bad
    verify = b'{"destination": "Ubot", "events": []}'
    assert http.post("/webhooks/line", content=verify, headers={"x-line-signature": standin.sign(verify)}
                     ).status_code == 200

    event = standin.text(user, "こんにちは")
    person = LinePerson(standin, server.url, user)
    person.post(event)
    again = dict(event, deliveryContext={"isRedelivery": True})
    person.post(again)
    person.post(event)
    standin.wait(lambda: len(standin.shown(user)) == 2, what="the welcome")
    time.sleep(1.0)
    assert len(standin.shown(user)) == 2, "a repeated webhookEventId is acknowledged, not run again"
    assert stored(server, user)[1] == 1


def test_locale_from_the_profile_and_kind_answers(server: Server, standin: LineStandIn) -> None:
    user = "U30000000000000000000000000000003"
    standin.state.languages[user] = "en"
    person = LinePerson(standin, server.url, user)
    person.open()
    person.wait_for_text("Hello")
    image = standin.event(user, "message", message={"id": "9", "type": "image", "quoteToken": "q",
                                                    "contentProvider": {"type": "line"}})
    person.post(image, standin.text(user, "😀"), standin.text(user, "長" * 6000))
    standin.wait(lambda: len(standin.shown(user)) >= 11, what="an answer to every message")
    told = [shown.text for shown in standin.shown(user)][2:11]  # each: the answer, then the welcome again
    assert told[0::3] == [NOT_TEXT, NUDGE, NUDGE], told
    assert told[2::3] == [FIRST_QUESTION] * 3, "then the question again, nothing lost"
    person.post(standin.event(user, "unfollow"))
    server.stop()
    assert "Traceback" not in server.log.read_text()


def test_faults_delay_replies_and_lose_none(server: Server, standin: LineStandIn) -> None:
    user = "U40000000000000000000000000000004"
    standin.inject(Fault(500, "reply"), Fault(429), Fault("timeout"), Fault("accepted-timeout"))
    person = LinePerson(standin, server.url, user)
    person.open()
    person.press("welcome:start")
    person.press("who:self")
    standin.wait(lambda: stored(server, user)[2] == 0, timeout=40, what="the outbox drained")
    expected, inbound, _ = stored(server, user)
    assert [s.text for s in standin.shown(user)] == expected, "every reply, once, in order"
    assert inbound == 3 and standin.state.injected == 4 and standin.state.duplicates_refused == 1


def test_line_check(tmp_path: Path, standin: LineStandIn) -> None:
    server = start(tmp_path / "var", extra_env=line_env(standin))
    try:
        ok = server.cli("line", "check")
        assert ok.returncode == 0 and ok.stdout.strip() == f"LINE works: つなぐ (@tsunagu) at {standin.root}"
        wrong = dict(server.env, LINE_CHANNEL_ACCESS_TOKEN="wrong")
        import subprocess

        from tests.e2e.server import TSUNAGU

        bad = subprocess.run([*TSUNAGU, "line", "check"], env=wrong, capture_output=True, text=True, check=False)
        assert bad.returncode == 1 and "LINE answered 401" in bad.stderr and "Traceback" not in bad.stderr
    finally:
        server.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_9_loses_nothing_acknowledged(backend: str, tmp_path: Path, standin: LineStandIn) -> None:
    url = database_url(backend, tmp_path)
    db = None if backend == "sqlite" else url
    server = start(tmp_path / "var", db, line_env(standin))
    port = int(server.url.rsplit(":", 1)[1])
    users = [f"U5{i:031d}" for i in range(20)]
    scripts = {u: ["1", "1", "1", "15 2", "選び終えた", "1", f"様子 {u[-2:]}-a", "書き終えた", "ひと休み", "続きから"]
               for u in users}
    bodies: dict[str, list[bytes]] = {
        u: [standin.body(standin.event(u, "follow"))] + [standin.body(standin.text(u, t)) for t in scripts[u]]
        for u in users}
    http = httpx.Client(timeout=5)
    refused = 0

    def person(user: str) -> None:
        nonlocal refused
        for body in bodies[user]:
            while True:  # LINE redelivers what was not acknowledged
                try:
                    response = http.post(f"http://127.0.0.1:{port}/webhooks/line", content=body,
                                         headers={"x-line-signature": standin.sign(body)})
                    if response.status_code == 200:
                        break
                except httpx.HTTPError:
                    refused += 1
                time.sleep(0.05)
            time.sleep(0.1)

    threads = [threading.Thread(target=person, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    rng = random.Random(11)
    kills = 0
    for _ in range(4):  # at random moments
        time.sleep(rng.uniform(0.3, 2.0))
        server.kill()
        kills += 1
        server = start(tmp_path / "var", db, line_env(standin), port=port)
    for thread in threads:
        thread.join(timeout=120)
    try:
        standin.wait(lambda: stored(server, users[0])[2] == 0, timeout=60, what="the outbox drained")
        duplicated = 0
        for user in users:
            expected, inbound, _ = stored(server, user)
            shown = [s.text for s in standin.shown(user)]
            assert inbound == len(bodies[user]), "every acknowledged event handled exactly once"
            it = iter(shown)
            assert all(any(s == e for s in it) for e in expected), f"{user}: a reply is missing or out of order"
            duplicated += len(shown) - len(expected)
        print(f"\nLINE kill -9 x{kills}: {sum(map(len, bodies.values()))} events from {len(users)} people, "
              f"{refused} refused while down, "
              f"replies lost 0, shown twice {duplicated}")
    finally:
        server.stop()


