"""The web chat: a page at /chat and its JSON API, for people without LINE or Telegram; always on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.channels.registry import Channel, Setup


def configure(setup: Setup) -> Channel | None:
    """The web chat, in the visitor's language or TSUNAGU_DEFAULT_LOCALE."""
    from bot.channels.webchat.channel import WebChat

    return WebChat(setup.settings.default_locale, embedded=bool(setup.settings.frame_ancestors))
