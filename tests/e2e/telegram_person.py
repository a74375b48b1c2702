"""A person on Telegram, as the tests play them: updates go in by the webhook or by getUpdates from
the stand-in, and the bot's messages are read back at the stand-in."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.standins.telegram_api import Sent, TelegramStandIn

SECRET = "e2e-webhook-secret_1"


class Webhook:
    """Delivers updates as Telegram does in webhook mode; each must be acknowledged with 200.
    Keeps how long each acknowledgement took."""

    def __init__(self, url: str, secret: str = SECRET) -> None:
        self.url = f"{url}/webhooks/telegram"
        self.secret = secret
        self.http = httpx.Client(timeout=10)
        self.seconds: list[float] = []

    def __call__(self, update: dict[str, Any]) -> None:
        started = time.perf_counter()
        response = self.http.post(self.url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": self.secret})
        self.seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text


def webhook(url: str, secret: str = SECRET) -> Webhook:
    """A webhook deliverer for the server at `url`."""
    return Webhook(url, secret)


class TelegramPerson:
    """One private chat with the bot."""

    def __init__(self, standin: TelegramStandIn, chat_id: int, deliver: Callable[[dict[str, Any]], None],
                 language_code: str = "ja") -> None:
        self.standin = standin
        self.chat_id = chat_id
        self.deliver = deliver
        self.language_code = language_code
        self.presses = 0

    def open(self) -> None:
        self.say("/start")

    def say(self, text: str) -> None:
        self.deliver(self.standin.message(self.chat_id, text, self.language_code))

    def send(self, **content: Any) -> None:
        """A sticker, a photo…: `send(sticker={...})`."""
        self.deliver(self.standin.message(self.chat_id, None, self.language_code, **content))

    def button(self, choice: str, timeout: float = 20) -> Sent:
        """The newest message showing a button with this choice id (waits for it)."""
        found: list[Sent] = []

        def shown() -> bool:
            found[:] = [m for m in self.standin.messages(self.chat_id) if choice in m.data()]
            return bool(found)

        self.standin.wait(shown, timeout, f"a {choice} button in chat {self.chat_id}")
        return found[-1]

    def press(self, choice: str) -> None:
        message = self.button(choice)
        self.presses += 1
        self.deliver(self.standin.callback(self.chat_id, choice, message.message_id, self.language_code))

    def wait_for_text(self, part: str, timeout: float = 20) -> Sent:
        """The first message containing `part` (waits for it)."""
        found: list[Sent] = []

        def shown() -> bool:
            found[:] = [m for m in self.standin.messages(self.chat_id) if part in m.text]
            return bool(found)

        self.standin.wait(shown, timeout, f"{part!r} in chat {self.chat_id}")
        return found[0]
