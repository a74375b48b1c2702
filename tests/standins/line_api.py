"""A stand-in LINE Messaging API server on 127.0.0.1 for tests: reply (single-use tokens that
expire), push (with X-Line-Retry-Key: a repeated key gets 409 and is not shown again), bot info and
profiles; rich menus (create, image upload as api-data.line.me takes it, aliases, default, links to a user,
list, delete) with LINE's checks; it records what each person would see and injects faults (429, 500,
timeouts). It also builds signed webhook bodies as LINE sends them."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import itertools
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACCESS_TOKEN = "stand-in-line-access-token"
CHANNEL_SECRET = "0123456789abcdef0123456789abcdef"


@dataclass
class Shown:
    """One message as the person sees it."""

    via: str  # "reply" or "push"
    message: dict[str, Any]
    at: float

    @property
    def text(self) -> str:
        return str(self.message.get("text") or self.message.get("altText") or "")

    def data(self) -> list[str]:
        """Every postback data the message offers (quick reply or Flex buttons)."""
        found: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                action = node.get("action")
                if isinstance(action, dict) and action.get("type") == "postback":
                    found.append(str(action.get("data")))
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.message)
        return found


@dataclass
class Fault:
    """Answer the next matching call like this instead."""

    status: int | str  # 429, 500, "timeout", or "accepted-timeout" (shown, but the answer never comes)
    path: str = "push"  # "push", "reply" or "profile"


@dataclass
class State:
    shown: dict[str, list[Shown]] = field(default_factory=dict)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> (user, expires)
    retry_keys: set[str] = field(default_factory=set)
    duplicates_refused: int = 0
    faults: deque[Fault] = field(default_factory=deque)
    injected: int = 0
    calls: list[str] = field(default_factory=list)
    languages: dict[str, str] = field(default_factory=dict)
    down_until: float = 0.0
    refused_while_down: int = 0
    menus: dict[str, dict[str, Any]] = field(default_factory=dict)  # rich menu id -> the menu as created
    images: dict[str, bytes] = field(default_factory=dict)  # rich menu id -> its PNG
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> rich menu id
    default_menu: str | None = None
    linked: dict[str, str] = field(default_factory=dict)  # user -> rich menu id


class LineStandIn:
    """Start with `start()`; `root` is what LINE_API_BASE_URL should be."""

    def __init__(self, token_life: float = 60.0, timeout_sleep: float = 2.0) -> None:
        self.state = State()
        self.token_life = token_life
        self.timeout_sleep = timeout_sleep
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.root = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LineStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def inject(self, *faults: Fault) -> None:
        with self.lock:
            self.state.faults.extend(faults)

    def shown(self, user: str) -> list[Shown]:
        with self.lock:
            return list(self.state.shown.get(user, []))

    def wait(self, predicate: Any, timeout: float = 20.0, what: str = "the stand-in") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    # --- webhook bodies as LINE sends them ---------------------------------------------------

    def event(self, user: str, kind: str, redelivery: bool = False, **fields: Any) -> dict[str, Any]:
        """One event from a user: kind is message, postback, follow or unfollow."""
        event: dict[str, Any] = {
            "type": kind, "mode": "active", "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": user},
            "webhookEventId": f"01H{uuid.uuid4().hex[:23].upper()}",
            "deliveryContext": {"isRedelivery": redelivery}, **fields,
        }
        if kind != "unfollow":
            event["replyToken"] = self.issue_token(user)
        if kind == "follow":
            event.setdefault("follow", {"isUnblocked": False})
        return event

    def text(self, user: str, text: str) -> dict[str, Any]:
        return self.event(user, "message", message={"id": str(next(self._ids)), "type": "text", "text": text,
                                                    "quoteToken": "q"})

    def postback(self, user: str, data: str) -> dict[str, Any]:
        return self.event(user, "postback", postback={"data": data})

    def sticker(self, user: str) -> dict[str, Any]:
        return self.event(user, "message", message={"id": str(next(self._ids)), "type": "sticker",
                                                    "packageId": "446", "stickerId": "1988",
                                                    "stickerResourceType": "STATIC", "quoteToken": "q"})

    def issue_token(self, user: str) -> str:
        token = uuid.uuid4().hex
        with self.lock:
            self.state.tokens[token] = (user, time.monotonic() + self.token_life)
        return token

    @staticmethod
    def body(*events: dict[str, Any]) -> bytes:
        return json.dumps({"destination": "Ubot", "events": list(events)}, ensure_ascii=False).encode()

    @staticmethod
    def sign(body: bytes, secret: str = CHANNEL_SECRET) -> str:
        return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()

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
                self._dispatch()

            def do_POST(self) -> None:
                self._dispatch()

            def do_DELETE(self) -> None:
                self._dispatch()

            def _dispatch(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
                    return self._answer(401, {"message": "Authentication failed"})
                if "/richmenu" in self.path:
                    with standin.lock:
                        standin.state.calls.append(self.path)
                        answer = standin._richmenu(self.command, self.path, raw,
                                                   self.headers.get("content-type") or "")
                    return self._answer(*answer)
                status, body = standin._call(self.path, json.loads(raw) if raw else {},
                                             self.headers.get("x-line-retry-key"))
                if status == "timeout":
                    time.sleep(standin.timeout_sleep)
                    status, body = 504, {"message": "timeout"}
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
                    pass

        return Handler

    def down_for(self, seconds: float) -> None:
        """The Messaging API is away: every call is answered 503 until `seconds` have passed."""
        with self.lock:
            self.state.down_until = time.monotonic() + seconds

    def _call(self, path: str, body: dict[str, Any], retry_key: str | None) -> tuple[int | str, dict[str, Any]]:
        with self.lock:
            self.state.calls.append(path)
            if time.monotonic() < self.state.down_until:
                self.state.refused_while_down += 1
                return 503, {"message": "Service Unavailable"}
            kind = ("push" if path == "/v2/bot/message/push" else "reply" if path == "/v2/bot/message/reply"
                    else "profile" if path.startswith("/v2/bot/profile/") else "other")
            fault = next((f for f in self.state.faults if f.path == kind), None)
            if fault is not None:
                self.state.faults.remove(fault)
                self.state.injected += 1
                if fault.status == "accepted-timeout":
                    self._push(body, retry_key) if kind == "push" else self._reply(body)
                    return "timeout", {}
                return fault.status, {"message": f"injected {fault.status}"}
            if path == "/v2/bot/info":
                return 200, {"userId": "Ubot", "basicId": "@tsunagu", "displayName": "つなぐ",
                             "chatMode": "chat", "markAsReadMode": "auto"}
            if kind == "profile":
                user = path.rsplit("/", 1)[1]
                profile = {"userId": user, "displayName": "テスト"}
                if user in self.state.languages:
                    profile["language"] = self.state.languages[user]
                return 200, profile
            if kind == "reply":
                return self._reply(body)
            if kind == "push":
                return self._push(body, retry_key)
            return 404, {"message": "Not found"}

    def _richmenu(self, method: str, path: str, raw: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
        """The rich menu endpoints (the caller holds the lock)."""
        st = self.state
        if method == "GET" and path == "/v2/bot/richmenu/list":
            return 200, {"richmenus": [{"richMenuId": k, **m} for k, m in st.menus.items()]}
        if method == "GET" and path == "/v2/bot/richmenu/alias/list":
            return 200, {"aliases": [{"richMenuAliasId": a, "richMenuId": m} for a, m in st.aliases.items()]}
        if method == "POST" and path == "/v2/bot/richmenu":
            return self._new_menu(json.loads(raw))
        found = re.fullmatch(r"/v2/bot/richmenu/([\w-]+)/content", path)
        if method == "POST" and found:
            return self._image(found.group(1), raw, content_type)
        found = re.fullmatch(r"/v2/bot/richmenu/alias(?:/([\w-]+))?", path)
        if found:
            return self._alias(method, found.group(1), json.loads(raw) if raw else {})
        found = re.fullmatch(r"/v2/bot/user/([\w-]+)/richmenu/([\w-]+)", path)
        if method == "POST" and found:
            if found.group(2) not in st.menus:
                return 400, {"message": "richmenu not found"}
            if found.group(1) == "all":
                st.default_menu = found.group(2)
            else:
                st.linked[found.group(1)] = found.group(2)
            return 200, {}
        found = re.fullmatch(r"/v2/bot/richmenu/([\w-]+)", path)
        if method == "DELETE" and found and found.group(1) in st.menus:
            menu_id = found.group(1)
            del st.menus[menu_id]
            st.images.pop(menu_id, None)
            st.linked = {u: m for u, m in st.linked.items() if m != menu_id}
            st.aliases = {a: m for a, m in st.aliases.items() if m != menu_id}
            st.default_menu = None if st.default_menu == menu_id else st.default_menu
            return 200, {}
        return 404, {"message": "Not found"}

    def _new_menu(self, menu: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        size, areas = menu.get("size") or {}, menu.get("areas") or []
        if size.get("width") != 2500 or size.get("height") not in (843, 1686):
            return 400, {"message": "size must be 2500x1686 or 2500x843"}
        if not 1 <= len(str(menu.get("chatBarText") or "")) <= 14 or not 1 <= len(areas) <= 20:
            return 400, {"message": "chatBarText must be 1-14 characters and areas 1-20"}
        for area in areas:
            bounds, action = area.get("bounds") or {}, area.get("action") or {}
            if bounds.get("x", 0) + bounds.get("width", 0) > size["width"] or \
                    bounds.get("y", 0) + bounds.get("height", 0) > size["height"]:
                return 400, {"message": "an area lies outside the menu"}
            if action.get("type") == "postback" and not 0 < len(str(action.get("data") or "")) <= 300:
                return 400, {"message": "postback data must be 1-300 characters"}
            if len(str(action.get("label") or "")) > 20:
                return 400, {"message": "label must be at most 20 characters"}
        menu_id = f"richmenu-{next(self._ids)}"
        self.state.menus[menu_id] = menu
        return 200, {"richMenuId": menu_id}

    def _image(self, menu_id: str, raw: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
        from PIL import Image

        if menu_id not in self.state.menus:
            return 404, {"message": "richmenu not found"}
        if menu_id in self.state.images:
            return 400, {"message": "An image has already been uploaded to the richmenu"}
        if content_type not in ("image/png", "image/jpeg") or len(raw) > 1024 * 1024:
            return 400, {"message": "the image must be a PNG or JPEG of at most 1 MB"}
        size = self.state.menus[menu_id]["size"]
        with Image.open(io.BytesIO(raw)) as image:
            if image.size != (size["width"], size["height"]):
                return 400, {"message": "the image size must match the rich menu's"}
        self.state.images[menu_id] = raw
        return 200, {}

    def _alias(self, method: str, name: str | None, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        st = self.state
        if method == "GET" and name:
            if name not in st.aliases:
                return 404, {"message": "richmenu alias not found"}
            return 200, {"richMenuAliasId": name, "richMenuId": st.aliases[name]}
        menu_id = str(body.get("richMenuId"))
        if method != "POST" or menu_id not in st.menus or menu_id not in st.images:
            return 400, {"message": "richmenu not found or has no image"}
        if name is None:  # create
            name = str(body.get("richMenuAliasId"))
            if name in st.aliases:
                return 400, {"message": "conflict richmenu alias id"}
        elif name not in st.aliases:
            return 404, {"message": "richmenu alias not found"}
        st.aliases[name] = menu_id
        return 200, {}

    def _reply(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        entry = self.state.tokens.pop(str(body.get("replyToken")), None)
        if entry is None or entry[1] < time.monotonic():
            return 400, {"message": "Invalid reply token"}
        return self._show(entry[0], "reply", body.get("messages", []))

    def _push(self, body: dict[str, Any], retry_key: str | None) -> tuple[int, dict[str, Any]]:
        if retry_key is not None:
            if retry_key in self.state.retry_keys:
                self.state.duplicates_refused += 1
                return 409, {"message": "The retry key is already accepted"}
            self.state.retry_keys.add(retry_key)
        return self._show(str(body.get("to")), "push", body.get("messages", []))

    def _show(self, user: str, via: str, messages: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
        if not 1 <= len(messages) <= 5:
            return 400, {"message": "Size must be between 1 and 5"}
        for message in messages:
            if message.get("type") == "text" and len(str(message.get("text", "")).encode("utf-16-le")) // 2 > 5000:
                return 400, {"message": "Length must be between 0 and 5000"}
            items = (message.get("quickReply") or {}).get("items", [])
            if len(items) > 13:
                return 400, {"message": "Size must be between 0 and 13"}
        now = time.monotonic()
        shown = self.state.shown.setdefault(user, [])
        shown.extend(Shown(via, message, now) for message in messages)
        return 200, {"sentMessages": [{"id": str(next(self._ids)), "quoteToken": "q"} for _ in messages]}
