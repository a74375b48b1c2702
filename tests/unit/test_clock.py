"""The tests' clock and the shifted-clock runs: a clock that holds one time for a whole conversation."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.clock import ORDINARY, TOKYO, TestClock
from tests.timeshift import destination

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def test_a_frozen_clock_moves_only_when_told() -> None:
    clock = TestClock(ORDINARY, ticking=False)
    first = clock()
    time.sleep(0.01)
    assert clock() == first == ORDINARY
    assert clock.advance(hours=13) == ORDINARY + timedelta(hours=13)
    clock.set(datetime(2027, 1, 1, 0, 30, tzinfo=TOKYO))
    assert clock() == datetime(2026, 12, 31, 15, 30, tzinfo=UTC) and clock().tzinfo == UTC


def test_a_ticking_clock_runs_on_from_where_it_was_set() -> None:
    clock = TestClock(ORDINARY)
    time.sleep(0.02)
    assert timedelta(seconds=0.02) <= clock() - ORDINARY < timedelta(seconds=5)
    clock.freeze()
    held = clock()
    time.sleep(0.01)
    assert clock() == held


def test_the_clock_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError):
        TestClock(datetime(2026, 12, 9, 10, 30))


@pytest.mark.parametrize(("spec", "expected"), [
    ("+400d", NOW + timedelta(days=400)), ("-200d", NOW - timedelta(days=200)), ("+36h", NOW + timedelta(hours=36)),
    ("2027-01-01T00:30+09:00", datetime(2027, 1, 1, 0, 30, tzinfo=TOKYO)),
])
def test_a_shift_is_an_offset_or_a_moment(spec: str, expected: datetime) -> None:
    assert destination(spec, NOW) == expected


@pytest.mark.parametrize("spec", ["400d", "+400y", "2027-01-01T00:30", "tomorrow"])
def test_a_shift_that_cannot_be_read_is_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        destination(spec, NOW)
