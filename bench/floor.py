"""The floor: the least a durable bot can do per Telegram update: check the secret, parse the update,
commit one SQLite row, answer. Run as `python bench/floor.py PORT DB_PATH SECRET`."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def main() -> None:
    """Serve the floor endpoint."""
    port, path, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    local = threading.local()

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            local.db.execute("PRAGMA journal_mode=WAL")
            local.db.execute("PRAGMA synchronous=NORMAL")
            local.db.execute("CREATE TABLE IF NOT EXISTS updates (id INTEGER PRIMARY KEY, update_id INTEGER UNIQUE,"
                             " body TEXT NOT NULL)")
        db: sqlite3.Connection = local.db
        return db

    def commit(update_id: int, body: str) -> None:
        db = connection()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT OR IGNORE INTO updates (update_id, body) VALUES (?, ?)", (update_id, body))
        db.execute("COMMIT")

    async def webhook(request: Request) -> Response:
        if request.headers.get("x-telegram-bot-api-secret-token") != secret:
            return Response(status_code=401)
        raw = await request.body()
        try:
            update = json.loads(raw)
            update_id = int(update["update_id"])
        except (ValueError, KeyError, TypeError):
            return Response(status_code=400)
        await run_in_threadpool(commit, update_id, raw.decode())
        return Response(status_code=200)

    async def healthz(request: Request) -> Response:
        return Response("ok")

    app = Starlette(routes=[Route("/webhooks/telegram", webhook, methods=["POST"]), Route("/healthz", healthz)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
