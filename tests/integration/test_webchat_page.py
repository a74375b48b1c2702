"""The web chat page comes back in the language the person chose, on SQLite and PostgreSQL (a reload keeps it)."""

from __future__ import annotations

from bot.bootstrap import Container
from tests.integration.console_kit import client, container

__all__ = ["container"]


def test_the_page_keeps_the_chosen_language_after_a_reload(container: Container) -> None:
    browser = client(container)
    headers = {"accept-language": "ja-JP"}
    assert browser.post("/chat/api/messages", json={"kind": "open"}, headers=headers).status_code == 200
    assert '<html lang="ja">' in browser.get("/chat", headers=headers).text
    chosen = browser.post("/chat/api/messages", json={"choice": "*:lang_en"}, headers=headers)
    assert chosen.status_code == 200 and chosen.json()["locale"] == "en"
    assert '<html lang="en">' in browser.get("/chat", headers=headers).text
