"""Run the suite, or a `tsunagu` process the tests start, as if the machine's clock said another time.

`TSUNAGU_TEST_TIME` is an offset from now (`+400d`, `-200d`, `+36h`) or a moment (`2027-01-01T00:30+09:00`).
When it is set, the test session (see conftest.py) and every `tsunagu` process of the end-to-end tests start
with time-machine travelling there; time then runs on at its usual pace. Nothing may depend on the day the
suite runs, so the suite must pass wherever the clock is sent. (libfaketime was tried first: on this
Python it makes either `time.sleep` fail or `threading.Event.wait` hang.)

    python -m tests.timeshift serve   # `tsunagu serve` with the shifted clock, when TSUNAGU_TEST_TIME is set
"""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime, timedelta

import time_machine

ENV = "TSUNAGU_TEST_TIME"
OFFSET = re.compile(r"^(?P<sign>[+-])(?P<amount>\d+)(?P<unit>[dhms])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def destination(spec: str, now: datetime) -> datetime:
    """Where `spec` sends the clock from `now`; ValueError when it is neither an offset nor an aware moment."""
    found = OFFSET.match(spec.strip())
    if found:
        delta = timedelta(**{UNITS[found["unit"]]: int(found["amount"])})
        return now + delta if found["sign"] == "+" else now - delta
    moment = datetime.fromisoformat(spec.strip())
    if moment.tzinfo is None:
        raise ValueError(f"{ENV} needs an offset like +400d or a moment with its zone, not {spec!r}")
    return moment


def start_from_env() -> datetime | None:
    """Send this process's clock where TSUNAGU_TEST_TIME says (ticking on from there); the moment, or None."""
    spec = os.environ.get(ENV)
    if not spec:
        return None
    there = destination(spec, datetime.now(UTC))
    time_machine.travel(there, tick=True).start()
    return there


def main() -> int:
    """`tsunagu` with the shifted clock."""
    start_from_env()
    from bot.cli import main as tsunagu

    return tsunagu(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
