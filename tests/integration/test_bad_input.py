"""Bad input, fuzzed with hypothesis against the real app in-process (Starlette's TestClient, which raises
any unhandled error): thousands of odd bodies to the Telegram and LINE webhooks and the web chat API get a
clear 2xx or 4xx, never a 5xx; the service stays healthy. And a flood from one person (100 messages in 10 s)
is kept, answered once kindly, and does not hold up anyone else."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from bot.app import create_app
from bot.bootstrap import Container, build
from bot.service import FLOOD_LIMIT
from bot.settings import Settings
from dialogs.model import Inbound
from tests.clock import TestClock
from tests.standins.line_api import ACCESS_TOKEN, CHANNEL_SECRET, LineStandIn
from tests.standins.telegram_api import TOKEN, TelegramStandIn

SECRET = "fuzz-secret"
EXAMPLES = 700
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25)
texts = st.text(max_size=300) | st.sampled_from(["死にたい", "", " ", "😊" * 50, "/start", "/delete", "<b>x</b>"])


def maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return value | json_values


@st.composite
def telegram_updates(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(json_values)
    user = {"id": draw(maybe(st.integers(1, 10**12))), "is_bot": draw(maybe(st.booleans())),
            "first_name": draw(maybe(st.text(max_size=10))),
            "language_code": draw(maybe(st.sampled_from(["ja", "en"])))}
    message = {"message_id": draw(maybe(st.integers(1, 10**9))), "date": draw(maybe(st.integers(0, 2**31))),
               "chat": {"id": user["id"], "type": draw(maybe(st.sampled_from(["private", "group", "channel"])))},
               "from": user, "text": draw(maybe(texts))}
    if draw(st.booleans()):
        message["sticker"] = draw(json_values)
    update: dict[str, Any] = {"update_id": draw(maybe(st.integers(0, 2**40)))}
    kind = draw(st.sampled_from(["message", "callback_query", "edited_message", "my_chat_member"]))
    update[kind] = message if kind != "callback_query" else {
        "id": draw(maybe(st.text(max_size=20))), "from": user, "chat_instance": "x", "data": draw(maybe(texts)),
        "message": message}
    for key in draw(st.lists(st.sampled_from(["update_id", kind]), max_size=1)):
        update.pop(key, None)
    return update


@st.composite
def line_bodies(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 4)) == 0:
        return draw(json_values)
    events = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["message", "postback", "follow", "unfollow", "join", "beacon"]))
        event: dict[str, Any] = {
            "type": kind, "mode": draw(maybe(st.just("active"))), "timestamp": draw(maybe(st.integers(0, 2**42))),
            "source": {"type": draw(maybe(st.sampled_from(["user", "group"]))),
                       "userId": draw(maybe(st.text(min_size=1, max_size=33)))},
            "webhookEventId": draw(maybe(st.text(min_size=1, max_size=26))),
            "deliveryContext": {"isRedelivery": draw(maybe(st.booleans()))},
            "replyToken": draw(maybe(st.text(max_size=32)))}
        if kind == "message":
            event["message"] = {"id": draw(maybe(st.text(max_size=10))),
                                "type": draw(maybe(st.sampled_from(["text", "sticker", "image", "location"]))),
                                "text": draw(maybe(texts)), "quoteToken": "q"}
        if kind == "postback":
            event["postback"] = {"data": draw(maybe(texts))}
        events.append(event)
    return {"destination": draw(maybe(st.text(max_size=33))), "events": events}


chat_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={"text": maybe(texts), "choice": maybe(st.text(max_size=40)),
                                        "kind": maybe(st.sampled_from(["open", "text", "sticker"])),
                                        "event_id": maybe(st.text(max_size=70)),
                                        "via": maybe(st.text(max_size=20))}))


@pytest.fixture(scope="module")
def app_clock() -> TestClock:
    """One clock for the module's app."""
    return TestClock()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, app_clock: TestClock) -> Iterator[tuple[TestClient, Container]]:
    telegram, line = TelegramStandIn().start(), LineStandIn().start()
    data = tmp_path_factory.mktemp("fuzz")
    container = build(Settings.load({
        "TSUNAGU_DATA_DIR": str(data), "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": telegram.root, "LINE_CHANNEL_SECRET": CHANNEL_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN, "LINE_API_BASE_URL": line.root}, dotenv=data / "none"), app_clock)
    container.migrate()
    with TestClient(create_app(container, run_deliverer=False), base_url="http://testserver") as client:
        yield client, container
    container.close()
    telegram.stop()
    line.stop()


@FUZZ
@given(body=telegram_updates())
def test_the_telegram_webhook_never_fails(app: tuple[TestClient, Container], body: Any) -> None:
    client, _ = app
    answer = client.post("/webhooks/telegram", content=json.dumps(body), headers={
        "X-Telegram-Bot-Api-Secret-Token": SECRET, "content-type": "application/json"})
    assert answer.status_code in (200, 400), answer.text


@FUZZ
@given(body=line_bodies())
def test_the_line_webhook_never_fails(app: tuple[TestClient, Container], body: Any) -> None:
    client, _ = app
    raw = json.dumps(body).encode()
    answer = client.post("/webhooks/line", content=raw,
                         headers={"X-Line-Signature": LineStandIn.sign(raw), "content-type": "application/json"})
    assert answer.status_code in (200, 400), answer.text


@FUZZ
@given(body=chat_bodies, content_type=st.sampled_from(["application/json", "text/plain", ""]))
def test_the_web_chat_api_never_fails(app: tuple[TestClient, Container], body: Any, content_type: str) -> None:
    client, _ = app
    answer = client.post("/chat/api/messages", content=json.dumps(body), headers={"content-type": content_type})
    assert answer.status_code in (200, 400), answer.text


def test_after_the_fuzz_the_service_is_healthy(app: tuple[TestClient, Container]) -> None:
    client, _ = app
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.post("/chat/api/messages", json={"kind": "open"}).status_code == 200
    too_big = client.post("/chat/api/messages", content=b"x" * (300 * 1024),
                          headers={"content-type": "application/json"})
    assert too_big.status_code == 413


def test_a_flood_is_kept_answered_once_and_holds_up_no_one(app: tuple[TestClient, Container],
                                                          app_clock: TestClock) -> None:
    _, container = app
    service = container.service
    app_clock.freeze()
    service.handle(Inbound("webchat", "flood", "f-open", app_clock(), kind="open"))
    slowed, others = 0, []
    for n in range(100):  # 100 messages in 10 s from one person, and someone else writing meanwhile
        app_clock.advance(seconds=0.1)
        handled = service.handle(Inbound("webchat", "flood", f"f{n}", app_clock(), text=f"メッセージ{n}"))
        slowed += handled.slowed
        if n % 20 == 0:
            began = time.perf_counter()
            other = service.handle(Inbound("webchat", f"calm-{n}", f"c{n}", app_clock(), kind="open"))
            others.append(time.perf_counter() - began)
            assert not other.slowed
    assert slowed >= 100 - FLOOD_LIMIT
    conv, thread = service.thread("webchat", "flood")
    assert conv is not None
    assert [m.body.get("text") for m in thread if m.direction == "in"][1:] == [f"メッセージ{n}" for n in range(100)]
    notes = [m for m in thread if m.author == "bot" and "ぜんぶ受け取っています" in str(m.body.get("text"))]
    assert len(notes) <= 2, "said kindly, not on every message"
    assert max(others) < 0.5, "others are not held up"
    crisis = service.handle(Inbound("webchat", "flood", "f-crisis", app_clock(), text="死にたい"))
    assert not crisis.slowed and crisis.urgent, "danger is never slowed down"
