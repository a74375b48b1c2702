"""The Telegram channel's settings: on when TELEGRAM_BOT_TOKEN is set (docs/INTERFACES.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.settings import SettingsError, base_url, off

MODES = ("webhook", "polling")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


@dataclass(frozen=True)
class TelegramSettings:
    """The bot's token, the webhook's secret, webhook or polling, the Bot API's root, and a staff chat for alerts."""

    token: str
    webhook_secret: str | None
    mode: str
    api_base_url: str
    staff_chat: str | None = None
    username: str | None = None  # the bot's @name, for its t.me link on posters and cards


def load(env: Mapping[str, str]) -> TelegramSettings | None:
    """The TELEGRAM_* settings, checked together (webhook mode needs its secret); None when Telegram is off."""
    token = env.get("TELEGRAM_BOT_TOKEN") or None
    if token is None:
        off(env, "TSUNAGU_ALERT_TELEGRAM_CHAT_ID", "TELEGRAM_BOT_TOKEN")
        off(env, "TELEGRAM_BOT_USERNAME", "TELEGRAM_BOT_TOKEN")
        return None
    username = (env.get("TELEGRAM_BOT_USERNAME") or "").removeprefix("@") or None
    if username is not None and not _USERNAME.match(username):
        raise SettingsError("TELEGRAM_BOT_USERNAME must be the bot's username, such as tsunagu_bot.")
    secret = env.get("TELEGRAM_WEBHOOK_SECRET") or None
    mode = env.get("TELEGRAM_MODE") or "webhook"
    if mode not in MODES:
        raise SettingsError(f"TELEGRAM_MODE must be webhook or polling, not {mode!r}.")
    if secret is not None and not _SECRET.match(secret):
        raise SettingsError("TELEGRAM_WEBHOOK_SECRET must be 1-256 letters, digits, _ or -.")
    if mode == "webhook" and secret is None:
        raise SettingsError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_MODE is webhook.")
    return TelegramSettings(token, secret, mode, base_url(env, "TELEGRAM_API_BASE_URL", "https://api.telegram.org"),
                            env.get("TSUNAGU_ALERT_TELEGRAM_CHAT_ID") or None, username)
