"""The outbox delivering to Telegram: the real python-telegram-bot over HTTP to the stand-in Bot API,
the real deliverer and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import Engine, select

from bot.cases.admin import Admin
from bot.channels.telegram.client import make_bot
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.settings import TelegramSettings
from bot.outbox import Deliverer
from bot.service import Service
from dialogs.model import Inbound
from storage import tables as t
from storage.crypto import FieldCipher
from storage.uow import SqlUnitOfWork, UnitOfWork
from tests.clock import TestClock
from tests.standins.telegram_api import TOKEN, Fault, TelegramStandIn

CHAT = 7001


@pytest.fixture
def standin() -> Iterator[TelegramStandIn]:
    server = TelegramStandIn(timeout_sleep=1.0).start()
    yield server
    server.stop()


class Rig:
    """A service and a deliverer over one database, sending to the stand-in."""

    def __init__(self, engine: Engine, cipher: FieldCipher, standin: TelegramStandIn, clock: TestClock) -> None:
        self.clock = clock
        self.uow: Callable[[], UnitOfWork] = partial(SqlUnitOfWork, engine, cipher)
        Admin(self.uow, clock).ensure_default_agency()
        self.service = Service(self.uow, clock=clock)
        settings = TelegramSettings(TOKEN, "s3cret", "webhook", standin.root)
        self.sender = TelegramSender(make_bot(settings, timeout=0.5))
        self.deliverer = Deliverer(self.uow, {"telegram": self.sender}, lease=timedelta(seconds=3), clock=clock)
        self.events = 0
        self.loop = asyncio.new_event_loop()  # one loop for the life of the bot's HTTP connections

    def close(self) -> None:
        self.loop.run_until_complete(self.sender.close())
        self.loop.close()

    def write(self, chat: int, text: str | None = None, choice: str | None = None, kind: str = "text",
              delivery: dict[str, object] | None = None) -> None:
        self.events += 1
        inbound = Inbound("telegram", str(chat), f"e{self.events}", self.clock(), text=text, choice_id=choice,
                          kind=kind)
        self.service.handle(inbound, delivery)

    def pending(self) -> int:
        with self.uow() as uow:
            return uow.outbox.pending_count()

    def drain(self, seconds: float = 20) -> float:
        """Run the deliverer until nothing is pending; the time it took."""

        async def run() -> float:
            started = time.monotonic()
            while self.pending() and time.monotonic() - started < seconds:
                if not await self.deliverer.deliver_due():
                    await asyncio.sleep(0.05)
            return time.monotonic() - started

        return self.loop.run_until_complete(run())


@pytest.fixture
def rig(engine: Engine, cipher: FieldCipher, standin: TelegramStandIn, clock: TestClock) -> Iterator[Rig]:
    made = Rig(engine, cipher, standin, clock)
    yield made
    made.close()


def test_replies_arrive_in_order_with_choice_ids_as_callback_data(rig: Rig, standin: TelegramStandIn) -> None:
    rig.write(CHAT, kind="open")
    rig.drain()
    sent = standin.messages(CHAT)
    assert len(sent) == 1, "the greeting and its question travel as one message"
    assert sent[0].text.startswith("こんにちは") and sent[0].text.endswith("はじめてみますか？")
    assert sent[0].data() == ["welcome:start", "welcome:about", "welcome:later"]
    assert "parse_mode" not in str(standin.state.calls)


def test_a_429_is_waited_out_and_order_is_kept(rig: Rig, standin: TelegramStandIn) -> None:
    standin.inject("sendMessage", Fault(429, retry_after=1))
    rig.write(CHAT, kind="open")
    took = rig.drain()
    assert took >= 1.0, "retry_after was honoured"
    assert [m.text[:5] for m in standin.messages(CHAT)] == ["こんにちは"]
    assert standin.state.injected == 1


def test_5xx_and_timeouts_are_retried_until_delivered(rig: Rig, standin: TelegramStandIn) -> None:
    standin.inject("sendMessage", Fault(500), Fault("timeout"))
    rig.write(CHAT, kind="open")
    rig.drain()
    assert len(standin.messages(CHAT)) >= 1
    assert standin.messages(CHAT)[-1].data()[0] == "welcome:start"
    with rig.uow() as uow:
        assert uow.outbox.pending_count() == 0


def test_a_403_marks_the_person_unreachable_and_stops(rig: Rig, standin: TelegramStandIn,
                                                      engine: Engine) -> None:
    standin.block(CHAT)
    rig.write(CHAT, kind="open")
    rig.drain()
    assert standin.messages(CHAT) == []
    assert standin.state.calls.count("sendMessage") == 1, "no retry after a 403"
    with engine.connect() as conn:
        assert conn.execute(select(t.conversations.c.unreachable_at)).scalar_one() is not None
        statuses = conn.execute(select(t.outbox.c.status)).scalars().all()
    assert statuses == ["failed"]  # the whole welcome, one item


def test_long_text_is_split_and_markup_characters_arrive_as_typed(rig: Rig, standin: TelegramStandIn) -> None:
    rig.write(CHAT, kind="open")
    rig.drain()
    with rig.uow() as uow:
        conv = uow.conversations.find("telegram", str(CHAT))
        assert conv is not None and conv.id is not None
        tricky = "<b>太字?</b> *星* _下線_ [リンク](http://x) `code` & &amp; 😀\n"
        long_text = tricky + "あ" * 9000
        body = {"text": long_text, "choices": []}
        uow.outbox.add(conv.id, "telegram", str(CHAT), body, rig.clock())
        uow.commit()
    rig.drain()
    parts = [m.text for m in standin.messages(CHAT)[1:]]
    assert len(parts) == 3 and all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert "".join(parts) == long_text


def test_ticking_a_topic_edits_the_same_message(rig: Rig, standin: TelegramStandIn) -> None:
    rig.write(CHAT, kind="open")
    rig.write(CHAT, choice="welcome:start")
    rig.write(CHAT, choice="who:family")
    rig.write(CHAT, choice="consent:yes")
    rig.drain()
    topics = standin.messages(CHAT)[-1]
    assert "topics:hikikomori" in topics.data()
    rig.write(CHAT, choice="topics:hikikomori", delivery={"message_id": topics.message_id})
    rig.write(CHAT, choice="topics:income", delivery={"message_id": topics.message_id})
    rig.drain()
    after = standin.messages(CHAT)
    assert after[-1].message_id == topics.message_id, "no new message for a tick"
    assert after[-1].edits == 2
    labels = [b["text"] for row in after[-1].keyboard for b in row]
    assert any(label.startswith("✓") and "ひきこもり" in label for label in labels)


def test_pacing_keeps_within_telegram_limits(rig: Rig, standin: TelegramStandIn) -> None:
    chats = range(8000, 8040)
    for chat in chats:
        rig.write(chat, kind="open")
    for _ in range(7):
        rig.write(CHAT, text="こんにちは")  # one chat with many replies
    rig.write(CHAT, kind="open")
    rig.drain(seconds=30)
    assert standin.state.rate_limited == 0, "the stand-in never had to say 429"
    assert all(len(standin.messages(c)) == 1 for c in chats)
    times = [m.at for m in standin.messages(CHAT)]
    assert len(times) >= 6
    assert all(b - a > 1.0 for a, b in zip(times, times[4:], strict=False)), "never five within a second"
    assert times[-1] - times[0] >= len(times) - 4 - 0.2, "after a short burst, about one a second"
