"""The composition root: the one place that builds the engine, the cipher, the unit of work, the use cases, the
configured channels and what they share (the inbound port, the deliverer, the staff alerts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from sqlalchemy import Engine

from bot.cases import Cases
from bot.cases.accounts import Accounts
from bot.cases.admin import Admin
from bot.cases.outreach import Outreach
from bot.channels.port import Port
from bot.channels.registry import Channel, Setup, configured
from bot.clock import Clock, utcnow
from bot.gatherings.catalog import DEFAULT_FILE as GATHERINGS_FILE
from bot.gatherings.catalog import BadGatherings, Gathering, load_gatherings
from bot.gatherings.chat import Invitations
from bot.gatherings.reminders import ReminderSweep
from bot.metrics import Metrics
from bot.outbox import Deliverer
from bot.safety.alerts import Alerter, StaffChat, Target, Webhook
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
    port: Port
    channels: list[Channel] = field(default_factory=list)
    alerter: Alerter | None = None
    care: Care = field(default_factory=lambda: Care(()))
    clock: Clock = utcnow
    metrics: Metrics = field(default_factory=Metrics)
    invitations: Invitations = field(default_factory=lambda: Invitations(()))

    def uow(self) -> UnitOfWork:
        """A new unit of work."""
        return SqlUnitOfWork(self.engine, self.cipher)

    @property
    def outreach(self) -> Outreach:
        """Posters and cards from this configuration (bot.cases.outreach)."""
        return Outreach(self.uow, self.settings, self.care.contacts, self.clock)

    def retention(self) -> Retention:
        """The retention task for the configured periods."""
        return Retention(self.uow, Periods(self.settings.retain_closed_days, self.settings.retain_unfinished_days),
                         self.clock)

    def reminders(self) -> ReminderSweep:
        """The sweep that sends the gatherings' reminders at their hour."""
        return ReminderSweep(self.uow, self.invitations, self.clock, self.deliverer.wake)

    def migrate(self) -> None:
        """Apply migrations and make sure the default agency exists."""
        upgrade(self.engine)
        self.admin.ensure_default_agency()

    def close(self) -> None:
        """Release connections (the channels' sessions are closed by the app's shutdown)."""
        self.deliverer.stop()
        if self.alerter is not None:
            self.alerter.stop()
        self.engine.dispose()


def build(settings: Settings, clock: Clock = utcnow) -> Container:
    """Wire the service from settings; every part reads the time from `clock`."""
    engine = make_engine(settings.database_url)
    cipher = FieldCipher(load_keys(settings.data_key, settings.data_dir))
    uow = partial(SqlUnitOfWork, engine, cipher)
    channels = configured(Setup(settings, clock))
    deliverer = Deliverer(uow, {c.name: c.sender() for c in channels}, lease=lease_for(settings.http_timeout),
                          clock=clock)
    targets = alert_targets(settings, channels)
    alerter = make_alerter(settings, uow, targets, clock) if targets else None
    care = Care(contacts(settings), resources(settings))
    invitations = Invitations(gatherings(settings))
    service = Service(uow, clock=clock, on_outbox=deliverer.wake, care=care, alert_targets=tuple(targets),
                      on_alert=alerter.wake if alerter else lambda: None, zone=settings.timezone,
                      invitations=invitations)
    cases = Cases(uow, clock, settings.timezone, on_outbox=deliverer.wake, resources=care.resources,
                  reader=partial(SqlUnitOfWork, engine, cipher, read_only=True), min_cell=settings.stats_min_cell,
                  gatherings=invitations.gatherings)
    metrics = Metrics()
    return Container(settings, engine, cipher, service, cases, Admin(uow, clock), Accounts(uow, clock), deliverer,
                     Port(service, metrics, clock), channels, alerter, care, clock, metrics, invitations)


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


def gatherings(settings: Settings) -> tuple[Gathering, ...]:
    """The gatherings (居場所, groups): the operators' file, or the bundled example (a bad file stops the start)."""
    try:
        return load_gatherings(settings.gatherings or GATHERINGS_FILE)
    except BadGatherings as exc:
        raise SettingsError(f"TSUNAGU_GATHERINGS: {exc}") from exc


def alert_targets(settings: Settings, channels: list[Channel]) -> dict[str, Target]:
    """Where urgent cases are announced besides the console: the webhook, and each channel's staff chat (sent
    by a sender of the channel's own, for the alerts' event loop)."""
    targets: dict[str, Target] = {}
    if settings.alert_webhook_url:
        targets["webhook"] = Webhook(settings.alert_webhook_url, settings.http_timeout)
    for channel in channels:
        if channel.staff_chat:
            targets[channel.name] = StaffChat(channel.sender(), channel.staff_chat)
    return targets


def make_alerter(settings: Settings, uow: Callable[[], UnitOfWork], targets: dict[str, Target],
                 clock: Clock = utcnow) -> Alerter:
    """The staff alerter for these targets; links point at TSUNAGU_PUBLIC_URL."""
    public = settings.public_url or f"http://{settings.host}:{settings.port}"
    return Alerter(uow, targets, public, settings.http_timeout, settings.default_locale, clock)


def lease_for(http_timeout: float) -> timedelta:
    """How long one delivery attempt may hold an outbox row: two timeouts and some slack.

    After a crash, a reply that was in flight is tried again once this has passed."""
    return timedelta(seconds=2 * http_timeout + 5)
