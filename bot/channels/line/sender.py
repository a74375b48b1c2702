"""Delivers outbox replies on LINE: by the reply token while it is valid (one call, at most five
messages), else by push with an X-Line-Retry-Key so a retry is never shown twice. 429 and 5xx
retry with backoff; a 400 gives up (the reply stays in the thread, marked undelivered)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

import aiohttp
from linebot.v3.messaging import Message, PushMessageRequest, ReplyMessageRequest
from linebot.v3.messaging.exceptions import ApiException

from bot.channels.line.client import LineApi
from bot.channels.line.render import render_turn
from bot.clock import Clock, utcnow
from bot.outbox import GiveUp, Result, RetryLater, Sent
from bot.pacing import Pacer
from dialogs.model import Reply
from storage.records import OutboxItem

log = logging.getLogger(__name__)
PER_CALL = 5
RETRY_KEYS = uuid.UUID("4d2b8f3e-6c1a-5e7b-9a0d-2f4c6e8a1b3d")
BAD_TOKEN_WAIT = timedelta(minutes=5)


class _ReplyTokenGone(Exception):
    """LINE says the reply token is used up or expired."""


def retry_key(item: OutboxItem, chunk: int) -> str:
    """The same key for every attempt at one chunk of one item, across restarts."""
    return str(uuid.uuid5(RETRY_KEYS, f"{item.conversation_id}/{item.id}/{chunk}"))


class LineSender:
    """The outbox's LINE channel."""

    def __init__(self, line: LineApi, pacer: Pacer | None = None, clock: Clock = utcnow) -> None:
        self.line = line
        self._clock = clock
        self.pacer: Pacer | None = pacer or Pacer((50.0, 50.0), (1000.0, 100.0))  # LINE allows 2,000/s
        self._chunks_sent: dict[int, int] = {}
        self._no_reply: set[int] = set()  # items whose reply call failed once: push from now on

    async def send(self, item: OutboxItem) -> Result:
        """Send one turn's replies."""
        messages = render_turn([Reply.from_dict(body) for body in item.replies()])
        chunks = [messages[i:i + PER_CALL] for i in range(0, len(messages), PER_CALL)]
        try:
            await self._send_chunks(item, chunks)
        except ApiException as exc:
            result = self._sorted(exc)
        except (aiohttp.ClientError, TimeoutError) as exc:
            result = RetryLater(type(exc).__name__)
        else:
            result = Sent()
        if not isinstance(result, RetryLater):
            self._chunks_sent.pop(item.id, None)
            self._no_reply.discard(item.id)
        return result

    async def _send_chunks(self, item: OutboxItem, chunks: list[list[Message]]) -> None:
        first = self._chunks_sent.get(item.id, 0)
        for index in range(first, len(chunks)):
            if index > first and self.pacer is not None:
                await self.pacer.wait(item.user_key)
            if index == 0 and self._reply_token_valid(item):
                try:
                    await self._reply(item, chunks[0])
                except _ReplyTokenGone:
                    await self._push(item, index, chunks[index])
            else:
                await self._push(item, index, chunks[index])
            self._chunks_sent[item.id] = index + 1

    def _reply_token_valid(self, item: OutboxItem) -> bool:
        delivery = item.delivery()
        token, until = delivery.get("reply_token"), delivery.get("reply_until")
        if not token or not until or item.id in self._no_reply:
            return False
        try:
            return self._clock() < datetime.fromisoformat(str(until))
        except ValueError:
            return False

    async def _reply(self, item: OutboxItem, messages: list[Message]) -> None:
        token = str(item.delivery()["reply_token"])
        try:
            await self.line.api().reply_message_with_http_info(
                ReplyMessageRequest(reply_token=token, messages=messages), _request_timeout=self.line.timeout)
        except ApiException as exc:
            self._no_reply.add(item.id)  # a token is good for one call; never try it twice
            if exc.status == 400:
                raise _ReplyTokenGone from exc
            raise
        except BaseException:
            self._no_reply.add(item.id)
            raise

    async def _push(self, item: OutboxItem, index: int, messages: list[Message]) -> None:
        try:
            await self.line.api().push_message_with_http_info(
                PushMessageRequest(to=item.user_key, messages=messages), x_line_retry_key=retry_key(item, index),
                _request_timeout=self.line.timeout)
        except ApiException as exc:
            if exc.status == 409:
                return  # this retry key was accepted before: it is delivered
            raise

    def _sorted(self, exc: ApiException) -> Result:
        status = int(exc.status or 0)
        if status == 429 or status >= 500:
            return RetryLater(f"{status} from LINE")
        if status in (401, 403):
            log.error("LINE refused the access token (%s); check LINE_CHANNEL_ACCESS_TOKEN", status)
            return RetryLater(f"{status} from LINE", BAD_TOKEN_WAIT)
        return GiveUp(f"{status} from LINE")

    async def close(self) -> None:
        """Close the HTTP session."""
        await self.line.close()
