"""The ASGI app: /healthz, /metrics, the web chat, the Telegram and LINE webhooks; the outbox deliverer (and
Telegram polling) run beside it."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.bootstrap import Container
from bot.channels import webchat
from bot.channels.telegram import webhook as telegram_webhook
from bot.channels.telegram.polling import Poller
from bot.console.routes import routes as console_routes

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
        thread = alerts = None
        retention = container.retention()
        if run_deliverer:
            threading.Thread(target=retention.run_daily, name="retention", daemon=True).start()
            thread = threading.Thread(target=container.deliverer.run_forever, name="outbox", daemon=True)
            thread.start()
            if container.alerter is not None:
                alerts = threading.Thread(target=container.alerter.run_forever, name="alerts", daemon=True)
                alerts.start()
        polling = None
        if container.telegram is not None and settings.telegram and settings.telegram.mode == "polling":
            polling = asyncio.create_task(Poller(container.telegram).run(), name="telegram-polling")
        try:
            yield
        finally:
            if polling is not None:
                polling.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await polling
            container.deliverer.stop()
            retention.stop()
            if container.alerter is not None:
                container.alerter.stop()
            for running in (thread, alerts):
                if running:
                    running.join(timeout=5)
            if container.line is not None:
                await container.line.line.close()

    settings = container.settings
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        *webchat.routes(container),
        *console_routes(container.accounts, container.cases, container.admin, container.clock),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    if container.telegram is not None and settings.telegram and settings.telegram.webhook_secret:
        routes.append(telegram_webhook.route(container.telegram, settings.telegram.webhook_secret))
    if container.line is not None:
        from bot.channels.line import webhook as line_webhook  # loaded only where LINE is set up

        routes.append(line_webhook.route(container.line))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.zone = settings.timezone  # the console's pages show moments in it
    return app
