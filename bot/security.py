"""The security headers of every response: a Content-Security-Policy, no framing (but the web chat by the origins
in TSUNAGU_FRAME_ANCESTORS), no sniffing, no referrer beyond the site, nothing personal cached. A route that sets
one of these headers itself keeps its own (the poster preview the console frames, the sheet's inline styles)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$")
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
CHAT = "/chat"
STATIC = "/static/"


def valid_origin(origin: str) -> bool:
    """An origin a page may be framed by: http(s)://host[:port], the host may start with `*.`."""
    return bool(_ORIGIN.match(origin))


def policy(frame_ancestors: str = "'none'", styles: Iterable[str] = ()) -> str:
    """The Content-Security-Policy: our own scripts, styles, images and API only; `styles` are the hashes
    (`'sha256-…'`) of inline style blocks the page may keep."""
    style = " ".join(["'self'", *styles])
    return ("default-src 'self'; script-src 'self'; " f"style-src {style}; "
            "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            f"form-action 'self'; frame-ancestors {frame_ancestors}")


def style_hashes(html: str) -> list[str]:
    """The CSP hashes of a page's inline <style> blocks."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(m.encode()).digest()).decode()}'"
            for m in _STYLE.findall(html)]


def own_styles(html: str, frame_ancestors: str = "'none'") -> dict[str, str]:
    """The policy of a page rendered with inline style blocks: those blocks allowed, nothing else inline."""
    return {"content-security-policy": policy(frame_ancestors, style_hashes(html))}


def headers_for(path: str, embedders: tuple[str, ...]) -> dict[str, str]:
    """The headers of a response to `path`; the web chat may be framed by `embedders`, nothing else by anyone."""
    chat = path == CHAT or path.startswith(CHAT + "/")
    framed_by = " ".join(embedders) if chat and embedders else "'none'"
    headers = {"content-security-policy": policy(framed_by), "x-content-type-options": "nosniff",
               "referrer-policy": "same-origin", "permissions-policy": "camera=(), microphone=(), geolocation=()"}
    if framed_by == "'none'":
        headers["x-frame-options"] = "DENY"
    if not path.startswith(STATIC):
        headers["cache-control"] = "no-store"
    return headers


class SecurityHeaders:
    """ASGI middleware: the headers of `headers_for` on every HTTP response, unless the route set its own."""

    def __init__(self, app: ASGIApp, embedders: tuple[str, ...] = ()) -> None:
        self.app = app
        self.embedders = embedders

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = headers_for(scope["path"], self.embedders)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, sending)
