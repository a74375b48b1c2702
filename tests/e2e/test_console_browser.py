"""Two counselors of two agencies work one case in a real Chromium (Debian's package, driven by
Playwright) against the real `tsunagu serve` process: sign in, see the new handoff appear, claim it,
read the sheet, reply (the reply reaches the person's web chat), relay it; the other agency accepts
and replies. Screenshots of the queue, the case and the sheet are saved (into docs/screenshots when
TSUNAGU_SAVE_SCREENSHOTS is set, for the README)."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.intake import walk_family_intake
from tests.e2e.server import Server, start
from tests.e2e.webchat_person import Person

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
EMAIL, PASSWORD = "sato@adachi.example", "a long enough password"
OTHER = "yamada@machida.example"
ADACHI, MACHIDA = "足立区くらしとしごとの相談センター", "町田市ひきこもり相談"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = start(tmp_path / "var")
    yield srv
    srv.stop()


def shot(page: object, tmp_path: Path, name: str, full_page: bool = True) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
    assert path.stat().st_size > 5000
    if os.environ.get("TSUNAGU_SAVE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / name)


def sign_in(page: Any, url: str, email: str) -> None:
    """The login form, as a counselor types it."""
    page.goto(f"{url}/console")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def counselor_messages(person: Person, count: int) -> list[dict[str, Any]]:
    """The counselor messages the person's web chat shows once `count` of them are delivered."""
    deadline = time.monotonic() + 10
    while True:
        messages = person.http.get("/chat/api/messages").json()["messages"]
        counselor = [m for m in messages if m["from"] == "counselor" and m["delivered"]]
        if len(counselor) >= count or time.monotonic() > deadline:
            return counselor
        time.sleep(0.2)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")
def test_two_agencies_work_one_case_in_the_browser(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    for agency, town in ((ADACHI, "足立区"), (MACHIDA, "町田市")):
        assert server.cli("agency", "add", agency, "--municipality", town).returncode == 0
    for email, agency in ((EMAIL, ADACHI), (OTHER, MACHIDA)):
        added = server.cli("counselor", "add", email, "--agency", agency, stdin=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
    person = Person(server.url)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        sato = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP").new_page()
        sato.goto(f"{server.url}/console")
        expect(sato).to_have_url(f"{server.url}/console/login")
        sato.fill("input[name=email]", EMAIL)
        sato.fill("input[name=password]", "wrong password!")
        sato.click("button[type=submit]")
        expect(sato.get_by_role("alert")).to_contain_text("メールアドレスかパスワードが違います。")
        sign_in(sato, server.url, EMAIL)
        expect(sato.locator("h1")).to_contain_text("受付キュー")
        expect(sato.locator("body")).to_contain_text("いま待っている相談はありません。")

        walk_family_intake(person)  # the case arrives while the queue is open
        expect(sato.locator("#fresh")).to_be_visible(timeout=15000)
        expect(sato.locator("#badge-open")).to_have_text("1")
        sato.click("#fresh a")
        expect(sato.locator("table.queue tbody tr")).to_have_count(1)
        shot(sato, tmp_path, "console-queue.png")

        sato.click("table.queue a")
        sato.click("text=担当する")
        expect(sato.locator("body")).to_contain_text(f"担当：{EMAIL}")
        sato.click("text=つなぐシートを開く")
        expect(sato.locator("body")).to_contain_text("平成元年5月3日")
        sato.go_back()
        sato.fill("textarea[name=text]", "こんばんは。相談員の佐藤です。")
        sato.click("form.reply button[type=submit]")
        expect(sato.locator("ol.thread")).to_contain_text("こんばんは。相談員の佐藤です。")
        expect(sato.locator("ol.thread .delivery").last).to_have_text("届きました", timeout=15000)
        sato.fill("#note-text", "お母さまから。夜なら話せるとのこと。")
        sato.click("form.note button[type=submit]")
        expect(sato.locator("section.notes")).to_contain_text("夜なら話せるとのこと")
        sato.select_option("select[name=agency]", label=MACHIDA)
        sato.fill("textarea[name=note]", "町田市に転居予定のため、お願いします。")
        sato.click("section.relay button[type=submit]")
        expect(sato.locator(".relay-chain")).to_contain_text("返事待ち")

        yamada = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP").new_page()
        sign_in(yamada, server.url, OTHER)
        expect(yamada.locator("#badge-offered")).to_have_text("1")
        expect(yamada.locator("table.queue")).to_contain_text("つなぎの依頼")
        yamada.click("table.queue a")
        expect(yamada.locator("section.offer")).to_contain_text("町田市に転居予定のため、お願いします。")
        expect(yamada.locator("body")).not_to_contain_text("夜なら話せるとのこと")  # notes stay in Adachi
        yamada.click("text=受け入れて担当する")
        expect(yamada.locator("body")).to_contain_text(f"担当：{OTHER}")
        yamada.fill("textarea[name=text]", "町田市ひきこもり相談の山田です。")
        yamada.click("form.reply button[type=submit]")
        expect(yamada.locator("ol.thread")).to_contain_text("町田市ひきこもり相談の山田です。")
        shot(yamada, tmp_path, "console-case.png", full_page=False)
        yamada.click("text=つなぐシートを開く")
        expect(yamada.locator("table.relays")).to_contain_text(ADACHI)
        expect(yamada.locator("table.relays")).to_contain_text("受け入れ")
        expect(yamada.locator(".meta")).to_contain_text(f"受付者: {EMAIL}")
        shot(yamada, tmp_path, "console-sheet.png")

        sato.reload()
        expect(sato.locator(".relay-chain")).to_contain_text("受け入れ")
        browser.close()

    texts = [m["text"] for m in counselor_messages(person, 2)]
    assert texts == ["こんばんは。相談員の佐藤です。", "町田市ひきこもり相談の山田です。"]
    queue = json.loads(server.cli("queue", "--json").stdout)
    assert {(q["agency"], q["status"]) for q in queue} == {(ADACHI, "claimed"), (MACHIDA, "claimed")}


def test_console_cookies_are_secure_behind_an_https_proxy_and_english_is_offered(server: Server) -> None:
    import httpx

    with httpx.Client(base_url=server.url) as plain:
        cookie = plain.get("/console/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    proxied = {"x-forwarded-proto": "https", "accept-language": "en-US,en;q=0.8"}
    with httpx.Client(base_url=server.url, headers=proxied) as behind_proxy:
        page = behind_proxy.get("/console/login")
    assert "; secure" in page.headers["set-cookie"].lower(), "the proxy on 127.0.0.1 says the browser used https"
    assert '<html lang="en">' in page.text and "ログイン" not in page.text
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
