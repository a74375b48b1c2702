"""The web chat in a real Chromium (Debian's package, driven by Playwright) against the real `tsunagu serve`
process, on a phone-sized screen: a pressed button shows as the person's own bubble, only the newest question's
buttons can be pressed, ticked topics show their tick in a compact grid, a reload keeps the place and the earlier
answers, and 「ここまでで送る」 reaches the handoff in a few presses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import Server, start
from tests.e2e.test_console_browser import CHROMIUM

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")]
AGENCY = "足立区くらしとしごとの相談センター"
PHONE: Any = {"width": 390, "height": 844}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = start(tmp_path / "var")
    yield srv
    srv.stop()


class ChatPage:
    """The person's browser tab: presses buttons by their choice id and counts the presses."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.presses = 0

    def button(self, choice: str) -> Any:
        return self.page.locator(f'li.asks:not(.answered) button[data-choice="{choice}"]')

    def press(self, choice: str) -> None:
        self.button(choice).click()
        self.presses += 1

    def bubbles(self) -> list[str]:
        texts: list[str] = self.page.locator("li.from-person .bubble").all_inner_texts()
        return texts


def test_the_web_chat_behaves_like_a_chat(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert server.cli("agency", "add", AGENCY, "--municipality", "足立区").returncode == 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
        page.goto(f"{server.url}/chat")
        chat = ChatPage(page)
        for choice, label in (("welcome:start", "はじめる"), ("who:family", "家族"), ("consent:yes", "共有してよい")):
            chat.press(choice)
            expect(page.locator("li.from-person .bubble").last).to_have_text(label)
        assert chat.bubbles() == ["はじめる", "家族", "共有してよい"]
        expect(page.locator('li.answered button[data-choice="who:family"]')).to_be_disabled()
        assert page.locator("li.asks:not(.answered)").count() == 1, "only the newest question can be answered"
        assert page.locator("li.asks button:not([disabled])").count() == page.locator(
            "li.asks:not(.answered) button").count()

        grid = page.locator("li.asks:not(.answered) .grid button")
        expect(grid).to_have_count(19)
        rows = {round(box["y"]) for box in (grid.nth(i).bounding_box() for i in range(19)) if box}
        print(f"\nweb chat: 19 topics in {len(rows)} rows on a {PHONE['width']}px screen")
        assert len(rows) <= 10, "the topics are a compact grid, not a wall of full-width buttons"

        chat.press("topics:hikikomori")
        page.screenshot(path=str(tmp_path / "webchat-topics.png"))
        ticked = chat.button("topics:hikikomori")
        expect(ticked).to_have_attribute("aria-pressed", "true")
        expect(ticked).to_have_text("✓ 15. ひきこもり・不登校")
        assert page.locator('li.asks button[data-choice="topics:done"]').count() == 1, "the tick edits the question"
        assert chat.bubbles() == ["はじめる", "家族", "共有してよい"]

        stale = page.evaluate("""async () => (await (await fetch('/chat/api/messages?after=0', {method: 'POST',
            headers: {'Content-Type': 'application/json'}, body: JSON.stringify({choice: 'who:self'})})).json())""")
        said = [m["text"] for m in stale["messages"] if m["from"] == "bot"]
        assert any("そのボタンは前の質問のものでした" in t for t in said), "an old press gets the server's kind answer"
        assert stale["state"] == "topics"

        page.reload()
        expect(chat.button("topics:hikikomori")).to_have_text("✓ 15. ひきこもり・不登校")
        assert chat.bubbles()[:3] == ["はじめる", "家族", "共有してよい"], "earlier answers after a reload"
        assert page.locator("li.asks:not(.answered)").count() == 1
        at_bottom = page.evaluate("window.scrollY + window.innerHeight >= document.body.scrollHeight - 4")
        assert at_bottom, "the page keeps its place: the newest question in view"

        chat.press("topics:send_now")
        expect(chat.button("review:send")).to_be_visible()
        chat.press("review:send")
        expect(page.locator("li.from-bot .bubble", has_text="送りました。ありがとうございます。")).to_have_count(1)
        print(f"web chat: a family member with one topic reaches the handoff in {chat.presses} presses")
        assert chat.presses <= 8
        browser.close()
    rows_json = server.cli("queue", "--json")
    assert [(r["topics"], r["main_topic"]) for r in json.loads(rows_json.stdout)] == [(["hikikomori"], "hikikomori")]


def test_easy_japanese_from_the_header_with_ruby(server: Server) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
        page.goto(f"{server.url}/chat")
        chat = ChatPage(page)
        expect(chat.button("welcome:start")).to_be_visible()
        page.locator('header button[data-choice="*:lang_ja_easy"]').click()
        expect(page.locator("body[data-locale='ja@easy']")).to_have_count(1)  # the page follows the choice
        assert page.evaluate("document.documentElement.lang") == "ja"
        expect(page.locator("h1 ruby rt")).to_have_text("そうだん")
        expect(page.locator("li.from-bot .bubble", has_text="やさしい日本")).to_have_count(1)
        chat.press("welcome:start")
        question = page.locator("li.asks:not(.answered) .bubble")
        expect(question.locator("rt")).to_have_text(["いま", "か"])
        family = chat.button("who:family")
        expect(family).to_have_attribute("aria-label", "家族")
        chat.press("who:family")
        expect(page.locator("li.from-person .bubble rt").last).to_have_text("かぞく")
        browser.close()
