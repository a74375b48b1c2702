"""The queue and case pages: claim, sheet, export, reply, notes, consent withdrawal, relay, accept,
decline, release and close."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.clock import Clock
from bot.console.cases import OUTCOMES, STATUSES, Cases, CaseView, QueueFilter
from bot.console.http import HEADERS, Endpoint, Page, form, locale, page, redirect, say
from bot.console.manage import Manage
from bot.console.relay import ITEMS, RelayForm, RelayRefused, Relays
from bot.safety.resources import Resource, fitting
from bot.service import Service
from bot.sheet import RELAY_STATUS, render_sheet, signal_labels
from bot.transcript import AUTHORS, describe_thread
from dialogs.i18n import N_, use_locale
from dialogs.i18n import gettext as _
from dialogs.steps.base import label
from dialogs.steps.opening import WRITER_LABELS
from dialogs.topics import TOPIC_IDS, topic_label
from storage.records import ConsoleSession, Handoff, TranscriptEntry

MAX_REPLY = 4000
STATUS_LABELS = {"open": N_("受付待ち"), "claimed": N_("対応中"), "offered": N_("つなぎの依頼"), "closed": N_("終了")}
DELIVERY_LABELS = {"pending": N_("送信待ち"), "sent": N_("届きました"), "failed": N_("届きませんでした")}


def waiting(since: datetime, now: datetime) -> str:
    """How long a case has waited, in the largest whole unit."""
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return _("{n}分").format(n=minutes)
    if minutes < 48 * 60:
        return _("{n}時間").format(n=minutes // 60)
    return _("{n}日").format(n=minutes // (24 * 60))


def row(handoff: Handoff, now: datetime) -> dict[str, str]:
    """A queue line: no personal fields."""
    return {"id": handoff.id, "priority": handoff.priority, "waiting": waiting(handoff.created_at, now),
            "writer": label(WRITER_LABELS, handoff.writer) if handoff.writer else "",
            "main_topic": topic_label(handoff.main_topic) if handoff.main_topic else _("（未選択）"),
            "channel": handoff.channel, "status": handoff.status, "status_label": _(STATUS_LABELS[handoff.status])}


def queue_filter(request: Request) -> QueueFilter:
    """The queue's filters from the query string; unknown values mean no filter."""
    status = request.query_params.get("status")
    topic = request.query_params.get("topic")
    return QueueFilter(status if status in STATUSES else None, topic if topic in TOPIC_IDS else None,
                       request.query_params.get("mine") == "1")


def message_row(m: TranscriptEntry, text: str) -> dict[str, object]:
    """A thread line with its author and the delivery state of a counselor's message (of the bot's
    only when it did not arrive)."""
    shown = m.direction == "out" and (m.author == "counselor" or m.delivery in ("pending", "failed"))
    delivery = DELIVERY_LABELS.get(m.delivery or "") if shown else None
    return {"id": m.id, "author": m.author, "author_label": _(AUTHORS.get(m.author, m.author)), "text": text,
            "delivery": m.delivery or "", "delivery_label": _(delivery) if delivery else "",
            "at": m.created_at.astimezone().strftime("%Y-%m-%d %H:%M")}


def routes(guard: Callable[[Page], Endpoint], cases: Cases, relays: Relays, manage: Manage,
           service: Service, clock: Clock, resources: tuple[Resource, ...] = ()) -> list[Route]:
    """The queue and every /console/handoffs route."""
    by_id = {r.id: r for r in resources}

    async def queue(request: Request, who: ConsoleSession) -> Response:
        shown = queue_filter(request)
        handoffs = await run_in_threadpool(cases.queue, who, shown)
        now = clock()
        with use_locale(locale(request)):
            rows = [row(h, now) for h in handoffs]
            statuses = [(s, _(text)) for s, text in STATUS_LABELS.items()]
            topics = [(t, topic_label(t)) for t in TOPIC_IDS]
        return page(request, "queue.html", rows=rows, who=who, shown=shown, statuses=statuses, topics=topics)

    async def queue_json(request: Request, who: ConsoleSession) -> Response:
        """The queue as data, for the page's refresh every few seconds (no personal fields), and the badges."""
        handoffs = await run_in_threadpool(cases.queue, who, queue_filter(request))
        counts = await run_in_threadpool(cases.counts, who)
        now = clock()
        with use_locale(locale(request)):
            rows = [row(h, now) for h in handoffs]
        return JSONResponse({"rows": rows, **counts}, headers=HEADERS)

    async def case(request: Request, who: ConsoleSession, message: str | None = None, status: int = 200) -> Response:
        handoff_id = request.path_params["handoff_id"]
        view: CaseView = await run_in_threadpool(cases.case, who, handoff_id)
        refusal = await run_in_threadpool(relays.refusal, who, handoff_id)
        targets = await run_in_threadpool(relays.targets, who)
        h = view.handoff
        with use_locale(locale(request)):
            context = {
                "thread": [message_row(m, text) for m, text in zip(view.thread, describe_thread(view.thread),
                                                                    strict=True)],
                "main_topic": topic_label(h.main_topic) if h.main_topic else _("（未選択）"),
                "status_label": _(STATUS_LABELS[h.status]),
                "signals": "・".join(signal_labels(h.sheet)),
                "outcomes": [(key, _(text)) for key, text in OUTCOMES.items()],
                "relay_refusal": _(refusal) if refusal else None,
                "relays": [{"r": r, "status_label": _(RELAY_STATUS[r.status]),
                            "provided": "・".join(_(ITEMS[i]) for i in r.items if i in ITEMS),
                            "at": r.created_at.astimezone().strftime("%Y-%m-%d %H:%M")} for r in view.relays],
            }
        mine = h.status == "claimed" and view.holder == who.counselor.email
        municipality = (h.sheet.get("person") or {}).get("municipality")
        suggested = fitting(resources, h.topics, h.main_topic, municipality)
        others = [r for r in resources if r not in suggested and r.serves(municipality)]
        return page(request, "case.html", status, handoff=h, holder=view.holder, who=who, message=message,
                    suggested=suggested, other_resources=others,
                    mine=mine, notes=view.notes, consent=view.consent, targets=targets, canned=view.canned,
                    canned_json=json.dumps({str(c.id): c.body for c in view.canned}, ensure_ascii=False),
                    **context)

    def handoff_id(request: Request) -> str:
        return str(request.path_params["handoff_id"])

    async def deliveries(request: Request, who: ConsoleSession) -> Response:
        """The delivery states of the replies the case page shows as waiting (?ids=1,2,3)."""
        ids = [int(i) for i in request.query_params.get("ids", "").split(",") if i.isdigit()]
        states = await run_in_threadpool(cases.deliveries, who, handoff_id(request), ids)
        with use_locale(locale(request)):
            body = {str(i): {"state": state, "label": _(DELIVERY_LABELS[state])} for i, state in states.items()
                    if state in DELIVERY_LABELS}
        return JSONResponse(body, headers=HEADERS)

    def back(request: Request) -> Response:
        return redirect(f"/console/handoffs/{handoff_id(request)}")

    async def claim(request: Request, who: ConsoleSession) -> Response:
        outcome = await run_in_threadpool(cases.claim, who, handoff_id(request))
        if outcome.won:
            return back(request)
        return await case(request, who, say(request, "{holder}さんがすでに担当しています。",
                                            holder=outcome.holder or "?"), 409)

    async def reply(request: Request, who: ConsoleSession) -> Response:
        text = form(request).get("text", "").strip()
        if not await run_in_threadpool(cases.holds, who, handoff_id(request)):
            return await case(request, who, say(request, "担当している人だけが返信できます。"), 409)
        if not text or len(text) > MAX_REPLY:
            return await case(request, who, say(request, "返信は1〜{n}文字で書いてください。", n=MAX_REPLY), 400)
        await run_in_threadpool(service.reply, handoff_id(request), text, who.counselor.email)
        return back(request)

    async def erase(request: Request, who: ConsoleSession) -> Response:
        """The person asked a counselor to erase their data: the holder or a supervisor can, once confirmed."""
        handoff = await run_in_threadpool(cases.check, who, handoff_id(request))
        holds = await run_in_threadpool(cases.holds, who, handoff.id)
        if not holds and who.counselor.role not in ("supervisor", "admin"):
            return await case(request, who, say(request, "担当している人かスーパーバイザーだけが消去できます。"), 403)
        if form(request).get("confirm") != "erase":
            return await case(request, who, say(request, "消去するには、確認の欄にチェックを入れてください。"), 400)
        await run_in_threadpool(service.erase_case, handoff.id, who.counselor.email)
        return redirect("/console")

    async def send_resource(request: Request, who: ConsoleSession) -> Response:
        resource = by_id.get(form(request).get("resource", ""))
        if not await run_in_threadpool(cases.holds, who, handoff_id(request)):
            return await case(request, who, say(request, "担当している人だけが返信できます。"), 409)
        if resource is None:
            return await case(request, who, say(request, "相談先を選んでください。"), 400)
        with use_locale(await run_in_threadpool(cases.person_locale, who, handoff_id(request))):
            text = resource.text()
        await run_in_threadpool(service.reply, handoff_id(request), text, who.counselor.email)
        await run_in_threadpool(cases.record, who, handoff_id(request), "send_resource", f"resource={resource.id}")
        return back(request)

    async def note(request: Request, who: ConsoleSession) -> Response:
        try:
            await run_in_threadpool(cases.add_note, who, handoff_id(request), form(request).get("text", ""))
        except ValueError:
            return await case(request, who, say(request, "メモは1〜4000文字で書いてください。"), 400)
        return back(request)

    async def withdraw(request: Request, who: ConsoleSession) -> Response:
        if not await run_in_threadpool(cases.withdraw_consent, who, handoff_id(request)):
            return await case(request, who, say(request, "担当している人だけができます。"), 409)
        return back(request)

    async def relay(request: Request, who: ConsoleSession) -> Response:
        fields = form(request)
        try:
            target = int(fields.get("agency", ""))
        except ValueError:
            return await case(request, who, say(request, "つなぐ先の機関を選んでください。"), 400)
        chosen = RelayForm(target, fields.get("note", ""), fields.get("with_thread") == "1")
        try:
            await run_in_threadpool(relays.offer, who, handoff_id(request), chosen)
        except RelayRefused as refused:
            return await case(request, who, say(request, str(refused)), 409)
        return back(request)

    async def accept(request: Request, who: ConsoleSession) -> Response:
        if not await run_in_threadpool(relays.accept, who, handoff_id(request)):
            return await case(request, who, say(request, "このつなぎの依頼には、すでに返事がされています。"), 409)
        return back(request)

    async def decline(request: Request, who: ConsoleSession) -> Response:
        if not await run_in_threadpool(relays.decline, who, handoff_id(request), form(request).get("reason", "")):
            return await case(request, who, say(request, "このつなぎの依頼には、すでに返事がされています。"), 409)
        return redirect("/console")

    async def release(request: Request, who: ConsoleSession) -> Response:
        if not await run_in_threadpool(cases.release, who, handoff_id(request)):
            return await case(request, who, say(request, "担当している人だけができます。"), 409)
        return redirect("/console")

    async def close(request: Request, who: ConsoleSession) -> Response:
        outcome = form(request).get("outcome", "")
        if outcome not in OUTCOMES:
            return await case(request, who, say(request, "結果を選んでください。"), 400)
        if not await run_in_threadpool(cases.close, who, handoff_id(request), outcome):
            return await case(request, who, say(request, "担当している人だけができます。"), 409)
        return redirect("/console")

    async def sheet(request: Request, who: ConsoleSession) -> Response:
        data = await run_in_threadpool(cases.sheet, who, handoff_id(request))
        return HTMLResponse(render_sheet(data, clock().date(), locale(request)), headers=HEADERS)

    async def export(request: Request, who: ConsoleSession) -> Response:
        data = await run_in_threadpool(cases.sheet, who, handoff_id(request), "export")
        body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        disposition = f'attachment; filename="tsunagu-sheet-{handoff_id(request)}.json"'
        return Response(body, media_type="application/json",
                         headers={**HEADERS, "content-disposition": disposition})

    base = "/console/handoffs/{handoff_id}"
    posts: dict[str, Page] = {"claim": claim, "reply": reply, "resource": send_resource, "notes": note,
                              "consent/withdraw": withdraw, "relay": relay, "accept": accept, "decline": decline,
                              "release": release, "close": close, "erase": erase}
    return [
        Route("/console", guard(queue), methods=["GET"]),
        Route("/console/queue.json", guard(queue_json), methods=["GET"]),
        Route(base, guard(case), methods=["GET"]),
        Route(f"{base}/sheet", guard(sheet), methods=["GET"]),
        Route(f"{base}/export.json", guard(export), methods=["GET"]),
        Route(f"{base}/deliveries.json", guard(deliveries), methods=["GET"]),
        *(Route(f"{base}/{name}", guard(view), methods=["POST"]) for name, view in posts.items()),
    ]
