"""The console's gatherings: each agency sees its own, with next meetings and anonymous counts; an admin sees
every agency's; the view is audited; a case page shows the gatherings its person would like to go to."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.bootstrap import Container
from bot.gatherings.catalog import load_gatherings
from tests.integration.console_kit import ADACHI, MACHIDA, client, container, csrf_of, handoff, signed_in
from tests.integration.stats_kit import GATHERING

__all__ = ["container"]
TOKYO = ZoneInfo("Asia/Tokyo")


def keep(container: Container, tmp_path: Path) -> None:
    path = tmp_path / "gatherings.toml"
    path.write_text(GATHERING.format(id="adachi-sat", agency=ADACHI, name="土曜の居場所")
                    + GATHERING.format(id="machida-sat", agency=MACHIDA, name="まちだの居場所"), encoding="utf-8")
    container.cases.gatherings = load_gatherings(path)


def test_each_agency_sees_its_gatherings_with_counts_and_the_view_is_audited(container: Container,
                                                                          tmp_path: Path) -> None:
    keep(container, tmp_path)
    handoff_id = handoff(container)
    saturday = datetime(2026, 12, 12, 14, 0, tzinfo=TOKYO)
    with container.uow() as uow:
        case = uow.handoffs.get(handoff_id)
        assert case is not None
        uow.interest.add(case.conversation_id, "adachi-sat", saturday, container.clock())
        uow.commit()
    adachi = signed_in(container, "a1@adachi.example")
    page = adachi.get("/console/gatherings")
    assert page.status_code == 200 and "土曜の居場所" in page.text and "まちだの居場所" not in page.text
    assert "2026-12-12 14:00" in page.text
    assert '<td class="count">1</td>' in page.text, "one person would like to go, no name"
    machida = signed_in(container, "m1@machida.example").get("/console/gatherings")
    assert "まちだの居場所" in machida.text and "土曜の居場所" not in machida.text
    every = signed_in(container, "admin@tsunagu.example").get("/console/gatherings")
    assert "まちだの居場所" in every.text and "土曜の居場所" in every.text
    with container.uow() as uow:
        actions = [(e.actor, e.action) for e in uow.audit.search(None, None, "view_gatherings", None, None, None,
                                                                  None, 50)]
    assert ("a1@adachi.example", "view_gatherings") in actions and ("m1@machida.example", "view_gatherings") in actions
    case_page = adachi.get(f"/console/handoffs/{handoff_id}")
    assert "行ってみたい集まり" in case_page.text and "土曜の居場所" in case_page.text


def test_an_admin_makes_and_rotates_the_agencys_secret_calendar_url(container: Container, tmp_path: Path) -> None:
    keep(container, tmp_path)
    admin = signed_in(container, "admin@tsunagu.example")
    with container.uow() as uow:
        adachi = uow.agencies.by_name(ADACHI)
        assert adachi is not None
    made = admin.post(f"/console/admin/agencies/{adachi.id}/calendar", data={"csrf": csrf_of(admin)},
                      follow_redirects=False)
    assert made.status_code == 303
    first = re.search(r'value="http://testserver(/calendar/[^"]+/gatherings\.ics)"', admin.get("/console/admin").text)
    assert first
    feed = client(container).get(first.group(1))  # no sign-in: the secret is the key
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text and "SUMMARY:土曜の居場所" in feed.text and "まちだ" not in feed.text
    assert "DTSTART:20261212T050000Z" in feed.text, "14:00 in Tokyo, in UTC"
    assert all(len(line.encode()) <= 75 for line in feed.text.split("\r\n")), "folded at 75 octets"
    admin.post(f"/console/admin/agencies/{adachi.id}/calendar", data={"csrf": csrf_of(admin)})
    assert client(container).get(first.group(1)).status_code == 404, "the old URL stops working"
    assert client(container).get("/calendar/guess/gatherings.ics").status_code == 404
    with container.uow() as uow:
        rotations = uow.audit.search(None, None, "calendar_rotate", None, None, None, None, 50)
    assert len(rotations) == 2 and all(first.group(1).split("/")[2] not in str(e) for e in rotations)
