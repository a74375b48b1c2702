"""Telegram updates as the dialog's Inbound messages (private chats only; the rest is ignored)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram import CallbackQuery, Message, Update

from dialogs.model import Inbound

CHANNEL = "telegram"
_CHOICE_ID = re.compile(r"^[a-z_*]{1,32}:[a-z0-9_]{1,40}$")
COMMANDS = {"help": "cmd:help", "pause": "cmd:pause", "language": "cmd:language", "delete": "cmd:erase",
            "unshare": "cmd:unshare"}
_KINDS: tuple[tuple[str, str], ...] = (
    ("sticker", "sticker"), ("photo", "image"), ("video", "video"), ("animation", "video"),
    ("video_note", "video"), ("voice", "audio"), ("audio", "audio"), ("document", "file"),
    ("location", "location"), ("venue", "location"), ("contact", "contact"),
)


@dataclass(frozen=True)
class Incoming:
    """A message for the dialog, what its replies need, and the callback query to answer."""

    inbound: Inbound
    delivery: dict[str, Any] = field(default_factory=dict)
    callback_query_id: str | None = None


@dataclass(frozen=True)
class Blocked:
    """The person blocked the bot."""

    user_key: str


def read(update: Update, received_at: datetime) -> Incoming | Blocked | None:
    """What an update means for the dialog; None for updates it has no use for."""
    if update.callback_query is not None:
        return _callback(update.update_id, update.callback_query, received_at)
    if update.message is not None and update.message.chat.type == "private":
        return _message(update.update_id, update.message, received_at)
    member = update.my_chat_member
    if member is not None and member.chat.type == "private" and member.new_chat_member.status == "kicked":
        return Blocked(str(member.chat.id))
    return None


def _message(update_id: int, message: Message, received_at: datetime) -> Incoming:
    text = message.text if message.text is not None else message.caption
    choice_id = None
    kind = "text"
    if text is not None and text.startswith("/"):
        command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
        if command == "start":
            text, kind = None, "open"
        elif command in COMMANDS:
            text, choice_id = None, COMMANDS[command]
    elif text is None:
        kind = next((k for attr, k in _KINDS if getattr(message, attr, None)), "other")
    locale = message.from_user.language_code if message.from_user else None
    inbound = Inbound(
        channel=CHANNEL, user_key=str(message.chat.id), event_id=f"{update_id}:m{message.message_id}",
        received_at=received_at, text=text, choice_id=choice_id, locale_hint=locale, kind=kind,
    )
    return Incoming(inbound)


def _callback(update_id: int, query: CallbackQuery, received_at: datetime) -> Incoming | None:
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    if message is not None and message.chat.type != "private":
        return None
    data = query.data if isinstance(query.data, str) and _CHOICE_ID.match(query.data) else None
    inbound = Inbound(
        channel=CHANNEL, user_key=str(chat_id), event_id=f"{update_id}:c{query.id}",
        received_at=received_at, choice_id=data, locale_hint=query.from_user.language_code,
        kind="text" if data else "open",
    )
    delivery = {"message_id": message.message_id} if message is not None else {}
    return Incoming(inbound, delivery, query.id)
