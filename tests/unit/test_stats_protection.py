"""Small numbers stay hidden, whatever the counts: a hypothesis run over random statistics shows that no count
from 1 to k-1 appears in any shown report, and that no group with a shown total hides exactly one cell (which
subtraction would give back)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.stats.protect import protect
from bot.stats.report import Period, build
from dialogs.model import AGE_BANDS
from dialogs.steps import STATES
from dialogs.topics import TOPIC_IDS
from storage.repositories.stats import NO_ANSWER, WAIT_BUCKETS, RawStats
from tests.clock import TOKYO
from tests.stats_checks import assert_protected

PERIOD = Period(date(2026, 4, 1), date(2027, 3, 31), TOKYO)
small = st.integers(min_value=0, max_value=14)
writers = st.sampled_from(["self", "family", "supporter", "no_answer", None])
profiles = st.tuples(writers, st.sampled_from(["telegram", "line", "webchat"]),
                     st.sampled_from([*TOPIC_IDS[:4], None]), st.sampled_from([*AGE_BANDS[:3], None]),
                     st.sampled_from(["足立区", "町田市", "八王子市", None]))
waits = st.sampled_from([*(name for name, _ in WAIT_BUCKETS), NO_ANSWER])


@st.composite
def raw_stats(draw: st.DrawFn) -> RawStats:
    """Counts as the read model could return them (one consistent total across the tables)."""
    raw = RawStats()
    cases = draw(st.lists(st.tuples(profiles, waits, st.sampled_from([True, False, None]), st.booleans(),
                                    st.integers(0, 24 * 7 - 1)), max_size=40))
    start = datetime(2026, 6, 1, tzinfo=UTC)
    for profile, wait, after, urgent, hour in cases:
        for name, value in zip(("writer", "channel", "main_topic", "age_band", "municipality"), profile, strict=True):
            raw.columns.setdefault(name, Counter())[value] += 1
        raw.first_reply[(wait, after)] += 1
        raw.hours[start + timedelta(hours=hour)] += 1
        raw.topics[profile[2] or ""] += 1
        raw.outcomes[draw(st.sampled_from(["connected", "ended", "erased", "open"]))] += 1
        if urgent:
            raw.urgent_claim[draw(waits)] += 1
    raw.total = len(cases)
    raw.people = draw(st.integers(min(1, raw.total), raw.total))
    raw.new = draw(st.integers(0, raw.people))
    for step in draw(st.lists(st.sampled_from(STATES), max_size=40)):
        raw.steps[step] += 1
    raw.relays = Counter({("A", "B", "accepted"): draw(small), ("B", "A", "declined"): draw(small)})
    raw.outreach = Counter({"A": draw(small), "B": draw(small)})
    raw.gatherings = Counter({(g, key): draw(small) for g in ("g1", "g2") for key in ("interested", "reminders")})
    return raw


@settings(max_examples=400, deadline=None)
@given(raw_stats(), st.integers(min_value=3, max_value=8))
def test_no_small_count_shows_and_none_is_recoverable(raw: RawStats, k: int) -> None:
    exact = build(raw, PERIOD, k)
    shown = protect(exact)
    assert_protected(shown, exact)


def test_a_lone_small_cell_takes_a_zero_with_it_before_a_larger_one() -> None:
    raw = RawStats(total=12, new=12, people=12)
    raw.columns = {"writer": Counter({"family": 10, "self": 2}), "channel": Counter({"line": 12})}
    shown: dict[str, Any] = protect(build(raw, PERIOD, 5))
    assert shown["by_writer"] == {"self": "<5", "family": 10, "supporter": "<5", "unknown": 0}
    assert shown["by_channel"] == {"telegram": 0, "line": 12, "webchat": 0}
