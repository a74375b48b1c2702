"""The statistics as one report in the shape of the JSON contract (docs/INTERFACES.md), with exact counts:
categories filled in (不明 always among them), hours and weekdays in the people's time zone, the funnel from the
steps the intakes reached. bot.stats.protect then hides the small numbers; nothing leaves before it does."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dialogs.model import AGE_BANDS
from dialogs.steps import STATES
from dialogs.topics import TOPIC_IDS
from storage.repositories.stats import GATHERING_COUNTS, NO_ANSWER, WAIT_BUCKETS, RawStats

UNKNOWN = "unknown"
WRITERS = ("self", "family", "supporter", UNKNOWN)
CHANNELS = ("telegram", "line", "webchat")
WAITS = (*(name for name, _ in WAIT_BUCKETS), NO_ANSWER)
OUTCOMES = ("connected", "relayed", "no_contact", "ended", "other", "erased", "open")
RELAY_ANSWERS = ("accepted", "declined", "offered")
HANDED_OFF = STATES[-1]
BEFORE_CONSENT = STATES[:STATES.index("consent") + 1]  # an intake stopped here never answered the consent
AFTER_CONSENT = STATES[STATES.index("consent") + 1:-1]


@dataclass(frozen=True)
class Period:
    """Whole days in the people's time zone, both ends included."""

    first: date
    last: date
    zone: ZoneInfo

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware moments."""
        start = datetime.combine(self.first, time(0), tzinfo=self.zone)
        return start, datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=self.zone)


def build(raw: RawStats, period: Period, min_cell: int, gatherings: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The exact report (every count an int). `gatherings`: the gathering ids to report, zero where none was
    counted (an agency's own); None: every gathering counted."""
    return {
        "from": period.first.isoformat(), "to": period.last.isoformat(), "min_cell": min_cell,
        "cases": {"new": raw.new, "returning": raw.total - raw.new, "people": raw.people, "total": raw.total},
        "by_writer": _by(raw, "writer", WRITERS[:-1]),
        "by_channel": _by(raw, "channel", CHANNELS),
        "by_topic": _fill(TOPIC_IDS, {k or UNKNOWN: n for k, n in raw.topics.items()}),
        "by_main_topic": _by(raw, "main_topic", TOPIC_IDS),
        "by_age_band": _by(raw, "age_band", AGE_BANDS),
        "by_municipality": _municipalities(raw),
        "by_hour_weekday": _hour_weekday(raw, period.zone),
        "after_hours_share": None,  # protect() works it out from the counts it may show
        "after_hours": _after_hours(raw),
        "funnel": _funnel(raw),
        "first_reply_buckets": {
            "overall": _fill(WAITS, _sum(raw.first_reply, lambda key: key[0]), unknown=False),
            "office_hours": _fill(WAITS, _sum(raw.first_reply, lambda key: key[0] if key[1] is False else None),
                                  unknown=False),
        },
        "crisis": {"urgent": sum(raw.urgent_claim.values()),
                   "flag_to_claim": _fill(WAITS, dict(raw.urgent_claim), unknown=False)},
        "relays": [{"from": src, "to": dst, **{a: raw.relays.get((src, dst, a), 0) for a in RELAY_ANSWERS}}
                   for src, dst in sorted({(s, d) for s, d, _ in raw.relays})],
        "outcomes": _fill(OUTCOMES, _sum(raw.outcomes, lambda k: k if k in OUTCOMES else "other"), unknown=False),
        "by_outreach_link": {name: raw.outreach[name] for name in sorted(raw.outreach)},
        "gatherings": _gatherings(raw, gatherings),
    }


def _gatherings(raw: RawStats, ids: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """One row per gathering, by id: how many would like to go, how many asked for a reminder."""
    chosen = sorted({gathering for gathering, _ in raw.gatherings}) if ids is None else list(ids)
    return [{"gathering": g, **{key: raw.gatherings.get((g, key), 0) for key in GATHERING_COUNTS}} for g in chosen]


def _fill(keys: tuple[str, ...], counts: dict[str, int], unknown: bool = True) -> dict[str, int]:
    """Every category, in order, zero where none; 不明 last (when the categories have it)."""
    names = keys + ((UNKNOWN,) if unknown and UNKNOWN not in keys else ())
    return {name: int(counts.get(name, 0)) for name in names}


def _sum(counter: Any, key: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for k, n in counter.items():
        name = key(k)
        if name is not None:
            out[name] = out.get(name, 0) + n
    return out


def _by(raw: RawStats, name: str, keys: tuple[str, ...]) -> dict[str, int]:
    """One column's known categories, and 不明: every other case (no answer, or one not known)."""
    counts: Counter[str | None] = raw.columns.get(name, Counter())
    known = {key: int(counts.get(key, 0)) for key in keys}
    return known if keys is CHANNELS else {**known, UNKNOWN: raw.total - sum(known.values())}


def _municipalities(raw: RawStats) -> dict[str, int]:
    counts: Counter[str | None] = raw.columns.get("municipality", Counter())
    names = sorted(str(k) for k in counts if k)
    return {**{name: int(counts[name]) for name in names}, UNKNOWN: int(counts.get(None, 0)) + int(counts.get("", 0))}


def _hour_weekday(raw: RawStats, zone: ZoneInfo) -> list[list[int]]:
    """7 rows (Monday first) of 24 hours, in the people's time zone."""
    grid = [[0] * 24 for _ in range(7)]
    for hour, n in raw.hours.items():
        local = hour.astimezone(zone)
        grid[local.weekday()][local.hour] += n
    return grid


def _after_hours(raw: RawStats) -> dict[str, int]:
    """Cases that arrived outside office hours, inside them, and those whose arrival was not judged (older)."""
    counts = _sum(raw.first_reply, lambda key: {True: "outside", False: "inside", None: UNKNOWN}[key[1]])
    return _fill(("outside", "inside"), counts)


def _funnel(raw: RawStats) -> dict[str, Any]:
    """Opened, consent answered, handoff sent, and where the others stand or stopped, step by step."""
    steps = {str(step): n for step, n in raw.steps.items() if step in STATES}
    opened = sum(raw.steps.values())
    stopped = {step: steps.get(step, 0) for step in (*BEFORE_CONSENT, *AFTER_CONSENT)}
    before = sum(stopped[s] for s in BEFORE_CONSENT) + sum(n for s, n in raw.steps.items() if s not in STATES)
    stopped[BEFORE_CONSENT[0]] += opened - sum(steps.values())  # an unknown step counts as the welcome
    handed_off = steps.get(HANDED_OFF, 0)
    return {"opened": opened, "consent_answered": opened - before, "handoff_sent": handed_off, "stopped": stopped}
