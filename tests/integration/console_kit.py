"""Shared pieces of the console's route tests: a container with two agencies and their accounts, a
finished intake, a signed-in client and its CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from bot.bootstrap import Container, build
from bot.cases.actor import OPERATOR
from bot.settings import Settings
from dialogs.model import Inbound
from tests.clock import TestClock

PASSWORD = "a long enough password"
ADACHI = "既定の相談窓口"
MACHIDA = "町田市の窓口"
ACCOUNTS = (("a1@adachi.example", ADACHI, "counselor"), ("a2@adachi.example", ADACHI, "counselor"),
            ("sv@adachi.example", ADACHI, "supervisor"), ("m1@machida.example", MACHIDA, "counselor"),
            ("sv@machida.example", MACHIDA, "supervisor"), ("admin@tsunagu.example", ADACHI, "admin"))


@pytest.fixture
def container(db_url: str, tmp_path: Path, clock: TestClock) -> Iterator[Container]:
    """Two agencies (the default one and 町田市's) and their accounts, on a fresh database."""
    settings = Settings.load({"TSUNAGU_DATA_DIR": str(tmp_path / "var"), "TSUNAGU_DATABASE_URL": db_url},
                             dotenv=tmp_path / "none")
    made = build(settings, clock)
    made.migrate()
    made.admin.add_agency(OPERATOR, MACHIDA, ["町田市"])
    for email, agency, role in ACCOUNTS:
        made.admin.add_counselor(OPERATOR, email, agency, role, PASSWORD)
    yield made
    made.close()


def handoff(container: Container, user: str = "person-1", consent: str = "yes", topic: str = "15") -> str:
    """A family intake with no municipality (so the default agency's), straight through the service."""
    steps: list[dict[str, str]] = [{"kind": "open"}, {"choice_id": "welcome:start"}, {"choice_id": "who:family"},
                                   {"choice_id": f"consent:{consent}"}, {"text": topic},
                                   {"choice_id": "topics:done"}, {"choice_id": "details:skip"},
                                   {"choice_id": "wishes:skip"}]
    for n, step in enumerate(steps):
        container.service.handle(Inbound("webchat", user, f"{user}-{n}", container.clock(), **step))
    conv = container.service.thread("webchat", user)[0]
    assert conv is not None
    while conv.state != "handed_off":
        choice = "review:send" if conv.state == "review" else f"{conv.state}:skip"
        event = f"{user}-{choice}-{conv.sub_step}"
        handled = container.service.handle(Inbound("webchat", user, event, container.clock(), choice_id=choice))
        conv = container.service.thread("webchat", user)[0]
        assert conv is not None
        if handled.handoff_id:
            return handled.handoff_id
    raise AssertionError("no handoff")


def client(container: Container) -> TestClient:
    """A browser without a session."""
    return TestClient(create_app(container, run_deliverer=False), base_url="http://testserver")


def sign_in(http: TestClient, email: str, password: str = PASSWORD) -> int:
    """Sign in through the form; returns the status of the POST."""
    page = http.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    response = http.post("/console/login", data={"csrf": csrf.group(1), "email": email, "password": password},
                         follow_redirects=False)
    return int(response.status_code)


def signed_in(container: Container, email: str) -> TestClient:
    """A browser signed in as this account."""
    http = client(container)
    assert sign_in(http, email) == 303
    return http


def csrf_of(http: TestClient) -> str:
    """The session's CSRF token, as the pages carry it."""
    found = re.search(r'name="csrf" value="([^"]+)"', http.get("/console").text)
    assert found
    return found.group(1)


def post(http: TestClient, path: str, **data: str) -> httpx.Response:
    """A form POST with the session's token, following the redirect."""
    response: httpx.Response = http.post(path, data={"csrf": csrf_of(http), **data})
    return response


def audit_actions(container: Container) -> list[tuple[str, str, str | None]]:
    """(actor, action, target) of every audit entry, newest first."""
    with container.uow() as uow:
        return [(e.actor, e.action, e.target) for e in uow.audit.search(limit=1000)]
