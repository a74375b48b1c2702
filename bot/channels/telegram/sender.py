"""Delivers outbox replies to Telegram chats, paced to Telegram's limits, with its errors sorted
into retry (429 with its retry_after, 5xx, network), unreachable (403) and give up (400)."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.channels.telegram.render import Part, bundle, render
from bot.outbox import GiveUp, Result, RetryLater, Sent, Unreachable
from bot.pacing import Pacer, SendWindow
from dialogs.model import Reply
from storage.records import OutboxItem

log = logging.getLogger(__name__)
PER_CHAT = (1.0, 3.0)  # about one a second per chat, a short burst allowed
OVERALL = (25.0, 5.0)  # under thirty a second in all, whatever the burst
WINDOW = (3, 25)  # per chat and in all, in any second, counted as the requests leave
BAD_TOKEN_WAIT = timedelta(minutes=5)


def retry_seconds(exc: RetryAfter) -> float:
    """retry_after as seconds, whether this version of the library gives an int or a timedelta."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    """The outbox's Telegram channel."""

    def __init__(self, bot: Bot, pacer: Pacer | None = None) -> None:
        self.bot = bot
        self.pacer: Pacer | None = pacer or Pacer(PER_CHAT, OVERALL)
        self.window = SendWindow(*WINDOW)

    async def send(self, item: OutboxItem) -> Result:
        """Send one turn's replies (a ticked topic edits the keyboard's message instead)."""
        replies = bundle([Reply.from_dict(body) for body in item.replies()])
        chat_id = int(item.user_key) if item.user_key.lstrip("-").isdigit() else item.user_key  # or @a_channel
        message_id = item.delivery().get("message_id")
        progress = [item.parts_sent]  # parts out so far, kept in the outbox row across attempts and processes
        return await self._attempt(progress, chat_id, replies, message_id)

    async def _attempt(self, progress: list[int], chat_id: int | str, replies: list[Reply],
                       message_id: object) -> Result:
        try:
            if len(replies) == 1 and replies[0].update and isinstance(message_id, int):
                parts = render(replies[0])
                if len(parts) == 1 and await self._edit(chat_id, message_id, parts[0]):
                    return Sent()
            await self._send_parts(progress, chat_id, [part for reply in replies for part in render(reply)])
        except RetryAfter as exc:
            return RetryLater("429 retry_after", timedelta(seconds=retry_seconds(exc)), progress[0])
        except Forbidden:
            return Unreachable("403 the person blocked the bot")
        except InvalidToken:
            log.error("Telegram refused the bot token; check TELEGRAM_BOT_TOKEN")
            return RetryLater("invalid token", BAD_TOKEN_WAIT, progress[0])
        except BadRequest as exc:
            return GiveUp(f"400 {exc.message}"[:200])
        except (NetworkError, TelegramError) as exc:
            return RetryLater(type(exc).__name__, None, progress[0])
        return Sent()

    async def _send_parts(self, progress: list[int], chat_id: int | str, parts: list[Part]) -> None:
        """Send the parts not yet sent; the deliverer paced the first, the rest are paced here."""
        first = progress[0]
        for index in range(first, len(parts)):
            part = parts[index]
            if index > first and self.pacer is not None:
                await self.pacer.wait(str(chat_id))
            await self.window.enter(str(chat_id))
            await self.bot.send_message(chat_id, part.text, reply_markup=part.keyboard)
            progress[0] = index + 1

    async def _edit(self, chat_id: int | str, message_id: int, part: Part) -> bool:
        """Edit the keyboard's message in place; False when it cannot be edited (then send anew)."""
        await self.window.enter(str(chat_id))
        try:
            await self.bot.edit_message_text(part.text, chat_id=chat_id, message_id=message_id,
                                             reply_markup=part.keyboard)
        except BadRequest as exc:
            return "not modified" in exc.message
        return True

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self.bot.request.shutdown()
