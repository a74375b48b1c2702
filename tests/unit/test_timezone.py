"""One time zone for people: the dialog's "today" (for ages) and the printed sheet's dates are the people's, in
TSUNAGU_TIMEZONE, whatever UTC says."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.sheet import view
from dialogs.engine import handle
from dialogs.model import Conversation, Inbound

TOKYO = ZoneInfo("Asia/Tokyo")
# 00:30 on 10 December in Tokyo is still 9 December in UTC.
JUST_AFTER_MIDNIGHT = datetime(2026, 12, 10, 0, 30, tzinfo=TOKYO)


def test_an_age_counts_the_birthday_as_the_person_sees_the_date() -> None:
    conv = Conversation("webchat", "p", state="profile", started=True, sub_step=3)  # the birth date question
    handle(conv, Inbound("webchat", "p", "e1", JUST_AFTER_MIDNIGHT.astimezone(UTC), text="1990年12月10日"), TOKYO)
    assert conv.sheet.person.age == 36, "36 today in Tokyo"
    conv = Conversation("webchat", "p", state="profile", started=True, sub_step=3)
    handle(conv, Inbound("webchat", "p", "e1", JUST_AFTER_MIDNIGHT.astimezone(UTC), text="1990年12月10日"), UTC)
    assert conv.sheet.person.age == 35, "still 35 by UTC's date"


def test_the_printed_sheet_dates_are_the_peoples() -> None:
    received = JUST_AFTER_MIDNIGHT.astimezone(UTC).isoformat()
    sheet = {"id": "x", "received_at": received, "consent_records": [{"withdrawn_at": received}],
             "relays": [{"at": received, "status": "offered"}]}
    printed = view(sheet, date(2026, 12, 10), TOKYO)
    assert printed["received"] == printed["withdrawn"] == printed["relays"][0]["date"] == "令和8年12月10日"
    assert view(sheet, date(2026, 12, 10), ZoneInfo("UTC"))["received"] == "令和8年12月9日"
