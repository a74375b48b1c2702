"""The web chat's routes: a page at /chat and its JSON API; the person is kept by an HttpOnly cookie."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.channels.port import Incoming, Port, Refusal, choice_id
from bot.web import render_page
from dialogs.i18n import LANGUAGES, normalize_locale
from dialogs.model import Conversation, Inbound
from storage.records import TranscriptEntry

CHANNEL = "webchat"
COOKIE = "tsunagu_chat"
COOKIE_MAX_AGE = 180 * 24 * 3600
MAX_BODY = 256 * 1024
_EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_VIA = re.compile(r"^[a-z0-9]{1,16}$")  # an agency code (storage.repositories.agencies.new_code)
KINDS = ("text", "open", "sticker", "image", "file")


class BadRequest(Refusal):
    """A request the API cannot use (400); the message says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(400, reason)


def user_key(token: str) -> str:
    """The stored key of a web chat person: a hash, so the database cannot be used to impersonate."""
    return hashlib.sha256(token.encode()).hexdigest()


def _message(entry: TranscriptEntry) -> dict[str, Any]:
    body = entry.body
    return {
        "id": entry.id,
        "from": entry.author,
        "text": body.get("text"),
        "choice": body.get("choice"),
        "kind": body.get("kind"),
        "choices": body.get("choices", []),
        "update": bool(body.get("update", False)),
        "delivered": entry.delivered,
        "at": entry.created_at.isoformat(),
    }


def _after(request: Request) -> int:
    raw = request.query_params.get("after", "0")
    if not raw.isdigit() or len(raw) > 18:
        raise BadRequest("`after` must be a message id (a whole number).")
    return int(raw)


def _answer(conv: Conversation | None, entries: list[TranscriptEntry], **more: object) -> JSONResponse:
    return JSONResponse({"messages": [_message(e) for e in entries], "state": conv.state if conv else None,
                         "locale": conv.locale if conv else None, **more})


def parse_message(raw: bytes, content_type: str) -> dict[str, Any]:
    """Validate the POST body: {"text": str} | {"choice": id} | {"kind": "open"}, plus an optional event_id and
    `via`, the agency code of the link the person came by (one that is not a code is dropped: ordinary routing)."""
    if "application/json" not in content_type:
        raise BadRequest("Send JSON (Content-Type: application/json).")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    text, choice, kind = data.get("text"), data.get("choice"), data.get("kind", "text")
    event_id = data.get("event_id") or uuid.uuid4().hex
    if text is not None and not isinstance(text, str):
        raise BadRequest("`text` must be a string.")
    if choice is not None and choice_id(choice) is None:
        raise BadRequest("`choice` must be a choice id such as `who:family`.")
    if kind not in KINDS:
        raise BadRequest(f"`kind` must be one of {', '.join(KINDS)}.")
    if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
        raise BadRequest("`event_id` must be 1-64 letters, digits, - or _.")
    if text is None and choice is None and kind == "text":
        kind = "open"
    via = data.get("via")
    via = via.lower() if isinstance(via, str) and _VIA.match(via.lower()) else None
    return {"text": text, "choice": choice, "kind": kind, "event_id": event_id, "via": via}


def routes(port: Port, default_locale: str, embedded: bool = False) -> list[Route]:
    """The web chat's page and API; `embedded`: other sites may frame it (TSUNAGU_FRAME_ANCESTORS), so over HTTPS
    its cookie goes with requests from their pages too (SameSite=None)."""

    async def page(request: Request) -> Response:
        """The page in the person's chosen language once they have one, else their browser's."""
        locale = normalize_locale(request.headers.get("accept-language", "").split(",")[0], default_locale)
        token = request.cookies.get(COOKIE)
        if token:
            try:
                chosen = await port.locale(CHANNEL, user_key(token))
            except DBAPIError:
                chosen = None  # the database is away: the browser's language, and the page's script waits
            locale = chosen or locale
        return HTMLResponse(render_page("chat.html", locale, languages=LANGUAGES))

    async def history(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        after = _after(request)
        if not token:
            return JSONResponse({"messages": [], "state": None, "locale": None})
        return _answer(*await port.thread(CHANNEL, user_key(token), after))

    async def post(request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin and origin.rstrip("/") != str(request.base_url).rstrip("/"):
            raise Refusal(403, "Cross-site requests are refused.")
        raw = await port.body(request, MAX_BODY)
        after = _after(request)
        fields = parse_message(raw, request.headers.get("content-type", ""))
        token = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
        inbound = Inbound(
            channel=CHANNEL, user_key=user_key(token), event_id=fields["event_id"],
            received_at=port.clock(), text=fields["text"], choice_id=fields["choice"],
            locale_hint=request.headers.get("accept-language", "").split(",")[0] or None,
            kind=fields["kind"], via=fields["via"],
        )
        handled = await port.take(CHANNEL, Incoming(inbound))
        response = _answer(*await port.thread(CHANNEL, inbound.user_key, after),
                           duplicate=handled is not None and handled.duplicate)
        if COOKIE not in request.cookies:
            secure = request.url.scheme == "https"
            response.set_cookie(COOKIE, token, max_age=COOKIE_MAX_AGE, httponly=True, path="/chat", secure=secure,
                                samesite="none" if embedded and secure else "lax")
        return response

    return [
        Route("/chat", page, methods=["GET"]),
        Route("/chat/api/messages", port.endpoint(history), methods=["GET"]),
        Route("/chat/api/messages", port.endpoint(post), methods=["POST"]),
    ]
