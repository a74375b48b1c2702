"""The Content-Security-Policy in a real Chromium against the real `tsunagu serve`: the chat, the console's queue,
case, sheet and poster preview run without one violation; the site named in TSUNAGU_FRAME_ANCESTORS can embed the
chat, another site cannot, and nobody can embed the console."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.intake import walk_family_intake
from tests.e2e.server import Server, start
from tests.e2e.test_console_browser import CHROMIUM, PASSWORD, sign_in
from tests.e2e.webchat_person import Person

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")]
AGENCY = "足立区くらしとしごとの相談センター"
EMAIL = "sv@adachi.example"
RESOLVE = "--host-resolver-rules=MAP www.city.example.jp 127.0.0.1, MAP elsewhere.example 127.0.0.1"
WATCH = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
         "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")


class Embedding(BaseHTTPRequestHandler):
    """Another site's page that frames `?src=` (a municipality's page, or a stranger's)."""

    def do_GET(self) -> None:
        src = parse_qs(urlsplit(self.path).query).get("src", [""])[0]
        body = f'<!doctype html><title>city</title><iframe src="{src}"></iframe>'.encode()
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[str, str]]:
    """The city's site and a stranger's, both served here (the browser resolves their names to 127.0.0.1)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Embedding)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    yield f"http://www.city.example.jp:{port}", f"http://elsewhere.example:{port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sites: tuple[str, str]) -> Iterator[Server]:
    srv = start(tmp_path_factory.mktemp("csp") / "var", extra_env={"TSUNAGU_FRAME_ANCESTORS": sites[0]})
    assert srv.cli("agency", "add", AGENCY, "--municipality", "足立区").returncode == 0
    assert srv.cli("counselor", "add", EMAIL, "--agency", AGENCY, "--role", "supervisor",
                   stdin=PASSWORD + "\n").returncode == 0
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", RESOLVE])
        yield launched
        launched.close()


def violations(page: Any) -> list[str]:
    """The CSP violations the page (and its frames) reported so far."""
    found: list[str] = []
    for frame in page.frames:
        found.extend(frame.evaluate("window.__csp || []"))
    return found


def test_the_chat_and_the_console_run_under_the_policy(server: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    walk_family_intake(Person(server.url))
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    context.add_init_script(WATCH)
    chat = context.new_page()
    chat.goto(f"{server.url}/chat")
    chat.click('button[data-choice="welcome:start"]')
    expect(chat.locator("li.from-person .bubble")).to_have_count(1)
    chat.click('button[data-choice="who:family"]')
    expect(chat.locator("li.from-person .bubble")).to_have_count(2)
    assert violations(chat) == [], "chat"
    page = context.new_page()
    sign_in(page, server.url, EMAIL)
    expect(page.locator("table.queue tbody tr")).not_to_have_count(0)
    page.click("table.queue a")
    page.click("text=担当する")
    expect(page.locator("form.reply")).to_be_visible()
    assert violations(page) == [], "queue and case"
    page.click("text=つなぐシートを開く")
    expect(page.locator("body")).to_contain_text("平成元年5月3日")
    assert violations(page) == [], "sheet"
    page.goto(f"{server.url}/console/outreach")
    expect(page.frame_locator("iframe").locator("body")).to_contain_text(AGENCY)
    assert violations(page) == [], "outreach preview"
    context.close()


def embedding(browser: Any, site: str, url: str) -> Any:
    """A page of `site` that frames `url`, once it has loaded."""
    page = browser.new_context().new_page()
    page.goto(f"{site}/?src={url}")
    page.wait_for_load_state("load")
    return page


def refused(page: Any) -> bool:
    """Whether the browser refused to show the framed page (an error page in its place)."""
    page.wait_for_timeout(300)
    return len(page.frames) == 2 and page.frames[1].url.startswith("chrome-error:")


def test_only_the_named_site_embeds_the_chat_and_nobody_the_console(server: Server, browser: Any,
                                                                   sites: tuple[str, str]) -> None:
    from playwright.sync_api import expect

    city, stranger = sites
    framed = embedding(browser, city, f"{server.url}/chat")
    expect(framed.frame_locator("iframe").locator("#text")).to_be_attached()
    assert not refused(framed)
    other = embedding(browser, stranger, f"{server.url}/chat")
    assert refused(other) and other.frame_locator("iframe").locator("#text").count() == 0
    console = embedding(browser, city, f"{server.url}/console/login")
    assert refused(console) and console.frame_locator("iframe").locator("input[name=email]").count() == 0
    for page in (framed, other, console):
        page.context.close()
