"""Staff alerts for urgent cases: a link to the case, nothing personal, to a webhook URL, a staff Telegram
chat and a LINE group, each when configured. Rows in staff_alerts survive a crash; a thread with its
own asyncio loop sends them, retrying with backoff."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.clock import Clock, utcnow
from dialogs.i18n import gettext as _
from dialogs.i18n import use_locale
from storage.records import StaffAlert
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.channels.line.client import LineApi

log = logging.getLogger(__name__)
BACKOFF = (5, 30, 120, 600)  # seconds; then every ten minutes
MAX_ATTEMPTS = 20


class Permanent(Exception):
    """This alert can never be delivered as configured (a wrong chat id, a 4xx)."""


Send = Callable[[str, str], Awaitable[None]]  # (text, link)


@dataclass(frozen=True)
class Targets:
    """What each configured target needs."""

    webhook_url: str | None = None
    telegram: Bot | None = None
    telegram_chat_id: str | None = None
    line: LineApi | None = None
    line_to: str | None = None


class Alerter:
    """Sends due staff alerts; run_forever() in a thread, wake() after an urgent case."""

    def __init__(self, uow: Callable[[], UnitOfWork], targets: Targets, public_url: str, timeout: float = 10.0,
                 locale: str = "ja", clock: Clock = utcnow) -> None:
        self._uow = uow
        self._targets = targets
        self._public_url = public_url.rstrip("/")
        self._timeout = timeout
        self._locale = locale
        self._clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()

    def wake(self) -> None:
        """Look for due alerts now."""
        self._wake.set()

    def stop(self) -> None:
        """End run_forever."""
        self._stop.set()
        self._wake.set()

    def run_forever(self, idle: float = 2.0) -> None:
        """Send due alerts until stopped."""
        loop = asyncio.new_event_loop()
        try:
            while not self._stop.is_set():
                loop.run_until_complete(self.send_due())
                self._wake.wait(idle)
                self._wake.clear()
        finally:
            loop.run_until_complete(self.close())
            loop.close()

    async def send_due(self) -> int:
        """One round: every due alert tried once; returns how many went out."""
        now = self._clock()
        with self._uow() as uow:
            due = uow.alerts.take_due(now, timedelta(seconds=2 * self._timeout + 5))
            uow.commit()
        sent = 0
        for alert in due:
            sent += await self._send(alert)
        return sent

    async def _send(self, alert: StaffAlert) -> int:
        link = f"{self._public_url}/console/handoffs/{alert.handoff_id}"
        with use_locale(self._locale):
            text = _("つなぐ：緊急の相談が届きました。コンソールで確認してください。")
        error, retry = "", True
        try:
            await self._sender(alert.target)(text, link)
        except Permanent as exc:
            error, retry = str(exc), False
        except Exception as exc:  # any other failure is passing: try again later (never personal content)
            error = type(exc).__name__
        now = self._clock()
        with self._uow() as uow:
            if not error:
                uow.alerts.sent(alert.id, now)
            else:
                attempt = alert.attempts + 1
                later = now + timedelta(seconds=BACKOFF[min(attempt - 1, len(BACKOFF) - 1)])
                uow.alerts.failed(alert.id, later if retry and attempt < MAX_ATTEMPTS else None, error)
                log.warning("staff alert %s to %s failed: %s", alert.id, alert.target, error)
            uow.commit()
        return 0 if error else 1

    def _sender(self, target: str) -> Send:
        senders: dict[str, Send] = {"webhook": self._webhook, "telegram": self._telegram, "line": self._line}
        if target not in senders:
            raise Permanent(f"unknown target {target}")
        return senders[target]

    async def _webhook(self, text: str, link: str) -> None:
        if not self._targets.webhook_url:
            raise Permanent("no webhook URL")
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            answer = await client.post(self._targets.webhook_url,
                                       json={"text": f"{text}\n{link}", "url": link, "priority": "urgent"})
        if 400 <= answer.status_code < 500 and answer.status_code not in (408, 429):
            raise Permanent(f"webhook answered {answer.status_code}")
        answer.raise_for_status()

    async def _telegram(self, text: str, link: str) -> None:
        bot, chat = self._targets.telegram, self._targets.telegram_chat_id
        if bot is None or not chat:
            raise Permanent("no staff Telegram chat")
        try:
            await bot.send_message(chat_id=chat, text=f"{text}\n{link}")
        except (Forbidden, BadRequest) as exc:
            raise Permanent(f"Telegram refused: {type(exc).__name__}") from exc
        except TelegramError:
            raise

    async def _line(self, text: str, link: str) -> None:
        from linebot.v3.messaging import PushMessageRequest, TextMessage  # the SDK loads only where LINE is set up
        from linebot.v3.messaging.exceptions import ApiException

        api, to = self._targets.line, self._targets.line_to
        if api is None or not to:
            raise Permanent("no staff LINE group")
        try:
            await api.api().push_message(PushMessageRequest(to=to, messages=[TextMessage(text=f"{text}\n{link}")]),
                                         _request_timeout=self._timeout)
        except ApiException as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                raise Permanent(f"LINE answered {exc.status}") from exc
            raise

    async def close(self) -> None:
        """Release HTTP sessions."""
        if self._targets.line is not None:
            await self._targets.line.close()
        if self._targets.telegram is not None:
            await self._targets.telegram.request.shutdown()
