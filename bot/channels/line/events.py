"""LINE webhook events as the dialog's Inbound messages (one-to-one chats only)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from linebot.v3.webhooks import (
    AudioMessageContent,
    Event,
    FileMessageContent,
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
    VideoMessageContent,
)

from bot.channels.port import Blocked, Incoming, choice_id
from dialogs.model import Inbound

CHANNEL = "line"
REPLY_TOKEN_LIFE = timedelta(seconds=50)  # LINE allows about a minute; keep a margin
KNOWN_TYPES = frozenset({"message", "postback", "follow", "unfollow"})
_KINDS: tuple[tuple[type, str], ...] = (
    (StickerMessageContent, "sticker"), (ImageMessageContent, "image"), (VideoMessageContent, "video"),
    (AudioMessageContent, "audio"), (FileMessageContent, "file"), (LocationMessageContent, "location"),
)


def read(event: Event, received_at: datetime) -> Incoming | Blocked | None:
    """What an event means for the dialog; None for events it has no use for."""
    source = event.source
    if not isinstance(source, UserSource) or not source.user_id:
        return None
    user_key = source.user_id
    if isinstance(event, UnfollowEvent):
        return Blocked(user_key)
    event_id = str(event.webhook_event_id)
    base: dict[str, Any] = {"channel": CHANNEL, "user_key": user_key, "event_id": event_id,
                            "received_at": received_at}
    if isinstance(event, FollowEvent):
        return Incoming(Inbound(**base, kind="open"), _delivery(event.reply_token, received_at))
    if isinstance(event, PostbackEvent):
        data = choice_id(event.postback.data)
        inbound = Inbound(**base, choice_id=data, kind="text" if data else "open")
        return Incoming(inbound, _delivery(event.reply_token, received_at))
    if isinstance(event, MessageEvent):
        content = event.message
        if isinstance(content, TextMessageContent):
            inbound = Inbound(**base, text=content.text)
        else:
            kind = next((k for cls, k in _KINDS if isinstance(content, cls)), "other")
            inbound = Inbound(**base, kind=kind)
        return Incoming(inbound, _delivery(event.reply_token, received_at))
    return None


def _delivery(reply_token: str | None, received_at: datetime) -> dict[str, Any]:
    if not reply_token:
        return {}
    return {"reply_token": reply_token, "reply_until": (received_at + REPLY_TOKEN_LIFE).isoformat()}
