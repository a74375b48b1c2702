"""The README's recipe for adding a channel, shown to work: a throwaway package `echo` (a webhook in, a sender
that keeps what it was given) is put beside the channels, and nothing else is written. Configured, it is served,
its messages go through the one inbound port (size limit, dedupe, metrics) into the dialog, and its replies come
out through the outbox to its sender; not configured, it is not there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import bot.channels
from bot.app import create_app
from bot.bootstrap import Container, build
from bot.settings import Settings
from tests.clock import TestClock

ECHO = '''
"""A throwaway channel: POST /webhooks/echo {"user", "id", "text"}; replies are kept in SENT."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.port import Incoming, Port
from bot.outbox import Sent
from dialogs.model import Inbound

SENT = []


class EchoSender:
    pacer = None

    async def send(self, item):
        SENT.append((item.user_key, [reply["text"] for reply in item.replies()]))
        return Sent()

    async def close(self):
        return None


class Echo:
    name = "echo"
    staff_chat = None

    def routes(self, port: Port):
        async def webhook(request: Request) -> Response:
            data = (await request.json()) if await port.body(request, 1000) else {}
            inbound = Inbound("echo", data["user"], data["id"], port.clock(), text=data["text"])
            handled = await port.take("echo", Incoming(inbound))
            return JSONResponse({"duplicate": handled.duplicate})
        return [Route("/webhooks/echo", port.endpoint(webhook), methods=["POST"])]

    def background(self, port):
        return []

    def sender(self):
        return EchoSender()

    async def close(self):
        return None


def configure(setup):
    return Echo() if setup.env.get("ECHO_ON") else None
'''


@pytest.fixture
def echo_beside_the_channels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The package written where channel packages are found (a directory on bot.channels' path)."""
    (tmp_path / "echo").mkdir()
    (tmp_path / "echo" / "__init__.py").write_text(ECHO, encoding="utf-8")
    monkeypatch.setattr(bot.channels, "__path__", [*bot.channels.__path__, str(tmp_path)])
    yield
    import sys

    sys.modules.pop("bot.channels.echo", None)


def container(db_url: str, tmp_path: Path, clock: TestClock, **env: str) -> Container:
    settings = Settings.load({"TSUNAGU_DATA_DIR": str(tmp_path / "var"), "TSUNAGU_DATABASE_URL": db_url, **env},
                             dotenv=tmp_path / "none")
    made = build(settings, clock)
    made.migrate()
    return made


def test_a_new_channel_is_a_new_package_and_nothing_else(echo_beside_the_channels: None, db_url: str,
                                                         tmp_path: Path, clock: TestClock) -> None:
    import asyncio

    made = container(db_url, tmp_path, clock, ECHO_ON="1")
    try:
        assert [channel.name for channel in made.channels] == ["echo", "webchat"]
        http = TestClient(create_app(made, run_deliverer=False))
        first = http.post("/webhooks/echo", json={"user": "u1", "id": "e1", "text": "こんにちは"})
        assert first.status_code == 200 and first.json() == {"duplicate": False}
        again = http.post("/webhooks/echo", json={"user": "u1", "id": "e1", "text": "こんにちは"})
        assert again.json() == {"duplicate": True}, "the port drops a repeated event"
        assert http.post("/webhooks/echo", json={"user": "u1", "id": "e2", "text": "あ" * 2000}).status_code == 413
        assert 'tsunagu_inbound_messages_total{channel="echo"} 1.0' in http.get("/metrics").text
        asyncio.run(made.deliverer.deliver_due())
        from bot.channels.echo import SENT  # type: ignore[import-not-found]

        [(user, texts)] = SENT
        assert user == "u1" and texts[0].startswith("こんにちは。ひきこもりのことを相談できる窓口です。")
    finally:
        made.close()


def test_a_channel_that_is_not_configured_is_not_there(echo_beside_the_channels: None, db_url: str,
                                                       tmp_path: Path, clock: TestClock) -> None:
    made = container(db_url, tmp_path, clock)
    try:
        assert [channel.name for channel in made.channels] == ["webchat"]
        http = TestClient(create_app(made, run_deliverer=False))
        assert http.post("/webhooks/echo", json={"user": "u1", "id": "e1", "text": "x"}).status_code == 404
    finally:
        made.close()
