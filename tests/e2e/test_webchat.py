"""End to end: the real `tsunagu serve` process, a family member's intake over the web chat API,
read back with `tsunagu queue --json` and `tsunagu sheet`, a counselor's reply, and the data at rest."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import BACKENDS, database_url
from tests.e2e.intake import SECRET_DETAIL, SECRET_NAME, SECRET_PHONE, walk_family_intake
from tests.e2e.server import Server, start
from tests.e2e.webchat_person import Person

pytestmark = pytest.mark.e2e



@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    url = database_url(request.param, tmp_path)
    srv = start(tmp_path / "var", None if request.param == "sqlite" else url)
    yield srv
    srv.stop()


def test_family_intake_end_to_end(server: Server, tmp_path: Path) -> None:
    added = server.cli("agency", "add", "足立区くらしとしごとの相談センター", "--municipality", "足立区")
    assert added.returncode == 0, added.stderr
    person = Person(server.url)
    walk_family_intake(person)
    assert person.last["state"] == "handed_off"

    queue = server.cli("queue", "--json")
    assert queue.returncode == 0, queue.stderr
    rows = json.loads(queue.stdout)
    assert len(rows) == 1
    row = rows[0]
    assert row["agency"] == "足立区くらしとしごとの相談センター"
    assert (row["priority"], row["status"], row["channel"], row["writer"]) == ("normal", "open", "webchat", "family")
    assert row["topics"] == ["income", "hikikomori"]
    assert row["main_topic"] == "hikikomori"
    assert SECRET_NAME not in queue.stdout

    sheet = json.loads(server.cli("sheet", row["id"], "--format", "json").stdout)
    assert sheet["id"] == row["id"]
    assert sheet["person"]["name"] == SECRET_NAME
    assert sheet["person"]["birth_date"] == "1989-05-03"
    assert sheet["person"]["phone_mobile"] == SECRET_PHONE
    assert sheet["registrant"]["relationship"] == "親"
    assert SECRET_DETAIL in sheet["details"]
    assert sheet["consent"]["share_with_agencies"] is True
    assert sheet["consent_records"][0]["agreed"] is True

    html = server.cli("sheet", row["id"], "--format", "html").stdout
    assert "「つなぐ」シート" in html and "平成元年5月3日" in html
    assert '<span class="mark">◎</span>ひきこもり・不登校' in html
    assert '<span class="mark">○</span>収入・生活費のこと' in html

    replied = server.cli("reply", row["id"], "こんばんは。相談員の佐藤です。")
    assert replied.returncode == 0, replied.stderr
    deadline = time.monotonic() + 10
    counselor: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not any(m["delivered"] for m in counselor):
        data = person.http.get("/chat/api/messages", params={"after": person.after}).json()
        counselor = [m for m in data["messages"] if m["from"] == "counselor"]
        time.sleep(0.2)
    assert counselor and counselor[0]["text"] == "こんばんは。相談員の佐藤です。"
    assert counselor[0]["delivered"]

    person.say("ありがとうございます")
    assert person.last["messages"][-1]["text"] == "相談員に届けました。"

    median_ms = statistics.median(person.latencies) * 1000
    print(f"\nweb chat: {len(person.latencies)} messages, median inbound->committed reply {median_ms:.1f} ms")
    assert median_ms < 500


def test_nothing_personal_is_stored_or_logged_in_plaintext(server: Server, tmp_path: Path) -> None:
    walk_family_intake(Person(server.url))
    server.stop()
    secrets = [s.encode() for s in (SECRET_DETAIL, SECRET_NAME, SECRET_PHONE, "昼夜逆転")]
    for path in [*(tmp_path / "var").rglob("*"), server.log]:
        if path.is_file():
            content = path.read_bytes()
            for secret in secrets:
                assert secret not in content, f"plaintext in {path.name}"


def test_the_same_event_runs_once(server: Server) -> None:
    person = Person(server.url)
    person.post(kind="open")
    person.press("welcome:start")
    first = person.post(choice="who:family", event_id="evt-1")
    again = person.http.post("/chat/api/messages", json={"choice": "who:self", "event_id": "evt-1"}).json()
    assert again["duplicate"] is True
    assert first["state"] == again["state"] == "consent"


def test_bad_requests_get_clear_answers(server: Server) -> None:
    http = httpx.Client(base_url=server.url, timeout=10)
    bad_json = http.post("/chat/api/messages", content=b"{nope", headers={"content-type": "application/json"})
    assert bad_json.status_code == 400 and "JSON" in bad_json.json()["error"]
    assert http.post("/chat/api/messages", json={"text": 5}).status_code == 400
    assert http.post("/chat/api/messages", json={"choice": "<script>"}).status_code == 400
    assert http.post("/chat/api/messages", json=[1, 2]).status_code == 400
    assert http.post("/chat/api/messages", content=b"text=hi").status_code == 400
    assert http.get("/chat/api/messages?after=-1").status_code == 400
    cross = http.post("/chat/api/messages", json={"text": "hi"}, headers={"origin": "https://evil.example"})
    assert cross.status_code == 403
    huge = http.post("/chat/api/messages", json={"text": "あ" * 200_000})
    assert huge.status_code == 413, "refused by its Content-Length, before it is read"
    long_ok = http.post("/chat/api/messages", json={"kind": "open"})
    assert long_ok.status_code == 200
    assert http.get("/healthz").json() == {"status": "ok"}
    page = http.get("/chat")
    assert page.status_code == 200 and 'name="viewport"' in page.text
    metrics = http.get("/metrics").text
    assert "tsunagu_inbound_messages_total" in metrics


def test_command_line_mistakes_get_one_sentence(server: Server) -> None:
    missing = server.cli("sheet", "no-such-id", "--format", "json")
    assert missing.returncode == 2
    assert missing.stderr.strip() == "tsunagu: No handoff has the id no-such-id."
    weak = server.cli("counselor", "add", "a@example.org", "--agency", "既定の相談窓口", stdin="short\n")
    assert weak.returncode == 2 and "Traceback" not in weak.stderr
    ok = server.cli("counselor", "add", "a@example.org", "--agency", "既定の相談窓口",
                    stdin="a long enough password\n")
    assert ok.returncode == 0, ok.stderr
    assert server.cli("agency", "add", "既定の相談窓口").returncode == 2
    assert server.cli("queue", "--agency", "nowhere", "--json").returncode == 2
