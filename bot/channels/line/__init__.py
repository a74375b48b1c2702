"""LINE through line-bot-sdk v3: signed webhooks in, replies out by reply token or push (the outbox).

Nothing of the consultation is kept on LINE's side beyond the messages themselves: the content
lives in our database, as the 2021 government guideline for LINE consultations asks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.line.settings import load

if TYPE_CHECKING:
    from bot.channels.registry import Channel, Setup


def configure(setup: Setup) -> Channel | None:
    """The LINE channel when its credentials are set (line-bot-sdk is imported only then)."""
    settings = load(setup.env)
    if settings is None:
        return None
    from bot.channels.line.channel import LineChannel

    return LineChannel(settings, setup.timeout, setup.clock)
