"""An admin opens /console/stats in a real Chromium against the real `tsunagu serve`, over a year of cases
written into its database (varied channels, writers, topics, ages, places and hours, some answered, some
intakes left unfinished): the charts and their tables show, small numbers hidden. The screenshot is saved
(into docs/screenshots when TSUNAGU_SAVE_SCREENSHOTS is set, for the README)."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.bootstrap import Container, build
from bot.settings import Settings
from tests.clock import TOKYO
from tests.e2e.server import Server, start
from tests.e2e.test_console_browser import PASSWORD, shot, sign_in
from tests.integration.stats_kit import seed_case

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ADMIN = "admin@tsunagu.example"
YEAR_START = datetime(2026, 4, 1, tzinfo=TOKYO)
TOWNS = ("足立区", "足立区", "町田市", "八王子市", None)
TOPICS = ("hikikomori", "income", "mental", "relationships", "job_search", "health")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = start(tmp_path / "var")
    yield srv
    srv.stop()


def seed_year(container: Container, cases: int = 600) -> None:
    """A year of cases, families mostly at night; a third answered within hours; a few intakes stopped."""
    pick = random.Random(17)
    for n in range(cases):
        writer = pick.choice(("family", "family", "self", "supporter", None))
        day = YEAR_START + timedelta(days=pick.randrange(365))
        hour = pick.choice((21, 22, 23, 0, 1, 20)) if writer == "family" and pick.random() < 0.6 else \
            pick.randrange(8, 20)
        at = day.replace(hour=hour, minute=pick.randrange(60))
        topics = tuple(pick.sample(TOPICS, pick.randrange(1, 3)))
        handoff_id = seed_case(container, f"seed-{n}", at, pick.choice(("line", "line", "telegram", "webchat")),
                               writer, topics, topics[0], pick.choice(("20s", "30s", "30s", "40s", None)),
                               pick.choice(TOWNS), not 9 <= hour < 17)
        if n % 3 == 0:
            with container.uow() as uow:
                uow.handoffs.replied(handoff_id, at + timedelta(minutes=pick.randrange(20, 600)))
                uow.commit()
    for n, step in enumerate(("who", "consent", "topics", "topics", "details", "contact") * 3):
        with container.uow() as uow:
            conv = uow.conversations.lock("webchat", f"stopped-{n}", YEAR_START + timedelta(days=n * 11))
            conv.state = step
            uow.conversations.save(conv, YEAR_START + timedelta(days=n * 11))
            uow.commit()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")
def test_an_admin_reads_the_year_in_the_browser(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert server.cli("agency", "add", "町田市ひきこもり相談", "--municipality", "町田市").returncode == 0
    added = server.cli("counselor", "add", ADMIN, "--agency", "町田市ひきこもり相談", "--role", "admin",
                       stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    container = build(Settings.load(server.env, dotenv=tmp_path / "none"))
    try:
        seed_year(container)
    finally:
        container.close()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()
        sign_in(page, server.url, ADMIN)
        page.goto(f"{server.url}/console/stats?from=2026-04-01&to=2027-03-31")
        expect(page.locator("h1")).to_have_text("統計")
        expect(page.locator("#cases td").nth(3)).to_have_text("600")
        expect(page.locator("section.stat svg")).to_have_count(13)
        assert page.locator("text=<5").count() > 0
        page.select_option("select[name=agency]", "町田市ひきこもり相談")
        page.click("form.stats-filters button[type=submit]")
        expect(page.locator(".stats-scope")).to_contain_text("町田市ひきこもり相談")
        page.goto(f"{server.url}/console/stats?from=2026-04-01&to=2027-03-31")
        shot(page, tmp_path, "stats.png")
        browser.close()
