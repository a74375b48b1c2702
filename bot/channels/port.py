"""The one way in: every channel hands what people send to this port. It reads bodies within a size limit (413),
answers 503 while the database is away (the platform sends again), checks choice ids, commits each message
through the service (which drops a repeated event id), and counts and times it. Adapters only verify, parse and
translate a platform's events into `Incoming` or `Blocked`."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.clock import Clock
from bot.metrics import Metrics
from bot.service import Handled, Service
from dialogs.model import Conversation, Inbound
from storage.records import TranscriptEntry

_CHOICE_ID = re.compile(r"^[a-z_*]{1,32}:[a-z0-9_]{1,40}$")
# A gathering's buttons: the action, the gathering (bot.gatherings.catalog.ID) and its meeting, or a reminder's id;
# at most 62 bytes, within Telegram's 64 of callback data.
_GATHERING_BUTTON = re.compile(r"^gathering:(?:(?:want|remind):[a-z0-9_-]{1,32}@\d{12}|stop:\d{1,12})$")

Endpoint = Callable[[Request], Awaitable[Response]]


def choice_id(value: object) -> str | None:
    """A button's choice id (`<step>:<value>`) when the value is one, else None (nothing else reaches the dialog)."""
    if not isinstance(value, str):
        return None
    return value if _CHOICE_ID.match(value) or _GATHERING_BUTTON.match(value) else None


@dataclass(frozen=True)
class Incoming:
    """A message for the dialog; `delivery` is what its replies need (a reply token, the message whose button was
    pressed), `acknowledge` a platform's token to answer once it is committed (a Telegram button press)."""

    inbound: Inbound
    delivery: dict[str, Any] = field(default_factory=dict)
    acknowledge: str | None = None


@dataclass(frozen=True)
class Blocked:
    """The person blocked the bot, or unfollowed it: their pending replies fail, none are tried."""

    user_key: str


class Refusal(Exception):
    """A request the channel will not take: its HTTP status and a one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Port:
    """The inbound port every channel shares."""

    def __init__(self, service: Service, metrics: Metrics, clock: Clock) -> None:
        self._service = service
        self._metrics = metrics
        self.clock = clock

    @staticmethod
    def endpoint(handle: Endpoint) -> Endpoint:
        """A route's endpoint with the shared answers: a Refusal as its status, 503 while the database is away."""
        async def endpoint(request: Request) -> Response:
            try:
                return await handle(request)
            except Refusal as refused:
                return JSONResponse({"error": refused.reason}, status_code=refused.status)
            except DBAPIError:
                return JSONResponse({"error": "storage unavailable; send again"}, status_code=503)
        return endpoint

    @staticmethod
    async def body(request: Request, limit: int) -> bytes:
        """The raw body; 413 when it is over the limit, by its Content-Length before it is read, or by its size."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise Refusal(413, "body too large")
        raw = await request.body()
        if len(raw) > limit:
            raise Refusal(413, "body too large")
        return raw

    async def take(self, channel: str, meaning: Incoming | Blocked | None) -> Handled | None:
        """Commit what a platform event means (None: nothing for the dialog), timed and counted."""
        if isinstance(meaning, Blocked):
            await run_in_threadpool(self._service.mark_unreachable, channel, meaning.user_key)
            return None
        if meaning is None:
            return None
        started = time.perf_counter()
        handled = await run_in_threadpool(self._service.handle, meaning.inbound, meaning.delivery or None)
        self._metrics.handled(channel, time.perf_counter() - started, handled.duplicate,
                              handled.handoff_id is not None)
        return handled

    async def knows(self, channel: str, user_key: str) -> bool:
        """Whether this person has written before (for a lookup made only at first contact)."""
        return await run_in_threadpool(self._service.knows, channel, user_key)

    async def locale(self, channel: str, user_key: str) -> str | None:
        """The language a person chats in (a channel that shows menus in it)."""
        return await run_in_threadpool(self._service.locale, channel, user_key)

    async def thread(self, channel: str, user_key: str, after_id: int = 0) -> tuple[Conversation | None,
                                                                                  list[TranscriptEntry]]:
        """A person's conversation and its messages after an id (a channel that shows the thread itself)."""
        return await run_in_threadpool(self._service.thread, channel, user_key, after_id)
