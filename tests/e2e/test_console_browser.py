"""The console in a real Chromium (Debian's package, driven by Playwright) against the real
`tsunagu serve` process: sign in, see the new handoff, claim it, read the sheet, reply; the
reply reaches the person's web chat. Screenshots of the queue and the sheet are saved (into
docs/screenshots when TSUNAGU_SAVE_SCREENSHOTS is set, for the README)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.intake import walk_family_intake
from tests.e2e.server import Server, start
from tests.e2e.webchat_person import Person

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
EMAIL, PASSWORD = "sato@adachi.example", "a long enough password"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = start(tmp_path / "var")
    yield srv
    srv.stop()


def shot(page: object, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    assert path.stat().st_size > 5000
    if os.environ.get("TSUNAGU_SAVE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / name)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")
def test_a_counselor_signs_in_claims_reads_and_replies(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert server.cli("agency", "add", "足立区くらしとしごとの相談センター", "--municipality", "足立区").returncode == 0
    added = server.cli("counselor", "add", EMAIL, "--agency", "足立区くらしとしごとの相談センター",
                       stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    person = Person(server.url)
    walk_family_intake(person)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1024, "height": 768}, locale="ja-JP")
        page.goto(f"{server.url}/console")
        expect(page).to_have_url(f"{server.url}/console/login")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", "wrong password!")
        page.click("button[type=submit]")
        expect(page.get_by_role("alert")).to_contain_text("メールアドレスかパスワードが違います。")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("受付キュー")
        expect(page.locator("table.queue tbody tr")).to_have_count(1)
        shot(page, tmp_path, "console-queue.png")

        page.click("table.queue a")
        page.click("text=担当する")
        expect(page.locator("body")).to_contain_text(f"担当：{EMAIL}")
        page.click("text=つなぐシートを開く")
        expect(page.locator("body")).to_contain_text("平成元年5月3日")
        shot(page, tmp_path, "console-sheet.png")
        page.go_back()
        page.fill("textarea[name=text]", "こんばんは。相談員の佐藤です。")
        page.click("text=送る")
        expect(page.locator("ol.thread")).to_contain_text("こんばんは。相談員の佐藤です。")
        browser.close()

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        messages = person.http.get("/chat/api/messages").json()["messages"]
        counselor = [m for m in messages if m["from"] == "counselor"]
        if counselor and counselor[0]["delivered"]:
            break
        time.sleep(0.2)
    assert counselor and counselor[0]["text"] == "こんばんは。相談員の佐藤です。"
