"""Staff alerts for urgent cases through the real SDKs and HTTP: to a webhook receiver, a staff Telegram
chat and a LINE group (each by its channel's own outbox sender: python-telegram-bot and line-bot-sdk to the
stand-ins), each a link only; a failing target is retried and the others are not held up; an ordinary handoff
alerts no one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial

import pytest
from sqlalchemy import Engine

from bot.cases.admin import Admin
from bot.channels.line.client import LineApi
from bot.channels.line.sender import LineSender
from bot.channels.line.settings import LineSettings
from bot.channels.telegram.client import make_bot
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.settings import TelegramSettings
from bot.safety.alerts import Alerter, StaffChat, Target, Webhook
from bot.safety.care import Care
from bot.safety.contacts import load_contacts
from bot.service import Service
from dialogs.model import Inbound
from storage.crypto import FieldCipher
from storage.uow import SqlUnitOfWork, UnitOfWork
from tests.clock import TestClock
from tests.standins.line_api import ACCESS_TOKEN, CHANNEL_SECRET, LineStandIn
from tests.standins.telegram_api import TOKEN, TelegramStandIn
from tests.standins.webhook_receiver import WebhookReceiver

STAFF_CHAT = -1001234
STAFF_GROUP = "C0123456789abcdef"
SECRET = "息子が十年間部屋から出てこない秘密"


@pytest.fixture
def stand_ins() -> Iterator[tuple[WebhookReceiver, TelegramStandIn, LineStandIn]]:
    hook, telegram, line = WebhookReceiver().start(), TelegramStandIn().start(), LineStandIn().start()
    yield hook, telegram, line
    for server in (hook, telegram, line):
        server.stop()


@pytest.fixture
def uow(engine: Engine, cipher: FieldCipher) -> Callable[[], UnitOfWork]:
    made = partial(SqlUnitOfWork, engine, cipher)
    Admin(made).ensure_default_agency()
    return made


def test_an_urgent_case_alerts_every_target_with_a_link_only(
        uow: Callable[[], UnitOfWork], stand_ins: tuple[WebhookReceiver, TelegramStandIn, LineStandIn],
        clock: TestClock) -> None:
    hook, telegram, line = stand_ins
    hook.fail_next(503)
    clock.freeze()
    bot = make_bot(TelegramSettings(TOKEN, "s", "webhook", telegram.root), 2.0)
    line_api = LineApi(LineSettings(CHANNEL_SECRET, ACCESS_TOKEN, line.root), 2.0)
    targets: dict[str, Target] = {
        "webhook": Webhook(hook.url, 2.0), "telegram": StaffChat(TelegramSender(bot), str(STAFF_CHAT)),
        "line": StaffChat(LineSender(line_api, clock=clock), STAFF_GROUP)}
    alerter = Alerter(uow, targets, "https://tsunagu.example.jp/", timeout=2.0, clock=clock)
    service = Service(uow, clock=clock, care=Care(load_contacts()), alert_targets=("webhook", "telegram", "line"))
    service.handle(Inbound("webchat", "p1", "e1", clock(), text=SECRET))
    handled = service.handle(Inbound("webchat", "p1", "e2", clock(), text="もう消えたい"))
    assert handled.urgent and handled.handoff_id
    link = f"https://tsunagu.example.jp/console/handoffs/{handled.handoff_id}"

    async def rounds() -> tuple[int, int]:
        first = await alerter.send_due()
        clock.advance(seconds=6)  # past the first backoff
        second = await alerter.send_due()
        await alerter.close()
        return first, second

    assert asyncio.run(rounds()) == (2, 1), "the webhook failed once and was retried; the others went at once"
    [body] = hook.bodies
    assert body["url"] == link and body["priority"] == "urgent"
    assert [link in m.text for m in telegram.messages(STAFF_CHAT)] == [True]
    assert [link in s.text for s in line.shown(STAFF_GROUP)] == [True]
    everything = str(hook.bodies) + str([m.text for m in telegram.messages(STAFF_CHAT)]) + str(
        [s.text for s in line.shown(STAFF_GROUP)])
    assert SECRET not in everything and "消えたい" not in everything, "nothing personal leaves"
    with uow() as unit:
        assert sorted(unit.alerts.for_handoff(handled.handoff_id)) == [
            ("line", "sent"), ("telegram", "sent"), ("webhook", "sent")]


def test_a_target_that_refuses_is_given_up_not_retried_forever(
        uow: Callable[[], UnitOfWork], stand_ins: tuple[WebhookReceiver, TelegramStandIn, LineStandIn],
        clock: TestClock) -> None:
    hook, _, _ = stand_ins
    hook.fail_next(404)
    alerter = Alerter(uow, {"webhook": Webhook(hook.url, 2.0)}, "http://127.0.0.1:8000", timeout=2.0, clock=clock)
    service = Service(uow, clock=clock, care=Care(load_contacts()), alert_targets=("webhook",))
    handled = service.handle(Inbound("webchat", "p2", "e1", clock(), text="殺される"))
    assert asyncio.run(alerter.send_due()) == 0
    with uow() as unit:
        assert unit.alerts.for_handoff(handled.handoff_id or "") == [("webhook", "failed")]


def test_an_ordinary_handoff_alerts_no_one(
        uow: Callable[[], UnitOfWork], stand_ins: tuple[WebhookReceiver, TelegramStandIn, LineStandIn],
        clock: TestClock) -> None:
    hook, _, _ = stand_ins
    alerter = Alerter(uow, {"webhook": Webhook(hook.url, 2.0)}, "http://127.0.0.1:8000", timeout=2.0, clock=clock)
    service = Service(uow, clock=clock, care=Care(load_contacts()), alert_targets=("webhook",))
    intake = [{"kind": "open"}, {"choice_id": "welcome:start"}, {"choice_id": "who:self"},
              {"choice_id": "consent:no"}, {"choice_id": "topics:done"}, {"text": "死ぬほど眠い日が続いています"},
              {"choice_id": "details:done"}, {"choice_id": "wishes:skip"}, {"choice_id": "contact:skip"},
              {"choice_id": "profile:skip_all"}, {"choice_id": "review:send"}]
    handled = [service.handle(Inbound("webchat", "p3", f"e{n}", clock(), **step)) for n, step in enumerate(intake)]
    handoff_id = handled[-1].handoff_id
    assert handoff_id is not None and not any(h.urgent for h in handled), "a handoff, and nothing urgent"
    with uow() as unit:
        assert [(case.id, case.priority) for case in unit.handoffs.queue()] == [(handoff_id, "normal")]
        assert unit.alerts.for_handoff(handoff_id) == [], "no alert is queued"
    assert asyncio.run(alerter.send_due()) == 0 and hook.bodies == [], "and none goes out"
