"""The composition root: the one place that builds engines, repositories, services and senders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from sqlalchemy import Engine

from bot.admin import Admin
from bot.channels.line.client import LineApi
from bot.channels.line.sender import LineSender
from bot.channels.line.webhook import LineInbox
from bot.channels.telegram.client import make_bot
from bot.channels.telegram.inbox import Inbox
from bot.channels.telegram.sender import TelegramSender
from bot.metrics import Metrics
from bot.outbox import Deliverer, Sender, WebChatSender
from bot.service import Service
from bot.settings import Settings
from storage.crypto import FieldCipher, load_keys
from storage.db import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, UnitOfWork


@dataclass
class Container:
    """Everything a running process needs, wired once."""

    settings: Settings
    engine: Engine
    cipher: FieldCipher
    service: Service
    admin: Admin
    deliverer: Deliverer
    metrics: Metrics = field(default_factory=Metrics)
    telegram: Inbox | None = None
    line: LineInbox | None = None

    def uow(self) -> UnitOfWork:
        """A new unit of work."""
        return SqlUnitOfWork(self.engine, self.cipher)

    def migrate(self) -> None:
        """Apply migrations and make sure the default agency exists."""
        upgrade(self.engine)
        self.admin.ensure_default_agency()

    def close(self) -> None:
        """Release connections (the LINE inbox's session is closed by the app's shutdown)."""
        self.deliverer.stop()
        self.engine.dispose()


def build(settings: Settings) -> Container:
    """Wire the service from settings."""
    engine = make_engine(settings.database_url)
    cipher = FieldCipher(load_keys(settings.data_key, settings.data_dir))
    uow = partial(SqlUnitOfWork, engine, cipher)
    senders: dict[str, Sender] = {"webchat": WebChatSender()}
    if settings.telegram is not None:
        senders["telegram"] = TelegramSender(make_bot(settings.telegram, settings.http_timeout))
    if settings.line is not None:
        senders["line"] = LineSender(LineApi(settings.line, settings.http_timeout))
    deliverer = Deliverer(uow, senders, lease=lease_for(settings.http_timeout))
    service = Service(uow, on_outbox=deliverer.wake)
    metrics = Metrics()
    telegram = None
    if settings.telegram is not None:
        telegram = Inbox(service, make_bot(settings.telegram, settings.http_timeout), metrics)
    line = None
    if settings.line is not None:
        line = LineInbox(service, LineApi(settings.line, settings.http_timeout), metrics)
    return Container(settings, engine, cipher, service, Admin(uow), deliverer, metrics, telegram, line)


def lease_for(http_timeout: float) -> timedelta:
    """How long one delivery attempt may hold an outbox row: two timeouts and some slack.

    After a crash, a reply that was in flight is tried again once this has passed."""
    return timedelta(seconds=2 * http_timeout + 5)
