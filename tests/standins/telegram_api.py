"""A stand-in Telegram Bot API server on 127.0.0.1 for tests: it answers the methods Tsunagu uses,
records what was sent, serves getUpdates, enforces Telegram's rate limits with 429, and injects
faults (429, 500, 403, timeouts) on request."""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

TOKEN = "123456:TEST-token_for-the-stand-in"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "つなぐ", "username": "tsunagu_test_bot"}


@dataclass
class Sent:
    """One message in a chat as it stands now (after edits)."""

    message_id: int
    text: str
    keyboard: list[list[dict[str, str]]]
    edits: int = 0
    at: float = 0.0

    def data(self) -> list[str]:
        return [b.get("callback_data", "") for row in self.keyboard for b in row]


@dataclass
class Fault:
    """What to answer instead, once, for the next matching call."""

    status: int | str  # 429, 500, 403, "timeout"
    retry_after: int = 1
    chat_id: int | None = None


@dataclass
class ChatLimit:
    """At most `count` sends to one chat, and `overall` to all chats, in any `window` seconds
    (a little under a second, as network jitter moves sends paced a second apart)."""

    count: int = 4
    window: float = 0.9
    overall: int = 30


@dataclass
class State:
    chats: dict[int, list[Sent]] = field(default_factory=dict)
    log: list[tuple[str, int, int, str]] = field(default_factory=list)  # (method, chat, message_id, text)
    answered: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    updates: list[dict[str, Any]] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    send_times: dict[int, deque[float]] = field(default_factory=dict)
    all_times: deque[float] = field(default_factory=deque)
    rate_limited: int = 0
    injected: int = 0
    down_until: float = 0.0
    refused_while_down: int = 0


class Updates:
    """Updates as Telegram sends them (private chats), with fresh ids."""

    def __init__(self) -> None:
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(5000)

    def message(self, chat_id: int, text: str | None = None, language_code: str = "ja",
                **extra: Any) -> dict[str, Any]:
        user = {"id": chat_id, "is_bot": False, "first_name": "テスト", "language_code": language_code}
        message: dict[str, Any] = {"message_id": next(self._ids), "date": int(time.time()),
                                   "chat": {"id": chat_id, "type": "private", "first_name": "テスト"},
                                   "from": user, **extra}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": message}

    def callback(self, chat_id: int, data: str, message_id: int, language_code: str = "ja") -> dict[str, Any]:
        user = {"id": chat_id, "is_bot": False, "first_name": "テスト", "language_code": language_code}
        shown = {"message_id": message_id, "date": int(time.time()), "text": "…",
                 "chat": {"id": chat_id, "type": "private", "first_name": "テスト"}, "from": BOT_USER}
        return {"update_id": next(self._update_ids),
                "callback_query": {"id": str(next(self._ids)), "from": user, "chat_instance": "ci",
                                   "data": data, "message": shown}}


class TelegramStandIn:
    """Start with `start()`; `root` is what TELEGRAM_API_BASE_URL should be."""

    def __init__(self, limit: ChatLimit | None = None, timeout_sleep: float = 3.0) -> None:
        self.state = State()
        self.limit = limit or ChatLimit()
        self.timeout_sleep = timeout_sleep
        self.lock = threading.Condition()
        self._ids = itertools.count(100_000)
        self.updates = Updates()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.root = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> TelegramStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what tests set up -------------------------------------------------------------------

    def inject(self, method: str, *faults: Fault) -> None:
        """The next calls of `method` (to `fault.chat_id`, or any chat) fail like this, in order."""
        with self.lock:
            self.state.faults.setdefault(method, deque()).extend(faults)

    def block(self, chat_id: int) -> None:
        """The person blocked the bot: every send to them gets 403."""
        with self.lock:
            self.state.blocked.add(chat_id)

    def push(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        with self.lock:
            self.state.updates.append(update)
            self.lock.notify_all()

    def pending_updates(self) -> int:
        with self.lock:
            return len(self.state.updates)

    # --- updates as Telegram would send them -------------------------------------------------

    def message(self, chat_id: int, text: str | None = None, language_code: str = "ja",
                **extra: Any) -> dict[str, Any]:
        return self.updates.message(chat_id, text, language_code, **extra)

    def callback(self, chat_id: int, data: str, message_id: int, language_code: str = "ja") -> dict[str, Any]:
        return self.updates.callback(chat_id, data, message_id, language_code)

    # --- what tests read ---------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[Sent]:
        with self.lock:
            return list(self.state.chats.get(chat_id, []))

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.messages(chat_id)]

    def wait(self, predicate: Any, timeout: float = 20.0, what: str = "the stand-in") -> None:
        """Wait until predicate() is true."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    # --- the server --------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # connections kept open, as the real API keeps them

            def handle(self) -> None:
                with contextlib.suppress(ConnectionResetError, BrokenPipeError):  # the bot went away mid-connection
                    super().handle()
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                if len(raw) < length:
                    return  # the caller died mid-request (a worker killed under load): nobody to answer
                parts = self.path.split("?")[0].strip("/").split("/")
                if len(parts) != 2 or parts[0] != f"bot{TOKEN}":
                    return self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                status, body = standin._call(parts[1], _params(raw, self.headers.get("content-type", "")))
                if status == "timeout":
                    time.sleep(standin.timeout_sleep)
                    status, body = 504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}
                self._answer(int(status), body)

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout); that is the point of the fault

        return Handler

    def down_for(self, seconds: float) -> None:
        """The Bot API is away: every call is answered 502 until `seconds` have passed."""
        with self.lock:
            self.state.down_until = time.monotonic() + seconds

    def _call(self, method: str, params: dict[str, Any]) -> tuple[int | str, dict[str, Any]]:
        if method == "getUpdates":
            return 200, self._get_updates(params)
        with self.lock:
            self.state.calls.append(method)
            if time.monotonic() < self.state.down_until:
                self.state.refused_while_down += 1
                return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            chat_id = int(params["chat_id"]) if "chat_id" in params else None
            fault = self._fault(method, chat_id)
            if fault is not None:
                self.state.injected += 1
                return _failure(fault)
            if method in ("sendMessage", "editMessageText") and chat_id is not None:
                if chat_id in self.state.blocked:
                    return _failure(Fault(403))
                if self._over_limit(chat_id):
                    self.state.rate_limited += 1
                    return _failure(Fault(429, retry_after=1))
            handler = getattr(self, f"_{method}", None)
            if handler is None:
                return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            result: tuple[int, dict[str, Any]] = handler(params)
            self.lock.notify_all()
            return result

    def _fault(self, method: str, chat_id: int | None) -> Fault | None:
        queue = self.state.faults.get(method)
        if not queue:
            return None
        for fault in list(queue):
            if fault.chat_id is None or fault.chat_id == chat_id:
                queue.remove(fault)
                return fault
        return None

    def _over_limit(self, chat_id: int) -> bool:
        now = time.monotonic()
        times = self.state.send_times.setdefault(chat_id, deque())
        while times and now - times[0] > self.limit.window:
            times.popleft()
        overall = self.state.all_times
        while overall and now - overall[0] > self.limit.window:
            overall.popleft()
        if len(times) >= self.limit.count or len(overall) >= self.limit.overall:
            return True
        times.append(now)
        overall.append(now)
        return False

    def _get_updates(self, params: dict[str, Any]) -> dict[str, Any]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 5.0)
        with self.lock:
            if self.state.webhook.get("url"):
                return {"ok": False, "error_code": 409,
                        "description": "Conflict: can't use getUpdates method while webhook is active"}
            self.state.updates = [u for u in self.state.updates if u["update_id"] >= offset]
            while not self.state.updates and time.monotonic() < deadline:
                self.lock.wait(deadline - time.monotonic())
                self.state.updates = [u for u in self.state.updates if u["update_id"] >= offset]
            return {"ok": True, "result": self.state.updates[:100]}

    def _getMe(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": BOT_USER}

    def _sendMessage(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = int(params["chat_id"])
        text = str(params["text"])
        if not text or len(text.encode("utf-16-le")) // 2 > 4096:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
        if "parse_mode" in params:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: parse_mode not expected"}
        keyboard = _keyboard(params)
        sent = Sent(next(self._ids), text, keyboard, at=time.monotonic())
        self.state.chats.setdefault(chat_id, []).append(sent)
        self.state.log.append(("send", chat_id, sent.message_id, text))
        return 200, {"ok": True, "result": _message_json(chat_id, sent)}

    def _editMessageText(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = int(params["chat_id"])
        message_id = int(params["message_id"])
        found = next((m for m in self.state.chats.get(chat_id, []) if m.message_id == message_id), None)
        if found is None:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message to edit not found"}
        keyboard = _keyboard(params)
        if found.text == params["text"] and found.keyboard == keyboard:
            return 400, {"ok": False, "error_code": 400,
                         "description": "Bad Request: message is not modified"}
        found.text, found.keyboard, found.edits = str(params["text"]), keyboard, found.edits + 1
        self.state.log.append(("edit", chat_id, message_id, found.text))
        return 200, {"ok": True, "result": _message_json(chat_id, found)}

    def _answerCallbackQuery(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.state.answered.append(str(params["callback_query_id"]))
        return 200, {"ok": True, "result": True}

    def _setWebhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.state.webhook = params
        return 200, {"ok": True, "result": True}

    def _deleteWebhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.state.webhook = {}
        return 200, {"ok": True, "result": True}

    def _setMyCommands(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        commands = params["commands"]
        self.state.commands[str(params.get("language_code") or "")] = (
            json.loads(commands) if isinstance(commands, str) else commands)
        return 200, {"ok": True, "result": True}


def _params(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        data: dict[str, Any] = json.loads(raw)
        return data
    return {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}


def _keyboard(params: dict[str, Any]) -> list[list[dict[str, str]]]:
    markup = params.get("reply_markup")
    if not markup:
        return []
    data = json.loads(markup) if isinstance(markup, str) else markup
    rows: list[list[dict[str, str]]] = data.get("inline_keyboard", [])
    return rows


def _message_json(chat_id: int, sent: Sent) -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": sent.message_id, "date": int(time.time()), "text": sent.text,
                               "chat": {"id": chat_id, "type": "private"}, "from": BOT_USER}
    if sent.keyboard:
        message["reply_markup"] = {"inline_keyboard": sent.keyboard}
    return message


def _failure(fault: Fault) -> tuple[int | str, dict[str, Any]]:
    if fault.status == "timeout":
        return "timeout", {}
    descriptions = {429: f"Too Many Requests: retry after {fault.retry_after}",
                    500: "Internal Server Error", 403: "Forbidden: bot was blocked by the user"}
    body: dict[str, Any] = {"ok": False, "error_code": fault.status,
                            "description": descriptions.get(int(fault.status), "Error")}
    if fault.status == 429:
        body["parameters"] = {"retry_after": fault.retry_after}
    return fault.status, body
