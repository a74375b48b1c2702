"""An agency's outreach link (/chat?a=<code>): the first contact that came by it is routed to that agency before
the municipality is known, and counted; an unknown code is ordinary routing. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from starlette.testclient import TestClient

from bot.app import create_app
from bot.bootstrap import build
from bot.cases.admin import Admin
from bot.service import Service
from bot.settings import Settings
from dialogs.model import Inbound
from storage.crypto import FieldCipher
from storage.records import Agency
from storage.uow import SqlUnitOfWork, UnitOfWork
from tests.clock import TestClock


@pytest.fixture
def uow(engine: Engine, cipher: FieldCipher) -> Callable[[], UnitOfWork]:
    return partial(SqlUnitOfWork, engine, cipher)


def _agencies(uow: Callable[[], UnitOfWork], clock: TestClock) -> tuple[Agency, Agency, Agency]:
    default = Admin(uow, clock).ensure_default_agency()
    with uow() as u:
        outreach = u.agencies.add("ひだまり相談室", [], clock())
        adachi = u.agencies.add("足立区くらしとしごとの相談センター", ["足立区"], clock())
        u.commit()
    return default, outreach, adachi


def _first_contact(service: Service, clock: TestClock, person: str, via: str | None) -> None:
    service.handle(Inbound("webchat", person, f"{person}-open", clock(), kind="open", via=via))


def _crisis(service: Service, clock: TestClock, person: str) -> str:
    handled = service.handle(Inbound("webchat", person, f"{person}-crisis", clock(), text="もう死にたい"))
    assert handled.handoff_id is not None
    return handled.handoff_id


def _agency_of(uow: Callable[[], UnitOfWork], handoff_id: str) -> int:
    with uow() as u:
        case = u.handoffs.summary(handoff_id)
    assert case is not None
    return case.agency_id


def test_every_agency_has_a_code_of_its_own(uow: Callable[[], UnitOfWork], clock: TestClock) -> None:
    agencies = _agencies(uow, clock)
    codes = {a.code for a in agencies}
    assert len(codes) == 3 and all(c and c.isalnum() and len(c) == 6 for c in codes)
    with uow() as u:
        assert [u.agencies.by_code(a.code or "").name for a in agencies] == [a.name for a in agencies]  # type: ignore[union-attr]
        assert u.agencies.by_code("nosuch") is None


def test_a_first_message_by_an_agency_link_goes_to_that_agency_before_the_municipality_is_known(
        uow: Callable[[], UnitOfWork], clock: TestClock) -> None:
    _, outreach, _ = _agencies(uow, clock)
    service = Service(uow, clock=clock)
    _first_contact(service, clock, "p", outreach.code)
    assert _agency_of(uow, _crisis(service, clock, "p")) == outreach.id


def test_an_unknown_code_or_none_is_ordinary_routing(uow: Callable[[], UnitOfWork], clock: TestClock) -> None:
    default, _, _ = _agencies(uow, clock)
    service = Service(uow, clock=clock)
    _first_contact(service, clock, "p", "zzzzzz")
    _first_contact(service, clock, "q", None)
    assert _agency_of(uow, _crisis(service, clock, "p")) == default.id
    assert _agency_of(uow, _crisis(service, clock, "q")) == default.id


def test_a_municipality_an_agency_serves_comes_before_the_link(uow: Callable[[], UnitOfWork],
                                                                 clock: TestClock) -> None:
    _, outreach, adachi = _agencies(uow, clock)
    service = Service(uow, clock=clock)
    _first_contact(service, clock, "p", outreach.code)
    with uow() as u:
        conv = u.conversations.lock("webchat", "p", clock())
        conv.sheet.person.municipality = "足立区"
        u.conversations.save(conv, clock())
        u.commit()
    assert _agency_of(uow, _crisis(service, clock, "p")) == adachi.id


def test_only_the_first_contact_counts_and_a_later_link_changes_nothing(uow: Callable[[], UnitOfWork],
                                                                       clock: TestClock) -> None:
    _, outreach, adachi = _agencies(uow, clock)
    service = Service(uow, clock=clock)
    _first_contact(service, clock, "p", outreach.code)
    _first_contact(service, clock, "q", outreach.code)
    _first_contact(service, clock, "r", None)
    service.handle(Inbound("webchat", "r", "r-again", clock(), kind="open", via=adachi.code))
    service.handle(Inbound("webchat", "p", "p-again", clock(), kind="open", via=adachi.code))
    with uow() as u:
        assert u.agencies.first_contacts() == {outreach.id: 2}
        assert u.agencies.first_contacts(since=clock().replace(year=clock().year + 1)) == {}


def test_the_web_chat_passes_the_code_and_drops_what_is_not_one(tmp_path: Path, clock: TestClock) -> None:
    container = build(Settings.load({"TSUNAGU_DATA_DIR": str(tmp_path)}, dotenv=tmp_path / "none"), clock)
    container.migrate()
    with container.uow() as u:
        outreach = u.agencies.add("ひだまり相談室", [], clock())
        u.commit()
    with TestClient(create_app(container, run_deliverer=False), base_url="http://testserver") as client:
        assert client.get(f"/chat?a={outreach.code}").status_code == 200
        assert client.post("/chat/api/messages", json={"kind": "open", "via": outreach.code}).status_code == 200
    with TestClient(create_app(container, run_deliverer=False), base_url="http://testserver") as other:
        assert other.post("/chat/api/messages", json={"kind": "open", "via": "<script>"}).status_code == 200
    with container.uow() as u:
        rows = u.conversations.conn.execute(text("SELECT via_agency_id FROM conversations ORDER BY created_at"))
        assert sorted(rows.scalars(), key=str) == sorted([outreach.id, None], key=str)
    container.close()
