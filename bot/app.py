"""The ASGI app: /healthz, /metrics, the console, and the routes of every configured channel; the outbox
deliverer, the staff alerts, retention and the channels' background tasks (Telegram polling) run beside it, the
last three in one process of the deployment (bot/singletons.py)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

from anyio import to_thread
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.bootstrap import Container
from bot.console.http import guarded
from bot.console.outreach_routes import routes as outreach_routes
from bot.console.routes import routes as console_routes
from bot.security import SecurityHeaders
from bot.singletons import ALERTS, RETENTION, background_name, leadership, while_held
from dialogs import crisis
from storage.db import REQUEST_THREADS

STATIC = Path(__file__).resolve().parent / "static"


def create_app(container: Container, run_deliverer: bool = True) -> Starlette:
    """The HTTP app for one container."""

    def database_answers() -> bool:
        try:
            with container.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # any failure means "not healthy"; nothing about it is personal
            return False

    async def healthz(request: Request) -> Response:
        if await run_in_threadpool(database_answers):
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable"}, status_code=503)

    async def metrics(request: Request) -> Response:
        return Response(container.metrics.render(), media_type="text/plain; version=0.0.4")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        crisis.warm()  # the dictionary and the model are ready before the first message (and /healthz)
        to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        background = [(background_name(channel.name, i), task) for channel in container.channels
                      for i, task in enumerate(channel.background(container.port))]
        lead = leadership(container.settings.database_url, [RETENTION, ALERTS, *(n for n, _ in background)])
        threads = []
        retention = container.retention()
        reminders = container.reminders()
        if run_deliverer:
            threads = [threading.Thread(target=retention.run_daily, name="retention", daemon=True,
                                        kwargs={"may_run": partial(lead.holds, RETENTION)}),
                       threading.Thread(target=container.deliverer.run_forever, name="outbox", daemon=True),
                       threading.Thread(target=reminders.run_forever, name="reminders", daemon=True)]
            if container.alerter is not None:
                threads.append(threading.Thread(target=container.alerter.run_forever, name="alerts", daemon=True,
                                                kwargs={"may_run": partial(lead.holds, ALERTS)}))
            for thread in threads:
                thread.start()
        tasks = [asyncio.create_task(while_held(lead, name, task), name=name) for name, task in background]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            container.deliverer.stop()
            retention.stop()
            reminders.stop()
            if container.alerter is not None:
                container.alerter.stop()
            for thread in threads:
                thread.join(timeout=5)
            lead.stop()
            for channel in container.channels:
                await channel.close()

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        *console_routes(container.accounts, container.cases, container.admin, container.clock),
        *outreach_routes(guarded(container.accounts), container.outreach),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        *(route for channel in container.channels for route in channel.routes(container.port)),
    ]
    headers = Middleware(SecurityHeaders, embedders=container.settings.frame_ancestors)
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[headers])
    app.state.zone = container.settings.timezone  # the console's pages show moments in it
    return app


def worker_app() -> Starlette:
    """One worker of `tsunagu serve --workers N` (uvicorn starts each in a process of its own): the service built
    from the same settings; the parent has applied the migrations."""
    import logging

    from bot import logs
    from bot.bootstrap import build
    from bot.settings import Settings

    logs.configure(logging.INFO)
    logging.getLogger("uvicorn.access").propagate = False  # as in one process: no access log (uvicorn's was set)
    return create_app(build(Settings.load()))
