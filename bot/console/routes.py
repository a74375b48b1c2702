"""The console's routes: sign-in with a double-submit CSRF cookie, logout, and the case, relay and
management pages behind the session guard."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.cases import Cases
from bot.cases.accounts import Accounts, Locked, WrongCredentials
from bot.cases.admin import Admin
from bot.clock import Clock, local
from bot.console import case_routes, manage_routes, stats_routes
from bot.console.http import COOKIE, LOGIN_CSRF, guarded, page, read_form, redirect, same, say
from storage.records import ConsoleSession

SESSION_SECONDS = 12 * 3600


def auth_routes(accounts: Accounts, zone: ZoneInfo) -> list[Route]:
    """Sign-in and sign-out."""

    async def login_form(request: Request, message: str | None = None, status: int = 200) -> Response:
        token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)
        response = page(request, "login.html", status, csrf=token, message=message, who=None)
        response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", path="/console",
                            secure=request.url.scheme == "https")
        return response

    async def login(request: Request) -> Response:
        fields = await read_form(request)
        if not same(fields.get("csrf"), request.cookies.get(LOGIN_CSRF)):
            return await login_form(request, say(request, "もう一度お試しください。"), 403)
        try:
            signed = await run_in_threadpool(accounts.sign_in, fields.get("email", ""), fields.get("password", ""))
        except Locked as exc:
            text = say(request, "ログインの失敗が続いたため、{time}まで休止しています。",
                       time=local(exc.until, zone).strftime("%H:%M"))
            return await login_form(request, text, 429)
        except WrongCredentials:
            return await login_form(request, say(request, "メールアドレスかパスワードが違います。"), 401)
        response = redirect("/console")
        response.set_cookie(COOKIE, signed.token, httponly=True, samesite="strict", path="/console",
                            secure=request.url.scheme == "https", max_age=SESSION_SECONDS)
        return response

    async def logout(request: Request, who: ConsoleSession) -> Response:
        await run_in_threadpool(accounts.sign_out, request.cookies.get(COOKIE, ""))
        response = redirect("/console/login")
        response.delete_cookie(COOKIE, path="/console")
        return response

    return [
        Route("/console/login", login_form, methods=["GET"]),
        Route("/console/login", login, methods=["POST"]),
        Route("/console/logout", guarded(accounts)(logout), methods=["POST"]),
    ]


def routes(accounts: Accounts, cases: Cases, admin: Admin, clock: Clock) -> list[Route]:
    """Every /console route."""
    guard = guarded(accounts)
    return [*auth_routes(accounts, cases.zone), *case_routes.routes(guard, cases, clock),
            *manage_routes.routes(guard, cases, admin, clock), *stats_routes.routes(guard, cases)]
