"""The composition root: the one place that builds engines, repositories, services and senders."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import Engine

from bot.admin import Admin
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

    def uow(self) -> UnitOfWork:
        """A new unit of work."""
        return SqlUnitOfWork(self.engine, self.cipher)

    def migrate(self) -> None:
        """Apply migrations and make sure the default agency exists."""
        upgrade(self.engine)
        self.admin.ensure_default_agency()

    def close(self) -> None:
        """Release connections."""
        self.deliverer.stop()
        self.engine.dispose()


def build(settings: Settings) -> Container:
    """Wire the service from settings."""
    engine = make_engine(settings.database_url)
    cipher = FieldCipher(load_keys(settings.data_key, settings.data_dir))
    uow = partial(SqlUnitOfWork, engine, cipher)
    senders: dict[str, Sender] = {"webchat": WebChatSender()}
    deliverer = Deliverer(uow, senders)
    service = Service(uow, on_outbox=deliverer.wake)
    return Container(settings, engine, cipher, service, Admin(uow), deliverer)
