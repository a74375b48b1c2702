"""Safety through the service on a real database (SQLite and PostgreSQL): a crisis message at any step
gets the contacts in the same turn and an urgent case at the top of the queue at once (basis: danger to
life), the later handoff completes that same case, counselors away are said to be away once, and staff
alerts go out with a link only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from bot.cases.actor import OPERATOR
from bot.cases.admin import Admin
from bot.safety.care import Care
from bot.safety.contacts import load_contacts
from bot.safety.resources import load_resources
from bot.service import Service
from dialogs.model import Inbound
from storage.crypto import FieldCipher
from storage.uow import SqlUnitOfWork, UnitOfWork
from tests.clock import TestClock

TOKYO = ZoneInfo("Asia/Tokyo")
MONDAY_MORNING = datetime(2026, 11, 30, 10, 0, tzinfo=TOKYO)
SATURDAY_NIGHT = datetime(2026, 11, 28, 23, 0, tzinfo=TOKYO)


class Person:
    """One web chat visitor talking to the service at a set time."""

    def __init__(self, service: Service, clock: TestClock, user: str = "p1") -> None:
        self.service, self.clock, self.user, self.n = service, clock, user, 0

    def send(self, text: str | None = None, choice: str | None = None, kind: str = "text") -> list[str]:
        self.n += 1
        _, before = self.service.thread("webchat", self.user)
        self.service.handle(Inbound("webchat", self.user, f"{self.user}-{self.n}", self.clock(),
                                    text=text, choice_id=choice, kind=kind))
        _, after = self.service.thread("webchat", self.user, before[-1].id if before else 0)
        return [str(m.body.get("text", "")) for m in after if m.author == "bot"]

    def walk(self, until: str = "handed_off") -> None:
        """The family intake (topic 15, other steps skipped) up to a state."""
        answers = {"welcome": "welcome:start", "who": "who:family", "consent": "consent:yes", "review": "review:send"}
        conv, _ = self.service.thread("webchat", self.user)
        if conv is None:
            self.send(kind="open")
        for _ in range(60):
            conv, _ = self.service.thread("webchat", self.user)
            assert conv is not None
            if conv.state == until:
                return
            if conv.state == "topics":
                self.send("15") if not conv.sheet.topics else self.send(choice="topics:done")
            else:
                self.send(choice=answers.get(conv.state, f"{conv.state}:skip"))
        raise AssertionError(f"never reached {until}")


@pytest.fixture
def uow(engine: Engine, cipher: FieldCipher) -> Callable[[], UnitOfWork]:
    made = partial(SqlUnitOfWork, engine, cipher)
    Admin(made).ensure_default_agency()
    return made


def visitor(uow: Callable[[], UnitOfWork], at: datetime, user: str = "p1", alerts: tuple[str, ...] = ()) -> Person:
    """A visitor whose conversation runs on a clock set to `at`."""
    clock = TestClock(at)
    made = Service(uow, clock=clock, care=Care(load_contacts(), load_resources()), alert_targets=alerts)
    return Person(made, clock, user)


def test_a_first_message_in_danger_gets_contacts_and_an_urgent_case_at_once(uow: Callable[[], UnitOfWork]) -> None:
    calm = visitor(uow, MONDAY_MORNING, "calm")
    calm.walk()
    person = visitor(uow, MONDAY_MORNING, alerts=("webhook",))
    replies = person.send("もう死にたい")
    assert "ひとりで抱えなくて大丈夫です" in replies[0]
    assert "相談員にも、すぐに知らせました。" in replies[1] and "東京いのちの電話 03-3264-4343" in replies[1]
    assert "よりそいホットライン" in replies[1]
    with uow() as unit:
        queue = unit.handoffs.queue()
        first = queue[0]
        assert first.priority == "urgent" and first.basis == "danger_to_life" and len(queue) == 2
        assert unit.alerts.for_handoff(first.id) == [("webhook", "pending")]
        actions = [(e.action, e.detail) for e in unit.audit.search(target=first.id)]
    assert ("crisis", "categories=suicide") in actions
    assert ("handoff", f"agency={first.agency_id} basis=danger_to_life") in actions

    person.walk()  # the person goes on with the intake and sends it
    with uow() as unit:
        mine = [h for h in unit.handoffs.queue() if h.conversation_id == first.conversation_id]
        completed = unit.handoffs.get(first.id)
    assert len(mine) == 1 and mine[0].id == first.id, "the handoff completes the same case"
    assert mine[0].priority == "urgent" and mine[0].topics == ["hikikomori"]
    assert completed is not None and "もう死にたい" in completed.sheet["details"]


@pytest.mark.parametrize("step", ["who", "topics", "contact", "review"])
def test_any_step_and_after_the_handoff(uow: Callable[[], UnitOfWork], step: str) -> None:
    person = visitor(uow, MONDAY_MORNING, f"p-{step}")
    person.walk(until=step)
    replies = person.send("父に殴られた")
    assert "あなたの安全がいちばん大切です" in replies[0] and "DV相談＋" in replies[1] and "警察 110" in replies[1]
    with uow() as unit:
        [case] = unit.handoffs.queue()
    assert case.priority == "urgent"


def test_an_open_case_becomes_urgent_and_idioms_change_nothing(uow: Callable[[], UnitOfWork]) -> None:
    person = visitor(uow, MONDAY_MORNING)
    person.walk()
    assert "救急 119" not in "".join(person.send("死ぬほど眠い"))
    with uow() as unit:
        [case] = unit.handoffs.queue()
    assert case.priority == "normal"
    replies = person.send("息子が倒れて動かない")
    assert "119" in replies[0] and "救急 119" in replies[1]
    with uow() as unit:
        [case] = unit.handoffs.queue()
        assert case.priority == "urgent" and case.basis is None


def test_a_past_that_is_over_gets_no_alarm_but_the_counselor_reads_it(uow: Callable[[], UnitOfWork]) -> None:
    person = visitor(uow, MONDAY_MORNING, alerts=("webhook",))
    person.walk()
    past = "昔はリスカしてたけど、もう何年もやってない。今は大丈夫です"
    replies = person.send(past)
    assert not any("119" in r or "いのちの電話" in r for r in replies)
    with uow() as unit:
        [case] = unit.handoffs.queue()
        assert case.priority == "normal" and unit.alerts.for_handoff(case.id) == []
    _, thread = person.service.thread("webchat", person.user)
    assert any(m.author == "person" and m.body.get("text") == past for m in thread), "kept for the counselor"


def test_out_of_hours_the_person_is_told_once_when_counselors_read(uow: Callable[[], UnitOfWork]) -> None:
    person = visitor(uow, SATURDAY_NIGHT)
    person.walk(until="review")
    sent = person.send(choice="review:send")
    note = [r for r in sent if "受付時間外" in r]
    assert len(note) == 1 and "11月30日（月）9:00ごろ" in note[0] and "東京いのちの電話" in note[0]
    later = person.send("もうひとつ伝えたいことがあります")
    assert not [r for r in later if "受付時間外" in r], "said once, not on every message"
    monday = visitor(uow, MONDAY_MORNING, "weekday")
    monday.walk(until="review")
    assert not [r for r in monday.send(choice="review:send") if "受付時間外" in r]


def test_a_crisis_at_night_says_when_counselors_will_read(uow: Callable[[], UnitOfWork]) -> None:
    person = visitor(uow, SATURDAY_NIGHT)
    replies = person.send("しにたい")
    assert "いまは相談員の受付時間外です。相談員が読むのは11月30日（月）9:00ごろです。" in replies[1]
    assert "東京都自殺相談ダイヤル〜こころといのちのほっとライン〜 0570-087478（いま受付中" in replies[1]
    assert "いのちの電話（フリーダイヤル）" not in replies[1], "closed at 23:00, and the open ones come first"


def test_agency_hours_are_its_own(uow: Callable[[], UnitOfWork]) -> None:
    admin = Admin(uow)
    agency = admin.add_agency(OPERATOR, "夜間の窓口", ["足立区"])
    admin.set_hours(OPERATOR, agency.id, "mon-sun 18:00-02:00")
    with uow() as unit:
        assert unit.agencies.get(agency.id).hours == "mon-sun 18:00-02:00"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        admin.set_hours(OPERATOR, agency.id, "whenever")


def test_after_the_handoff_local_resources_are_offered_and_listed(uow: Callable[[], UnitOfWork]) -> None:
    person = visitor(uow, MONDAY_MORNING)
    person.walk(until="review")
    sent = person.send(choice="review:send")
    assert "よければ見てください" in sent[-1]
    _, thread = person.service.thread("webchat", person.user)
    assert thread[-1].body["choices"] == [{"id": "handed_off:resources", "label": "相談先を見る"}]
    listed = person.send(choice="handed_off:resources")
    assert "東京都ひきこもりサポートネット" in listed[-1] and "0120-529-528" in listed[-1]
    assert "町田市" not in listed[-1] and "市役所（生活支援課）" not in listed[-1], "no municipality: Tokyo-wide only"
