"""Storage contract: the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import Engine, text

from bot.cases.actor import OPERATOR
from bot.cases.admin import Admin
from bot.service import Service
from dialogs.model import Inbound
from storage.crypto import FieldCipher
from storage.uow import SqlUnitOfWork
from tests.clock import TestClock

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_an_event_id_is_seen_once_per_channel(engine: Engine, cipher: FieldCipher) -> None:
    with SqlUnitOfWork(engine, cipher) as uow:
        assert uow.events.first_time("webchat", "e1", NOW)
        assert not uow.events.first_time("webchat", "e1", NOW)
        assert uow.events.first_time("telegram", "e1", NOW)
        uow.commit()


def test_uncommitted_work_is_rolled_back(engine: Engine, cipher: FieldCipher) -> None:
    with SqlUnitOfWork(engine, cipher) as uow:
        uow.conversations.lock("webchat", "u", NOW)
    with SqlUnitOfWork(engine, cipher) as uow:
        assert uow.conversations.find("webchat", "u") is None


def test_conversation_round_trip_keeps_state_sheet_and_aware_times(engine: Engine, cipher: FieldCipher) -> None:
    with SqlUnitOfWork(engine, cipher) as uow:
        conv = uow.conversations.lock("webchat", "u", NOW)
        conv.state = "details"
        conv.sheet.details.append("秘密の相談内容")
        conv.sub_step = 2
        conv.last_active_at = NOW
        uow.conversations.save(conv, NOW)
        uow.commit()
    with SqlUnitOfWork(engine, cipher) as uow:
        loaded = uow.conversations.find("webchat", "u")
        assert loaded is not None
        assert (loaded.state, loaded.sub_step, loaded.sheet.details) == ("details", 2, ["秘密の相談内容"])
        assert loaded.last_active_at == NOW
        raw = uow.conversations.conn.execute(text("SELECT sheet_enc FROM conversations")).scalar_one()
        assert "秘密" not in raw


def test_outbox_keeps_order_and_holds_a_conversation_behind_a_retry(engine: Engine, cipher: FieldCipher) -> None:
    with SqlUnitOfWork(engine, cipher) as uow:
        conv = uow.conversations.lock("webchat", "u", NOW)
        other = uow.conversations.lock("webchat", "v", NOW)
        assert conv.id and other.id
        first = uow.outbox.add(conv.id, "webchat", "u", {"text": "1"}, NOW)
        uow.outbox.add(conv.id, "webchat", "u", {"text": "2"}, NOW)
        uow.outbox.add(other.id, "webchat", "v", {"text": "x"}, NOW)
        uow.commit()
    with SqlUnitOfWork(engine, cipher) as uow:
        assert [i.payload["text"] for i in uow.outbox.due(NOW)] == ["1", "2", "x"]
        uow.outbox.retry_later(first, NOW + timedelta(seconds=30), "HTTP 500")
        uow.commit()
    with SqlUnitOfWork(engine, cipher) as uow:
        assert [i.payload["text"] for i in uow.outbox.due(NOW)] == ["x"]
        assert [i.payload["text"] for i in uow.outbox.due(NOW + timedelta(minutes=1))][:2] == ["1", "2"]


def test_a_deliverer_takes_each_conversations_head_once_until_its_lease_runs_out(
        engine: Engine, cipher: FieldCipher) -> None:
    with SqlUnitOfWork(engine, cipher) as uow:
        conv = uow.conversations.lock("webchat", "u", NOW)
        other = uow.conversations.lock("webchat", "v", NOW)
        assert conv.id and other.id
        uow.outbox.add(conv.id, "webchat", "u", {"text": "1"}, NOW)
        uow.outbox.add(conv.id, "webchat", "u", {"text": "2"}, NOW)
        uow.outbox.add(other.id, "webchat", "v", {"replies": [{"text": "x"}, {"text": "y"}]}, NOW)
        uow.commit()
    lease = timedelta(seconds=60)
    with SqlUnitOfWork(engine, cipher) as uow:
        taken = uow.outbox.take_due(NOW, lease)
        uow.commit()
    assert [i.payload.get("text") for i in taken] == ["1", None], "the heads only: 2 waits for 1"
    with SqlUnitOfWork(engine, cipher) as uow:
        assert uow.outbox.take_due(NOW, lease) == [], "taken: nobody else takes them meanwhile"
        later = [i.payload.get("text") for i in uow.outbox.take_due(NOW + lease, lease)]
        assert later == ["1"], "a crashed deliverer's lease runs out; a turn of two parts is leased twice as long"
        uow.commit()
    with SqlUnitOfWork(engine, cipher) as uow:
        uow.outbox.mark_sent(taken[0].id, NOW + lease)
        assert [i.payload.get("text") for i in uow.outbox.take_due(NOW + lease, lease)] == ["2"], "1 sent: 2 is next"
        assert uow.outbox.take_due(NOW + 2 * lease, lease, skip=[conv.id, other.id]) == [], "busy conversations"
        assert len(uow.outbox.take_due(NOW + 2 * lease, lease)) == 2


def test_handoffs_route_by_municipality_else_default(engine: Engine, cipher: FieldCipher) -> None:
    uow = partial(SqlUnitOfWork, engine, cipher)
    admin = Admin(uow, clock=lambda: NOW)
    default = admin.ensure_default_agency()
    adachi = admin.add_agency(OPERATOR, "足立区くらしとしごとの相談センター", ["足立区"])
    with uow() as u:
        assert u.agencies.for_municipality("足立区") == adachi
        assert u.agencies.for_municipality("町田市") == default
        assert u.agencies.for_municipality(None) == default
    assert admin.ensure_default_agency() == default


def test_queue_lists_urgent_first_then_oldest(engine: Engine, cipher: FieldCipher) -> None:
    uow = partial(SqlUnitOfWork, engine, cipher)
    agency = Admin(uow, clock=lambda: NOW).ensure_default_agency()
    with uow() as u:
        ids = []
        for n, urgent in enumerate([False, True, False]):
            conv = u.conversations.lock("webchat", f"u{n}", NOW)
            ids.append(u.handoffs.add(conv, agency, urgent, NOW + timedelta(minutes=n)))
        u.commit()
    with uow() as u:
        assert [h.id for h in u.handoffs.queue()] == [ids[1], ids[0], ids[2]]


def test_messages_of_one_person_arriving_together_are_handled_one_at_a_time(
    engine: Engine, cipher: FieldCipher, clock: TestClock,
) -> None:
    uow = partial(SqlUnitOfWork, engine, cipher)
    Admin(uow, clock).ensure_default_agency()
    service = Service(uow, clock=clock)
    service.handle(Inbound("webchat", "p", "open", clock(), kind="open"))
    service.handle(Inbound("webchat", "p", "start", clock(), choice_id="welcome:start"))
    service.handle(Inbound("webchat", "p", "who", clock(), choice_id="who:self"))
    service.handle(Inbound("webchat", "p", "consent", clock(), choice_id="consent:yes"))
    service.handle(Inbound("webchat", "p", "topics", clock(), choice_id="topics:done"))
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        barrier.wait()
        try:
            service.handle(Inbound("webchat", "p", f"d{n}", clock(), text=f"message {n}"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    conv, entries = service.thread("webchat", "p")
    assert conv is not None
    assert sorted(conv.sheet.details) == sorted(f"message {n}" for n in range(8))
    inbound_texts = [e.body.get("text") for e in entries if e.direction == "in" and e.body.get("text")]
    assert inbound_texts == conv.sheet.details  # the thread order is the order they were handled


def test_the_migrations_build_exactly_the_declared_tables(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage import tables

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), tables.metadata) == []


def test_a_turn_of_messages_keeps_its_order_and_an_unchanged_sheet_is_not_rewritten(
        engine: Engine, cipher: FieldCipher) -> None:
    with SqlUnitOfWork(engine, cipher) as uow:
        conv = uow.conversations.lock("webchat", "u", NOW)
        assert conv.id is not None
        ids = uow.transcript.add_all(conv.id, "out", "bot", [{"text": str(n)} for n in range(5)], NOW)
        assert ids == sorted(ids) and len(set(ids)) == 5
        uow.conversations.save(conv, NOW)
        uow.commit()
    stored = "SELECT sheet_enc FROM conversations"
    with engine.connect() as conn:
        before = conn.execute(text(stored)).scalar_one()
    with SqlUnitOfWork(engine, cipher) as uow:
        conv = uow.conversations.lock("webchat", "u", NOW)
        assert [m.body["text"] for m in uow.transcript.since(str(conv.id), 0)] == ["0", "1", "2", "3", "4"]
        conv.state = "who"
        uow.conversations.save(conv, NOW)
        uow.commit()
    with engine.connect() as conn:
        assert conn.execute(text(stored)).scalar_one() == before, "the same sheet is not encrypted again"
    with SqlUnitOfWork(engine, cipher) as uow:
        conv = uow.conversations.lock("webchat", "u", NOW)
        assert conv.state == "who"
        conv.sheet.details.append("変わった")
        uow.conversations.save(conv, NOW)
        uow.commit()
    with SqlUnitOfWork(engine, cipher) as uow:
        found = uow.conversations.find("webchat", "u")
        assert found is not None and found.sheet.details == ["変わった"]


def test_new_ids_are_unguessable_and_sort_by_creation() -> None:
    from storage.repositories import new_id

    ids = [new_id() for _ in range(2000)]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids) and len(set(ids)) == len(ids)
    assert ids == sorted(ids, key=lambda i: i[:12]), "the time prefix never goes back"
    assert len({i[12:] for i in ids}) == len(ids), "the random part differs every time"


def test_the_queue_decrypts_no_sheet(engine: Engine, cipher: FieldCipher) -> None:
    uow = partial(SqlUnitOfWork, engine, cipher)
    agency = Admin(uow, clock=lambda: NOW).ensure_default_agency()
    with uow() as u:
        conv = u.conversations.lock("webchat", "u", NOW)
        handoff_id = u.handoffs.add(conv, agency, False, NOW)
        u.commit()
    with engine.begin() as conn:  # a sheet no key can read: only a query that decrypts it would fail
        conn.execute(text("UPDATE handoffs SET sheet_enc = 'not a ciphertext'"))
    with uow() as u:
        assert [case.id for case in u.handoffs.queue()] == [handoff_id]
        assert u.handoffs.counts(agency.id)["open"] == 1
        summary = u.handoffs.summary(handoff_id)
        assert summary is not None and summary.status == "open"
