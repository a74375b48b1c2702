"""Pages above the counselor's role: canned replies and the audit log (supervisors), agencies,
municipalities and accounts (admins); and the agency's gatherings (every role)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.cases import Cases
from bot.cases.actor import ADMIN, ROLES, SUPERVISING, counselor, require
from bot.cases.admin import Admin
from bot.cases.errors import Invalid, NotFound
from bot.cases.managing import AuditFilter
from bot.clock import Clock
from bot.console.http import HEADERS, Endpoint, Page, form, locale, page, redirect, say
from bot.gatherings.catalog import KINDS
from bot.safety.hours import DEFAULT_HOURS, format_hours
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
    "view_gatherings": N_("集まりの一覧を見た"), "calendar_rotate": N_("カレンダーのURLを作り直した"),
    "outreach_preview": N_("ポスター・カードを表示した"), "outreach_download": N_("ポスター・カードを保存した"),
}
ROLE_LABELS = {"counselor": N_("相談員"), "supervisor": N_("スーパーバイザー"), "admin": N_("管理者")}


def _day(text: str | None, zone: ZoneInfo, plus: int = 0) -> datetime | None:
    """A yyyy-mm-dd date as the start of that day in the people's time zone (plus some days); None when empty
    or bad."""
    try:
        return datetime.strptime(text or "", "%Y-%m-%d").replace(tzinfo=zone) + timedelta(days=plus)
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    try:
        return int(text or "")
    except ValueError:
        return None


def audit_filter(request: Request, zone: ZoneInfo) -> AuditFilter:
    """The audit view's filters from the query string (days in the people's time zone)."""
    q = request.query_params
    return AuditFilter(actor=q.get("actor") or None, action=q.get("action") or None, target=q.get("target") or None,
                       since=_day(q.get("since"), zone), until=_day(q.get("until"), zone, plus=1),
                       agency_id=_int(q.get("agency")), before_id=_int(q.get("before")))


def routes(guard: Callable[[Page], Endpoint], cases: Cases, admin: Admin, clock: Clock) -> list[Route]:
    """/console/canned, /console/audit, /console/gatherings and /console/admin."""

    async def canned(request: Request, who: ConsoleSession, message: str | None = None, status: int = 200) -> Response:
        require(counselor(who), SUPERVISING)
        replies = await run_in_threadpool(cases.canned, counselor(who))
        return page(request, "canned.html", status, who=who, replies=replies, message=message)

    async def canned_add(request: Request, who: ConsoleSession) -> Response:
        fields = form(request)
        try:
            await run_in_threadpool(cases.add_canned, counselor(who), fields.get("title", ""), fields.get("body", ""))
        except Invalid as error:
            return await canned(request, who, say(request, error.message), 400)
        return redirect("/console/canned")

    async def canned_remove(request: Request, who: ConsoleSession) -> Response:
        await run_in_threadpool(cases.remove_canned, counselor(who), _int(request.path_params["reply_id"]) or 0)
        return redirect("/console/canned")

    async def audit(request: Request, who: ConsoleSession) -> Response:
        shown = audit_filter(request, cases.zone)
        entries = await run_in_threadpool(cases.audit_log, counselor(who), shown, AUDIT_PAGE)
        agencies = await run_in_threadpool(admin.agencies, counselor(who)) if who.counselor.role == ADMIN else []
        names = {a.id: a.name for a in agencies}
        older = entries[-1].id if len(entries) == AUDIT_PAGE else None
        with use_locale(locale(request)):
            actions = {key: _(text) for key, text in ACTION_LABELS.items()}
        return page(request, "audit.html", who=who, entries=entries, shown=shown, agencies=agencies, names=names,
                    older=older, query=request.query_params, actions=actions)

    async def gatherings(request: Request, who: ConsoleSession) -> Response:
        rows = await run_in_threadpool(cases.gathering_rows, counselor(who))
        with use_locale(locale(request)):
            kinds = {key: _(text) for key, text in KINDS.items()}
        return page(request, "gatherings.html", who=who, rows=rows, kinds=kinds, now=clock())

    async def provisions(request: Request, who: ConsoleSession) -> Response:
        rows = await run_in_threadpool(cases.provisions, counselor(who))
        return Response(json.dumps(rows, ensure_ascii=False, indent=2), media_type="application/json",
                        headers={**HEADERS, "content-disposition": 'attachment; filename="tsunagu-provisions.json"'})

    async def admin_page(request: Request, who: ConsoleSession, message: str | None = None,
                         status: int = 200) -> Response:
        agencies = await run_in_threadpool(admin.agencies, counselor(who))
        accounts = await run_in_threadpool(admin.accounts, counselor(who))
        tokens = await run_in_threadpool(cases.feed_tokens, counselor(who))
        base = str(request.base_url).rstrip("/")
        feeds = {agency_id: f"{base}/calendar/{token}/gatherings.ics" for agency_id, token in tokens.items()}
        with use_locale(locale(request)):
            roles = [(r, _(ROLE_LABELS[r])) for r in ROLES]
        return page(request, "admin.html", status, who=who, agencies=agencies, accounts=accounts, roles=roles,
                    names={a.id: a.name for a in agencies}, now=clock(), message=message,
                    default_hours=format_hours(DEFAULT_HOURS), feeds=feeds)

    async def calendar_feed(request: Request) -> Response:
        text = await run_in_threadpool(cases.calendar_feed, request.path_params["token"])
        if text is None:
            return Response("Not Found", status_code=404, media_type="text/plain")
        return Response(text, media_type="text/calendar; charset=utf-8", headers={"cache-control": "no-store"})

    def municipalities(text: str) -> list[str]:
        return [m for m in text.replace("、", "\n").replace(",", "\n").splitlines() if m.strip()]

    def administering(call: Callable[..., object], arguments: Callable[[Request], tuple[Any, ...]],
                      refused: tuple[type[Exception], ...] = (Invalid, NotFound)) -> Page:
        """A POST of the admin page: one use case with the admin and the form's values; what it refuses shows
        the page again with the reason."""
        async def post(request: Request, who: ConsoleSession) -> Response:
            try:
                await run_in_threadpool(call, counselor(who), *arguments(request))
            except refused as error:
                message = getattr(error, "message", "") or "機関を選んでください。"
                return await admin_page(request, who, say(request, message), 400)
            return redirect("/console/admin")
        return post

    def path_id(request: Request, name: str) -> int:
        return _int(request.path_params[name]) or 0

    def new_agency(r: Request) -> tuple[Any, ...]:
        return form(r).get("name", ""), municipalities(form(r).get("municipalities", ""))

    def agency_municipalities(r: Request) -> tuple[Any, ...]:
        return path_id(r, "agency_id"), municipalities(form(r).get("municipalities", ""))

    def agency_hours(r: Request) -> tuple[Any, ...]:
        return path_id(r, "agency_id"), form(r).get("hours", "")

    def new_account(r: Request) -> tuple[Any, ...]:
        fields = form(r)
        return (fields.get("email", ""), fields.get("agency", ""), fields.get("role", "counselor"),
                fields.get("password", ""))

    def account_change(r: Request) -> tuple[Any, ...]:
        return path_id(r, "account_id"), _int(form(r).get("agency")) or 0, form(r).get("role", "")

    def account(r: Request) -> tuple[Any, ...]:
        return (path_id(r, "account_id"),)

    def agency(r: Request) -> tuple[Any, ...]:
        return (path_id(r, "agency_id"),)

    posts: dict[str, Page] = {
        "/console/admin/agencies": administering(admin.add_agency, new_agency, (Invalid,)),
        "/console/admin/agencies/{agency_id}/municipalities": administering(
            admin.set_municipalities, agency_municipalities, ()),
        "/console/admin/agencies/{agency_id}/hours": administering(admin.set_hours, agency_hours),
        "/console/admin/accounts": administering(admin.add_counselor, new_account),
        "/console/admin/accounts/{account_id}": administering(admin.change_account, account_change),
        "/console/admin/accounts/{account_id}/unlock": administering(admin.unlock, account, ()),
        "/console/admin/agencies/{agency_id}/calendar": administering(cases.rotate_feed, agency, ()),
    }
    return [
        Route("/console/canned", guard(canned), methods=["GET"]),
        Route("/console/canned", guard(canned_add), methods=["POST"]),
        Route("/console/canned/{reply_id}/delete", guard(canned_remove), methods=["POST"]),
        Route("/console/audit", guard(audit), methods=["GET"]),
        Route("/console/gatherings", guard(gatherings), methods=["GET"]),
        Route("/console/audit/provisions.json", guard(provisions), methods=["GET"]),
        Route("/console/admin", guard(admin_page), methods=["GET"]),
        Route("/calendar/{token}/gatherings.ics", calendar_feed, methods=["GET"]),  # the secret is the key
        *(Route(path, guard(view), methods=["POST"]) for path, view in posts.items()),
    ]
