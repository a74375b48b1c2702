"""Taking Telegram updates in, the same way from the webhook and from polling: commit, then answer
the button press."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.channels.port import Incoming, Port
from bot.channels.telegram.updates import CHANNEL, read

log = logging.getLogger(__name__)


def _is(value: object, kind: type | tuple[type, ...]) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)


def well_formed(update: Update) -> bool:
    """The fields the bot reads have the types the Bot API promises (the library does not check them)."""
    for message in (update.message, update.callback_query.message if update.callback_query else None):
        if message is None:
            continue
        if not (_is(message.message_id, int) and _is(message.chat.id, int) and _is(message.chat.type, str)):
            return False
        texts = (getattr(message, "text", None), getattr(message, "caption", None))
        if not all(value is None or _is(value, str) for value in texts):
            return False
        sender = getattr(message, "from_user", None)
        if sender is not None and not (sender.language_code is None or _is(sender.language_code, str)):
            return False
    query = update.callback_query
    if query is not None and not (_is(query.id, str) and (query.data is None or _is(query.data, str))
                                  and _is(query.from_user.id, int)):
        return False
    member = update.my_chat_member
    return member is None or (_is(member.chat.id, int) and _is(member.new_chat_member.status, str))


class Inbox:
    """Commits each update through the port (a repeated update is dropped there)."""

    def __init__(self, port: Port, bot: Bot) -> None:
        self.port = port
        self.bot = bot

    def parse(self, data: Any) -> Update:
        """An Update from decoded JSON; ValueError when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int) \
                or isinstance(data.get("update_id"), bool):
            raise ValueError("not an Update")
        try:
            update = Update.de_json(data, self.bot)
            if update is None or not well_formed(update):
                raise ValueError("not an Update")
        except Exception as exc:  # the library rejects a malformed object in many ways
            raise ValueError("not an Update") from exc
        return update

    async def take(self, update: Update) -> str | None:
        """Commit one update; the callback query id to answer afterwards, if any."""
        meaning = read(update, self.port.clock())
        await self.port.take(CHANNEL, meaning)
        return meaning.acknowledge if isinstance(meaning, Incoming) else None

    async def answer(self, callback_query_id: str | None) -> None:
        """Stop the button's spinner; a failure here loses nothing, so it is only logged."""
        if callback_query_id is None:
            return
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramError as exc:
            log.warning("answering a callback query failed: %s", type(exc).__name__)
