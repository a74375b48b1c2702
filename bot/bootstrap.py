"""The composition root: the one place that builds engines, repositories, services and senders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.cases import Cases
from bot.cases.accounts import Accounts
from bot.cases.admin import Admin
from bot.channels.telegram.client import make_bot
from bot.channels.telegram.inbox import Inbox
from bot.channels.telegram.sender import TelegramSender
from bot.clock import Clock, utcnow
from bot.metrics import Metrics
from bot.outbox import Deliverer, Sender, WebChatSender
from bot.safety.alerts import Alerter, Targets
from bot.safety.care import Care
from bot.safety.contacts import DEFAULT_FILE, BadContacts, Contact, load_contacts
from bot.safety.resources import DEFAULT_FILE as RESOURCES_FILE
from bot.safety.resources import BadResources, Resource, load_resources
from bot.service import Service
from bot.settings import Settings, SettingsError
from bot.trust.retention import Periods, Retention
from storage.crypto import FieldCipher, load_keys
from storage.db import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, UnitOfWork

if TYPE_CHECKING:
    from bot.channels.line.client import LineApi
    from bot.channels.line.webhook import LineInbox


@dataclass
class Container:
    """Everything a running process needs, wired once."""

    settings: Settings
    engine: Engine
    cipher: FieldCipher
    service: Service
    cases: Cases
    admin: Admin
    accounts: Accounts
    deliverer: Deliverer
    metrics: Metrics = field(default_factory=Metrics)
    telegram: Inbox | None = None
    line: LineInbox | None = None
    alerter: Alerter | None = None
    care: Care = field(default_factory=lambda: Care(()))
    clock: Clock = utcnow

    def uow(self) -> UnitOfWork:
        """A new unit of work."""
        return SqlUnitOfWork(self.engine, self.cipher)

    def retention(self) -> Retention:
        """The retention task for the configured periods."""
        return Retention(self.uow, Periods(self.settings.retain_closed_days, self.settings.retain_unfinished_days),
                         self.clock)

    def migrate(self) -> None:
        """Apply migrations and make sure the default agency exists."""
        upgrade(self.engine)
        self.admin.ensure_default_agency()

    def close(self) -> None:
        """Release connections (the LINE inbox's session is closed by the app's shutdown)."""
        self.deliverer.stop()
        if self.alerter is not None:
            self.alerter.stop()
        self.engine.dispose()


def build(settings: Settings, clock: Clock = utcnow) -> Container:
    """Wire the service from settings; every part reads the time from `clock`."""
    engine = make_engine(settings.database_url)
    cipher = FieldCipher(load_keys(settings.data_key, settings.data_dir))
    uow = partial(SqlUnitOfWork, engine, cipher)
    senders: dict[str, Sender] = {"webchat": WebChatSender()}
    if settings.telegram is not None:
        senders["telegram"] = TelegramSender(make_bot(settings.telegram, settings.http_timeout))
    line_out = line_api(settings)
    if line_out is not None:
        from bot.channels.line.sender import LineSender  # line-bot-sdk takes half a second to load: only for LINE

        senders["line"] = LineSender(line_out, clock=clock)
    deliverer = Deliverer(uow, senders, lease=lease_for(settings.http_timeout), clock=clock,
                          reader=partial(SqlUnitOfWork, engine, cipher, read_only=True))
    alerter = make_alerter(settings, uow, clock) if settings.alert_targets() else None
    care = Care(contacts(settings), resources(settings))
    service = Service(uow, clock=clock, on_outbox=deliverer.wake, care=care, alert_targets=settings.alert_targets(),
                      on_alert=alerter.wake if alerter else lambda: None, zone=settings.timezone)
    cases = Cases(uow, clock, settings.timezone, on_outbox=deliverer.wake, resources=care.resources)
    metrics = Metrics()
    telegram = None
    if settings.telegram is not None:
        telegram = Inbox(service, make_bot(settings.telegram, settings.http_timeout), metrics, clock)
    line = None
    line_in = line_api(settings)
    if line_in is not None:
        from bot.channels.line.webhook import LineInbox

        line = LineInbox(service, line_in, metrics, clock)
    return Container(settings, engine, cipher, service, cases, Admin(uow, clock), Accounts(uow, clock), deliverer,
                     metrics, telegram, line, alerter, care, clock)


def contacts(settings: Settings) -> tuple[Contact, ...]:
    """The crisis contacts: the operators' file, or the bundled defaults (a bad file stops the start)."""
    try:
        return load_contacts(settings.crisis_contacts or DEFAULT_FILE)
    except BadContacts as exc:
        raise SettingsError(f"TSUNAGU_CRISIS_CONTACTS: {exc}") from exc


def resources(settings: Settings) -> tuple[Resource, ...]:
    """The local resources directory: the operators' file, or the bundled example."""
    try:
        return load_resources(settings.resources or RESOURCES_FILE)
    except BadResources as exc:
        raise SettingsError(f"TSUNAGU_RESOURCES: {exc}") from exc


def make_alerter(settings: Settings, uow: Callable[[], UnitOfWork], clock: Clock = utcnow) -> Alerter:
    """The staff alerter for the configured targets; links point at TSUNAGU_PUBLIC_URL."""
    targets = Targets(
        webhook_url=settings.alert_webhook_url,
        telegram=make_bot(settings.telegram, settings.http_timeout) if settings.telegram else None,
        telegram_chat_id=settings.alert_telegram_chat_id,
        line=line_api(settings),
        line_to=settings.alert_line_to,
    )
    public = settings.public_url or f"http://{settings.host}:{settings.port}"
    return Alerter(uow, targets, public, settings.http_timeout, settings.default_locale, clock)


def line_api(settings: Settings) -> LineApi | None:
    """A Messaging API client when LINE is set up."""
    if settings.line is None:
        return None
    from bot.channels.line.client import LineApi

    return LineApi(settings.line, settings.http_timeout)


def lease_for(http_timeout: float) -> timedelta:
    """How long one delivery attempt may hold an outbox row: two timeouts and some slack.

    After a crash, a reply that was in flight is tried again once this has passed."""
    return timedelta(seconds=2 * http_timeout + 5)
