"""The console's routes in-process on a real database: sign-in, lockout, CSRF, the queue, claims,
and isolation (a counselor of another agency is refused every case route)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from bot.bootstrap import Container, build
from bot.service import utcnow
from bot.settings import Settings
from dialogs.model import Inbound

PASSWORD = "a long enough password"


@pytest.fixture
def container(db_url: str, tmp_path: Path) -> Iterator[Container]:
    settings = Settings.load({"TSUNAGU_DATA_DIR": str(tmp_path / "var"), "TSUNAGU_DATABASE_URL": db_url},
                             dotenv=tmp_path / "none")
    made = build(settings)
    made.migrate()
    made.admin.add_agency("町田市の窓口", ["町田市"])
    for email, agency in (("a1@adachi.example", "既定の相談窓口"), ("a2@adachi.example", "既定の相談窓口"),
                          ("m1@machida.example", "町田市の窓口")):
        made.admin.add_counselor(email, agency, "counselor", PASSWORD)
    yield made
    made.close()


def handoff(container: Container, user: str = "person-1") -> str:
    """A family intake with no municipality (so the default agency's), straight through the service."""
    steps: list[dict[str, str]] = [{"kind": "open"}, {"choice_id": "welcome:start"}, {"choice_id": "who:family"},
                                   {"choice_id": "consent:yes"}, {"text": "15"}, {"choice_id": "topics:done"},
                                   {"choice_id": "details:skip"}, {"choice_id": "wishes:skip"}]
    for n, step in enumerate(steps):
        container.service.handle(Inbound("webchat", user, f"{user}-{n}", utcnow(), **step))  # type: ignore[arg-type]
    conv = container.service.thread("webchat", user)[0]
    assert conv is not None
    while conv.state != "handed_off":
        choice = "review:send" if conv.state == "review" else f"{conv.state}:skip"
        handled = container.service.handle(Inbound("webchat", user, f"{user}-{choice}-{conv.sub_step}", utcnow(),
                                                   choice_id=choice))
        conv = container.service.thread("webchat", user)[0]
        assert conv is not None
        if handled.handoff_id:
            return handled.handoff_id
    raise AssertionError("no handoff")


def client(container: Container) -> TestClient:
    return TestClient(create_app(container, run_deliverer=False), base_url="http://testserver")


def sign_in(http: TestClient, email: str, password: str = PASSWORD) -> int:
    page = http.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    response = http.post("/console/login", data={"csrf": csrf.group(1), "email": email, "password": password},
                         follow_redirects=False)
    return response.status_code


def csrf_of(http: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', http.get("/console").text)
    assert found
    return found.group(1)


def test_sign_in_queue_claim_and_sheet(container: Container) -> None:
    handoff_id = handoff(container)
    a1, a2 = client(container), client(container)
    assert a1.get("/console", follow_redirects=False).status_code == 303
    assert sign_in(a1, "a1@adachi.example") == 303
    assert sign_in(a2, "A2@adachi.example ") == 303
    cookie = a1.cookies.get("tsunagu_console")
    assert cookie
    queue = a1.get("/console")
    assert queue.status_code == 200 and f"/console/handoffs/{handoff_id}" in queue.text
    assert queue.headers["cache-control"] == "no-store"
    data = a1.get("/console/queue.json").json()
    assert [r["id"] for r in data["rows"]] == [handoff_id] and data["open"] == 1 and data["urgent"] == 0
    assert client(container).get("/console/queue.json", follow_redirects=False).status_code == 303

    won = a1.post(f"/console/handoffs/{handoff_id}/claim", data={"csrf": csrf_of(a1)}, follow_redirects=False)
    assert won.status_code == 303
    lost = a2.post(f"/console/handoffs/{handoff_id}/claim", data={"csrf": csrf_of(a2)})
    assert "a1@adachi.exampleさんがすでに担当しています。" in lost.text
    sheet = a1.get(f"/console/handoffs/{handoff_id}/sheet")
    assert sheet.status_code == 200 and "「つなぐ」シート" in sheet.text
    with container.uow() as uow:
        actions = [(e["actor"], e["action"]) for e in uow.audit.entries()]
    assert ("a1@adachi.example", "claim") in actions and ("a1@adachi.example", "view_sheet") in actions
    assert ("a2@adachi.example", "claim") not in actions

    assert a1.post("/console/logout", data={"csrf": csrf_of(a1)}, follow_redirects=False).status_code == 303
    assert a1.get("/console", follow_redirects=False).status_code == 303


def test_another_agency_is_refused_every_case_route(container: Container) -> None:
    handoff_id = handoff(container)
    other = client(container)
    assert sign_in(other, "m1@machida.example") == 303
    assert f"/console/handoffs/{handoff_id}" not in other.get("/console").text
    assert other.get("/console/queue.json").json()["rows"] == []
    csrf = csrf_of(other)
    for method, path in (("GET", f"/console/handoffs/{handoff_id}"),
                         ("GET", f"/console/handoffs/{handoff_id}/sheet"),
                         ("POST", f"/console/handoffs/{handoff_id}/claim"),
                         ("POST", f"/console/handoffs/{handoff_id}/reply"),
                         ("POST", f"/console/handoffs/{handoff_id}/release"),
                         ("POST", f"/console/handoffs/{handoff_id}/close")):
        response = other.request(method, path, data={"csrf": csrf, "text": "x"} if method == "POST" else None)
        assert response.status_code == 404, path
    with container.uow() as uow:
        assert uow.handoffs.claimed_by(handoff_id) is None
    _, thread = container.service.thread("webchat", "person-1")
    assert not [m for m in thread if m.author == "counselor"], "no reply crossed agencies"


def test_csrf_is_required_on_every_post(container: Container) -> None:
    handoff_id = handoff(container)
    http = client(container)
    page = http.get("/console/login")
    assert page.status_code == 200
    forged = http.post("/console/login", data={"csrf": "guess", "email": "a1@adachi.example",
                                                "password": PASSWORD}, follow_redirects=False)
    assert forged.status_code == 403
    assert sign_in(http, "a1@adachi.example") == 303
    assert http.post(f"/console/handoffs/{handoff_id}/claim", data={}).status_code == 403
    assert http.post("/console/logout", data={"csrf": "x"}).status_code == 403
    with container.uow() as uow:
        assert uow.handoffs.claimed_by(handoff_id) is None


def test_repeated_failures_lock_the_account(container: Container) -> None:
    http = client(container)
    assert sign_in(http, "nobody@example.org") == 401
    for _ in range(5):
        assert sign_in(http, "a1@adachi.example", "wrong password!") == 401
    assert sign_in(http, "a1@adachi.example") == 429, "locked even with the right password"
    assert sign_in(client(container), "a2@adachi.example") == 303, "only that account"


def test_a_reply_from_the_console_reaches_the_person_and_is_audited(container: Container) -> None:
    handoff_id = handoff(container)
    http = client(container)
    assert sign_in(http, "a1@adachi.example") == 303
    sent = http.post(f"/console/handoffs/{handoff_id}/reply", data={"csrf": csrf_of(http),
                                                                    "text": "こんばんは。<b>佐藤</b>です。"})
    assert sent.status_code == 200 and "こんばんは。&lt;b&gt;佐藤&lt;/b&gt;です。" in sent.text
    empty = http.post(f"/console/handoffs/{handoff_id}/reply", data={"csrf": csrf_of(http), "text": "  "})
    assert "返信は1〜4000文字で書いてください。" in empty.text
    _, thread = container.service.thread("webchat", "person-1")
    assert [m.body["text"] for m in thread if m.author == "counselor"] == ["こんばんは。<b>佐藤</b>です。"]
    with container.uow() as uow:
        assert ("a1@adachi.example", "reply") in [(e["actor"], e["action"]) for e in uow.audit.entries()]


def test_only_the_holder_releases_or_closes_with_an_outcome(container: Container) -> None:
    handoff_id = handoff(container)
    a1, a2 = client(container), client(container)
    assert sign_in(a1, "a1@adachi.example") == 303 and sign_in(a2, "a2@adachi.example") == 303
    a1.post(f"/console/handoffs/{handoff_id}/claim", data={"csrf": csrf_of(a1)})
    refused = a2.post(f"/console/handoffs/{handoff_id}/close", data={"csrf": csrf_of(a2), "outcome": "other"})
    assert "担当している人だけができます。" in refused.text
    released = a1.post(f"/console/handoffs/{handoff_id}/release", data={"csrf": csrf_of(a1)}, follow_redirects=False)
    assert released.status_code == 303
    with container.uow() as uow:
        assert uow.handoffs.claimed_by(handoff_id) is None
    a2.post(f"/console/handoffs/{handoff_id}/claim", data={"csrf": csrf_of(a2)})
    no_outcome = a2.post(f"/console/handoffs/{handoff_id}/close", data={"csrf": csrf_of(a2), "outcome": "x"})
    assert "結果を選んでください。" in no_outcome.text
    closed = a2.post(f"/console/handoffs/{handoff_id}/close", data={"csrf": csrf_of(a2), "outcome": "connected"},
                     follow_redirects=False)
    assert closed.status_code == 303
    assert f"/console/handoffs/{handoff_id}" not in a2.get("/console").text, "closed cases leave the queue"
    with container.uow() as uow:
        actions = [(e["actor"], e["action"], e["detail"]) for e in uow.audit.entries()]
    assert ("a1@adachi.example", "release", None) in actions
    assert ("a2@adachi.example", "close", "outcome=connected") in actions
