"""和暦: reading what people type and printing dates like the paper form."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.wareki import PartialDate, format_partial_wareki, format_wareki, parse_birth_date

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("昭和60年4月1日", PartialDate(1985, 4, 1)),
        ("平成元年", PartialDate(1989)),
        ("平成元年1月8日", PartialDate(1989, 1, 8)),
        ("令和元年5月1日", PartialDate(2019, 5, 1)),
        ("Ｓ６０．４．１", PartialDate(1985, 4, 1)),
        ("H2/3/4", PartialDate(1990, 3, 4)),
        ("大正15年", PartialDate(1926)),
        ("1985年4月1日", PartialDate(1985, 4, 1)),
        ("1985-04-01", PartialDate(1985, 4, 1)),
        ("1990/7", PartialDate(1990, 7)),
        ("しょうわ50ねん", None),
        ("昭和70年", None),
        ("平成31年2月30日", None),
        ("2030年", None),
        ("わからない", None),
    ],
)
def test_parse_birth_date(typed: str, expected: PartialDate | None) -> None:
    assert parse_birth_date(typed, TODAY) == expected


def test_formatting() -> None:
    assert format_wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert format_wareki(date(2019, 4, 30)) == "平成31年4月30日"
    assert format_wareki(date(1989, 1, 7)) == "昭和64年1月7日"
    assert format_partial_wareki(PartialDate(1989)) == "平成元年"
    assert format_partial_wareki(PartialDate(1985, 4)) == "昭和60年4月"
