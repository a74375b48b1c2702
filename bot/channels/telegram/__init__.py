"""Telegram through python-telegram-bot: updates in (webhook or polling), replies out (the outbox)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from bot.channels.telegram.settings import load

if TYPE_CHECKING:
    from bot.channels.registry import Channel, Setup

# Opt in to python-telegram-bot's coming behaviour (durations as timedelta), as its deprecation
# notice for RetryAfter.retry_after asks; the sender reads either form.
os.environ.setdefault("PTB_TIMEDELTA", "true")


def configure(setup: Setup) -> Channel | None:
    """The Telegram channel when TELEGRAM_BOT_TOKEN is set."""
    settings = load(setup.env)
    if settings is None:
        return None
    from bot.channels.telegram.channel import TelegramChannel

    return TelegramChannel(settings, setup.timeout)
