"""The baseline people would pick instead: the same first steps written the usual way with
python-telegram-bot, a ConversationHandler kept by PicklePersistence, behind the custom-webhook
pattern of the library's examples (Starlette puts each update on the application's queue and
answers 200 at once). Run as `python bench/baseline.py PORT DATA_DIR SECRET API_ROOT`.

Nothing here is durable before the answer: an update is only in memory until the handler runs, and
the conversation states reach the pickle file when PicklePersistence flushes (every 60 s by default)."""

from __future__ import annotations

import asyncio
import sys
import warnings
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.warnings import PTBUserWarning

WELCOME, WHO, CONSENT = range(3)
GREETING = ("こんにちは。ひきこもりのことを相談できる窓口です。ご本人でも、ご家族でも大丈夫です。\n\n"
            "書いてもらったことは、相談員が受付時間に順番に読みます。はじめてみますか？")
HELP = "いつでも使えることば：「戻る」「やめる」「最初から」「削除」"


def buttons(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    """One row per choice."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)] for data, label in pairs])


WELCOME_KEYS = buttons(("welcome:start", "はじめる"), ("welcome:about", "くわしく知る"),
                       ("welcome:later", "またあとで"))
WHO_KEYS = buttons(("who:self", "本人です"), ("who:family", "家族です"))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The greeting and its question."""
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, GREETING, reply_markup=WELCOME_KEYS)
    return WELCOME


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Help, then the greeting's question again."""
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, f"{HELP}\n\n{GREETING}", reply_markup=WELCOME_KEYS)
    return WELCOME


async def begin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """「はじめる」: who is writing."""
    assert update.callback_query is not None and update.effective_chat is not None
    await update.callback_query.answer()
    await context.bot.send_message(update.effective_chat.id, "書いているのは、どなたですか？", reply_markup=WHO_KEYS)
    return WHO


async def who(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The writer, kept in the conversation's data."""
    assert update.callback_query is not None and update.effective_chat is not None
    await update.callback_query.answer()
    assert context.user_data is not None
    context.user_data["writer"] = update.callback_query.data
    await context.bot.send_message(update.effective_chat.id, "ほかの機関と共有してもよいですか？")
    return CONSENT


def application(data_dir: Path, token: str, api_root: str) -> Application:  # type: ignore[type-arg]
    """The bot: one ConversationHandler, persisted in a pickle file."""
    warnings.filterwarnings("ignore", category=PTBUserWarning)
    app = (Application.builder().token(token).base_url(f"{api_root}/bot").updater(None)
           .persistence(PicklePersistence(data_dir / "baseline.pickle")).build())
    app.add_handler(ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            WELCOME: [CallbackQueryHandler(begin, pattern="^welcome:start$"),
                      MessageHandler(filters.TEXT & ~filters.COMMAND, again)],
            WHO: [CallbackQueryHandler(who, pattern="^who:")],
            CONSENT: [],
        },
        fallbacks=[CommandHandler("start", start)],
        name="intake", persistent=True,
    ))
    return app


async def serve(port: int, data_dir: Path, secret: str, api_root: str) -> None:
    """The webhook and /healthz in front of the application, as in the library's custom-webhook example."""
    from tests.standins.telegram_api import TOKEN

    app = application(data_dir, TOKEN, api_root)

    async def webhook(request: Request) -> Response:
        if request.headers.get("x-telegram-bot-api-secret-token") != secret:
            return Response(status_code=401)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return Response(status_code=200)

    async def healthz(request: Request) -> Response:
        return Response("ok")

    web = Starlette(routes=[Route("/webhooks/telegram", webhook, methods=["POST"]), Route("/healthz", healthz)])
    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    async with app:
        await app.start()
        await server.serve()
        await app.stop()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    asyncio.run(serve(int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]))
