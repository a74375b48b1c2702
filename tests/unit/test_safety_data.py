"""The operators' data files and what is read from them: opening hours (weekly, past midnight, a day of
the month, holidays and the year-end break), crisis contacts (open ones first) and local resources
(fitting topics and municipality)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.safety.contacts import BadContacts, for_danger, load_contacts
from bot.safety.hours import BadHours, format_hours, parse_hours
from bot.safety.resources import BadResources, fitting, load_resources

TOKYO = ZoneInfo("Asia/Tokyo")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def test_weekly_hours_holidays_and_the_year_end_break() -> None:
    office = parse_hours("mon-fri 09:00-17:00")
    assert office.is_open(at(2026, 11, 30, 9, 0)) and not office.is_open(at(2026, 11, 30, 17, 0))
    assert not office.is_open(at(2026, 11, 23, 10, 0)), "勤労感謝の日"
    assert office.next_open(at(2026, 11, 28, 20, 0)) == at(2026, 11, 30, 9, 0)
    assert office.next_open(at(2026, 12, 28, 18, 0)) == at(2027, 1, 4, 9, 0), "12/29–1/3 closed"


def test_hours_past_midnight_a_day_of_the_month_and_24h() -> None:
    night = parse_hours("mon-sun 12:00-05:30")
    assert night.is_open(at(2026, 11, 29, 3, 0)) and not night.is_open(at(2026, 11, 29, 6, 0))
    monthly = parse_hours("mon-sun 16:00-21:00, day10 08:00-08:00")
    assert monthly.is_open(at(2026, 12, 10, 9, 0)) and monthly.is_open(at(2026, 12, 11, 7, 59))
    assert not monthly.is_open(at(2026, 12, 11, 9, 0))
    assert parse_hours("24h").is_open(at(2027, 1, 1, 3, 0))
    assert format_hours(monthly) == "mon-sun 16:00-21:00, day10 08:00-08:00"
    assert format_hours(parse_hours("sat-mon 10:00-12:00")) == "mon 10:00-12:00, sat 10:00-12:00, sun 10:00-12:00"
    for bad in ("whenever", "mon-fri 9-17", "moon 09:00-10:00", "day40 08:00-09:00", "mon 25:00-26:00"):
        with pytest.raises(BadHours):
            parse_hours(bad)


def test_the_bundled_contacts_list_open_lines_first() -> None:
    contacts = load_contacts()
    names = [c.name for c in for_danger(contacts, frozenset({"suicide"}), at(2026, 11, 28, 23, 0))]
    assert names[:2] == ["よりそいホットライン", "東京いのちの電話"]
    assert "いのちの電話（フリーダイヤル）" not in names[:4], "closed at 23:00"
    afternoon = [c.name for c in for_danger(contacts, frozenset({"suicide"}), at(2026, 11, 28, 17, 0))]
    assert "いのちの電話（フリーダイヤル）" in afternoon
    violence = [c.number for c in for_danger(contacts, frozenset({"violence"}), at(2026, 11, 28, 23, 0))]
    assert "110" in violence and "189" in violence and "0120-279-889" in violence
    numbers = " ".join(c.number for c in contacts)
    assert "0570-046-556" not in numbers and "0570-0783-55" not in numbers, "the wrong numbers docs/SAFETY.md warns of"


def test_a_broken_contacts_file_says_where(tmp_path: Path) -> None:
    bad = tmp_path / "contacts.toml"
    bad.write_text('[[contact]]\nname = "x"\nnumber = "1"\nhours = "sometimes"\ncategories = []\n'
                   'checked = 2026-11-01\n', encoding="utf-8")
    with pytest.raises(BadContacts, match="contact 1"):
        load_contacts(bad)


def test_resources_fit_topics_and_municipality() -> None:
    resources = load_resources()
    machida = [r.id for r in fitting(resources, ["hikikomori", "income"], "hikikomori", "町田市")]
    assert len(machida) == 3 and all(
        r in {"machida-saposute", "machida-freespace", "machida-kyoiku-center", "machida-jiritsu-team",
              "machida-hoken-yobo", "machida-daycare", "tokyo-hikikomori-sapo-net", "tokyo-seishin-hoken"}
        for r in machida)
    adachi = [r.id for r in fitting(resources, ["income"], None, "足立区")]
    assert adachi == ["adachi-kurashi-shigoto"], "another city's places are not offered"
    assert fitting(resources, ["dv_abuse"], None, "足立区") == []
    nowhere = [r.id for r in fitting(resources, ["hikikomori"], None, None)]
    assert set(nowhere) <= {"tokyo-hikikomori-sapo-net", "tokyo-seishin-hoken"} and nowhere


def test_a_broken_directory_says_where(tmp_path: Path) -> None:
    bad = tmp_path / "resources.toml"
    bad.write_text('[[resource]]\nid = "x"\nfield = "space"\nname = "x"\nwhat = "x"\nfor_whom = "x"\n'
                   'reach = "x"\ntopics = []\nchecked = 2026-11-01\n', encoding="utf-8")
    with pytest.raises(BadResources, match="resource 1"):
        load_resources(bad)
