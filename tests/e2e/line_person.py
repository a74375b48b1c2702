"""A person on LINE, as the tests play them: signed webhook bodies go to the server, and what the
person would see is read back at the stand-in."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.standins.line_api import LineStandIn, Shown


class LinePerson:
    """One LINE user talking to the bot."""

    def __init__(self, standin: LineStandIn, server_url: str, user: str) -> None:
        self.standin = standin
        self.url = f"{server_url}/webhooks/line"
        self.user = user
        self.http = httpx.Client(timeout=10)
        self.seconds: list[float] = []

    def post(self, *events: dict[str, Any]) -> httpx.Response:
        """Send events as LINE does, signed; must be acknowledged with 200."""
        body = self.standin.body(*events)
        started = time.perf_counter()
        response = self.http.post(self.url, content=body, headers={
            "x-line-signature": self.standin.sign(body), "content-type": "application/json"})
        self.seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        return response

    def open(self) -> None:
        self.post(self.standin.event(self.user, "follow"))

    def say(self, text: str) -> None:
        self.post(self.standin.text(self.user, text))

    def press(self, choice: str, timeout: float = 20) -> None:
        found: list[Shown] = []

        def shown() -> bool:
            found[:] = [s for s in self.standin.shown(self.user) if choice in s.data()]
            return bool(found)

        self.standin.wait(shown, timeout, f"a {choice} button for {self.user}")
        self.post(self.standin.postback(self.user, choice))

    def wait_for_text(self, part: str, timeout: float = 20) -> Shown:
        found: list[Shown] = []

        def shown() -> bool:
            found[:] = [s for s in self.standin.shown(self.user) if part in s.text]
            return bool(found)

        self.standin.wait(shown, timeout, f"{part!r} for {self.user}")
        return found[0]
