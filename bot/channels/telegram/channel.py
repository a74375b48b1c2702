"""Telegram as a channel: the webhook route (when a secret is set), polling beside the app (TELEGRAM_MODE=polling),
the outbox sender, and the staff chat for alerts."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.channels.port import Port
from bot.channels.registry import Task
from bot.channels.telegram import webhook
from bot.channels.telegram.client import make_bot
from bot.channels.telegram.inbox import Inbox
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.settings import TelegramSettings
from bot.channels.telegram.updates import CHANNEL
from bot.outbox import Sender


class TelegramChannel:
    """One bot, taken in by webhook or polling."""

    name = CHANNEL

    def __init__(self, settings: TelegramSettings, timeout: float) -> None:
        self.settings = settings
        self.timeout = timeout
        self.staff_chat = settings.staff_chat
        self._inbox: Inbox | None = None

    def inbox(self, port: Port) -> Inbox:
        """The one inbox of this process (the webhook and polling share it)."""
        if self._inbox is None:
            self._inbox = Inbox(port, make_bot(self.settings, self.timeout))
        return self._inbox

    def routes(self, port: Port) -> list[BaseRoute]:
        if self.settings.webhook_secret is None:
            return []
        return [webhook.route(self.inbox(port), port, self.settings.webhook_secret)]

    def background(self, port: Port) -> list[Task]:
        return [Poller(self.inbox(port)).run] if self.settings.mode == "polling" else []

    def sender(self) -> Sender:
        return TelegramSender(make_bot(self.settings, self.timeout))

    async def close(self) -> None:
        if self._inbox is not None:
            await self._inbox.bot.request.shutdown()
