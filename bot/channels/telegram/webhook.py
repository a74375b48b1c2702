"""POST /webhooks/telegram: secret checked (401), body parsed (400), committed (200), then the
button press answered after the response."""

from __future__ import annotations

import hmac
import json

from sqlalchemy.exc import DBAPIError
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.telegram.inbox import Inbox

SECRET_HEADER = "x-telegram-bot-api-secret-token"
MAX_BODY = 1024 * 1024


def route(inbox: Inbox, secret: str) -> Route:
    """The webhook route for one bot."""
    expected = secret.encode()

    async def webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return JSONResponse({"error": "wrong or missing secret token"}, status_code=401)
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            update = inbox.parse(json.loads(body))
        except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors too
            return JSONResponse({"error": "the body is not a Telegram Update"}, status_code=400)
        try:
            callback = await inbox.take(update)
        except DBAPIError:
            return JSONResponse({"error": "storage unavailable; send again"}, status_code=503)
        return JSONResponse({"ok": True}, background=BackgroundTask(inbox.answer, callback))

    return Route("/webhooks/telegram", webhook, methods=["POST"])
