"""LINE as a channel: the signed webhook, the outbox sender (reply token or push), and the staff group for
alerts. Imported only where LINE is set up: line-bot-sdk takes half a second to load."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.channels.line import webhook
from bot.channels.line.client import LineApi
from bot.channels.line.events import CHANNEL
from bot.channels.line.sender import LineSender
from bot.channels.line.settings import LineSettings
from bot.channels.port import Port
from bot.channels.registry import Task
from bot.clock import Clock
from bot.outbox import Sender


class LineChannel:
    """One LINE official account."""

    name = CHANNEL

    def __init__(self, settings: LineSettings, timeout: float, clock: Clock) -> None:
        self.settings = settings
        self.timeout = timeout
        self.clock = clock
        self.staff_chat = settings.staff_to
        self._api: LineApi | None = None

    def routes(self, port: Port) -> list[BaseRoute]:
        self._api = self._api or LineApi(self.settings, self.timeout)  # the webhook's own client (profiles)
        return [webhook.route(webhook.LineInbox(port, self._api), port)]

    def background(self, port: Port) -> list[Task]:
        return []

    def sender(self) -> Sender:
        return LineSender(LineApi(self.settings, self.timeout), clock=self.clock)

    async def close(self) -> None:
        if self._api is not None:
            await self._api.close()
