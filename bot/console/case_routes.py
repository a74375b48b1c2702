"""The queue and case pages: claim, sheet, export, reply, notes, consent withdrawal, relay, accept, decline,
release and close. Each route reads its form, calls one use case (bot/cases) and renders what it answers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.cases import Cases
from bot.cases.actor import counselor
from bot.cases.errors import CaseError, Forbidden, Invalid, Refused
from bot.cases.handling import OUTCOMES
from bot.cases.reading import STATUSES, CaseView, QueueFilter
from bot.cases.relaying import ITEMS, RelayForm
from bot.clock import Clock, shown, today
from bot.console.http import HEADERS, Endpoint, Page, form, locale, page, redirect, say
from bot.safety.resources import fitting
from bot.security import own_styles
from bot.sheet import RELAY_STATUS, render_sheet, signal_labels
from bot.transcript import AUTHORS, describe_thread
from dialogs.i18n import N_, use_locale
from dialogs.i18n import gettext as _
from dialogs.steps.base import label
from dialogs.steps.opening import WRITER_LABELS
from dialogs.topics import TOPIC_IDS, topic_label
from storage.records import CaseSummary, ConsoleSession, TranscriptEntry

STATUS_LABELS = {"open": N_("受付待ち"), "claimed": N_("対応中"), "offered": N_("つなぎの依頼"), "closed": N_("終了")}
DELIVERY_LABELS = {"pending": N_("送信待ち"), "sent": N_("届きました"), "failed": N_("届きませんでした")}
STATUS_CODES: dict[type[CaseError], int] = {Invalid: 400, Refused: 409, Forbidden: 403}


def waiting(since: datetime, now: datetime) -> str:
    """How long a case has waited, in the largest whole unit."""
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return _("{n}分").format(n=minutes)
    if minutes < 48 * 60:
        return _("{n}時間").format(n=minutes // 60)
    return _("{n}日").format(n=minutes // (24 * 60))


def row(case: CaseSummary, now: datetime) -> dict[str, str]:
    """A queue line: no personal fields."""
    return {"id": case.id, "priority": case.priority, "waiting": waiting(case.created_at, now),
            "writer": label(WRITER_LABELS, case.writer) if case.writer else "",
            "main_topic": topic_label(case.main_topic) if case.main_topic else _("（未選択）"),
            "channel": case.channel, "status": case.status, "status_label": _(STATUS_LABELS[case.status])}


def queue_filter(request: Request) -> QueueFilter:
    """The queue's filters from the query string; unknown values mean no filter."""
    status = request.query_params.get("status")
    topic = request.query_params.get("topic")
    return QueueFilter(status if status in STATUSES else None, topic if topic in TOPIC_IDS else None,
                       request.query_params.get("mine") == "1")


def message_row(m: TranscriptEntry, text: str, cases: Cases) -> dict[str, object]:
    """A thread line with its author and the delivery state of a counselor's message (of the bot's
    only when it did not arrive)."""
    visible = m.direction == "out" and (m.author == "counselor" or m.delivery in ("pending", "failed"))
    delivery = DELIVERY_LABELS.get(m.delivery or "") if visible else None
    return {"id": m.id, "author": m.author, "author_label": _(AUTHORS.get(m.author, m.author)), "text": text,
            "delivery": m.delivery or "", "delivery_label": _(delivery) if delivery else "",
            "at": shown(m.created_at, cases.zone)}


def case_context(view: CaseView, cases: Cases) -> dict[str, Any]:
    """The case page's values, in the request's language (inside use_locale)."""
    h = view.handoff
    municipality = (h.sheet.get("person") or {}).get("municipality")
    suggested = fitting(cases.resources, h.topics, h.main_topic, municipality)
    names = {g.id: g.name for g in cases.gatherings}
    return {
        "handoff": h, "holder": h.holder, "notes": view.notes, "consent": view.consent, "targets": view.targets,
        "canned": view.canned, "canned_json": json.dumps({str(c.id): c.body for c in view.canned}, ensure_ascii=False),
        "suggested": suggested,
        "interest": [{"name": names.get(gathering, gathering), "meeting": shown(start, cases.zone),
                      "at": shown(at, cases.zone)} for gathering, start, at in view.interest],
        "other_resources": [r for r in cases.resources if r not in suggested and r.serves(municipality)],
        "thread": [message_row(m, text, cases)
                   for m, text in zip(view.thread, describe_thread(view.thread), strict=True)],
        "main_topic": topic_label(h.main_topic) if h.main_topic else _("（未選択）"),
        "status_label": _(STATUS_LABELS[h.status]),
        "signals": "・".join(signal_labels(h.sheet)),
        "outcomes": [(key, _(text)) for key, text in OUTCOMES.items()],
        "relay_refusal": _(view.refusal) if view.refusal else None,
        "relays": [{"r": r, "status_label": _(RELAY_STATUS[r.status]),
                    "provided": "・".join(_(ITEMS[i]) for i in r.items if i in ITEMS),
                    "at": shown(r.created_at, cases.zone)} for r in view.relays],
    }


def routes(guard: Callable[[Page], Endpoint], cases: Cases, clock: Clock) -> list[Route]:
    """The queue and every /console/handoffs route."""

    async def queue(request: Request, who: ConsoleSession) -> Response:
        filtered = queue_filter(request)
        found = await run_in_threadpool(cases.queue, counselor(who), filtered)
        now = clock()
        with use_locale(locale(request)):
            rows = [row(h, now) for h in found]
            statuses = [(s, _(text)) for s, text in STATUS_LABELS.items()]
            topics = [(t, topic_label(t)) for t in TOPIC_IDS]
        return page(request, "queue.html", rows=rows, who=who, shown=filtered, statuses=statuses, topics=topics)

    async def queue_json(request: Request, who: ConsoleSession) -> Response:
        """The queue as data, for the page's refresh every few seconds (no personal fields), and the badges."""
        found = await run_in_threadpool(cases.queue, counselor(who), queue_filter(request))
        counts = await run_in_threadpool(cases.counts, counselor(who))
        now = clock()
        with use_locale(locale(request)):
            rows = [row(h, now) for h in found]
        return JSONResponse({"rows": rows, **counts}, headers=HEADERS)

    async def case(request: Request, who: ConsoleSession, message: str | None = None, status: int = 200) -> Response:
        view: CaseView = await run_in_threadpool(cases.case, counselor(who), handoff_id(request))
        with use_locale(locale(request)):
            context = case_context(view, cases)
        mine = view.handoff.status == "claimed" and view.handoff.holder == who.counselor.email
        return page(request, "case.html", status, who=who, message=message, mine=mine, **context)

    def handoff_id(request: Request) -> str:
        return str(request.path_params["handoff_id"])

    def back(request: Request) -> Response:
        return redirect(f"/console/handoffs/{handoff_id(request)}")

    def to_queue(request: Request) -> Response:
        return redirect("/console")

    async def deliveries(request: Request, who: ConsoleSession) -> Response:
        """The delivery states of the replies the case page shows as waiting (?ids=1,2,3)."""
        ids = [int(i) for i in request.query_params.get("ids", "").split(",") if i.isdigit()]
        states = await run_in_threadpool(cases.deliveries, counselor(who), handoff_id(request), ids)
        with use_locale(locale(request)):
            body = {str(i): {"state": state, "label": _(DELIVERY_LABELS[state])} for i, state in states.items()
                    if state in DELIVERY_LABELS}
        return JSONResponse(body, headers=HEADERS)

    async def sheet(request: Request, who: ConsoleSession) -> Response:
        data = await run_in_threadpool(cases.sheet, counselor(who), handoff_id(request))
        html = render_sheet(data, today(clock, cases.zone), locale(request), cases.zone)
        return HTMLResponse(html, headers={**HEADERS, **own_styles(html)})

    async def export(request: Request, who: ConsoleSession) -> Response:
        data = await run_in_threadpool(cases.sheet, counselor(who), handoff_id(request), "json")
        disposition = f'attachment; filename="tsunagu-sheet-{handoff_id(request)}.json"'
        return Response(json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json",
                        headers={**HEADERS, "content-disposition": disposition})

    def relay_form(request: Request) -> tuple[RelayForm]:
        fields = form(request)
        agency = fields.get("agency", "")
        if not agency.isdigit():
            raise Invalid("Choose an agency.", N_("つなぐ先の機関を選んでください。"))
        return (RelayForm(int(agency), fields.get("note", ""), fields.get("with_thread") == "1"),)

    posts: dict[str, tuple[Callable[..., object], Callable[[Request], tuple[Any, ...]], Callable[[Request], Response]]]
    posts = {
        "claim": (cases.claim, lambda r: (), back),
        "reply": (cases.reply, lambda r: (form(r).get("text", ""),), back),
        "resource": (cases.send_resource, lambda r: (form(r).get("resource", ""),), back),
        "notes": (cases.add_note, lambda r: (form(r).get("text", ""),), back),
        "consent/withdraw": (cases.withdraw_consent, lambda r: (), back),
        "relay": (cases.offer, relay_form, back),
        "accept": (cases.accept, lambda r: (), back),
        "decline": (cases.decline, lambda r: (form(r).get("reason", ""),), to_queue),
        "release": (cases.release, lambda r: (), to_queue),
        "close": (cases.close, lambda r: (form(r).get("outcome", ""),), to_queue),
        "erase": (cases.erase, lambda r: (form(r).get("confirm") == "erase",), to_queue),
    }
    base = "/console/handoffs/{handoff_id}"
    return [
        Route("/console", guard(queue), methods=["GET"]),
        Route("/console/queue.json", guard(queue_json), methods=["GET"]),
        Route(base, guard(case), methods=["GET"]),
        Route(f"{base}/sheet", guard(sheet), methods=["GET"]),
        Route(f"{base}/export.json", guard(export), methods=["GET"]),
        Route(f"{base}/deliveries.json", guard(deliveries), methods=["GET"]),
        *(Route(f"{base}/{name}", guard(_posting(case, call, arguments, then)), methods=["POST"])
          for name, (call, arguments, then) in posts.items()),
    ]


CasePage = Callable[..., Awaitable[Response]]


def _posting(case: CasePage, call: Callable[..., object], arguments: Callable[[Request], tuple[Any, ...]],
             then: Callable[[Request], Response]) -> Page:
    """A POST that calls one use case with the counselor, the case and its form's values, then goes on; bad
    input, a refusal or a part the counselor does not have shows the case again with the reason."""
    async def post(request: Request, who: ConsoleSession) -> Response:
        try:
            values = arguments(request)
            await run_in_threadpool(call, counselor(who), str(request.path_params["handoff_id"]), *values)
        except (Invalid, Refused, Forbidden) as refused:
            if not refused.message:
                raise  # a page above the role: the guard's 403
            return await case(request, who, say(request, refused.message, **refused.values),
                              STATUS_CODES[type(refused)])
        return then(request)
    return post
