"""Gatherings: their schedules in Japan time (weekly, the nth weekday, date lists, holidays and the year-end break
skipped unless told), the file's mistakes named by line, and which gatherings fit the person writing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import gatherings
from bot.gatherings.catalog import BadGatherings, Gathering, fitting, load_gatherings
from bot.gatherings.ical import FeedItem, calendar
from bot.settings import Settings, SettingsError
from dialogs.model import Person, Sheet
from tests.clock import TestClock

TOKYO = ZoneInfo("Asia/Tokyo")
BASE = """
[[gathering]]
id = "g"
agency = "町田市保健所"
name = "テストの集まり"
kind = "ibasho"
for_whom = "person"
place = "どこか"
start = "14:00"
first = 2026-01-01
checked = 2026-11-01
"""


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def one(tmp_path: Path, extra: str, base: str = BASE) -> Gathering:
    path = tmp_path / "gatherings.toml"
    path.write_text(base + extra, encoding="utf-8")
    (found,) = load_gatherings(path)
    return found


def test_a_weekly_gathering_meets_every_week_from_now(tmp_path: Path, clock: TestClock) -> None:
    weekly = one(tmp_path, 'rrule = "FREQ=WEEKLY;BYDAY=TU"\nminutes = 90\n')
    clock.set(at(2026, 12, 9, 10, 30))  # a Wednesday
    assert weekly.schedule.upcoming(clock(), 2) == [at(2026, 12, 15, 14), at(2026, 12, 22, 14)]
    clock.set(at(2026, 12, 15, 14, 0))
    following = weekly.schedule.next(clock())
    assert following == at(2026, 12, 22, 14), "a meeting that has begun is not offered"
    assert following is not None and following.tzinfo == TOKYO


def test_the_second_saturday_and_the_third_thursday(tmp_path: Path, clock: TestClock) -> None:
    second = one(tmp_path, 'rrule = "FREQ=MONTHLY;BYDAY=2SA"\n')
    clock.set(at(2026, 12, 9, 10, 30))
    assert second.schedule.upcoming(clock(), 3) == [at(2026, 12, 12, 14), at(2027, 1, 9, 14), at(2027, 2, 13, 14)]
    third = one(tmp_path, 'rrule = "FREQ=MONTHLY;BYDAY=+3TH"\n')
    assert third.schedule.upcoming(clock(), 2) == [at(2026, 12, 17, 14), at(2027, 1, 21, 14)]


def test_a_public_holiday_is_skipped_unless_the_gathering_meets_on_holidays(tmp_path: Path,
                                                                         clock: TestClock) -> None:
    clock.set(at(2027, 1, 6, 9, 0))
    mondays = one(tmp_path, 'rrule = "FREQ=WEEKLY;BYDAY=MO"\n')
    assert mondays.schedule.next(clock()) == at(2027, 1, 18, 14), "1/11 is 成人の日"
    kept = one(tmp_path, 'rrule = "FREQ=WEEKLY;BYDAY=MO"\non_holidays = true\n')
    assert kept.schedule.next(clock()) == at(2027, 1, 11, 14)


def test_the_year_end_break_is_skipped_unless_the_gathering_meets_then(tmp_path: Path, clock: TestClock) -> None:
    clock.set(at(2026, 12, 23, 9, 0))
    tuesdays = one(tmp_path, 'rrule = "FREQ=WEEKLY;BYDAY=TU"\n')
    assert tuesdays.schedule.next(clock()) == at(2027, 1, 5, 14), "12/29 falls in the break"
    kept = one(tmp_path, 'rrule = "FREQ=WEEKLY;BYDAY=TU"\nover_year_end = true\n')
    assert kept.schedule.next(clock()) == at(2026, 12, 29, 14)


def test_a_list_of_dates_keeps_the_named_days_and_drops_the_cancelled(tmp_path: Path, clock: TestClock) -> None:
    listed = one(tmp_path, "dates = [2027-01-11, 2027-02-20T10:30:00, 2027-03-20]\ncancelled = [2027-03-20]\n")
    clock.set(at(2027, 1, 1, 0, 30))
    assert listed.schedule.upcoming(clock(), 5) == [at(2027, 1, 11, 14), at(2027, 2, 20, 10, 30)], \
        "a date the operator named is kept on a holiday; a cancelled one is not"
    clock.set(at(2027, 2, 21))
    assert listed.schedule.next(clock()) is None
    weekly = one(tmp_path, 'rrule = "FREQ=WEEKLY;BYDAY=TU"\ncancelled = [2026-12-15]\ndates = [2026-12-16]\n')
    clock.set(at(2026, 12, 9, 10, 30))
    assert weekly.schedule.upcoming(clock(), 2) == [at(2026, 12, 16, 14), at(2026, 12, 22, 14)], "moved a day"


def test_an_until_ends_the_rule(tmp_path: Path, clock: TestClock) -> None:
    ending = one(tmp_path, 'rrule = "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261216"\n')
    clock.set(at(2026, 12, 9, 10, 30))
    assert ending.schedule.upcoming(clock(), 3) == [at(2026, 12, 15, 14)]


@pytest.mark.parametrize(("extra", "says"), [
    ('rrule = "FREQ=SOMETIMES"\n', "cannot read rrule"),
    ('rrule = "FREQ=HOURLY"\n', "daily, weekly, monthly or yearly"),
    ('rrule = "DTSTART:20260101T100000\\nRRULE:FREQ=WEEKLY"\n', "rule only"),
    ("", "give rrule"),
    ('rrule = "FREQ=WEEKLY"\nbooking = "required"\n', "booking_how"),
    ('rrule = "FREQ=WEEKLY"\nbooking = "maybe"\n', "booking must be one of"),
    ('rrule = "FREQ=WEEKLY"\nages = [49, 18]\n', "ages must be"),
    ('rrule = "FREQ=WEEKLY"\ndates = ["next week"]\n', "is not a date"),
    ('rrule = "FREQ=WEEKLY"\nminutes = 0\n', "minutes must be"),
])
def test_a_mistake_in_the_file_is_named_with_its_line(tmp_path: Path, extra: str, says: str) -> None:
    path = tmp_path / "gatherings.toml"
    path.write_text("# a comment\n" + BASE + extra, encoding="utf-8")
    with pytest.raises(BadGatherings, match=f"gathering 1 \\(line 3\\): .*{says}"):
        load_gatherings(path)


def test_a_missing_field_or_place_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gatherings.toml"
    path.write_text(BASE.replace('start = "14:00"\n', "") + 'rrule = "FREQ=WEEKLY"\n', encoding="utf-8")
    with pytest.raises(BadGatherings, match="missing 'start'"):
        load_gatherings(path)
    path.write_text(BASE.replace('place = "どこか"\n', "") + 'rrule = "FREQ=WEEKLY"\n', encoding="utf-8")
    with pytest.raises(BadGatherings, match=r"place .* or online"):
        load_gatherings(path)


def test_a_bad_file_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "gatherings.toml"
    path.write_text(BASE.replace('"ibasho"', '"party"') + 'rrule = "FREQ=WEEKLY"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"TSUNAGU_GATHERINGS: .*line 2"):
        gatherings(Settings.load({"TSUNAGU_GATHERINGS": str(path), "TSUNAGU_DATA_DIR": str(tmp_path)},
                                 dotenv=tmp_path / "none"))


def test_the_bundled_examples_carry_the_source_documents_gatherings(clock: TestClock) -> None:
    bundled = load_gatherings()
    names = " ".join(g.name for g in bundled)
    for expected in ("マンボウ", "家族", "ロケット", "出張総合相談会", "出前相談"):
        assert expected in names
    assert all(g.example for g in bundled), "marked as examples for operators to replace"
    rocket = next(g for g in bundled if g.id == "oshima-rocket")
    assert rocket.ages == (18, 49) and rocket.booking == "none" and "話さなくても参加できます。" in rocket.expect


def test_gatherings_fit_who_writes_where_and_how_old(clock: TestClock) -> None:
    bundled = load_gatherings()
    clock.set(at(2026, 12, 9, 10, 30))
    family = fitting(bundled, Sheet(writer="family", person=Person(municipality="町田市")), clock())
    assert [u.gathering.id for u in family] == ["machida-family-group"], "a family member is shown the family group"
    person = fitting(bundled, Sheet(writer="self", person=Person(municipality="町田市")), clock())
    assert [u.gathering.id for u in person] == ["machida-manbou"]
    young = fitting(bundled, Sheet(writer="self", person=Person(municipality="大島町", age=25)), clock())
    old = fitting(bundled, Sheet(writer="self", person=Person(municipality="大島町", age_band="50s")), clock())
    assert [u.gathering.id for u in young] == ["oshima-rocket"] and old == [], "ロケット is for about 18 to 49"
    adachi = fitting(bundled, Sheet(writer="family", person=Person(municipality="足立区")), clock())
    assert [u.gathering.id for u in adachi] == ["adachi-demae", "adachi-shucho-sogo"], "soonest first"
    assert fitting(bundled, Sheet(person=Person(municipality="札幌市")), clock()) == []
    assert all(u.start > clock() for u in family + person + young + adachi)


def test_a_reminders_fingerprint_follows_the_time_and_the_place(tmp_path: Path, clock: TestClock) -> None:
    weekly = one(tmp_path, 'rrule = "FREQ=WEEKLY;BYDAY=TU"\n')
    moved = one(tmp_path, 'rrule = "FREQ=WEEKLY;BYDAY=TU"\n', BASE.replace("どこか", "べつの場所"))
    start = weekly.schedule.next(clock())
    assert start is not None
    assert weekly.fingerprint(start) == one(tmp_path, 'rrule = "FREQ=WEEKLY;BYDAY=TU"\n').fingerprint(start)
    assert weekly.fingerprint(start) != moved.fingerprint(start)
    assert weekly.fingerprint(start) != weekly.fingerprint(start.replace(hour=15))


def test_an_id_the_buttons_cannot_carry_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gatherings.toml"
    path.write_text(BASE.replace('id = "g"', 'id = "家族会"') + 'rrule = "FREQ=WEEKLY"\n', encoding="utf-8")
    with pytest.raises(BadGatherings, match="id must be"):
        load_gatherings(path)


def test_the_calendar_feed_escapes_and_folds(tmp_path: Path, clock: TestClock) -> None:
    place = BASE.replace("どこか", "東京都町田市, 保健所; 2階\\\\奥")
    weekly = one(tmp_path, 'rrule = "FREQ=WEEKLY;BYDAY=TU"\n', place)
    clock.set(at(2026, 12, 9, 10, 30))
    text = calendar("町田市保健所" * 10, [FeedItem(weekly, 2, 1)], clock())
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "LOCATION:東京都町田市\\, 保健所\\; 2階\\\\奥" in text
    assert "DTSTART:20261215T050000Z" in text and "DTEND:20261215T070000Z" in text
    assert "interested (all meetings): 2" in text.replace("\r\n ", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "X-WR-CALNAME:" + "町田市保健所" * 10 in text.replace("\r\n ", "")
