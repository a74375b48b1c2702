"""The python-telegram-bot Bot for our settings, and the webhook registration."""

from __future__ import annotations

from telegram import Bot, BotCommand
from telegram.request import HTTPXRequest

from bot.settings import TelegramSettings

POOL = 64
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
COMMANDS = {
    "ja": (("start", "はじめる・続ける"), ("help", "使い方"), ("pause", "ひと休み"),
           ("language", "言葉を変える (Language)"), ("delete", "データを消す")),
    "en": (("start", "Start or carry on"), ("help", "How this works"), ("pause", "Take a break"),
           ("language", "Change language (言語)"), ("delete", "Delete my data")),
}


def make_bot(settings: TelegramSettings, timeout: float) -> Bot:
    """A Bot that sends every call to `{api_base_url}/bot{token}/{method}`."""
    request = HTTPXRequest(connection_pool_size=POOL, read_timeout=timeout, write_timeout=timeout,
                           connect_timeout=timeout, pool_timeout=timeout)
    polling = HTTPXRequest(connection_pool_size=2, read_timeout=timeout, write_timeout=timeout,
                           connect_timeout=timeout, pool_timeout=timeout)
    return Bot(settings.token, base_url=f"{settings.api_base_url}/bot", request=request,
               get_updates_request=polling)


async def set_webhook(bot: Bot, url: str, secret: str) -> None:
    """Register the webhook with its secret, and the command menu in Japanese and English."""
    await bot.set_webhook(url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES))
    for language, commands in COMMANDS.items():
        menu = [BotCommand(name, description) for name, description in commands]
        await bot.set_my_commands(menu, language_code=None if language == "ja" else language)
