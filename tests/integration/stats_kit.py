"""The statistics' hand-counted world: known cases on both databases, made through the service and the use cases
where a person or counselor would make them (an intake, a crisis, a claim, a reply, relays, an erasure,
retention), and written through the repositories where only the sheet's answers matter (a channel, an age band,
a municipality). EXPECTED is every cell, counted by hand."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.bootstrap import Container
from bot.cases.actor import OPERATOR, Actor
from bot.cases.relaying import RelayForm
from bot.gatherings.catalog import load_gatherings
from dialogs.model import Inbound
from tests.clock import TOKYO, TestClock
from tests.integration.console_kit import ADACHI, MACHIDA, handoff

FIRST, LAST = "2026-12-01", "2026-12-31"
# A weekly gathering in the operators' file (`name`, `id`, `agency` filled in), for the tests that keep some.
GATHERING = """
[[gathering]]
id = "{id}"
agency = "{agency}"
name = "{name}"
kind = "ibasho"
for_whom = "both"
place = "公民館"
rrule = "FREQ=WEEKLY;BYDAY=SA"
start = "14:00"
first = 2026-01-01
checked = 2026-11-01
"""


def actor(container: Container, email: str) -> Actor:
    """The use cases' actor for a console account."""
    with container.uow() as uow:
        account = uow.counselors.by_email(email)
        assert account is not None
        return Actor(account.email, account.role, account.agency_id, account.id)


def seed_case(container: Container, user: str, at: datetime, channel: str = "telegram", writer: str | None = "self",
              topics: tuple[str, ...] = (), main: str | None = None, band: str | None = None,
              municipality: str | None = None, after_hours: bool | None = False) -> str:
    """A handed-off intake with these answers, at `at`, in the agency serving its municipality."""
    with container.uow() as uow:
        conv = uow.conversations.lock(channel, user, at)
        assert conv.id is not None
        conv.state = "handed_off"
        conv.sheet.writer, conv.sheet.topics, conv.sheet.main_topic = writer, list(topics), main
        conv.sheet.person.age_band, conv.sheet.person.municipality = band, municipality
        uow.conversations.save(conv, at)
        uow.consents.add(conv.id, True, "test", at)
        agency = uow.agencies.for_municipality(municipality)
        assert agency is not None
        handoff_id = uow.handoffs.add(conv, agency, False, at, after_hours=after_hours)
        uow.commit()
        return handoff_id


def say(container: Container, user: str, n: int, **step: str) -> None:
    """The person writes or presses once."""
    container.service.handle(Inbound("webchat", user, f"{user}-x{n}", container.clock(), **step))


def world(container: Container, clock: TestClock) -> None:
    """The fixture: ten people, eleven cases in December 2026 and one in November, in Japan time."""
    a1, m1 = actor(container, "a1@adachi.example"), actor(container, "m1@machida.example")
    sv = actor(container, "sv@adachi.example")
    clock.freeze()
    # 1. Wed 12-09 10:30: a family intake on the web chat (topic hikikomori), in hours; claimed, answered in 2 h,
    #    relayed to 町田市 and accepted there (the copy is not a case), then closed as connected.
    clock.set(datetime(2026, 12, 9, 10, 30, tzinfo=TOKYO))
    first = handoff(container, "web-1")
    clock.advance(minutes=30)
    container.cases.claim(a1, first)
    clock.advance(minutes=90)
    container.cases.reply(a1, first, "こんにちは")
    copy = container.cases.offer(a1, first, RelayForm(_agency_id(container, MACHIDA), "お願いします", False))
    container.cases.accept(m1, copy)
    container.cases.close(a1, first, "connected")
    # 2. Sat 12-12 23:15: a person on Telegram in 町田市 (income, debt; income hardest; 20s), after hours.
    second = seed_case(container, "tg-2", datetime(2026, 12, 12, 23, 15, tzinfo=TOKYO), "telegram", "self",
                       ("income", "debt"), "income", "20s", "町田市", True)
    #    relayed back to the default agency, which declines.
    m1_claims(container, m1, second)
    declined = container.cases.offer(m1, second, RelayForm(_agency_id(container, ADACHI), "", False))
    container.cases.decline(a1, declined, "対象外です")
    # 3. the same person again, Sun 12-20 03:05 (returning), no answers kept, after hours.
    seed_case(container, "tg-2", datetime(2026, 12, 20, 3, 5, tzinfo=TOKYO), "telegram", None, (), None, None,
              "町田市", True)
    # 4. a person with a case in November (outside the period) and another on Tue 12-15 14:00 (returning).
    seed_case(container, "line-4", datetime(2026, 11, 20, 9, 0, tzinfo=TOKYO), "line", "family", ("care",), "care")
    seed_case(container, "line-4", datetime(2026, 12, 15, 14, 0, tzinfo=TOKYO), "line", "family",
              ("care", "health"), "care", "60s_plus", "足立区")
    # 5. Thu 12-17 21:40: a crisis at the first message on the web chat: the urgent case comes at once, the
    #    intake then completes the same case (counted once); claimed 20 minutes after the flag.
    clock.set(datetime(2026, 12, 17, 21, 40, tzinfo=TOKYO))
    say(container, "web-5", 0, kind="open")
    say(container, "web-5", 1, text="もう死にたい")
    crisis = handoff(container, "web-5")
    clock.advance(minutes=20)
    container.cases.claim(a1, crisis)
    # 6. Fri 12-18 11:00: a supporter on LINE (40s, 足立区, dv_abuse), in hours; erased at the person's request
    #    the next day (its statistics stay).
    erased = seed_case(container, "line-6", datetime(2026, 12, 18, 11, 0, tzinfo=TOKYO), "line", "supporter",
                       ("dv_abuse",), "dv_abuse", "40s", "足立区")
    clock.set(datetime(2026, 12, 19, 9, 0, tzinfo=TOKYO))
    container.cases.erase(sv, erased, confirmed=True)
    # 7-9. three intakes that stop: at the topics (12-10), at who (12-11), and one at consent on 12-02 that
    #    retention deletes all three after their silence (each kept as a dropped intake: its step and day).
    clock.set(datetime(2026, 12, 2, 8, 0, tzinfo=TOKYO))
    for n, step in enumerate(({"kind": "open"}, {"choice_id": "welcome:start"}, {"choice_id": "who:self"})):
        say(container, "web-9", n, **step)
    clock.set(datetime(2026, 12, 10, 8, 0, tzinfo=TOKYO))
    for n, step in enumerate(({"kind": "open"}, {"choice_id": "welcome:start"}, {"choice_id": "who:self"},
                              {"choice_id": "consent:yes"})):
        say(container, "web-7", n, **step)
    clock.set(datetime(2026, 12, 11, 8, 0, tzinfo=TOKYO))
    for n, step in enumerate(({"kind": "open"}, {"choice_id": "welcome:start"})):
        say(container, "web-8", n, **step)
    # 10. outreach links and gatherings (after the intakes, before retention: see outreach_and_gatherings).
    outreach_and_gatherings(container)
    clock.set(datetime(2026, 12, 9, 0, 0, tzinfo=TOKYO) + timedelta(days=95))
    container.retention().run()


def gatherings_file(path: Path) -> Path:
    """The fixture's gatherings file: two of 町田市 (manbou, family) and one of the default agency (demae)."""
    path.write_text("".join(GATHERING.format(id=g, agency=a, name=g) for g, a in (
        ("machida-manbou", MACHIDA), ("machida-family", MACHIDA), ("adachi-demae", ADACHI))), encoding="utf-8")
    return path


def keep_gatherings(container: Container) -> None:
    """The use cases keep the fixture's gatherings."""
    with tempfile.TemporaryDirectory() as folder:
        container.cases.gatherings = load_gatherings(gatherings_file(Path(folder) / "gatherings.toml"))


def outreach_and_gatherings(container: Container) -> None:
    """Who came through which agency's link: web-1, web-5 and web-7 (which retention deletes unfinished) the
    default agency's, tg-2 町田市's, line-4 町田市's (but its conversation opened in November). 「行ってみたい」 and
    reminders, by the day they were said: manbou by web-1 for two meetings and tg-2 (3), and line-4 in November
    (not counted), one reminder by web-1; family by web-5 with a reminder; demae by tg-2 with a reminder; "gone"
    (no longer in the file) by line-4."""
    keep_gatherings(container)
    saturday = datetime(2026, 12, 26, 14, 0, tzinfo=TOKYO)
    with container.uow() as uow:
        conv = {user: _conversation(uow, channel, user) for channel, user in (
            ("webchat", "web-1"), ("webchat", "web-5"), ("telegram", "tg-2"), ("line", "line-4"),
            ("webchat", "web-7"))}
        for user, agency in (("web-1", ADACHI), ("web-5", ADACHI), ("tg-2", MACHIDA), ("line-4", MACHIDA),
                             ("web-7", ADACHI)):
            found = uow.agencies.by_name(agency)
            assert found is not None
            uow.conversations.came_via(conv[user], found.id)
        for user, gathering, day, meeting in (
                ("web-1", "machida-manbou", 9, saturday), ("web-1", "machida-manbou", 9, saturday - timedelta(7)),
                ("tg-2", "machida-manbou", 13, saturday), ("web-5", "machida-family", 18, saturday),
                ("tg-2", "adachi-demae", 13, saturday), ("line-4", "gone", 16, saturday)):
            uow.interest.add(conv[user], gathering, meeting, datetime(2026, 12, day, 12, tzinfo=TOKYO))
        uow.interest.add(conv["line-4"], "machida-manbou", saturday, datetime(2026, 11, 25, 12, tzinfo=TOKYO))
        for user, gathering, day in (("web-1", "machida-manbou", 9), ("web-5", "machida-family", 18),
                                     ("tg-2", "adachi-demae", 13)):
            uow.reminders.add(conv[user], gathering, saturday, "fp", saturday - timedelta(days=1),
                              datetime(2026, 12, day, 12, tzinfo=TOKYO))
        uow.commit()


def _conversation(uow: Any, channel: str, user: str) -> str:
    found = uow.conversations.find(channel, user)
    assert found is not None and found.id is not None
    return str(found.id)


def m1_claims(container: Container, m1: Actor, handoff_id: str) -> None:
    """町田市's counselor takes the case."""
    container.cases.claim(m1, handoff_id)


def _agency_id(container: Container, name: str) -> int:
    with container.uow() as uow:
        agency = uow.agencies.by_name(name)
        assert agency is not None
        return agency.id


def zeros(keys: tuple[str, ...], **counts: int) -> dict[str, int]:
    """Every key, zero unless given."""
    return {key: counts.get(key, 0) for key in keys}


def grid(*cells: tuple[int, int]) -> list[list[int]]:
    """The weekday-by-hour grid with one case at each (weekday, hour)."""
    rows = [[0] * 24 for _ in range(7)]
    for day, hour in cells:
        rows[day][hour] += 1
    return rows


OPERATOR_ACTOR = OPERATOR
Expected = dict[str, Any]
