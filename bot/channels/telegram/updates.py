"""Telegram updates as the dialog's Inbound messages (private chats only; the rest is ignored)."""

from __future__ import annotations

from datetime import datetime

from telegram import CallbackQuery, Message, Update

from bot.channels.port import Blocked, Incoming, choice_id
from dialogs.model import Inbound

CHANNEL = "telegram"
COMMANDS = {"help": "cmd:help", "pause": "cmd:pause", "language": "cmd:language", "delete": "cmd:erase",
            "unshare": "cmd:unshare", "events": "cmd:gatherings"}
_KINDS: tuple[tuple[str, str], ...] = (
    ("sticker", "sticker"), ("photo", "image"), ("video", "video"), ("animation", "video"),
    ("video_note", "video"), ("voice", "audio"), ("audio", "audio"), ("document", "file"),
    ("location", "location"), ("venue", "location"), ("contact", "contact"),
)


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
    command_id = None
    kind = "text"
    if text is not None and text.startswith("/"):
        command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
        if command == "start":
            text, kind = None, "open"
        elif command in COMMANDS:
            text, command_id = None, COMMANDS[command]
    elif text is None:
        kind = next((k for attr, k in _KINDS if getattr(message, attr, None)), "other")
    locale = message.from_user.language_code if message.from_user else None
    inbound = Inbound(
        channel=CHANNEL, user_key=str(message.chat.id), event_id=f"{update_id}:m{message.message_id}",
        received_at=received_at, text=text, choice_id=command_id, locale_hint=locale, kind=kind,
    )
    return Incoming(inbound)


def _callback(update_id: int, query: CallbackQuery, received_at: datetime) -> Incoming | None:
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    if message is not None and message.chat.type != "private":
        return None
    data = choice_id(query.data)
    inbound = Inbound(
        channel=CHANNEL, user_key=str(chat_id), event_id=f"{update_id}:c{query.id}",
        received_at=received_at, choice_id=data, locale_hint=query.from_user.language_code,
        kind="text" if data else "open",
    )
    delivery = {"message_id": message.message_id} if message is not None else {}
    return Incoming(inbound, delivery, query.id)
