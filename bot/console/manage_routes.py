"""Pages above the counselor's role: canned replies and the audit log (supervisors), agencies,
municipalities and accounts (admins)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.admin import ROLES, Admin, Invalid
from bot.clock import Clock
from bot.console.http import HEADERS, Endpoint, Page, form, locale, page, redirect, say
from bot.console.manage import SUPERVISING, AuditFilter, Manage, require
from bot.safety.hours import DEFAULT_HOURS, format_hours
from bot.service import NotFound
from dialogs.i18n import N_, use_locale
from dialogs.i18n import gettext as _
from storage.records import ConsoleSession

AUDIT_PAGE = 100
ACTION_LABELS = {
    "view_thread": N_("やりとりを見た"), "view_sheet": N_("シートを見た"), "export": N_("書き出した"),
    "reply": N_("返信した"), "note": N_("メモを残した"), "claim": N_("担当した"), "release": N_("担当を外れた"),
    "close": N_("終了した"), "relay": N_("つないだ"), "relay_received": N_("つなぎを受けた"),
    "relay_accept": N_("つなぎを受け入れた"), "relay_decline": N_("つなぎを見送った"),
    "consent_withdrawn": N_("同意の取り消しを記録した"), "erase": N_("消去された"), "handoff": N_("受け付けた"),
    "login": N_("ログインした"), "login_refused": N_("ログインに失敗した"),
    "login_locked": N_("休止中にログインしようとした"),
    "view_audit": N_("監査ログを見た"), "canned_add": N_("定型文を追加した"), "canned_remove": N_("定型文を削除した"),
    "agency_add": N_("機関を追加した"), "agency_municipalities": N_("区市町村を変えた"),
    "counselor_add": N_("アカウントを追加した"), "account_change": N_("アカウントを変えた"),
    "account_unlock": N_("休止を解いた"), "agency_hours": N_("受付時間を変えた"),
    "crisis": N_("危険のサインを受けた"), "handoff_complete": N_("受付を完了した"),
    "send_resource": N_("相談先を送った"), "retention": N_("保存期間を過ぎた記録を消した"),
    "delete_unfinished": N_("途中の受付を消した"), "export_provisions": N_("提供記録を書き出した"),
}
ROLE_LABELS = {"counselor": N_("相談員"), "supervisor": N_("スーパーバイザー"), "admin": N_("管理者")}
INVALID = {"agency_name": N_("機関名を1〜200文字で書いてください。"),
           "agency_exists": N_("同じ名前の機関がすでにあります。"),
           "email": N_("メールアドレスの形を確かめてください。"), "role": N_("役割を選んでください。"),
           "password": N_("パスワードは10文字以上にしてください。"),
           "account_exists": N_("このメールアドレスのアカウントはすでにあります。"),
           "not_found": N_("機関を選んでください。"),
           "hours": N_("受付時間は「mon-fri 09:00-17:00」のように書いてください。")}


def _day(text: str | None, plus: int = 0) -> datetime | None:
    """A yyyy-mm-dd date as the start of that day in UTC (plus some days); None when empty or bad."""
    try:
        return datetime.strptime(text or "", "%Y-%m-%d").replace(tzinfo=UTC) + timedelta(days=plus)
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    try:
        return int(text or "")
    except ValueError:
        return None


def audit_filter(request: Request) -> AuditFilter:
    """The audit view's filters from the query string."""
    q = request.query_params
    return AuditFilter(actor=q.get("actor") or None, action=q.get("action") or None, target=q.get("target") or None,
                       since=_day(q.get("since")), until=_day(q.get("until"), plus=1),
                       agency_id=_int(q.get("agency")), before_id=_int(q.get("before")))


def routes(guard: Callable[[Page], Endpoint], manage: Manage, admin: Admin, clock: Clock) -> list[Route]:
    """/console/canned, /console/audit and /console/admin."""

    async def canned(request: Request, who: ConsoleSession, message: str | None = None, status: int = 200) -> Response:
        require(who, SUPERVISING)
        replies = await run_in_threadpool(manage.canned, who)
        return page(request, "canned.html", status, who=who, replies=replies, message=message)

    async def canned_add(request: Request, who: ConsoleSession) -> Response:
        fields = form(request)
        try:
            await run_in_threadpool(manage.add_canned, who, fields.get("title", ""), fields.get("body", ""))
        except ValueError:
            return await canned(request, who, say(request, "題は1〜100文字、本文は1〜4000文字で書いてください。"), 400)
        return redirect("/console/canned")

    async def canned_remove(request: Request, who: ConsoleSession) -> Response:
        if not await run_in_threadpool(manage.remove_canned, who, _int(request.path_params["reply_id"]) or 0):
            raise NotFound("no such canned reply")
        return redirect("/console/canned")

    async def audit(request: Request, who: ConsoleSession) -> Response:
        shown = audit_filter(request)
        entries = await run_in_threadpool(manage.audit_log, who, shown, AUDIT_PAGE)
        agencies = await run_in_threadpool(admin.agencies) if who.counselor.role == "admin" else []
        names = {a.id: a.name for a in agencies}
        older = entries[-1].id if len(entries) == AUDIT_PAGE else None
        with use_locale(locale(request)):
            actions = {key: _(text) for key, text in ACTION_LABELS.items()}
        return page(request, "audit.html", who=who, entries=entries, shown=shown, agencies=agencies, names=names,
                    older=older, query=request.query_params, actions=actions)

    async def provisions(request: Request, who: ConsoleSession) -> Response:
        rows = await run_in_threadpool(manage.provisions, who)
        return Response(json.dumps(rows, ensure_ascii=False, indent=2), media_type="application/json",
                        headers={**HEADERS, "content-disposition": 'attachment; filename="tsunagu-provisions.json"'})

    async def admin_page(request: Request, who: ConsoleSession, message: str | None = None,
                         status: int = 200) -> Response:
        require(who, ("admin",))
        agencies = await run_in_threadpool(admin.agencies)
        accounts = await run_in_threadpool(admin.accounts)
        with use_locale(locale(request)):
            roles = [(r, _(ROLE_LABELS[r])) for r in ROLES]
        return page(request, "admin.html", status, who=who, agencies=agencies, accounts=accounts, roles=roles,
                    names={a.id: a.name for a in agencies}, now=clock(), message=message,
                    default_hours=format_hours(DEFAULT_HOURS))

    def municipalities(text: str) -> list[str]:
        return [m for m in text.replace("、", "\n").replace(",", "\n").splitlines() if m.strip()]

    async def invalid(request: Request, who: ConsoleSession, error: Exception) -> Response:
        code = error.code if isinstance(error, Invalid) else "not_found"
        return await admin_page(request, who, say(request, INVALID.get(code, INVALID["not_found"])), 400)

    async def agency_add(request: Request, who: ConsoleSession) -> Response:
        require(who, ("admin",))
        fields = form(request)
        try:
            await run_in_threadpool(admin.add_agency, fields.get("name", ""),
                                    municipalities(fields.get("municipalities", "")), who.counselor.email)
        except Invalid as error:
            return await invalid(request, who, error)
        return redirect("/console/admin")

    async def agency_municipalities(request: Request, who: ConsoleSession) -> Response:
        require(who, ("admin",))
        agency_id = _int(request.path_params["agency_id"]) or 0
        await run_in_threadpool(admin.set_municipalities, agency_id,
                                municipalities(form(request).get("municipalities", "")), who.counselor.email)
        return redirect("/console/admin")

    async def agency_hours(request: Request, who: ConsoleSession) -> Response:
        require(who, ("admin",))
        agency_id = _int(request.path_params["agency_id"]) or 0
        try:
            await run_in_threadpool(admin.set_hours, agency_id, form(request).get("hours", ""), who.counselor.email)
        except (Invalid, NotFound) as error:
            return await invalid(request, who, error)
        return redirect("/console/admin")

    async def account_add(request: Request, who: ConsoleSession) -> Response:
        require(who, ("admin",))
        fields = form(request)
        try:
            await run_in_threadpool(admin.add_counselor, fields.get("email", ""), fields.get("agency", ""),
                                    fields.get("role", "counselor"), fields.get("password", ""), who.counselor.email)
        except (Invalid, NotFound) as error:
            return await invalid(request, who, error)
        return redirect("/console/admin")

    async def account_change(request: Request, who: ConsoleSession) -> Response:
        require(who, ("admin",))
        fields = form(request)
        try:
            await run_in_threadpool(admin.change_account, _int(request.path_params["account_id"]) or 0,
                                    _int(fields.get("agency")) or 0, fields.get("role", ""), who.counselor.email)
        except (Invalid, NotFound) as error:
            return await invalid(request, who, error)
        return redirect("/console/admin")

    async def account_unlock(request: Request, who: ConsoleSession) -> Response:
        require(who, ("admin",))
        await run_in_threadpool(admin.unlock, _int(request.path_params["account_id"]) or 0, who.counselor.email)
        return redirect("/console/admin")

    return [
        Route("/console/canned", guard(canned), methods=["GET"]),
        Route("/console/canned", guard(canned_add), methods=["POST"]),
        Route("/console/canned/{reply_id}/delete", guard(canned_remove), methods=["POST"]),
        Route("/console/audit", guard(audit), methods=["GET"]),
        Route("/console/audit/provisions.json", guard(provisions), methods=["GET"]),
        Route("/console/admin", guard(admin_page), methods=["GET"]),
        Route("/console/admin/agencies", guard(agency_add), methods=["POST"]),
        Route("/console/admin/agencies/{agency_id}/municipalities", guard(agency_municipalities), methods=["POST"]),
        Route("/console/admin/agencies/{agency_id}/hours", guard(agency_hours), methods=["POST"]),
        Route("/console/admin/accounts", guard(account_add), methods=["POST"]),
        Route("/console/admin/accounts/{account_id}", guard(account_change), methods=["POST"]),
        Route("/console/admin/accounts/{account_id}/unlock", guard(account_unlock), methods=["POST"]),
    ]
