"""TELEGRAM_MODE=polling: long-poll getUpdates inside `tsunagu serve`, for operators without a
public URL. The offset moves past an update only after it is committed, so a crash loses nothing."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import DBAPIError
from telegram import Update
from telegram.error import Conflict, TelegramError

from bot.channels.telegram.client import ALLOWED_UPDATES
from bot.channels.telegram.inbox import Inbox

log = logging.getLogger(__name__)
POLL_SECONDS = 25
MAX_PAUSE = 60.0


class Poller:
    """Fetches and commits updates until cancelled."""

    def __init__(self, inbox: Inbox, poll_seconds: int = POLL_SECONDS) -> None:
        self.inbox = inbox
        self.poll_seconds = poll_seconds
        self._pause = 1.0
        self._answering: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Drop any webhook (Telegram allows one way at a time), then poll."""
        while not await self._drop_webhook():
            await self._wait()
        offset: int | None = None
        while True:
            try:
                updates = await self.inbox.bot.get_updates(
                    offset=offset, timeout=self.poll_seconds, allowed_updates=list(ALLOWED_UPDATES))
            except Conflict:
                log.error("Telegram refused polling: another process polls this bot, or a webhook is set")
                await self._wait()
                continue
            except TelegramError as exc:
                log.warning("getUpdates failed: %s", type(exc).__name__)
                await self._wait()
                continue
            for update in updates:
                await self._take(update)
                offset = update.update_id + 1
            self._pause = 1.0

    async def _take(self, update: Update) -> None:
        """Commit one update, retrying while the database is away (the offset waits for it)."""
        while True:
            try:
                callback = await self.inbox.take(update)
            except DBAPIError:
                log.warning("update %s waits: the database is unavailable", update.update_id)
                await self._wait()
                continue
            self._pause = 1.0
            if callback is not None:
                task = asyncio.get_running_loop().create_task(self.inbox.answer(callback))
                self._answering.add(task)
                task.add_done_callback(self._answering.discard)
            return

    async def _drop_webhook(self) -> bool:
        try:
            await self.inbox.bot.delete_webhook()
        except TelegramError as exc:
            log.warning("deleteWebhook failed: %s", type(exc).__name__)
            return False
        return True

    async def _wait(self) -> None:
        await asyncio.sleep(self._pause)
        self._pause = min(self._pause * 2, MAX_PAUSE)
