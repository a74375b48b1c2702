"""POST /webhooks/telegram: the secret checked (401), the body read within its limit (413) and parsed (400),
committed through the port (200, or 503 while the database is away), then the button press answered after the
response."""

from __future__ import annotations

import hmac
import json

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.port import Port, Refusal
from bot.channels.telegram.inbox import Inbox

SECRET_HEADER = "x-telegram-bot-api-secret-token"
MAX_BODY = 1024 * 1024


def route(inbox: Inbox, port: Port, secret: str) -> Route:
    """The webhook route for one bot."""
    expected = secret.encode()

    async def webhook(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), expected):
            raise Refusal(401, "wrong or missing secret token")
        body = await port.body(request, MAX_BODY)
        try:
            update = inbox.parse(json.loads(body))
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors too
            raise Refusal(400, "the body is not a Telegram Update") from exc
        callback = await inbox.take(update)
        return JSONResponse({"ok": True}, background=BackgroundTask(inbox.answer, callback))

    return Route("/webhooks/telegram", port.endpoint(webhook), methods=["POST"])
