"""Staff alerts for urgent cases: a link to the case, nothing personal, to a webhook URL and to a staff chat on
each channel that has one (a Telegram chat, a LINE group), sent by that channel's own outbox sender. Rows in
staff_alerts survive a crash; a thread with its own asyncio loop sends them, retrying with backoff."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import httpx

from bot.clock import Clock, utcnow
from bot.outbox import GiveUp, Result, RetryLater, Sender, Sent
from dialogs.i18n import gettext as _
from dialogs.i18n import use_locale
from storage.records import OutboxItem, StaffAlert
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
BACKOFF = (5, 30, 120, 600)  # seconds; then every ten minutes
MAX_ATTEMPTS = 20


class Target(Protocol):
    """Somewhere staff are told: says what became of one alert, as an outbox sender does."""

    async def send(self, alert: StaffAlert, text: str, link: str) -> Result: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Webhook:
    """POSTs {"text", "url", "priority"} to the operators' URL (TSUNAGU_ALERT_WEBHOOK_URL)."""

    url: str
    timeout: float = 10.0

    async def send(self, alert: StaffAlert, text: str, link: str) -> Result:
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            answer = await client.post(self.url, json={"text": f"{text}\n{link}", "url": link, "priority": "urgent"})
        if 400 <= answer.status_code < 500 and answer.status_code not in (408, 429):
            return GiveUp(f"webhook answered {answer.status_code}")
        if answer.status_code >= 400:
            return RetryLater(f"webhook answered {answer.status_code}")
        return Sent()

    async def close(self) -> None:
        return None


@dataclass(frozen=True)
class StaffChat:
    """A staff chat on a channel, reached by that channel's sender as if it were a person's conversation."""

    sender: Sender
    chat: str

    async def send(self, alert: StaffAlert, text: str, link: str) -> Result:
        item = OutboxItem(alert.id, f"alert-{alert.handoff_id}", alert.target, self.chat,
                          {"replies": [{"text": f"{text}\n{link}", "choices": []}]}, alert.attempts)
        return await self.sender.send(item)

    async def close(self) -> None:
        await self.sender.close()


class Alerter:
    """Sends due staff alerts; run_forever() in a thread, wake() after an urgent case."""

    def __init__(self, uow: Callable[[], UnitOfWork], targets: Mapping[str, Target], public_url: str,
                 timeout: float = 10.0, locale: str = "ja", clock: Clock = utcnow) -> None:
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

    def run_forever(self, idle: float = 2.0, may_run: Callable[[], bool] = lambda: True) -> None:
        """Send due alerts until stopped, in the rounds when `may_run` says this process is the one sending."""
        loop = asyncio.new_event_loop()
        try:
            while not self._stop.is_set():
                if may_run():
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
        target = self._targets.get(alert.target)
        try:
            result = await target.send(alert, text, link) if target else GiveUp(f"unknown target {alert.target}")
        except Exception as exc:  # any other failure is passing: try again later (never personal content)
            result = RetryLater(type(exc).__name__)
        now = self._clock()
        with self._uow() as uow:
            if isinstance(result, Sent):
                uow.alerts.sent(alert.id, now)
            else:
                attempt = alert.attempts + 1
                later = now + timedelta(seconds=BACKOFF[min(attempt - 1, len(BACKOFF) - 1)])
                retry = isinstance(result, RetryLater) and attempt < MAX_ATTEMPTS
                uow.alerts.failed(alert.id, later if retry else None, result.error)
                log.warning("staff alert %s to %s failed: %s", alert.id, alert.target, result.error)
            uow.commit()
        return 1 if isinstance(result, Sent) else 0

    async def close(self) -> None:
        """Release the targets' HTTP sessions."""
        for target in self._targets.values():
            await target.close()
