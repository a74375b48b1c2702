"""POST /webhooks/line: the signature checked on the raw body (401), a signed but malformed body
refused (400), LINE's empty verification call answered (200); the events committed, then 200."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import Event
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.line.client import LineApi
from bot.channels.line.events import CHANNEL, KNOWN_TYPES, Incoming, Unfollowed, read
from bot.clock import Clock, utcnow
from bot.metrics import Metrics
from bot.service import Service
from dialogs.model import Inbound

SIGNATURE_HEADER = "x-line-signature"
MAX_BODY = 1024 * 1024


class Malformed(ValueError):
    """Signed, but not a webhook body LINE would send."""


class LineInbox:
    """Turns a verified webhook body into committed inbound messages."""

    def __init__(self, service: Service, line: LineApi, metrics: Metrics, clock: Clock = utcnow) -> None:
        self.service = service
        self.clock = clock
        self.line = line
        self.metrics = metrics
        self.parser = WebhookParser(line.settings.channel_secret)

    def parse(self, body: str, signature: str) -> list[Event]:
        """Events of a body; InvalidSignatureError or Malformed."""
        try:
            events: list[Event] = self.parser.parse(body, signature)
        except InvalidSignatureError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise Malformed("not a LINE webhook body") from exc
        for event in events:
            if isinstance(event, UnknownEvent) and _type(event) in KNOWN_TYPES:
                raise Malformed("an event of a known type with missing or wrong fields")
        return events

    async def take(self, events: list[Event]) -> None:
        """Commit each event in order (a repeated webhookEventId is skipped by the service)."""
        for event in events:
            meaning = read(event, self.clock())
            if isinstance(meaning, Unfollowed):
                await run_in_threadpool(self.service.mark_unreachable, CHANNEL, meaning.user_key)
            elif meaning is not None:
                await self._handle(meaning)

    async def _handle(self, incoming: Incoming) -> None:
        inbound = incoming.inbound
        if not await run_in_threadpool(self.service.knows, CHANNEL, inbound.user_key):
            language = await self.line.language(inbound.user_key)  # the locale, at first contact only
            if language:
                inbound = _with_locale(inbound, language)
        started = time.perf_counter()
        handled = await run_in_threadpool(self.service.handle, inbound, incoming.delivery or None)
        self.metrics.handled(CHANNEL, time.perf_counter() - started, handled.duplicate, handled.handoff_id is not None)


def _type(event: Any) -> str:
    raw = getattr(event, "type", None)
    return str(raw) if raw else ""


def _with_locale(inbound: Inbound, language: str) -> Inbound:
    return replace(inbound, locale_hint=language)


def route(inbox: LineInbox) -> Route:
    """The webhook route."""

    async def webhook(request: Request) -> Response:
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return JSONResponse({"error": "missing X-Line-Signature"}, status_code=401)
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            # bytes that are not UTF-8 cannot carry LINE's signature, so they fail it (401)
            events = inbox.parse(raw.decode("utf-8", errors="replace"), signature)
        except InvalidSignatureError:
            return JSONResponse({"error": "bad signature"}, status_code=401)
        except Malformed:
            return JSONResponse({"error": "not a LINE webhook body"}, status_code=400)
        try:
            await inbox.take(events)
        except DBAPIError:
            return JSONResponse({"error": "storage unavailable; send again"}, status_code=503)
        return JSONResponse({"ok": True})

    return Route("/webhooks/line", webhook, methods=["POST"])

