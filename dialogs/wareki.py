"""Japanese era dates (和暦): parsing what people type and printing dates as the paper form does."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

ERAS: tuple[tuple[str, date], ...] = (
    ("令和", date(2019, 5, 1)),
    ("平成", date(1989, 1, 8)),
    ("昭和", date(1926, 12, 25)),
    ("大正", date(1912, 7, 30)),
)
_ERA_ALIASES = {
    "R": "令和", "H": "平成", "S": "昭和", "T": "大正",
    "れいわ": "令和", "へいせい": "平成", "しょうわ": "昭和", "たいしょう": "大正",
}
_ERA_ENDS: dict[str, date] = {
    "平成": date(2019, 4, 30),
    "昭和": date(1989, 1, 7),
    "大正": date(1926, 12, 25),
}


@dataclass(frozen=True)
class PartialDate:
    """A birth date as precise as the person gave it (year, perhaps month and day)."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        """YYYY, YYYY-MM or YYYY-MM-DD."""
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)

    @staticmethod
    def from_iso(text: str) -> PartialDate:
        """Read back what iso() wrote."""
        nums = [int(p) for p in text.split("-")]
        return PartialDate(*nums)


_ERA_RE = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|れいわ|へいせい|しょうわ|たいしょう|[RHST])\s*"
    r"(?P<year>元|\d{1,2})\s*(?:年|\.|/|-)?\s*"
    r"(?:(?P<month>\d{1,2})\s*(?:月|\.|/|-)?\s*(?:(?P<day>\d{1,2})\s*日?)?)?$",
    re.IGNORECASE,
)
_WESTERN_RE = re.compile(
    r"^(?P<year>\d{4})\s*(?:年|\.|/|-)?\s*"
    r"(?:(?P<month>\d{1,2})\s*(?:月|\.|/|-)?\s*(?:(?P<day>\d{1,2})\s*日?)?)?$"
)


def _valid(year: int, month: int | None, day: int | None) -> bool:
    if month is None:
        return True
    if not 1 <= month <= 12:
        return False
    if day is None:
        return True
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def parse_birth_date(text: str, today: date) -> PartialDate | None:
    """Read a birth date typed in 和暦 (昭和60年4月1日, 平成元年, S60.4.1) or Western form; None when unreadable."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    cleaned = cleaned.removesuffix("生まれ").removesuffix("うまれ")
    match = _ERA_RE.match(cleaned)
    if match:
        era = match["era"]
        era = _ERA_ALIASES.get(era.upper() if len(era) == 1 else era, era)
        start = dict(ERAS)[era]
        era_year = 1 if match["year"] == "元" else int(match["year"])
        if era_year < 1:
            return None
        year = start.year + era_year - 1
        end = _ERA_ENDS.get(era)
        if end is not None and year > end.year:
            return None
    else:
        match = _WESTERN_RE.match(cleaned)
        if not match:
            return None
        year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if not _valid(year, month, day) or year < 1900 or year > today.year:
        return None
    return PartialDate(year, month, day)


def age_on(birth: PartialDate, today: date) -> int | None:
    """Age in whole years on a day, when the birth date is precise enough."""
    if birth.month is None:
        return None
    day = birth.day or 1
    age = today.year - birth.year
    if (today.month, today.day) < (birth.month, day):
        age -= 1
    return age


def era_of(day: date) -> tuple[str, int]:
    """The era and era year of a date (the change day belongs to the new era)."""
    for name, start in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    return "", day.year


def format_wareki(day: date) -> str:
    """A date as 令和7年4月1日 (元年 for the first year)."""
    era, year = era_of(day)
    year_text = "元" if year == 1 else str(year)
    return f"{era}{year_text}年{day.month}月{day.day}日"


def format_partial_wareki(birth: PartialDate) -> str:
    """A birth date of any precision in 和暦."""
    if birth.month is None:
        era, year = era_of(date(birth.year, 12, 31))
        year_text = "元" if year == 1 else str(year)
        return f"{era}{year_text}年"
    if birth.day is None:
        era, year = era_of(date(birth.year, birth.month, 28))
        year_text = "元" if year == 1 else str(year)
        return f"{era}{year_text}年{birth.month}月"
    return format_wareki(date(birth.year, birth.month, birth.day))


def age_band(age: int | None) -> str | None:
    """The sheet's age band (10s … 60s_plus) of an age in whole years."""
    if age is None:
        return None
    if age >= 60:
        return "60s_plus"
    return f"{max(10, age // 10 * 10)}s"


@dataclass(frozen=True)
class Birth:
    """A typed birth date read for the sheet: the date as precise as given, the age and band it implies."""

    date: PartialDate
    age: int | None
    band: str | None


def read_birth(text: str, today: date) -> Birth | None:
    """A birth date typed in 和暦 or Western form, with the age on `today` (the person's day, in their time
    zone); None when it cannot be read."""
    birth = parse_birth_date(text, today)
    if birth is None:
        return None
    age = age_on(birth, today)
    return Birth(birth, age, age_band(age))
