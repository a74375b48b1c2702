"""The python-telegram-bot Bot for our settings, and the webhook registration."""

from __future__ import annotations

from telegram import Bot, BotCommand
from telegram.request import HTTPXRequest

from bot.channels.telegram.settings import TelegramSettings
from dialogs.i18n import N_, SOURCE_LOCALE, SUPPORTED_LOCALES, use_locale
from dialogs.i18n import gettext as _

POOL = 64
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
COMMANDS = (
    ("start", N_("はじめる・続きから")),
    ("help", N_("使い方")),
    ("pause", N_("ひと休み")),
    ("events", N_("集まりを見る")),
    ("language", N_("言葉を変える（Language）")),
    ("unshare", N_("ほかの機関との共有をやめる")),
    ("delete", N_("データを消す")),
)


def make_bot(settings: TelegramSettings, timeout: float) -> Bot:
    """A Bot that sends every call to `{api_base_url}/bot{token}/{method}`."""
    request = HTTPXRequest(connection_pool_size=POOL, read_timeout=timeout, write_timeout=timeout,
                           connect_timeout=timeout, pool_timeout=timeout)
    polling = HTTPXRequest(connection_pool_size=2, read_timeout=timeout, write_timeout=timeout,
                           connect_timeout=timeout, pool_timeout=timeout)
    return Bot(settings.token, base_url=f"{settings.api_base_url}/bot", request=request,
               get_updates_request=polling)


async def set_webhook(bot: Bot, url: str, secret: str) -> None:
    """Register the webhook with its secret, and the command menu in each language (ja the default)."""
    await bot.set_webhook(url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES))
    for locale in SUPPORTED_LOCALES:
        if "@" in locale:
            continue  # Telegram names languages by two letters only: ja@easy people see the ja menu
        with use_locale(locale):
            menu = [BotCommand(name, _(description)) for name, description in COMMANDS]
        await bot.set_my_commands(menu, language_code=None if locale == SOURCE_LOCALE else locale)
