"""The LINE channel's settings: on when both LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are set
(docs/INTERFACES.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.settings import SettingsError, base_url, off


@dataclass(frozen=True)
class LineSettings:
    """The channel's secret and access token, the Messaging API's root, and a staff group for alerts."""

    channel_secret: str
    access_token: str
    api_base_url: str
    staff_to: str | None = None
    friend_url: str | None = None  # the account's friend-add URL (https://lin.ee/…), for posters and cards
    data_base_url: str = "https://api-data.line.me"  # where rich menu images go


def load(env: Mapping[str, str]) -> LineSettings | None:
    """The LINE_* settings: both credentials or neither; None when LINE is off."""
    secret = env.get("LINE_CHANNEL_SECRET") or None
    token = env.get("LINE_CHANNEL_ACCESS_TOKEN") or None
    if secret is None and token is None:
        off(env, "TSUNAGU_ALERT_LINE_TO", "the LINE_* settings")
        off(env, "LINE_FRIEND_URL", "the LINE_* settings")
        return None
    if secret is None or token is None:
        raise SettingsError("Set both LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN, or neither.")
    friend_url = env.get("LINE_FRIEND_URL") or None
    if friend_url is not None and not friend_url.startswith("https://"):
        raise SettingsError("LINE_FRIEND_URL must be the https:// friend-add URL of the LINE account.")
    return LineSettings(secret, token, base_url(env, "LINE_API_BASE_URL", "https://api.line.me"),
                        env.get("TSUNAGU_ALERT_LINE_TO") or None, friend_url,
                        base_url(env, "LINE_API_DATA_BASE_URL", "https://api-data.line.me"))
