"""The outreach page for supervisors and admins: an agency's poster or card in a language, previewed in the page
and downloaded as PDF or PNG (each preview and download audited by the use case)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot.cases.actor import counselor
from bot.cases.errors import Invalid, Refused
from bot.cases.outreach import CONTENT_TYPES, Order, Outreach
from bot.console.http import HEADERS, Endpoint, Page, page, say
from bot.outreach.material import SIZES
from bot.outreach.printing import FORMATS
from bot.security import own_styles
from dialogs.i18n import LANGUAGES
from storage.records import ConsoleSession


def _order(request: Request, fmt: str) -> Order:
    """The agency in the path; size and language in the query (the first on offer when absent)."""
    raw = request.path_params.get("agency_id", "")
    q = request.query_params
    return Order(int(raw) if raw.isdigit() else 0, q.get("size") or "poster", q.get("language") or LANGUAGES[0].code,
                 q.get("format") or fmt)


def routes(guard: Callable[[Page], Endpoint], outreach: Outreach) -> list[Route]:
    """/console/outreach and its previews and downloads."""

    async def overview(request: Request, who: ConsoleSession) -> Response:
        actor = counselor(who)
        agencies = await run_in_threadpool(outreach.agencies, actor)
        counts = await run_in_threadpool(outreach.first_contacts, actor)
        chosen = request.query_params.get("agency", "")
        current = next((a for a in agencies if str(a.id) == chosen), agencies[0] if agencies else None)
        size = request.query_params.get("size") if request.query_params.get("size") in SIZES else "poster"
        language = request.query_params.get("language") or LANGUAGES[0].code
        return page(request, "outreach.html", who=who, agencies=agencies, counts=counts, current=current,
                    sizes=list(SIZES), size=size, languages=LANGUAGES, language=language, formats=FORMATS)

    async def preview(request: Request, who: ConsoleSession) -> Response:
        try:
            html = await run_in_threadpool(outreach.preview, counselor(who), _order(request, "html"))
        except Invalid as error:
            return HTMLResponse(say(request, error.message), status_code=400, headers=HEADERS)
        return HTMLResponse(html, headers={**HEADERS, "x-frame-options": "SAMEORIGIN", **own_styles(html, "'self'")})

    async def download(request: Request, who: ConsoleSession) -> Response:
        try:
            data, name = await run_in_threadpool(outreach.download, counselor(who), _order(request, "pdf"))
        except Invalid as error:
            return HTMLResponse(say(request, error.message), status_code=400, headers=HEADERS)
        except Refused as error:
            return HTMLResponse(say(request, error.message), status_code=503, headers=HEADERS)
        disposition = f'attachment; filename="{name}"'
        return Response(data, media_type=CONTENT_TYPES[name.rsplit(".", 1)[-1]],
                        headers={**HEADERS, "content-disposition": disposition})

    return [
        Route("/console/outreach", guard(overview), methods=["GET"]),
        Route("/console/outreach/{agency_id}/preview", guard(preview), methods=["GET"]),
        Route("/console/outreach/{agency_id}/download", guard(download), methods=["GET"]),
    ]
