"""The web chat as a channel: its page and API; the person reads replies from the thread itself."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.channels.port import Port
from bot.channels.registry import Task
from bot.channels.webchat import routes
from bot.outbox import Result, Sender, Sent
from bot.pacing import Pacer
from storage.records import OutboxItem


class WebChatSender:
    """Delivery is recording that the page may show the reply (it reads the thread)."""

    pacer: Pacer | None = None

    async def send(self, item: OutboxItem) -> Result:
        return Sent()

    async def close(self) -> None:
        return None


class WebChat:
    """The page at /chat and its JSON API."""

    name = routes.CHANNEL
    staff_chat: str | None = None

    def __init__(self, default_locale: str, embedded: bool = False) -> None:
        self.default_locale = default_locale
        self.embedded = embedded

    def routes(self, port: Port) -> list[BaseRoute]:
        return list(routes.routes(port, self.default_locale, self.embedded))

    def background(self, port: Port) -> list[Task]:
        return []

    def sender(self) -> Sender:
        return WebChatSender()

    async def close(self) -> None:
        return None
