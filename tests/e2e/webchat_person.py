"""A person on the web chat, played through its JSON API (no browser)."""

from __future__ import annotations

import time
from typing import Any

import httpx


class Person:
    """A browser-less web chat user: keeps the cookie and the last message id."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=10)
        self.after = 0
        self.latencies: list[float] = []
        self.last: dict[str, Any] = {}

    def post(self, **body: Any) -> dict[str, Any]:
        started = time.perf_counter()
        response = self.http.post(f"/chat/api/messages?after={self.after}", json=body)
        self.latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        if data["messages"]:
            self.after = data["messages"][-1]["id"]
        bot = [m for m in data["messages"] if m["from"] == "bot"]
        assert bot or data.get("duplicate"), "every message is answered"
        self.last = data
        return data

    def say(self, text: str) -> dict[str, Any]:
        return self.post(text=text)

    def press(self, choice: str) -> dict[str, Any]:
        return self.post(choice=choice)

    def open(self) -> dict[str, Any]:
        return self.post(kind="open")
