"""POST /webhooks/line: the signature checked on the raw body (401), a signed but malformed body refused (400),
LINE's empty verification call answered (200); the events committed through the port (200, or 503 while the
database is away). At first contact the person's LINE language is asked for."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import Event, FollowEvent
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.line.client import LineApi
from bot.channels.line.events import CHANNEL, KNOWN_TYPES, read
from bot.channels.port import Incoming, Port, Refusal
from dialogs import commands
from dialogs.model import Inbound

SIGNATURE_HEADER = "x-line-signature"
MAX_BODY = 1024 * 1024


class Malformed(ValueError):
    """Signed, but not a webhook body LINE would send."""


class LineInbox:
    """Turns a verified webhook body into committed inbound messages."""

    def __init__(self, port: Port, line: LineApi) -> None:
        self.port = port
        self.line = line
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
        """Commit each event in order (a repeated webhookEventId is dropped by the port)."""
        for event in events:
            meaning = read(event, self.port.clock())
            if not isinstance(meaning, Incoming):
                await self.port.take(CHANNEL, meaning)
                continue
            user = meaning.inbound.user_key
            first = not await self.port.knows(CHANNEL, user)
            if first:
                language = await self.line.language(user)  # the locale, at first contact only
                if language:
                    meaning = replace(meaning, inbound=replace(meaning.inbound, locale_hint=language))
            handled = await self.port.take(CHANNEL, meaning)
            if handled is not None and not handled.duplicate and (
                    first or isinstance(event, FollowEvent) or changes_language(meaning.inbound)):
                await self.show_menu(user)

    async def show_menu(self, user: str) -> None:
        """The rich menu of the person's language (at follow, first contact, or when they change language)."""
        locale = await self.port.locale(CHANNEL, user)
        if locale is not None:
            await self.line.show_menu(user, locale)


def changes_language(inbound: Inbound) -> bool:
    """Whether the message names a language (pressed or typed)."""
    command = commands.named(inbound.choice_id, inbound.text)
    return command is not None and command.action.startswith("lang_")


def _type(event: Any) -> str:
    raw = getattr(event, "type", None)
    return str(raw) if raw else ""


def route(inbox: LineInbox, port: Port) -> Route:
    """The webhook route."""

    async def webhook(request: Request) -> Response:
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            raise Refusal(401, "missing X-Line-Signature")
        raw = await port.body(request, MAX_BODY)
        try:
            # bytes that are not UTF-8 cannot carry LINE's signature, so they fail it (401)
            events = inbox.parse(raw.decode("utf-8", errors="replace"), signature)
        except InvalidSignatureError as exc:
            raise Refusal(401, "bad signature") from exc
        except Malformed as exc:
            raise Refusal(400, "not a LINE webhook body") from exc
        await inbox.take(events)
        return JSONResponse({"ok": True})

    return Route("/webhooks/line", port.endpoint(webhook), methods=["POST"])
