"""Outreach end to end, in a real Chromium against the real `tsunagu serve`: a family member opens the web chat by
an agency's link (/chat?a=<code>) and writes; the case reaches that agency before any municipality is known. Its
supervisor opens the Posters page, sees the preview and the first contact counted, and downloads the card, whose
QR codes open the configured channels. The poster (its preview, as Chromium draws it; its QR codes read too), the
card and the page are saved (into docs/screenshots when TSUNAGU_SAVE_SCREENSHOTS is set, for the README)."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import Server, start
from tests.e2e.test_console_browser import CHROMIUM, DOCS, PASSWORD, shot, sign_in

pytestmark = pytest.mark.e2e
HIDAMARI, ADACHI = "ひだまり相談室", "足立区くらしとしごとの相談センター"
SUPERVISOR = "sv@hidamari.example"
FRIEND_URL = "https://lin.ee/AbCd123"
CHANNELS = {"LINE_CHANNEL_SECRET": "secret", "LINE_CHANNEL_ACCESS_TOKEN": "token", "LINE_FRIEND_URL": FRIEND_URL,
            "LINE_API_BASE_URL": "http://127.0.0.1:9",  # no LINE traffic in this test: only the link is printed
            "TSUNAGU_PUBLIC_URL": "https://tsunagu.example.jp"}  # where people reach the web chat, as printed


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = start(tmp_path / "var", extra_env=CHANNELS)
    yield srv
    srv.stop()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")
def test_a_link_brings_a_first_contact_to_its_agency_and_its_card_is_printed(server: Server, tmp_path: Path) -> None:
    import zxingcpp
    from PIL import Image
    from playwright.sync_api import expect, sync_playwright

    assert server.cli("agency", "add", ADACHI, "--municipality", "足立区").returncode == 0
    added = server.cli("agency", "add", HIDAMARI)
    code = json.loads(added.stdout)["code"]
    assert server.cli("agency", "hours", HIDAMARI, "mon-fri 10:00-18:00").returncode == 0
    assert server.cli("counselor", "add", SUPERVISOR, "--agency", HIDAMARI, "--role", "supervisor",
                      stdin=PASSWORD + "\n").returncode == 0

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        family = browser.new_context(viewport={"width": 420, "height": 800}, locale="ja-JP").new_page()
        family.goto(f"{server.url}/chat?a={code}")
        expect(family.locator("#log li").first).to_be_visible(timeout=15000)
        family.fill("#text", "もう死にたい")
        family.click("#compose button[type=submit]")
        expect(family.locator("#log")).to_contain_text("24時間", timeout=15000)

        staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP",
                                    accept_downloads=True).new_page()
        sign_in(staff, server.url, SUPERVISOR)
        expect(staff.locator("table.queue tbody tr")).to_have_count(1)  # routed by the link: no municipality yet
        staff.click("text=ポスター")
        expect(staff.locator("h1")).to_contain_text("ポスターとカード")
        expect(staff.locator("body")).to_contain_text("このリンクから始まった相談：1件")
        preview = staff.frame_locator("iframe.outreach-preview")
        expect(preview.locator(".agency")).to_have_text(HIDAMARI)
        expect(preview.locator("body")).to_contain_text("月〜金 10:00〜18:00")
        shot(staff, tmp_path, "console-outreach.png", full_page=False)
        poster = tmp_path / "outreach-poster.png"
        staff.locator("iframe.outreach-preview").screenshot(path=str(poster))
        staff.select_option("select[name=size]", "card")
        staff.click("form.outreach-choice button[type=submit]")
        with staff.expect_download() as downloading:
            staff.click("text=PNGで保存")
        card = tmp_path / "outreach-card.png"
        downloading.value.save_as(card)
        browser.close()

    codes = {c.text for c in zxingcpp.read_barcodes(Image.open(io.BytesIO(card.read_bytes())))}
    assert codes == {FRIEND_URL, f"https://tsunagu.example.jp/chat?a={code}"}  # Telegram is not set up: no code for it
    on_poster = {c.text for c in zxingcpp.read_barcodes(Image.open(poster))}
    assert on_poster == codes and poster.stat().st_size > 20000
    if os.environ.get("TSUNAGU_SAVE_SCREENSHOTS"):
        shutil.copy(card, DOCS / "outreach-card.png")
        shutil.copy(poster, DOCS / "outreach-poster.png")
    queue = json.loads(server.cli("queue", "--json").stdout)
    assert [(q["agency"], q["priority"]) for q in queue] == [(HIDAMARI, "urgent")]
