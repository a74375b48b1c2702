"""End to end over Telegram: the real `tsunagu serve` process, the real python-telegram-bot inside
it, and the stand-in Bot API server, in webhook and in polling mode."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.telegram.render import bundle
from dialogs.model import Reply
from storage.records import TranscriptEntry
from tests.conftest import BACKENDS, database_url
from tests.e2e.intake import SECRET_DETAIL, SECRET_NAME, walk_family_intake
from tests.e2e.server import Server, start
from tests.e2e.telegram_person import SECRET, TelegramPerson, webhook
from tests.standins.telegram_api import TOKEN, TelegramStandIn

pytestmark = pytest.mark.e2e
# What a person whose Telegram speaks English is told (the en catalog).
NOT_TEXT = "Thank you for sending that. Only text can be read here, so please write it in words if you can."
NUDGE = "Thank you. If you like, choose one of the buttons below. Typing your answer is fine too."
FIRST_QUESTION = "Counselors read what you write during office hours, in turn. Would you like to begin?"
AGENCY = "足立区くらしとしごとの相談センター"


def telegram_env(standin: TelegramStandIn, mode: str = "webhook") -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_MODE": mode,
            "TELEGRAM_API_BASE_URL": standin.root, "TSUNAGU_HTTP_TIMEOUT": "1"}


@pytest.fixture
def standin() -> Iterator[TelegramStandIn]:
    server = TelegramStandIn(timeout_sleep=1.5).start()
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path, standin: TelegramStandIn) -> Iterator[Server]:
    url = database_url(request.param, tmp_path)
    srv = start(tmp_path / "var", None if request.param == "sqlite" else url, telegram_env(standin))
    yield srv
    srv.stop()


def queue(server: Server) -> list[dict[str, Any]]:
    done = server.cli("queue", "--json")
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


def intake_and_exchange(server: Server, standin: TelegramStandIn, person: TelegramPerson) -> str:
    """The whole intake, the handoff in the queue, a counselor's reply and the person's answer."""
    assert server.cli("agency", "add", AGENCY, "--municipality", "足立区").returncode == 0
    walk_family_intake(person, tick_topics=True)
    person.wait_for_text("送りました。ありがとうございます。")
    rows = queue(server)
    assert [(r["channel"], r["agency"], r["topics"], r["main_topic"]) for r in rows] == [
        ("telegram", AGENCY, ["income", "hikikomori"], "hikikomori")]
    sheet = json.loads(server.cli("sheet", rows[0]["id"], "--format", "json").stdout)
    assert sheet["person"]["name"] == SECRET_NAME and SECRET_DETAIL in sheet["details"]

    replied = server.cli("reply", rows[0]["id"], "こんばんは。相談員の佐藤です。<b>よろしく</b>")
    assert replied.returncode == 0, replied.stderr
    person.wait_for_text("こんばんは。相談員の佐藤です。<b>よろしく</b>")
    person.say("ありがとうございます。よろしくお願いします")
    person.wait_for_text("相談員に届けました。")
    person.send(sticker={"file_id": "st1", "file_unique_id": "u1", "type": "regular", "width": 512,
                         "height": 512, "is_animated": False, "is_video": False})
    person.wait_for_text("スタンプありがとうございます")
    thread = server.cli("thread", rows[0]["id"])
    assert thread.returncode == 0, thread.stderr
    assert "ありがとうございます。よろしくお願いします" in thread.stdout
    assert "［スタンプが送られました。ここでは表示できません］" in thread.stdout
    assert "相談員: こんばんは。相談員の佐藤です。" in thread.stdout
    return str(rows[0]["id"])


def test_intake_and_counselor_exchange_by_webhook(server: Server, standin: TelegramStandIn) -> None:
    hook = webhook(server.url)
    person = TelegramPerson(standin, 4101, hook)
    intake_and_exchange(server, standin, person)
    acks = sorted(hook.seconds)
    print(f"\ntelegram webhook: {len(acks)} updates, answer median {statistics.median(acks) * 1000:.1f} ms, "
          f"max {acks[-1] * 1000:.1f} ms")
    assert statistics.median(acks) < 0.5

    messages = standin.messages(person.chat_id)
    topic_messages = [m for m in messages if "topics:done" in m.data()]
    assert len(topic_messages) == 1 and topic_messages[0].edits == 2, "ticks edit one message"
    standin.wait(lambda: len(standin.state.answered) == person.presses, what="every button press answered")
    assert standin.state.rate_limited == 0
    log = server.log.read_bytes()
    for secret in (SECRET_DETAIL, SECRET_NAME, "こんばんは。相談員の佐藤です。"):
        assert secret.encode() not in log, "no personal content in any log line"
    assert TOKEN.encode() not in log, "the bot's token (in every Bot API URL) is in no log line"


def test_send_now_reaches_the_handoff_in_at_most_eight_presses(server: Server, standin: TelegramStandIn) -> None:
    assert server.cli("agency", "add", AGENCY, "--municipality", "足立区").returncode == 0
    person = TelegramPerson(standin, 4111, webhook(server.url))
    person.open()
    for choice in ("welcome:start", "who:family", "consent:yes", "topics:hikikomori", "topics:send_now",
                   "review:send"):
        person.press(choice)
    person.wait_for_text("送りました。ありがとうございます。")
    print(f"\ntelegram: a family member with one topic reaches the handoff in {person.presses} presses")
    assert person.presses <= 8
    rows = queue(server)
    assert [(r["channel"], r["topics"], r["main_topic"]) for r in rows] == [("telegram", ["hikikomori"], "hikikomori")]


def test_webhook_refuses_what_is_not_telegram(server: Server, standin: TelegramStandIn) -> None:
    http = httpx.Client(base_url=server.url, timeout=10)
    update = standin.message(4102, "こんにちは")
    ok = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert http.post("/webhooks/telegram", json=update).status_code == 401
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
    assert http.post("/webhooks/telegram", json=update, headers=wrong).status_code == 401
    for body in (b"{nope", b"[1, 2]", b'{"message": {}}', b'{"update_id": "x"}', "あ".encode()):
        response = http.post("/webhooks/telegram", content=body, headers=ok)
        assert response.status_code == 400, body
    broken = {"update_id": 9, "message": {"message_id": "not a number"}}
    assert http.post("/webhooks/telegram", json=broken, headers=ok).status_code == 400

    assert http.post("/webhooks/telegram", json=update, headers=ok).status_code == 200
    assert http.post("/webhooks/telegram", json=update, headers=ok).status_code == 200  # Telegram resends
    standin.wait(lambda: len(standin.messages(4102)) == 1, what="the welcome (its two replies in one message)")
    time.sleep(1.0)
    assert len(standin.messages(4102)) == 1, "a repeated update_id is acknowledged, not run again"
    assert b"tsunagu_inbound_duplicates_total{channel=\"telegram\"} 1.0" in http.get("/metrics").content


def test_odd_messages_get_a_kind_answer(server: Server, standin: TelegramStandIn) -> None:
    person = TelegramPerson(standin, 4103, webhook(server.url), language_code="en")
    person.open()
    person.wait_for_text("Hello")  # English from language_code at first contact
    person.send(photo=[{"file_id": "p1", "file_unique_id": "pu1", "width": 90, "height": 90}])
    person.send(location={"latitude": 35.77, "longitude": 139.80})
    person.say("😀" * 3)
    person.say("長い" * 3000)
    standin.wait(lambda: len(standin.messages(person.chat_id)) >= 5, what="an answer to every message")
    told = standin.texts(person.chat_id)[1:5]
    assert [text.split("\n\n")[0] for text in told] == [NOT_TEXT, NOT_TEXT, NUDGE, NUDGE], told
    assert all(text.endswith(FIRST_QUESTION) for text in told), "then the question again, nothing lost"
    person.say("/language")
    person.press("language:lang_ja")
    person.wait_for_text("日本語で続けます。")
    server.stop()
    assert "Traceback" not in server.log.read_text()


def test_polling_mode(tmp_path: Path, standin: TelegramStandIn) -> None:
    standin.state.webhook = {"url": "https://old.example/webhooks/telegram"}
    server = start(tmp_path / "var", extra_env=telegram_env(standin, mode="polling"))
    try:
        person = TelegramPerson(standin, 4201, standin.push)
        intake_and_exchange(server, standin, person)
        assert standin.state.webhook == {}, "polling removed the webhook Telegram would refuse it beside"
        standin.wait(lambda: standin.pending_updates() == 0, what="every update confirmed")
        standin.wait(lambda: len(standin.state.answered) == person.presses, what="every button press answered")
    finally:
        server.stop()


def test_set_webhook_registers_url_secret_and_commands(tmp_path: Path, standin: TelegramStandIn) -> None:
    server = start(tmp_path / "var", extra_env=telegram_env(standin))
    try:
        done = server.cli("telegram", "set-webhook", "https://tsunagu.example.jp/webhooks/telegram")
        assert done.returncode == 0, done.stderr
        hook = standin.state.webhook
        assert hook["url"] == "https://tsunagu.example.jp/webhooks/telegram"
        assert hook["secret_token"] == SECRET
        assert set(json.loads(hook["allowed_updates"])) == {"message", "callback_query", "my_chat_member"}
        names = [c["command"] for c in standin.state.commands[""]]
        assert names == ["start", "help", "pause", "events", "language", "unshare", "delete"]
        assert "en" in standin.state.commands
        plain = server.cli("telegram", "set-webhook", "http://tsunagu.example.jp/webhooks/telegram")
        assert plain.returncode == 2 and plain.stderr.strip().endswith("give an https:// URL.")
    finally:
        server.stop()


def stored_replies(server: Server, chat_id: int) -> tuple[list[str], int, int]:
    """What the database says was answered to a chat: reply texts sent as new messages (in order),
    the number of inbound messages, and the replies still pending."""
    from bot.bootstrap import build
    from bot.settings import Settings

    container = build(Settings.load(server.env, dotenv=Path("/nonexistent")))
    try:
        with container.uow() as uow:
            conv = uow.conversations.find("telegram", str(chat_id))
            assert conv is not None and conv.id is not None
            entries = uow.transcript.since(conv.id, 0, limit=10_000)
            pending = uow.outbox.pending_count()
    finally:
        container.close()
    inbound = sum(1 for e in entries if e.direction == "in")
    return telegram_messages(entries), inbound, pending


def telegram_messages(entries: list[TranscriptEntry]) -> list[str]:
    """The texts of the Telegram messages that carry a thread's replies: each turn's replies (written at
    one moment) bundled as the sender bundles them; a turn that only re-draws a keyboard is an edit."""
    turns: list[list[Reply]] = []
    last_at = None
    for entry in entries:
        if entry.direction != "out":
            last_at = None
            continue
        if entry.created_at != last_at:
            turns.append([])
        turns[-1].append(Reply.from_dict(entry.body))
        last_at = entry.created_at
    return [reply.text for turn in turns if not (len(turn) == 1 and turn[0].update) for reply in bundle(turn)]


def sent_texts(standin: TelegramStandIn, chat_id: int) -> list[str]:
    return [text for method, chat, _, text in list(standin.state.log) if method == "send" and chat == chat_id]


def is_subsequence(expected: list[str], actual: list[str]) -> bool:
    it = iter(actual)
    return all(any(a == e for a in it) for e in expected)


def test_api_faults_delay_replies_but_lose_none(server: Server, standin: TelegramStandIn) -> None:
    from tests.standins.telegram_api import Fault

    standin.inject("sendMessage", Fault(429, retry_after=1), Fault(500), Fault("timeout"), Fault(500))
    person = TelegramPerson(standin, 4301, webhook(server.url))
    person.open()
    person.press("welcome:start")
    person.press("who:self")
    person.say("/help")
    standin.wait(lambda: stored_replies(server, 4301)[2] == 0, timeout=30, what="the outbox drained")
    expected, inbound, _ = stored_replies(server, 4301)
    assert sent_texts(standin, 4301) == expected, "every reply, once, in order"
    assert inbound == 4 and standin.state.injected == 4

    blocked = TelegramPerson(standin, 4302, webhook(server.url))
    standin.block(4302)
    blocked.open()
    standin.wait(lambda: stored_replies(server, 4302)[2] == 0, timeout=30, what="the blocked chat given up")
    calls_after_block = standin.state.calls.count("sendMessage")
    blocked.say("まだいますか")  # writing again means they unblocked; Telegram still says 403 here
    standin.wait(lambda: stored_replies(server, 4302)[2] == 0, timeout=30, what="the second try given up")
    assert standin.state.calls.count("sendMessage") - calls_after_block == 1, "one try, no retries, on 403"


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_9_loses_nothing_acknowledged(backend: str, tmp_path: Path, standin: TelegramStandIn) -> None:
    import threading

    url = database_url(backend, tmp_path)
    db = None if backend == "sqlite" else url
    server = start(tmp_path / "var", db, telegram_env(standin))
    port = int(server.url.rsplit(":", 1)[1])
    chats = list(range(4400, 4406))
    scripts = {chat: ["/start", "1", "1", "1", "15 2", "選び終えた", "1", f"様子 {chat}-a", f"様子 {chat}-b",
                      "書き終えた", "ひと休み", "続きから"] for chat in chats}
    updates = {chat: [standin.message(chat, text) for text in script] for chat, script in scripts.items()}
    http = httpx.Client(timeout=5)
    refused = 0

    def person(chat: int) -> None:
        nonlocal refused
        for update in updates[chat]:
            while True:  # Telegram sends again until it gets a 2xx
                try:
                    response = http.post(f"http://127.0.0.1:{port}/webhooks/telegram", json=update,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                    if response.status_code == 200:
                        break
                except httpx.HTTPError:
                    refused += 1
                time.sleep(0.05)
            time.sleep(0.1)

    threads = [threading.Thread(target=person, args=(chat,)) for chat in chats]
    for thread in threads:
        thread.start()
    kills = 0
    for moment in (0.8, 1.2):
        time.sleep(moment)
        server.kill()
        kills += 1
        server = start(tmp_path / "var", db, telegram_env(standin), port=port)
    for thread in threads:
        thread.join(timeout=120)
    try:
        standin.wait(lambda: stored_replies(server, chats[0])[2] == 0, timeout=60, what="the outbox drained")
        lost = duplicated = 0
        for chat in chats:
            expected, inbound, _ = stored_replies(server, chat)
            sent = sent_texts(standin, chat)
            assert inbound == len(scripts[chat]), "every acknowledged update handled exactly once"
            assert is_subsequence(expected, sent), f"chat {chat}: a reply is missing or out of order"
            lost += sum(1 for text in expected if text not in sent)
            duplicated += len(sent) - len(expected)
        print(f"\nkill -9 x{kills}: {sum(map(len, scripts.values()))} updates, {refused} refused while down, "
              f"replies lost 0, sent twice {duplicated}")
        assert lost == 0
    finally:
        server.stop()
