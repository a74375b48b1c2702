"""Trust on a real database (SQLite and PostgreSQL): retention erases closed cases after N days and deletes
silent unfinished intakes after M days (statistics stay); a counselor erases on request; keys rotate
resumably while the service keeps working; the provision log lists every relay."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.bootstrap import Container, build
from bot.settings import Settings
from bot.trust.retention import Periods, Retention
from dialogs.model import Inbound
from storage.crypto import FieldCipher
from storage.rotation import rotate
from tests.clock import TestClock
from tests.integration.console_kit import audit_actions, container, csrf_of, handoff, post, signed_in

__all__ = ["container"]


def close(container: Container, handoff_id: str, days_ago: int) -> None:
    with container.uow() as uow:
        uow.handoffs.close_all(uow.handoffs.get(handoff_id).conversation_id, "connected",  # type: ignore[union-attr]
                               container.clock() - timedelta(days=days_ago))
        uow.commit()


def test_retention_erases_old_closed_cases_and_silent_intakes(container: Container, clock: TestClock) -> None:
    old, recent, still_open = handoff(container, "old"), handoff(container, "recent"), handoff(container, "open")
    close(container, old, 400)
    close(container, recent, 10)
    today = clock()
    clock.set(today - timedelta(days=120))
    container.service.handle(Inbound("webchat", "quiet", "q1", clock(), kind="open"))
    clock.set(today)
    container.service.handle(Inbound("webchat", "active", "a1", clock(), kind="open"))
    retention = Retention(container.uow, Periods(closed_days=365, unfinished_days=90), clock)
    assert retention.run(dry_run=True).to_dict() == {"closed_conversations_erased": 1,
                                                     "unfinished_intakes_deleted": 1, "dry_run": True}
    assert container.service.thread("webchat", "quiet")[0] is not None, "a dry run changes nothing"
    assert retention.run().to_dict()["closed_conversations_erased"] == 1
    assert retention.run().to_dict() == {"closed_conversations_erased": 0, "unfinished_intakes_deleted": 0,
                                         "dry_run": False}, "nothing twice"
    with container.uow() as uow:
        erased = uow.handoffs.get(old)
        assert erased is not None and erased.sheet == {"erased": True}
        assert erased.topics == ["hikikomori"] and erased.outcome == "connected", "statistics stay"
        assert uow.transcript.since(erased.conversation_id, 0) == []
        assert uow.handoffs.get(recent).sheet.get("erased") is None  # type: ignore[union-attr]
        assert uow.handoffs.get(still_open).sheet.get("erased") is None  # type: ignore[union-attr]
    assert container.service.thread("webchat", "old")[0] is None, "the person is not known on the channel any more"
    assert container.service.thread("webchat", "quiet")[0] is None
    assert container.service.thread("webchat", "active")[0] is not None
    assert ("retention", "erase", old) in audit_actions(container)


def test_a_counselor_erases_at_the_persons_request(container: Container) -> None:
    source = handoff(container)
    a1, a2 = signed_in(container, "a1@adachi.example"), signed_in(container, "a2@adachi.example")
    post(a1, f"/console/handoffs/{source}/claim")
    assert post(a2, f"/console/handoffs/{source}/erase", confirm="erase").status_code == 403, "not the holder"
    assert post(a1, f"/console/handoffs/{source}/erase").status_code == 400, "needs the confirmation"
    done = a1.post(f"/console/handoffs/{source}/erase",
                   data={"csrf": csrf_of(a1), "confirm": "erase"}, follow_redirects=False)
    assert done.status_code == 303
    with container.uow() as uow:
        case = uow.handoffs.get(source)
        assert case is not None and case.sheet == {"erased": True} and case.status == "closed"
        assert uow.transcript.since(case.conversation_id, 0) == []
    assert ("a1@adachi.example", "erase", source) in audit_actions(container)
    supervisor = signed_in(container, "sv@adachi.example")
    other = handoff(container, "person-2")
    assert post(supervisor, f"/console/handoffs/{other}/erase", confirm="erase").status_code == 200


@pytest.fixture
def keyed(db_url: str, tmp_path: Path, clock: TestClock) -> Iterator[tuple[Container, str]]:
    old = Fernet.generate_key().decode()
    made = build(Settings.load({"TSUNAGU_DATA_DIR": str(tmp_path), "TSUNAGU_DATABASE_URL": db_url,
                                "TSUNAGU_DATA_KEY": old}, dotenv=tmp_path / "none"), clock)
    made.migrate()
    yield made, old
    made.close()


def test_keys_rotate_resumably_while_the_service_works(keyed: tuple[Container, str], tmp_path: Path,
                                                       db_url: str) -> None:
    made, old = keyed
    for n in range(12):
        handoff(made, f"person-{n}")
    new = Fernet.generate_key().decode()
    rotated = build(Settings.load({"TSUNAGU_DATA_DIR": str(tmp_path), "TSUNAGU_DATABASE_URL": db_url,
                                   "TSUNAGU_DATA_KEY": f"{new},{old}"}, dotenv=tmp_path / "none"), made.clock)
    stop = threading.Event()

    def keep_talking() -> None:
        n = 0
        while n == 0 or not stop.wait(0.02):  # a busy evening: fifty messages a second, and at least one
            n += 1
            rotated.service.handle(Inbound("webchat", "busy", f"b{n}", rotated.clock(), text=f"メッセージ{n}"))

    talker = threading.Thread(target=keep_talking)
    talker.start()
    seen: list[int] = []
    try:
        count = rotate(rotated.engine, rotated.cipher, new, lambda p: seen.append(p.seen))
    finally:
        stop.set()
        talker.join()
    assert count > 0 and seen == sorted(seen) and seen[-1] > 0
    assert rotate(rotated.engine, rotated.cipher, new) == 0, "a second run has nothing left to do"
    only_new = build(Settings.load({"TSUNAGU_DATA_DIR": str(tmp_path), "TSUNAGU_DATABASE_URL": db_url,
                                    "TSUNAGU_DATA_KEY": new}, dotenv=tmp_path / "none"), made.clock)
    try:
        for n in range(12):
            conv, thread = only_new.service.thread("webchat", f"person-{n}")
            assert conv is not None and thread, "readable with the new key alone"
        with only_new.uow() as uow:
            assert len(uow.handoffs.queue()) == 12
        assert only_new.service.thread("webchat", "busy")[1]
    finally:
        only_new.close()
        rotated.close()
    assert FieldCipher([old])  # the old key still makes a cipher; it is simply no longer needed


def test_the_provision_log_lists_every_relay(container: Container) -> None:
    source = handoff(container)
    a1 = signed_in(container, "a1@adachi.example")
    post(a1, f"/console/handoffs/{source}/claim")
    post(a1, f"/console/handoffs/{source}/relay", agency="2", note="秘密の申し送り", with_thread="1")
    with container.uow() as uow:
        [row] = uow.relays.provisions()
        assert uow.relays.provisions(agency_id=1) == [row] and uow.relays.provisions(container.clock()) == []
    assert (row.provider, row.recipient, row.basis, row.items, row.by) == (
        "既定の相談窓口", "町田市の窓口", "consent", ["sheet", "thread"], "a1@adachi.example")
    assert row.case == source and "秘密" not in str(row)


def test_supervisors_export_their_agencys_provisions(container: Container) -> None:
    source = handoff(container)
    a1 = signed_in(container, "a1@adachi.example")
    post(a1, f"/console/handoffs/{source}/claim")
    post(a1, f"/console/handoffs/{source}/relay", agency="2", note="", with_thread="")
    exported = signed_in(container, "sv@machida.example").get("/console/audit/provisions.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    assert [r["recipient"] for r in exported.json()] == ["町田市の窓口"], "received by this agency"
    assert a1.get("/console/audit/provisions.json").status_code == 403, "counselors cannot"
    assert ("sv@machida.example", "export_provisions", None) in audit_actions(container)
