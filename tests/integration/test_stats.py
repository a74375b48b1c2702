"""Statistics against hand-counted fixtures (tests/integration/stats_kit.py), on SQLite and PostgreSQL: every cell
of the report, for every agency and for one; then the shown report through the use case, small numbers hidden."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.bootstrap import Container
from bot.cases.actor import OPERATOR
from bot.cases.errors import NotFound
from bot.cases.statistics import StatsRequest
from bot.stats.report import OUTCOMES, WAITS, Period, build
from dialogs.model import AGE_BANDS
from dialogs.topics import TOPIC_IDS
from tests.clock import TOKYO, TestClock
from tests.integration.console_kit import ADACHI, MACHIDA, container
from tests.integration.stats_kit import FIRST, LAST, actor, grid, world, zeros
from tests.stats_checks import assert_protected

__all__ = ["container"]
TOPICS = (*TOPIC_IDS, "unknown")


def gathering(name: str, interested: int | str, reminders: int | str) -> dict[str, Any]:
    """One row of the gatherings' counts."""
    return {"gathering": name, "interested": interested, "reminders": reminders}


STEPS = ("welcome", "who", "consent", "topics", "main_topic", "details", "wishes", "contact", "profile",
         "registrant", "review")
FUNNEL = {"opened": 7, "consent_answered": 5, "handoff_sent": 4, "stopped": zeros(STEPS, who=1, consent=1, topics=1)}
RELAYS = [{"from": ADACHI, "to": MACHIDA, "accepted": 1, "declined": 0, "offered": 0},
          {"from": MACHIDA, "to": ADACHI, "accepted": 0, "declined": 1, "offered": 0}]
EVERY_AGENCY = {
    "from": FIRST, "to": LAST, "min_cell": 5,
    "cases": {"new": 4, "returning": 2, "people": 5, "total": 6},
    "by_writer": {"self": 1, "family": 3, "supporter": 1, "unknown": 1},
    "by_channel": {"telegram": 2, "line": 2, "webchat": 2},
    "by_topic": zeros(TOPICS, income=1, debt=1, health=1, care=1, hikikomori=2, dv_abuse=1, unknown=1),
    "by_main_topic": zeros(TOPICS, income=1, care=1, hikikomori=2, dv_abuse=1, unknown=1),
    "by_age_band": zeros((*AGE_BANDS, "unknown"), **{"20s": 1, "40s": 1, "60s_plus": 1, "unknown": 3}),
    "by_municipality": {"町田市": 2, "足立区": 2, "unknown": 2},
    "by_hour_weekday": grid((2, 10), (5, 23), (6, 3), (1, 14), (3, 21), (4, 11)),
    "after_hours_share": None, "after_hours": {"outside": 3, "inside": 3, "unknown": 0},
    "funnel": FUNNEL,
    "first_reply_buckets": {"overall": zeros(WAITS, **{"1_4h": 1, "none": 5}),
                            "office_hours": zeros(WAITS, **{"1_4h": 1, "none": 2})},
    "crisis": {"urgent": 1, "flag_to_claim": zeros(WAITS, lt_1h=1)},
    "relays": RELAYS,
    "outcomes": zeros(OUTCOMES, connected=1, erased=1, open=4),
    "by_outreach_link": {ADACHI: 3, MACHIDA: 1},
    "gatherings": [gathering("adachi-demae", 1, 1), gathering("gone", 1, 0), gathering("machida-family", 1, 1),
                   gathering("machida-manbou", 3, 1)],
}
MACHIDA_ONLY = {
    **EVERY_AGENCY,
    "cases": {"new": 1, "returning": 1, "people": 1, "total": 2},
    "by_writer": {"self": 1, "family": 0, "supporter": 0, "unknown": 1},
    "by_channel": {"telegram": 2, "line": 0, "webchat": 0},
    "by_topic": zeros(TOPICS, income=1, debt=1, unknown=1),
    "by_main_topic": zeros(TOPICS, income=1, unknown=1),
    "by_age_band": zeros((*AGE_BANDS, "unknown"), **{"20s": 1, "unknown": 1}),
    "by_municipality": {"町田市": 2, "unknown": 0},
    "by_hour_weekday": grid((5, 23), (6, 3)),
    "after_hours": {"outside": 2, "inside": 0, "unknown": 0},
    "first_reply_buckets": {"overall": zeros(WAITS, none=2), "office_hours": zeros(WAITS)},
    "crisis": {"urgent": 0, "flag_to_claim": zeros(WAITS)},
    "outcomes": zeros(OUTCOMES, open=2),
    "by_outreach_link": {MACHIDA: 1},
    "gatherings": [gathering("machida-manbou", 3, 1), gathering("machida-family", 1, 1)],
}


@pytest.fixture
def seeded(container: Container, clock: TestClock) -> Container:
    """The hand-counted world."""
    world(container, clock)
    return container


def exact(container: Container, agency: str | None = None) -> dict[str, Any]:
    """The report before protection (for one agency, its own gatherings, as the use case counts them)."""
    period = Period(date.fromisoformat(FIRST), date.fromisoformat(LAST), TOKYO)
    own = None if agency is None else tuple(g.id for g in container.cases.gatherings if g.agency == agency)
    with container.uow() as uow:
        found = uow.agencies.by_name(agency) if agency else None
        start, end = period.bounds()
        return build(uow.stats.read(start, end, found.id if found else None), period, 5, own)


def test_every_cell_for_every_agency(seeded: Container) -> None:
    assert exact(seeded) == EVERY_AGENCY


def test_every_cell_for_one_agency(seeded: Container) -> None:
    assert exact(seeded, MACHIDA) == MACHIDA_ONLY


def test_the_shown_report_hides_small_numbers_and_is_audited(seeded: Container) -> None:
    seeded.cases.min_cell = 3
    asked = StatsRequest(date.fromisoformat(FIRST), date.fromisoformat(LAST), export="json")
    shown = seeded.cases.statistics(OPERATOR, asked).report
    assert_protected(shown, {**EVERY_AGENCY, "min_cell": 3})
    assert shown["cases"] == {"new": "<3", "returning": "<3", "people": 5, "total": 6}
    assert shown["by_channel"] == {"telegram": "<3", "line": "<3", "webchat": "<3"}
    assert shown["funnel"]["opened"] == 7 and shown["funnel"]["handoff_sent"] == 4
    assert shown["after_hours_share"] == 0.5 and "after_hours" not in shown
    assert shown["by_outreach_link"] == {ADACHI: 3, MACHIDA: "<3"}
    assert shown["gatherings"][-1] == gathering("machida-manbou", 3, "<3")
    with seeded.uow() as uow:
        entry = uow.audit.search(None, "operator", "export_stats", None, None, None, None, 5)[0]
    assert entry.detail == f"from={FIRST} to={LAST} agency=* format=json"


def test_counselors_see_their_agency_only(seeded: Container) -> None:
    m1 = actor(seeded, "m1@machida.example")
    period = StatsRequest(date.fromisoformat(FIRST), date.fromisoformat(LAST))
    result = seeded.cases.statistics(m1, period)
    assert result.agency == MACHIDA and result.choices == ()
    assert result.report["cases"]["total"] == "<5"
    assert result.report["by_outreach_link"] == {MACHIDA: "<5"}
    assert [row["gathering"] for row in result.report["gatherings"]] == ["machida-manbou", "machida-family"]
    with pytest.raises(NotFound):
        seeded.cases.statistics(m1, StatsRequest(agency=ADACHI))
    admin = actor(seeded, "admin@tsunagu.example")
    assert seeded.cases.statistics(admin, StatsRequest(agency=MACHIDA)).choices == tuple(sorted((ADACHI, MACHIDA)))
