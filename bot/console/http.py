"""What every console route shares: the session guard (sign-in, CSRF on every POST, 404 for cases of
other agencies, 403 for pages above the account's role), forms, pages and headers."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.cases.accounts import Accounts
from bot.cases.errors import Forbidden, NotFound
from bot.web import render_page
from dialogs.i18n import gettext, normalize_locale, use_locale
from storage.records import ConsoleSession

COOKIE = "tsunagu_console"
LOGIN_CSRF = "tsunagu_console_login"
MAX_FORM = 16 * 1024
HEADERS = {"cache-control": "no-store", "x-frame-options": "DENY", "referrer-policy": "same-origin",
           "x-content-type-options": "nosniff"}

Page = Callable[[Request, ConsoleSession], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def locale(request: Request) -> str:
    """The console's language, from the browser's first preference (Japanese unless English)."""
    return normalize_locale(request.headers.get("accept-language", "").split(",")[0])


def say(request: Request, message: str, **values: object) -> str:
    """A message id translated for this request, with its values filled in."""
    with use_locale(locale(request)):
        return gettext(message).format(**values)


def page(request: Request, name: str, status: int = 200, **context: object) -> HTMLResponse:
    """A console template, rendered in the request's language and the people's time zone, never cached."""
    zone = getattr(request.app.state, "zone", None)
    return HTMLResponse(render_page(f"console/{name}", locale(request), zone=zone, **context), status_code=status,
                        headers=HEADERS)


def redirect(url: str) -> RedirectResponse:
    """See other (after a successful POST)."""
    return RedirectResponse(url, status_code=303)


async def read_form(request: Request) -> dict[str, str]:
    """A urlencoded form (the first value of each field); an oversized body reads as empty."""
    raw = await request.body()
    if len(raw) > MAX_FORM:
        return {}
    return {k: v[0] for k, v in parse_qs(raw.decode("utf-8", errors="replace")).items()}


def same(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two non-empty strings."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def form(request: Request) -> dict[str, str]:
    """The form the guard read (POST only)."""
    found: dict[str, str] = getattr(request.state, "form", {})
    return found


def guarded(accounts: Accounts) -> Callable[[Page], Endpoint]:
    """Wrap a page: a live session, a matching CSRF token on POST; NotFound is 404, Forbidden 403."""

    def wrap(view: Page) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            who = await run_in_threadpool(accounts.session, request.cookies.get(COOKIE))
            if who is None:
                return redirect("/console/login")
            if request.method == "POST":
                request.state.form = await read_form(request)
                if not same(request.state.form.get("csrf"), who.csrf):
                    return page(request, "login.html", 403, csrf="", who=None,
                                message=say(request, "もう一度操作してください。"))
            try:
                return await view(request, who)
            except NotFound:
                return HTMLResponse(say(request, "見つかりません。"), status_code=404, headers=HEADERS)
            except Forbidden as refused:
                text = say(request, refused.message or "この操作をする権限がありません。", **refused.values)
                return HTMLResponse(text, status_code=403, headers=HEADERS)

        return endpoint

    return wrap
