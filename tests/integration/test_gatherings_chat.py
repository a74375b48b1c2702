"""Gatherings through the service on a real database (SQLite and PostgreSQL): the quiet offer after the handoff,
the list that fits who writes (asked by button or word, at any step), 「行ってみたい」 on the case page, and
「思い出させて」: one reminder the evening before, through the outbox; never for a meeting moved or called off,
never after 「やめる」, and once only when it fell due while the service was down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from bot.cases import Cases
from bot.cases.actor import OPERATOR
from bot.cases.admin import Admin
from bot.gatherings.catalog import load_gatherings
from bot.gatherings.chat import Invitations
from bot.gatherings.reminders import ReminderSweep
from bot.safety.care import Care
from bot.safety.contacts import load_contacts
from bot.safety.resources import load_resources
from bot.service import Service
from dialogs.model import Inbound
from storage.crypto import FieldCipher
from storage.uow import SqlUnitOfWork, UnitOfWork
from tests.clock import TestClock

TOKYO = ZoneInfo("Asia/Tokyo")
FILE = """
[[gathering]]
id = "family-sat"
agency = "既定の機関"
name = "家族のつどい"
kind = "family_group"
for_whom = "family"
place = "公民館"
rrule = "FREQ=WEEKLY;BYDAY=SA"
start = "14:00"
first = 2026-01-01
expect = ["聞いているだけでも大丈夫です。"]
checked = 2026-11-01

[[gathering]]
id = "ibasho-tue"
agency = "既定の機関"
name = "火曜の居場所"
kind = "ibasho"
for_whom = "person"
place = "駅前の部屋"
rrule = "FREQ=WEEKLY;BYDAY=TU"
start = "13:00"
first = 2026-01-01
checked = 2026-11-01
"""


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def invitations(tmp_path: Path, extra: str = "") -> Invitations:
    path = tmp_path / f"gatherings{len(extra)}.toml"
    path.write_text(FILE.replace('first = 2026-01-01\nexpect', f'first = 2026-01-01\n{extra}expect'),
                    encoding="utf-8")
    return Invitations(load_gatherings(path))


class Person:
    """One web chat visitor writing as a family member."""

    def __init__(self, service: Service, clock: TestClock, user: str) -> None:
        self.service, self.clock, self.user, self.n = service, clock, user, 0

    def send(self, text: str | None = None, choice: str | None = None, kind: str = "text") -> list[dict[str, object]]:
        self.n += 1
        _, before = self.service.thread("webchat", self.user)
        self.service.handle(Inbound("webchat", self.user, f"{self.user}-{self.n}", self.clock(),
                                    text=text, choice_id=choice, kind=kind))
        return self.since(before[-1].id if before else 0)

    def since(self, after: int) -> list[dict[str, object]]:
        _, after_msgs = self.service.thread("webchat", self.user, after)
        return [m.body for m in after_msgs if m.author == "bot"]

    def walk(self) -> list[dict[str, object]]:
        """The family intake, other steps skipped, to the handoff; what the bot said at the handoff."""
        answers = {"welcome": "welcome:start", "who": "who:family", "consent": "consent:yes", "review": "review:send"}
        self.send(kind="open")
        for _ in range(60):
            conv, _ = self.service.thread("webchat", self.user)
            assert conv is not None
            if conv.state == "topics":
                said = self.send("15") if not conv.sheet.topics else self.send(choice="topics:done")
            else:
                said = self.send(choice=answers.get(conv.state, f"{conv.state}:skip"))
            if conv.state == "review":
                return said
        raise AssertionError("never reached the handoff")


def texts(bodies: list[dict[str, object]]) -> str:
    return "\n".join(str(b.get("text", "")) for b in bodies)


def choices(bodies: list[dict[str, object]]) -> list[str]:
    return [str(c["id"]) for b in bodies for c in b.get("choices", []) or []]  # type: ignore[attr-defined]


@pytest.fixture
def uow(engine: Engine, cipher: FieldCipher) -> Callable[[], UnitOfWork]:
    made = partial(SqlUnitOfWork, engine, cipher)
    Admin(made).ensure_default_agency()
    return made


def person(uow: Callable[[], UnitOfWork], clock: TestClock, kept: Invitations, user: str = "p1") -> Person:
    return Person(Service(uow, clock=clock, invitations=kept), clock, user)


def outbox_texts(uow: Callable[[], UnitOfWork], clock: TestClock) -> list[str]:
    with uow() as u:
        due = u.outbox.due(clock(), 500)
    return [str(r.get("text")) for item in due for r in item.replies()]


def test_after_the_handoff_a_family_member_is_offered_the_family_group(
        uow: Callable[[], UnitOfWork], clock: TestClock, tmp_path: Path) -> None:
    kept = invitations(tmp_path)
    family = person(uow, clock, kept)
    handed = family.walk()
    assert "handed_off:gatherings" in choices(handed), "the quiet offer after the handoff"
    shown = family.send(choice="handed_off:gatherings")
    assert "家族のつどい" in texts(shown) and "火曜の居場所" not in texts(shown), "a family group for a family member"
    assert "12月12日（土）14:00" in texts(shown) and "聞いているだけでも大丈夫です。" in texts(shown)
    assert choices(shown) == ["gathering:want:family-sat@202612121400", "gathering:remind:family-sat@202612121400"]
    assert "家族のつどい" in texts(family.send("集まり")), "a word asks too"


def test_a_word_mid_intake_lists_them_then_asks_the_question_again(
        uow: Callable[[], UnitOfWork], clock: TestClock, tmp_path: Path) -> None:
    someone = person(uow, clock, invitations(tmp_path))
    someone.send(kind="open")
    said = someone.send("events")
    assert "家族のつどい" in texts(said) and "火曜の居場所" in texts(said), "who writes is not known yet"
    assert "welcome:start" in choices(said)


def test_interest_reaches_the_case_page_once_and_without_obligation(
        uow: Callable[[], UnitOfWork], clock: TestClock, tmp_path: Path) -> None:
    family = person(uow, clock, invitations(tmp_path))
    family.walk()
    for _ in range(2):
        said = family.send(choice="gathering:want:family-sat@202612121400")
        assert "相談員に伝えておきますね" in texts(said)
    cases = Cases(uow, clock)
    with uow() as u:
        (case,) = u.handoffs.queue()
        assert u.interest.counts() == {"family-sat": 1}
    view = cases.case(OPERATOR, case.id)
    assert [(g, s) for g, s, _ in view.interest] == [("family-sat", at(2026, 12, 12, 14))]


def test_a_reminder_goes_once_the_evening_before(uow: Callable[[], UnitOfWork], clock: TestClock,
                                                 tmp_path: Path) -> None:
    kept = invitations(tmp_path)
    family = person(uow, clock, kept)
    family.walk()
    said = family.send(choice="gathering:remind:family-sat@202612121400")
    assert "前の日の夕方" in texts(said) and choices(said)[0].startswith("gathering:stop:")
    family.send(choice="gathering:remind:family-sat@202612121400")  # twice asked, one reminder
    sweep = ReminderSweep(uow, kept, clock)
    assert sweep.send_due() == (0, 0)
    clock.set(at(2026, 12, 11, 18, 1))
    assert sweep.send_due() == (1, 0)
    assert sweep.send_due() == (0, 0), "sent once"
    sent = [t for t in outbox_texts(uow, clock) if "明日は" in t]
    assert len(sent) == 1 and "家族のつどい" in sent[0] and "12月12日（土）14:00" in sent[0]


def test_a_meeting_moved_or_called_off_after_the_reminder_was_planned_sends_nothing(
        uow: Callable[[], UnitOfWork], clock: TestClock, tmp_path: Path) -> None:
    family = person(uow, clock, invitations(tmp_path))
    family.walk()
    family.send(choice="gathering:remind:family-sat@202612121400")
    family.send(choice="gathering:remind:family-sat@202612191400")
    moved = invitations(tmp_path, "cancelled = [2026-12-12]\ndates = [2026-12-13]\n")  # the operators' new file
    renamed_place = Invitations(tuple(replace(g, place="別の会場") if g.id == "family-sat" else g
                                      for g in moved.gatherings))
    clock.set(at(2026, 12, 11, 19, 0))
    assert ReminderSweep(uow, moved, clock).send_due() == (0, 1), "12/12 was called off"
    clock.set(at(2026, 12, 18, 19, 0))
    assert ReminderSweep(uow, renamed_place, clock).send_due() == (0, 1), "the place changed: the fingerprint"
    assert not [t for t in outbox_texts(uow, clock) if "明日は" in t]
    assert "予定は変わった" in texts(family.send(choice="gathering:remind:family-sat@202612121400"))


def test_yameru_cancels_the_reminder(uow: Callable[[], UnitOfWork], clock: TestClock, tmp_path: Path) -> None:
    kept = invitations(tmp_path)
    family = person(uow, clock, kept)
    family.walk()
    stop = choices(family.send(choice="gathering:remind:family-sat@202612121400"))[0]
    assert "やめました" in texts(family.send(choice=stop))
    assert "もうありません" in texts(family.send(choice=stop))
    clock.set(at(2026, 12, 11, 18, 30))
    assert ReminderSweep(uow, kept, clock).send_due() == (0, 0)
    other = person(uow, clock, kept, "p2")
    other.walk()
    assert "もうありません" in texts(other.send(choice=stop)), "only the person's own reminder"


def test_a_reminder_due_while_the_service_was_down_goes_once_after(
        uow: Callable[[], UnitOfWork], clock: TestClock, tmp_path: Path) -> None:
    kept = invitations(tmp_path)
    family = person(uow, clock, kept)
    family.walk()
    family.send(choice="gathering:remind:family-sat@202612121400")
    clock.set(at(2026, 12, 12, 9, 0))  # down from before 18:00 the evening before until the next morning
    first, second = ReminderSweep(uow, kept, clock), ReminderSweep(uow, kept, clock)  # two processes, restarted
    assert first.send_due() == (1, 0)
    assert second.send_due() == (0, 0)
    assert len([t for t in outbox_texts(uow, clock) if "明日は" in t]) == 1
    clock.set(at(2026, 12, 12, 14, 0))
    family.send(choice="gathering:remind:family-sat@202612191400")
    clock.set(at(2026, 12, 19, 15, 0))  # down until the meeting had begun: too late, dropped
    assert ReminderSweep(uow, kept, clock).send_due() == (0, 1)


def test_too_late_for_a_reminder_says_so(uow: Callable[[], UnitOfWork], clock: TestClock, tmp_path: Path) -> None:
    family = person(uow, clock, invitations(tmp_path))
    family.walk()
    clock.set(at(2026, 12, 11, 20, 0))
    assert "もうすぐなので" in texts(family.send(choice="gathering:remind:family-sat@202612121400"))
    with uow() as u:
        assert u.reminders.counts() == {}


def test_the_offer_joins_the_resources_offer_so_a_turn_stays_short(
        uow: Callable[[], UnitOfWork], clock: TestClock, tmp_path: Path) -> None:
    care = Care(load_contacts(), load_resources())
    family = Person(Service(uow, clock=clock, care=care, invitations=invitations(tmp_path)), clock, "p1")
    handed = family.walk()
    joined = [b for b in handed if "handed_off:gatherings" in choices([b])]
    assert len(joined) == 1 and choices(joined) == ["handed_off:resources", "handed_off:gatherings"]


def test_an_erasure_cancels_the_reminders(uow: Callable[[], UnitOfWork], clock: TestClock, tmp_path: Path) -> None:
    kept = invitations(tmp_path)
    family = person(uow, clock, kept)
    family.walk()
    family.send(choice="gathering:remind:family-sat@202612121400")
    family.send("削除")
    family.send(choice="erase:confirm")
    clock.set(at(2026, 12, 11, 18, 30))
    assert ReminderSweep(uow, kept, clock).send_due() == (0, 0)
    with uow() as u:
        assert u.reminders.counts() == {"cancelled": 1}
