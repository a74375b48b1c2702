"""The outbox delivering on LINE: the real line-bot-sdk (async client) over HTTP to the stand-in
Messaging API, the real deliverer and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.cases.admin import Admin
from bot.channels.line.client import LineApi
from bot.channels.line.events import REPLY_TOKEN_LIFE
from bot.channels.line.sender import LineSender
from bot.channels.line.settings import LineSettings
from bot.outbox import Deliverer
from bot.service import Service
from dialogs.model import Inbound
from storage.crypto import FieldCipher
from storage.uow import SqlUnitOfWork, UnitOfWork
from tests.clock import TestClock
from tests.standins.line_api import ACCESS_TOKEN, CHANNEL_SECRET, Fault, LineStandIn

USER = "U0123456789abcdef0123456789abcdef"


@pytest.fixture
def standin() -> Iterator[LineStandIn]:
    server = LineStandIn(timeout_sleep=1.0).start()
    yield server
    server.stop()


class Rig:
    """A service and a deliverer over one database, sending to the stand-in."""

    def __init__(self, engine: Engine, cipher: FieldCipher, standin: LineStandIn, clock: TestClock) -> None:
        self.clock = clock
        self.standin = standin
        self.uow: Callable[[], UnitOfWork] = partial(SqlUnitOfWork, engine, cipher)
        Admin(self.uow, clock).ensure_default_agency()
        self.service = Service(self.uow, clock=clock)
        self.sender = LineSender(LineApi(LineSettings(CHANNEL_SECRET, ACCESS_TOKEN, standin.root), timeout=0.5),
                                 clock=clock)
        self.deliverer = Deliverer(self.uow, {"line": self.sender}, lease=timedelta(seconds=3), clock=clock)
        self.loop = asyncio.new_event_loop()
        self.events = 0

    def write(self, text: str | None = None, choice: str | None = None, kind: str = "text",
              token: bool = True, token_age: timedelta = timedelta(0)) -> None:
        self.events += 1
        received = self.clock() - token_age
        delivery: dict[str, Any] | None = None
        if token:
            delivery = {"reply_token": self.standin.issue_token(USER),
                        "reply_until": (received + REPLY_TOKEN_LIFE).isoformat()}
        self.service.handle(Inbound("line", USER, f"e{self.events}", received, text=text, choice_id=choice,
                                    kind=kind), delivery)

    def drain(self, seconds: float = 20) -> float:
        async def run() -> float:
            started = time.monotonic()
            while time.monotonic() - started < seconds:
                with self.uow() as uow:
                    if not uow.outbox.pending_count():
                        break
                if not await self.deliverer.deliver_due():
                    await asyncio.sleep(0.05)
            return time.monotonic() - started

        return self.loop.run_until_complete(run())

    def close(self) -> None:
        self.loop.run_until_complete(self.sender.close())
        self.loop.close()


@pytest.fixture
def rig(engine: Engine, cipher: FieldCipher, standin: LineStandIn, clock: TestClock) -> Iterator[Rig]:
    made = Rig(engine, cipher, standin, clock)
    yield made
    made.close()


def test_a_turn_is_one_reply_call_with_quick_replies_on_its_last_message(rig: Rig, standin: LineStandIn) -> None:
    rig.write(kind="open")
    rig.drain()
    shown = standin.shown(USER)
    assert [s.via for s in shown] == ["reply", "reply"]
    assert shown[0].text.startswith("こんにちは") and "quickReply" not in shown[0].message
    assert shown[1].data() == ["welcome:start", "welcome:about", "welcome:later"]
    assert standin.state.calls.count("/v2/bot/message/reply") == 1


def test_an_expired_reply_token_falls_back_to_push(rig: Rig, standin: LineStandIn) -> None:
    rig.write(kind="open", token_age=timedelta(minutes=2))  # too old to try
    rig.write(text="こんにちは")
    standin.state.tokens.clear()  # a token LINE no longer honours: 400, then push
    rig.drain()
    assert [s.via for s in standin.shown(USER)] == ["push"] * len(standin.shown(USER))
    assert len(standin.shown(USER)) >= 3


def test_429_500_and_timeouts_are_retried_and_a_retried_push_is_shown_once(rig: Rig, standin: LineStandIn) -> None:
    standin.inject(Fault(429), Fault(500), Fault("timeout"), Fault("accepted-timeout"))
    rig.write(kind="open", token=False)
    rig.drain(seconds=30)
    shown = standin.shown(USER)
    assert [s.text[:5] for s in shown] == ["こんにちは", shown[1].text[:5]] and len(shown) == 2
    assert standin.state.duplicates_refused == 1, "the retry after the lost answer reused its retry key"
    assert standin.state.injected == 4


def test_the_topics_come_as_a_flex_carousel_of_postback_buttons(rig: Rig, standin: LineStandIn) -> None:
    for step in (dict(kind="open"), dict(choice="welcome:start"), dict(choice="who:family"),
                 dict(choice="consent:yes"), dict(choice="topics:hikikomori")):
        rig.write(**step)  # type: ignore[arg-type]
    rig.drain()
    flex = [s for s in standin.shown(USER) if s.message["type"] == "flex"]
    assert len(flex) == 2, "the question, then the carousel again after a tick"
    data = flex[-1].data()
    assert data[:19] == [f"topics:{t}" for t in __import__("dialogs.topics").topics.TOPIC_IDS]
    assert "topics:done" in data
    buttons = [c for b in flex[-1].message["contents"]["contents"] for c in b["body"]["contents"]
               if c["type"] == "button"]
    chosen = [b["action"]["data"] for b in buttons if b["style"] == "primary"]
    assert chosen == ["topics:hikikomori"]
    assert all(len(b["action"]["label"]) <= 40 for b in buttons)


def test_long_text_is_split_and_more_than_five_messages_take_two_calls(rig: Rig, standin: LineStandIn) -> None:
    rig.write(kind="open", token=False)
    rig.drain()
    with rig.uow() as uow:
        conv = uow.conversations.find("line", USER)
        assert conv is not None and conv.id is not None
        text = "い" * 26_000  # six messages of at most 5,000
        uow.outbox.add(conv.id, "line", USER, {"replies": [{"text": text, "choices": []}]}, rig.clock())
        uow.commit()
    rig.drain()
    parts = [s.text for s in standin.shown(USER)[2:]]
    assert len(parts) == 6 and "".join(parts) == text
    assert standin.state.calls.count("/v2/bot/message/push") == 3  # the welcome, then 5 + 1
