"""The console's gatherings: each agency sees its own, with next meetings and anonymous counts; an admin sees
every agency's; the view is audited; a case page shows the gatherings its person would like to go to."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.bootstrap import Container
from bot.gatherings.catalog import load_gatherings
from tests.integration.console_kit import ADACHI, MACHIDA, container, handoff, signed_in

__all__ = ["container"]
TOKYO = ZoneInfo("Asia/Tokyo")
ENTRY = """
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


def keep(container: Container, tmp_path: Path) -> None:
    path = tmp_path / "gatherings.toml"
    path.write_text(ENTRY.format(id="adachi-sat", agency=ADACHI, name="土曜の居場所")
                    + ENTRY.format(id="machida-sat", agency=MACHIDA, name="まちだの居場所"), encoding="utf-8")
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
