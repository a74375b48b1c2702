"""The ways in that a poster shows: only the channels that are set up, each with its URL and the short form
printed under its QR code. The web chat link names the agency by its code and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from bot.channels.line.settings import load as line_settings
from bot.channels.telegram.settings import load as telegram_settings
from bot.settings import Settings


@dataclass(frozen=True)
class ChannelLink:
    """A channel people can open from paper: its name, the URL in its QR code, and the link as printed."""

    channel: str
    url: str

    @property
    def short(self) -> str:
        """The link as typed by hand: without the scheme."""
        return self.url.split("://", 1)[-1]


def web_chat_url(settings: Settings, agency_code: str | None) -> str:
    """The web chat's address, carrying the agency's code (never anything about a person)."""
    root = settings.public_url or f"http://{settings.host}:{settings.port}"
    query = f"?{urlencode({'a': agency_code})}" if agency_code else ""
    return f"{root}/chat{query}"


def channel_links(settings: Settings, agency_code: str | None) -> list[ChannelLink]:
    """LINE (its friend-add URL) and Telegram (t.me/<bot>) when they are set up, and the web chat."""
    links = []
    line = line_settings(settings.env)
    if line is not None and line.friend_url:
        links.append(ChannelLink("line", line.friend_url))
    telegram = telegram_settings(settings.env)
    if telegram is not None and telegram.username:
        links.append(ChannelLink("telegram", f"https://t.me/{telegram.username}"))
    links.append(ChannelLink("webchat", web_chat_url(settings, agency_code)))
    return links
