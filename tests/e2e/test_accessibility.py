"""WCAG 2.2 AA for the web chat and the console, in a real Chromium against the real `tsunagu serve`: the intake
walked by keyboard alone in each language (Tab to a button, Enter or Space; typing in the box), new messages read
out by a live region, axe-core finding no serious or critical violation on the chat, the console's sign-in, queue
and case pages and the sheet, and every page usable at 200% zoom (320 CSS px for the phone chat, 640 for the
console) without scrolling sideways. Screenshots of the chat in each language are saved (into docs/screenshots
when TSUNAGU_SAVE_SCREENSHOTS is set, for the README)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.axe import grave_violations
from tests.e2e.intake import walk_family_intake
from tests.e2e.server import Server, start
from tests.e2e.test_console_browser import CHROMIUM, PASSWORD, shot, sign_in
from tests.e2e.webchat_person import Person

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")]
AGENCY = "足立区くらしとしごとの相談センター"
EMAIL = "sato@adachi.example"
PHONE: Any = {"width": 390, "height": 844}
LANGUAGES = {"ja": ("ja-JP", None, "受け取りました。", "送りました。"),
             "en": ("en-US", None, "Thank you, I have it.", "Sent. Thank you."),
             "ja@easy": ("ja-JP", "*:lang_ja_easy", "受け取りました。", "送りました。")}  # as read out (no readings)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start(tmp_path_factory.mktemp("a11y") / "var")
    assert srv.cli("agency", "add", AGENCY, "--municipality", "足立区").returncode == 0
    assert srv.cli("counselor", "add", EMAIL, "--agency", AGENCY, stdin=PASSWORD + "\n").returncode == 0
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


class Keyboard:
    """A person who uses the keyboard alone: Tab (or Shift+Tab) to a control, then Enter; counts the keys."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.keys = 0

    def focused(self) -> dict[str, str]:
        found: dict[str, str] = self.page.evaluate(
            "({choice: document.activeElement.dataset.choice || '', id: document.activeElement.id || ''})")
        return found

    def tab_to(self, choice: str = "", element_id: str = "") -> None:
        backwards = self.focused()["id"] in ("text", "send") and bool(choice)
        for _ in range(80):
            now = self.focused()
            if (choice and now["choice"] == choice) or (element_id and now["id"] == element_id):
                return
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            self.keys += 1
        raise AssertionError(f"Tab never reached {choice or element_id}")

    def press(self, choice: str, key: str = "Enter") -> None:
        from playwright.sync_api import expect

        self.tab_to(choice=choice)
        self.page.keyboard.press(key)
        self.keys += 1
        expect(self.page.locator(f'li.answered button[data-choice="{choice}"], li.asks:not(.answered) '
                                 f'button[data-choice="{choice}"][aria-pressed="true"]').first).to_be_attached()

    def write(self, text: str) -> None:
        """Type in the box and send with Ctrl+Enter; wait for the answer (a new question)."""
        from playwright.sync_api import expect

        asked = self.page.locator("li.asks").count()
        self.tab_to(element_id="text")
        self.page.keyboard.type(text)
        self.page.keyboard.press("Control+Enter")
        self.keys += 2
        expect(self.page.locator("li.from-person .bubble", has_text=text)).to_have_count(1)
        expect(self.page.locator("li.asks")).to_have_count(asked + 1)


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_the_intake_by_keyboard_alone_in_each_language(server: Server, browser: Any, tmp_path: Path,
                                                        code: str) -> None:
    from playwright.sync_api import expect

    browser_locale, header_choice, thanks, sent = LANGUAGES[code]
    page = browser.new_context(viewport=PHONE, locale=browser_locale).new_page()
    page.goto(f"{server.url}/chat")
    keyboard = Keyboard(page)
    expect(page.locator('button[data-choice="welcome:start"]')).to_be_visible()
    if header_choice:
        keyboard.tab_to(choice=header_choice)
        page.keyboard.press("Enter")
        expect(page.locator(f"body[data-locale='{code}']")).to_have_count(1)
    keyboard.press("welcome:start")
    keyboard.press("who:family")
    keyboard.press("consent:yes")
    keyboard.press("topics:hikikomori", key="Space")
    keyboard.press("topics:income", key="Space")
    expect(page.locator('button[data-choice="topics:income"]')).to_have_attribute("aria-pressed", "true")
    assert grave_violations(page) == [], "the topics step"
    keyboard.press("topics:done")
    keyboard.press("main_topic:hikikomori")
    keyboard.write("息子が十年、部屋から出てきません。")
    expect(page.locator("#announce")).to_contain_text(thanks)  # new messages are read out
    keyboard.press("details:send_now")
    keyboard.press("review:send")
    expect(page.locator("#announce")).to_contain_text(sent)
    print(f"\nweb chat ({code}): the intake by keyboard alone in {keyboard.keys} keys")
    assert grave_violations(page) == [], "after the handoff"
    shot(page, tmp_path, f"webchat-{code.replace('@', '-')}.png", full_page=False)
    page.context.close()


def test_axe_finds_nothing_grave_on_the_console(server: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    walk_family_intake(Person(server.url))
    page = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP").new_page()
    page.goto(f"{server.url}/console")
    assert grave_violations(page) == [], "sign-in"
    sign_in(page, server.url, EMAIL)
    expect(page.locator("table.queue tbody tr")).not_to_have_count(0)
    assert grave_violations(page) == [], "queue"
    page.click("table.queue a")
    page.click("text=担当する")
    expect(page.locator("form.reply")).to_be_visible()
    assert grave_violations(page) == [], "case"
    page.click("text=つなぐシートを開く")
    expect(page.locator("body")).to_contain_text("平成元年5月3日")
    assert grave_violations(page) == [], "sheet"
    page.context.close()


def sideways(page: Any) -> int:
    """How far the page scrolls sideways (0: it reflows)."""
    overflow: int = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    return overflow


def test_pages_reflow_at_200_percent(server: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    chat = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP").new_page()
    chat.goto(f"{server.url}/chat")
    chat.click('button[data-choice="welcome:start"]')
    chat.click('button[data-choice="who:family"]')
    chat.click('button[data-choice="consent:yes"]')
    expect(chat.locator(".grid button")).to_have_count(19)
    assert sideways(chat) == 0, "the chat at 320 CSS px"
    chat.context.close()

    console = browser.new_context(viewport={"width": 640, "height": 400}, locale="ja-JP").new_page()
    sign_in(console, server.url, EMAIL)
    expect(console.locator("table.queue")).to_be_visible()
    assert sideways(console) == 0, "the queue at 640 CSS px"
    console.click("table.queue a")
    expect(console.locator("ol.thread")).to_be_visible()
    assert sideways(console) == 0, "a case at 640 CSS px"
    console.context.close()
