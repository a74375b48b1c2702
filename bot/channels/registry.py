"""What a channel is, and which are configured. A channel is a package in bot/channels/ whose `configure(setup)`
returns a Channel when its settings are there (None when it is off); the composition root and the app loop over
what it returns, so a new channel is a new package and nothing else."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

from starlette.routing import BaseRoute

import bot.channels
from bot.channels.port import Port
from bot.clock import Clock
from bot.outbox import Sender
from bot.settings import Settings

Task = Callable[[], Coroutine[Any, Any, None]]


class Channel(Protocol):
    """One way people reach the bot."""

    name: str  # as the conversations and the outbox know it ("line"), and the staff alerts' target
    staff_chat: str | None  # where staff are told of urgent cases on this channel (None: not here)

    def routes(self, port: Port) -> list[BaseRoute]:
        """The HTTP routes it serves (a webhook, a page), taking messages in through the port."""
        ...

    def background(self, port: Port) -> list[Task]:
        """What runs beside the app while it serves (Telegram's polling), taking messages in through the port."""
        ...

    def sender(self) -> Sender:
        """A new outbox sender, for the one event loop that will use it (the deliverer's, the alerts')."""
        ...

    async def close(self) -> None:
        """Release what its routes opened (HTTP sessions), at shutdown."""
        ...


@dataclass(frozen=True)
class Setup:
    """What a channel is configured from: the settings (`env` holds its own variables), the clock, and the
    timeout of calls to its platform."""

    settings: Settings
    clock: Clock

    @property
    def env(self) -> Mapping[str, str]:
        """The environment the settings were read from (and the .env file)."""
        return self.settings.env

    @property
    def timeout(self) -> float:
        """Seconds before a call to the platform counts as failed."""
        return self.settings.http_timeout


def packages() -> list[ModuleType]:
    """Every channel package in bot/channels/, by name (each has a `configure`)."""
    found = []
    for info in sorted(pkgutil.iter_modules(bot.channels.__path__), key=lambda i: i.name):
        if info.ispkg:
            module = importlib.import_module(f"{bot.channels.__name__}.{info.name}")
            if callable(getattr(module, "configure", None)):
                found.append(module)
    return found


def configured(setup: Setup) -> list[Channel]:
    """The channels whose settings are there."""
    channels: list[Channel] = []
    for package in packages():
        channel: Channel | None = package.configure(setup)
        if channel is not None:
            channels.append(channel)
    return channels
