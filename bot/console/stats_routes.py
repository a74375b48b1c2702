"""/console/stats: the statistics of a period as SVG charts, each with its table, and their exports (CSV, XLSX,
JSON). Every role sees it: a counselor or supervisor their agency's, an admin every agency's or the one chosen.
There is no way from a count to the cases behind it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.cases import Cases
from bot.cases.actor import counselor
from bot.cases.errors import Invalid
from bot.cases.statistics import StatsRequest, StatsResult
from bot.console.http import HEADERS, Endpoint, Page, locale, page, say
from bot.stats.charts import chart
from bot.stats.export import FORMATS, MEDIA_TYPES, export
from bot.stats.tables import tables
from dialogs.i18n import N_, use_locale
from storage.records import ConsoleSession

BAD_DATE = N_("日付は 2026-04-01 のように書いてください。")


def asked(request: Request, fmt: str | None = None) -> StatsRequest:
    """The period and agency from the query string; Invalid for a date that is not one."""
    days: list[date | None] = []
    for name in ("from", "to"):
        text = request.query_params.get(name, "").strip()
        try:
            days.append(date.fromisoformat(text) if text else None)
        except ValueError as exc:
            raise Invalid(f"{name} is not a date.", BAD_DATE) from exc
    return StatsRequest(days[0], days[1], request.query_params.get("agency") or None, export=fmt)


def routes(guard: Callable[[Page], Endpoint], cases: Cases) -> list[Route]:
    """The page and its exports."""

    async def stats_page(request: Request, who: ConsoleSession) -> Response:
        try:
            result: StatsResult | None = await run_in_threadpool(cases.statistics, counselor(who), asked(request))
            message, status = None, 200
        except Invalid as error:
            result, message, status = None, say(request, error.message), 400
        with use_locale(locale(request)):
            shown = [(table, chart(table)) for table in tables(result.report)] if result else []
        return page(request, "stats.html", status, who=who, result=result, shown=shown, message=message,
                    query=request.query_params)

    async def stats_export(request: Request, who: ConsoleSession) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in FORMATS:
            return Response(say(request, "見つかりません。"), status_code=404, headers=HEADERS)
        try:
            result = await run_in_threadpool(cases.statistics, counselor(who), asked(request, fmt))
        except Invalid as error:
            return Response(say(request, error.message), status_code=400, headers=HEADERS)
        report = result.report
        with use_locale(locale(request)):
            data = export(report, fmt, f"{report['from']} – {report['to']} {result.agency or '*'}")
        name = f"tsunagu-stats-{report['from']}-{report['to']}.{fmt}"
        return Response(data, media_type=MEDIA_TYPES[fmt],
                        headers={**HEADERS, "content-disposition": f'attachment; filename="{name}"'})

    return [Route("/console/stats", guard(stats_page), methods=["GET"]),
            Route("/console/stats/export.{fmt}", guard(stats_export), methods=["GET"])]
