"""The console's routes: sign-in with a double-submit CSRF cookie, then every page behind a
session; every form post checks the session's CSRF token; other agencies' cases are 404."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.console.accounts import Accounts, Locked, Refused
from bot.console.cases import OUTCOMES, Cases
from bot.service import NotFound, Service, utcnow
from bot.sheet import render_sheet
from bot.transcript import AUTHORS, describe
from bot.web import render_page
from dialogs.i18n import gettext as _
from dialogs.i18n import normalize_locale, use_locale
from dialogs.prompts import WRITER_LABELS, label
from dialogs.topics import topic_label
from storage.records import ConsoleSession, Handoff

COOKIE = "tsunagu_console"
LOGIN_CSRF = "tsunagu_console_login"
MAX_FORM = 16 * 1024
HEADERS = {"cache-control": "no-store", "x-frame-options": "DENY", "referrer-policy": "same-origin",
           "x-content-type-options": "nosniff"}

Page = Callable[[Request, ConsoleSession], Awaitable[Response]]


def _locale(request: Request) -> str:
    return normalize_locale(request.headers.get("accept-language", "").split(",")[0], "ja")


def _page(request: Request, name: str, status: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(render_page(f"console/{name}", _locale(request), **context), status_code=status,
                        headers=HEADERS)


async def _form(request: Request) -> dict[str, str]:
    raw = await request.body()
    if len(raw) > MAX_FORM:
        return {}
    return {k: v[0] for k, v in parse_qs(raw.decode("utf-8", errors="replace")).items()}


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def _waiting(since: datetime, now: datetime) -> str:
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return _("{n}分").format(n=minutes)
    if minutes < 48 * 60:
        return _("{n}時間").format(n=minutes // 60)
    return _("{n}日").format(n=minutes // (24 * 60))


def _row(handoff: Handoff, now: datetime) -> dict[str, str]:
    return {"id": handoff.id, "priority": handoff.priority, "waiting": _waiting(handoff.created_at, now),
            "writer": label(WRITER_LABELS, handoff.writer) if handoff.writer else "",
            "main_topic": topic_label(handoff.main_topic) if handoff.main_topic else _("（未選択）"),
            "channel": handoff.channel, "status": handoff.status}


MAX_REPLY = 4000


def _not_holder(request: Request) -> str:
    with use_locale(_locale(request)):
        return _("担当している人だけができます。")


def routes(accounts: Accounts, cases: Cases, service: Service) -> list[Route]:
    """Every /console route."""

    def signed_in(page: Page) -> Callable[[Request], Awaitable[Response]]:
        async def guarded(request: Request) -> Response:
            who = await run_in_threadpool(accounts.session, request.cookies.get(COOKIE))
            if who is None:
                return RedirectResponse("/console/login", status_code=303)
            if request.method == "POST":
                form = await _form(request)
                request.state.form = form
                if not _same(form.get("csrf"), who.csrf):
                    with use_locale(_locale(request)):
                        text = _("もう一度操作してください。")
                    return _page(request, "login.html", 403, csrf="", message=text)
            try:
                return await page(request, who)
            except NotFound:
                with use_locale(_locale(request)):
                    text = _("見つかりません。")
                return HTMLResponse(text, status_code=404, headers=HEADERS)

        return guarded

    async def login_form(request: Request, message: str | None = None, status: int = 200) -> Response:
        token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)
        response = _page(request, "login.html", status, csrf=token, message=message, who=None)
        response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", path="/console",
                            secure=request.url.scheme == "https")
        return response

    async def login(request: Request) -> Response:
        form = await _form(request)
        if not _same(form.get("csrf"), request.cookies.get(LOGIN_CSRF)):
            return await login_form(request, _("もう一度お試しください。"), 403)
        try:
            signed = await run_in_threadpool(accounts.sign_in, form.get("email", ""), form.get("password", ""))
        except Locked as exc:
            with use_locale(_locale(request)):
                text = _("ログインの失敗が続いたため、{time}まで休止しています。").format(
                    time=exc.until.astimezone().strftime("%H:%M"))
            return await login_form(request, text, 429)
        except Refused:
            with use_locale(_locale(request)):
                text = _("メールアドレスかパスワードが違います。")
            return await login_form(request, text, 401)
        response = RedirectResponse("/console", status_code=303)
        response.set_cookie(COOKIE, signed.token, httponly=True, samesite="strict", path="/console",
                            secure=request.url.scheme == "https", max_age=12 * 3600)
        return response

    async def logout(request: Request, who: ConsoleSession) -> Response:
        await run_in_threadpool(accounts.sign_out, request.cookies.get(COOKIE, ""))
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(COOKIE, path="/console")
        return response

    async def queue(request: Request, who: ConsoleSession) -> Response:
        handoffs = await run_in_threadpool(cases.queue, who)
        now = utcnow()
        with use_locale(_locale(request)):
            rows = [_row(h, now) for h in handoffs]
        return _page(request, "queue.html", rows=rows, who=who)

    async def queue_json(request: Request, who: ConsoleSession) -> Response:
        """The queue as data, for the page's refresh every few seconds (no personal fields)."""
        handoffs = await run_in_threadpool(cases.queue, who)
        now = utcnow()
        with use_locale(_locale(request)):
            rows = [_row(h, now) for h in handoffs]
        urgent = sum(1 for r in rows if r["priority"] == "urgent" and r["status"] == "open")
        return JSONResponse({"rows": rows, "open": sum(1 for r in rows if r["status"] == "open"),
                             "urgent": urgent}, headers=HEADERS)

    async def case(request: Request, who: ConsoleSession, message: str | None = None) -> Response:
        handoff, thread, holder = await run_in_threadpool(cases.case, who, request.path_params["handoff_id"])
        with use_locale(_locale(request)):
            messages = [{"author": m.author, "author_label": _(AUTHORS.get(m.author, m.author)),
                         "text": describe(m.body), "delivered": m.delivered,
                         "at": m.created_at.strftime("%Y-%m-%d %H:%M")} for m in thread]
            main = topic_label(handoff.main_topic) if handoff.main_topic else _("（未選択）")
            outcomes = [(key, _(text)) for key, text in OUTCOMES.items()]
        mine = holder == who.counselor.email
        return _page(request, "case.html", handoff=handoff, thread=messages, holder=holder, who=who,
                     main_topic=main, message=message, mine=mine, outcomes=outcomes)

    async def claim(request: Request, who: ConsoleSession) -> Response:
        handoff_id = request.path_params["handoff_id"]
        outcome = await run_in_threadpool(cases.claim, who, handoff_id)
        if outcome.won:
            return RedirectResponse(f"/console/handoffs/{handoff_id}", status_code=303)
        with use_locale(_locale(request)):
            text = _("{holder}さんがすでに担当しています。").format(holder=outcome.holder or "?")
        return await case(request, who, text)

    async def reply(request: Request, who: ConsoleSession) -> Response:
        handoff_id = request.path_params["handoff_id"]
        text = request.state.form.get("text", "").strip()
        await run_in_threadpool(cases.check, who, handoff_id)
        if not text or len(text) > MAX_REPLY:
            with use_locale(_locale(request)):
                message = _("返信は1〜{n}文字で書いてください。").format(n=MAX_REPLY)
            return await case(request, who, message)
        await run_in_threadpool(service.reply, handoff_id, text, who.counselor.email)
        return RedirectResponse(f"/console/handoffs/{handoff_id}", status_code=303)

    async def release(request: Request, who: ConsoleSession) -> Response:
        handoff_id = request.path_params["handoff_id"]
        if not await run_in_threadpool(cases.release, who, handoff_id):
            return await case(request, who, _not_holder(request))
        return RedirectResponse("/console", status_code=303)

    async def close(request: Request, who: ConsoleSession) -> Response:
        handoff_id = request.path_params["handoff_id"]
        outcome = request.state.form.get("outcome", "")
        if outcome not in OUTCOMES:
            with use_locale(_locale(request)):
                message = _("結果を選んでください。")
            return await case(request, who, message)
        if not await run_in_threadpool(cases.close, who, handoff_id, outcome):
            return await case(request, who, _not_holder(request))
        return RedirectResponse("/console", status_code=303)

    async def sheet(request: Request, who: ConsoleSession) -> Response:
        data = await run_in_threadpool(cases.sheet, who, request.path_params["handoff_id"])
        return HTMLResponse(render_sheet(data, date.today(), _locale(request)), headers=HEADERS)

    return [
        Route("/console/login", login_form, methods=["GET"]),
        Route("/console/login", login, methods=["POST"]),
        Route("/console/logout", signed_in(logout), methods=["POST"]),
        Route("/console", signed_in(queue), methods=["GET"]),
        Route("/console/queue.json", signed_in(queue_json), methods=["GET"]),
        Route("/console/handoffs/{handoff_id}", signed_in(case), methods=["GET"]),
        Route("/console/handoffs/{handoff_id}/claim", signed_in(claim), methods=["POST"]),
        Route("/console/handoffs/{handoff_id}/sheet", signed_in(sheet), methods=["GET"]),
        Route("/console/handoffs/{handoff_id}/reply", signed_in(reply), methods=["POST"]),
        Route("/console/handoffs/{handoff_id}/release", signed_in(release), methods=["POST"]),
        Route("/console/handoffs/{handoff_id}/close", signed_in(close), methods=["POST"]),
    ]
