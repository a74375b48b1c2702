"""End to end, on the real server: gatherings asked for in the web chat (after the handoff, by a word), on
Telegram (/events) and on LINE (a word), 「行ってみたい」 and 「思い出させて」 pressed there; and a reminder that
fell due while the server was down goes out once, after the restart (the restarted server's clock is sent past
its hour)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.conftest import BACKENDS, database_url
from tests.e2e.intake import walk_family_intake
from tests.e2e.line_person import LinePerson
from tests.e2e.server import start
from tests.e2e.telegram_person import TelegramPerson, webhook
from tests.e2e.test_line import line_env
from tests.e2e.test_telegram import telegram_env
from tests.e2e.webchat_person import Person
from tests.standins.line_api import LineStandIn
from tests.standins.telegram_api import TelegramStandIn

pytestmark = pytest.mark.e2e
TOKYO = ZoneInfo("Asia/Tokyo")
AGENCY = "足立区くらしとしごとの相談センター"


def gatherings_file(tmp_path: Path, meeting: datetime) -> Path:
    """A family group meeting once, at `meeting`, and a weekly 居場所 for everyone, serving anywhere."""
    path = tmp_path / "gatherings.toml"
    path.write_text(f"""
[[gathering]]
id = "family-once"
agency = "{AGENCY}"
name = "家族のつどい"
kind = "family_group"
for_whom = "family"
place = "区民センター"
dates = [{meeting:%Y-%m-%dT%H:%M:00}]
start = "14:00"
expect = ["聞いているだけでも大丈夫です。"]
checked = 2026-11-01

[[gathering]]
id = "ibasho-weekly"
agency = "{AGENCY}"
name = "毎週の居場所"
kind = "ibasho"
for_whom = "both"
place = "駅前の部屋"
rrule = "FREQ=WEEKLY"
start = "13:00"
first = {meeting:%Y-%m-%d}
expect = ["話さなくても参加できます。"]
checked = 2026-11-01
""", encoding="utf-8")
    return path


def three_days_on() -> datetime:
    """14:00 in Tokyo, three days from the test's today (whatever day the suite runs)."""
    today = datetime.now(TOKYO).date()
    return datetime.combine(today + timedelta(days=3), datetime.min.time(), TOKYO).replace(hour=14)


def texts(person: Person, after: int = 0) -> list[str]:
    response = person.http.get(f"/chat/api/messages?after={after}")
    assert response.status_code == 200
    return [str(m.get("text", "")) for m in response.json()["messages"] if m["from"] == "bot"]


def choice_ids(data: dict[str, object]) -> list[str]:
    return [c["id"] for m in data["messages"] for c in m.get("choices", [])]  # type: ignore[attr-defined]


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    url = database_url(request.param, tmp_path)
    return None if request.param == "sqlite" else url


def test_webchat_gatherings_and_a_reminder_due_during_a_restart(db: str | None, tmp_path: Path) -> None:
    meeting = three_days_on()
    env = {"TSUNAGU_GATHERINGS": str(gatherings_file(tmp_path, meeting))}
    server = start(tmp_path / "var", db, env)
    try:
        assert server.cli("agency", "add", AGENCY, "--municipality", "足立区").returncode == 0
        person = Person(server.url)
        walk_family_intake(person)
        assert "handed_off:gatherings" in choice_ids(person.last)
        listed = person.say("集まり")
        assert "家族のつどい" in str(listed) and "毎週の居場所" in str(listed)
        stamp = f"{meeting:%Y%m%d%H%M}"
        assert f"gathering:want:family-once@{stamp}" in choice_ids(listed)
        assert "相談員に伝えておきますね" in str(person.press(f"gathering:want:family-once@{stamp}"))
        assert "前の日の夕方" in str(person.press(f"gathering:remind:family-once@{stamp}"))
    finally:
        server.kill()  # down from now until after the reminder's hour
    due = meeting - timedelta(days=1)
    due = due.replace(hour=18, minute=0)
    later = {**env, "TSUNAGU_TEST_TIME": (due + timedelta(minutes=30)).isoformat()}
    for _ in range(2):  # restarted, then restarted again: one reminder
        server = start(tmp_path / "var", db, later)
        person.http = httpx.Client(base_url=server.url, cookies=person.http.cookies, timeout=10)  # the same browser
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not [t for t in texts(person) if "明日は" in t]:
                time.sleep(0.2)
            time.sleep(1.5)
            reminders = [t for t in texts(person) if "明日は" in t]
            assert len(reminders) == 1 and "家族のつどい" in reminders[0]
        finally:
            server.stop()


@pytest.fixture
def telegram() -> Iterator[TelegramStandIn]:
    standin = TelegramStandIn(timeout_sleep=1.5).start()
    yield standin
    standin.stop()


def test_telegram_events_command_and_buttons(telegram: TelegramStandIn, tmp_path: Path) -> None:
    meeting = three_days_on()
    env = {**telegram_env(telegram), "TSUNAGU_GATHERINGS": str(gatherings_file(tmp_path, meeting))}
    server = start(tmp_path / "var", None, env)
    try:
        person = TelegramPerson(telegram, 4242, webhook(server.url))
        person.open()
        person.say("/events")
        person.wait_for_text("毎週の居場所")
        person.wait_for_text("家族のつどい")
        stamp = f"{meeting:%Y%m%d%H%M}"
        person.press(f"gathering:want:family-once@{stamp}")
        person.wait_for_text("相談員に伝えておきますね")
        person.press(f"gathering:remind:family-once@{stamp}")
        planned = person.wait_for_text("前の日の夕方")
        person.press(next(d for d in planned.data() if d.startswith("gathering:stop:")))
        person.wait_for_text("お知らせをやめました。")
    finally:
        server.stop()


@pytest.fixture
def line() -> Iterator[LineStandIn]:
    standin = LineStandIn(timeout_sleep=1.5).start()
    yield standin
    standin.stop()


def test_line_word_and_postbacks(line: LineStandIn, tmp_path: Path) -> None:
    meeting = three_days_on()
    env = {**line_env(line), "TSUNAGU_GATHERINGS": str(gatherings_file(tmp_path, meeting))}
    server = start(tmp_path / "var", None, env)
    try:
        person = LinePerson(line, server.url, "U20000000000000000000000000000002")
        person.open()
        person.say("集まり")
        person.wait_for_text("毎週の居場所")
        stamp = f"{meeting:%Y%m%d%H%M}"
        person.press(f"gathering:want:family-once@{stamp}")
        person.wait_for_text("相談員に伝えておきますね")
        person.press(f"gathering:remind:family-once@{stamp}")
        planned = person.wait_for_text("前の日の夕方")
        person.press(next(d for d in planned.data() if d.startswith("gathering:stop:")))
        person.wait_for_text("お知らせをやめました。")
    finally:
        server.stop()
