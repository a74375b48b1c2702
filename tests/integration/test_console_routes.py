"""The console's routes in-process on a real database: sign-in, lockout, CSRF on every POST, the queue
and its filters, claims, replies with their delivery state, and isolation: a counselor of another agency
is refused every case route, and each role only its own pages."""

from __future__ import annotations

import asyncio
import re

from starlette.routing import Route

from bot.app import create_app
from bot.bootstrap import Container
from tests.integration.console_kit import (
    PASSWORD,
    audit_actions,
    client,
    container,
    csrf_of,
    handoff,
    post,
    sign_in,
    signed_in,
)

__all__ = ["container"]


def console_routes(container: Container, prefix: str) -> list[tuple[str, str]]:
    """(method, path template) of every console route under a prefix, read from the app itself."""
    app = create_app(container, run_deliverer=False)
    found: list[tuple[str, str]] = []
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith(prefix):
            found.extend((method, route.path) for method in sorted(route.methods or ()) if method != "HEAD")
    return found


def test_sign_in_queue_claim_and_sheet(container: Container) -> None:
    handoff_id = handoff(container)
    a1, a2 = client(container), client(container)
    assert a1.get("/console", follow_redirects=False).status_code == 303
    assert sign_in(a1, "a1@adachi.example") == 303
    assert sign_in(a2, "A2@adachi.example ") == 303
    queue = a1.get("/console")
    assert queue.status_code == 200 and f"/console/handoffs/{handoff_id}" in queue.text
    assert queue.headers["cache-control"] == "no-store"
    data = a1.get("/console/queue.json").json()
    assert [r["id"] for r in data["rows"]] == [handoff_id]
    assert (data["open"], data["urgent"], data["offered"]) == (1, 0, 0)
    assert client(container).get("/console/queue.json", follow_redirects=False).status_code == 303

    won = a1.post(f"/console/handoffs/{handoff_id}/claim", data={"csrf": csrf_of(a1)}, follow_redirects=False)
    assert won.status_code == 303
    lost = post(a2, f"/console/handoffs/{handoff_id}/claim")
    assert lost.status_code == 409 and "a1@adachi.exampleさんがすでに担当しています。" in lost.text
    sheet = a1.get(f"/console/handoffs/{handoff_id}/sheet")
    assert sheet.status_code == 200 and "「つなぐ」シート" in sheet.text
    actions = [(actor, action) for actor, action, _ in audit_actions(container)]
    assert ("a1@adachi.example", "claim") in actions and ("a1@adachi.example", "view_sheet") in actions
    assert ("a2@adachi.example", "claim") not in actions

    assert a1.post("/console/logout", data={"csrf": csrf_of(a1)}, follow_redirects=False).status_code == 303
    assert a1.get("/console", follow_redirects=False).status_code == 303


def test_another_agency_is_refused_every_case_route(container: Container) -> None:
    handoff_id = handoff(container)
    other = signed_in(container, "m1@machida.example")
    assert f"/console/handoffs/{handoff_id}" not in other.get("/console").text
    assert other.get("/console/queue.json").json()["rows"] == []
    csrf = csrf_of(other)
    case_routes = console_routes(container, "/console/handoffs/")
    assert len(case_routes) >= 12, case_routes
    for method, path in case_routes:
        url = path.replace("{handoff_id}", handoff_id)
        form = {"csrf": csrf, "text": "x", "agency": "1", "outcome": "other", "reason": "x"}
        response = other.request(method, url, data=form if method == "POST" else None)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "相談" not in response.text or "見つかりません。" in response.text
    with container.uow() as uow:
        assert uow.handoffs.claimed_by(handoff_id) is None
        assert uow.relays.for_conversation(uow.handoffs.get(handoff_id).conversation_id) == []  # type: ignore[union-attr]
        assert uow.notes.for_handoff(handoff_id) == []
    _, thread = container.service.thread("webchat", "person-1")
    assert not [m for m in thread if m.author == "counselor"], "no reply crossed agencies"
    assert not [a for a in audit_actions(container) if a[0] == "m1@machida.example" and a[2] == handoff_id]


def test_each_role_gets_only_its_pages(container: Container) -> None:
    counselor = signed_in(container, "a1@adachi.example")
    supervisor = signed_in(container, "sv@adachi.example")
    admin = signed_in(container, "admin@tsunagu.example")
    manage_routes = (console_routes(container, "/console/canned") + console_routes(container, "/console/audit")
                     + console_routes(container, "/console/outreach"))
    admin_routes = console_routes(container, "/console/admin")
    form = {"name": "x", "municipalities": "x", "email": "x@example.org", "agency": "1", "role": "admin",
            "password": PASSWORD, "title": "x", "body": "x"}
    for http, refused in ((counselor, manage_routes + admin_routes), (supervisor, admin_routes)):
        csrf = csrf_of(http)
        for method, path in refused:
            url = re.sub(r"\{[a-z_]+\}", "1", path)
            response = http.request(method, url, data={"csrf": csrf, **form} if method == "POST" else None)
            assert response.status_code == 403, (method, path)
    with container.uow() as uow:
        assert uow.agencies.by_name("x") is None and uow.counselors.by_email("x@example.org") is None
        assert uow.counselors.by_email("a1@adachi.example").role == "counselor"  # type: ignore[union-attr]
    assert supervisor.get("/console/audit").status_code == 200
    assert supervisor.get("/console/outreach").status_code == 200
    assert admin.get("/console/admin").status_code == 200
    assert "/console/admin" not in supervisor.get("/console").text
    assert "/console/audit" not in counselor.get("/console").text


def test_csrf_is_required_on_every_post(container: Container) -> None:
    handoff_id = handoff(container)
    http = client(container)
    assert http.get("/console/login").status_code == 200
    forged = http.post("/console/login", data={"csrf": "guess", "email": "a1@adachi.example",
                                                "password": PASSWORD}, follow_redirects=False)
    assert forged.status_code == 403
    assert sign_in(http, "admin@tsunagu.example") == 303
    posts = [path for method, path in console_routes(container, "/console") if method == "POST"]
    assert len(posts) >= 17, posts
    for path in posts:
        if path == "/console/login":
            continue
        url = path.replace("{handoff_id}", handoff_id)
        url = re.sub(r"\{[a-z_]+\}", "1", url)
        for token in (None, "x"):
            data = {"text": "x", "name": "forged", "role": "counselor", "agency": "1", "outcome": "other"}
            if token:
                data["csrf"] = token
            assert http.post(url, data=data).status_code == 403, path
    with container.uow() as uow:
        assert uow.handoffs.claimed_by(handoff_id) is None
        assert uow.agencies.by_name("forged") is None
    assert http.get("/console").status_code == 200, "still signed in: the forged logout did nothing"


def test_repeated_failures_lock_the_account(container: Container) -> None:
    http = client(container)
    assert sign_in(http, "nobody@example.org") == 401
    for _ in range(5):
        assert sign_in(http, "a1@adachi.example", "wrong password!") == 401
    assert sign_in(http, "a1@adachi.example") == 429, "locked even with the right password"
    assert sign_in(client(container), "a2@adachi.example") == 303, "only that account"


def test_a_reply_reaches_the_person_with_its_delivery_state_and_is_audited(container: Container) -> None:
    handoff_id = handoff(container)
    http = signed_in(container, "a1@adachi.example")
    case = f"/console/handoffs/{handoff_id}"
    refused = post(http, f"{case}/reply", text="まだ担当していません")
    assert refused.status_code == 409 and "担当している人だけが返信できます。" in refused.text
    post(http, f"{case}/claim")
    sent = post(http, f"{case}/reply", text="こんばんは。<b>佐藤</b>です。")
    assert sent.status_code == 200 and "こんばんは。&lt;b&gt;佐藤&lt;/b&gt;です。" in sent.text
    waiting = re.findall(r'<span class="delivery pending" data-message="(\d+)">送信待ち</span>', sent.text)[-1]
    followed = f"{case}/deliveries.json?ids={waiting},999999,x"
    assert http.get(followed).json() == {waiting: {"state": "pending", "label": "送信待ち"}}
    empty = post(http, f"{case}/reply", text="  ")
    assert empty.status_code == 400 and "返信は1〜4000文字で書いてください。" in empty.text
    _, thread = container.service.thread("webchat", "person-1")
    assert [m.body["text"] for m in thread if m.author == "counselor"] == ["こんばんは。<b>佐藤</b>です。"]
    asyncio.run(container.deliverer.deliver_due())
    assert f'<span class="delivery sent" data-message="{waiting}">届きました</span>' in http.get(case).text
    assert http.get(followed).json() == {waiting: {"state": "sent", "label": "届きました"}}
    english = http.get(followed, headers={"accept-language": "en"}).json()
    assert english[waiting]["label"] != "届きました", "in the page's language"
    assert ("a1@adachi.example", "reply", handoff_id) in audit_actions(container)


def test_only_the_holder_releases_or_closes_with_an_outcome(container: Container) -> None:
    handoff_id = handoff(container)
    a1, a2 = signed_in(container, "a1@adachi.example"), signed_in(container, "a2@adachi.example")
    case = f"/console/handoffs/{handoff_id}"
    post(a1, f"{case}/claim")
    refused = post(a2, f"{case}/close", outcome="other")
    assert "担当している人だけができます。" in refused.text
    assert a1.post(f"{case}/release", data={"csrf": csrf_of(a1)}, follow_redirects=False).status_code == 303
    with container.uow() as uow:
        assert uow.handoffs.claimed_by(handoff_id) is None
    post(a2, f"{case}/claim")
    assert "結果を選んでください。" in post(a2, f"{case}/close", outcome="x").text
    closed = a2.post(f"{case}/close", data={"csrf": csrf_of(a2), "outcome": "connected"}, follow_redirects=False)
    assert closed.status_code == 303
    assert case not in a2.get("/console").text, "closed cases leave the queue"
    assert case in a2.get("/console?status=closed").text, "and can still be found"
    with container.uow() as uow:
        actions = [(e.actor, e.action, e.detail) for e in uow.audit.search()]
    assert ("a1@adachi.example", "release", None) in actions
    assert ("a2@adachi.example", "close", "outcome=connected") in actions


def test_queue_filters_by_status_topic_and_mine(container: Container) -> None:
    housing = handoff(container, "person-1", topic="8")  # 住まいについて
    family = handoff(container, "person-2", topic="16")  # 家族関係・人間関係
    a1 = signed_in(container, "a1@adachi.example")
    post(a1, f"/console/handoffs/{housing}/claim")

    def ids(query: str) -> list[str]:
        return [r["id"] for r in a1.get(f"/console/queue.json{query}").json()["rows"]]

    assert ids("") == [housing, family]
    assert ids("?status=open") == [family]
    assert ids("?status=claimed") == [housing]
    assert ids("?mine=1") == [housing]
    assert ids("?topic=housing") == [housing]
    assert ids("?topic=relationships") == [family]
    assert ids("?topic=nonsense&status=nonsense") == [housing, family], "unknown filters mean no filter"
    page = a1.get("/console?status=open")
    assert f"/console/handoffs/{family}" in page.text and f"/console/handoffs/{housing}" not in page.text
    assert '<option value="open" selected>' in page.text
