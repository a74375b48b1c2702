"""Small numbers protected: a count from 1 to k-1 shows as "<k", and wherever a shown total and the other shown
cells would give a hidden cell back, a second cell is hidden too (a zero if the group has one, else the smallest),
until every group with a shown total hides no cell or at least two. Nothing else leaves bot.stats."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from bot.stats.report import AFTER_CONSENT, BEFORE_CONSENT

Path = tuple[Any, ...]
DEFAULT_MIN_CELL = 5
LOWEST_MIN_CELL = 3
_TOTAL = ("cases", "total")
_OF_ALL_CASES = ("by_writer", "by_channel", "by_main_topic", "by_age_band", "by_municipality", "outcomes",
                 "after_hours")


def hidden_mark(min_cell: int) -> str:
    """What a hidden count shows as."""
    return f"<{min_cell}"


def protect(report: dict[str, Any]) -> dict[str, Any]:
    """The report as it may be shown: hidden counts as "<k", the share of out-of-hours arrivals only when both
    its counts show."""
    k = int(report["min_cell"])
    counts = dict(_counts(report))
    hidden = {path for path, n in counts.items() if 0 < n < k}
    groups = list(groups_of(report))
    changed = True
    while changed:
        changed = False
        for cells, total in groups:
            if total in hidden or sum(1 for c in cells if c in hidden) != 1:
                continue
            shown = sorted((c for c in cells if c not in hidden), key=lambda c: (counts[c] != 0, counts[c]))
            hidden.add(shown[0] if shown else total)
            changed = True
    shown_report = copy.deepcopy(report)
    for path in hidden:
        _set(shown_report, path, hidden_mark(k))
    after = shown_report.pop("after_hours")
    if all(isinstance(after[key], int) for key in after) and after["outside"] + after["inside"]:
        shown_report["after_hours_share"] = round(after["outside"] / (after["outside"] + after["inside"]), 3)
    return shown_report


def groups_of(report: dict[str, Any]) -> Iterator[tuple[list[Path], Path]]:
    """Cells that add up to a total shown elsewhere: (the cells' paths, the total's path)."""
    yield [("cases", "new"), ("cases", "returning")], _TOTAL
    for name in _OF_ALL_CASES:
        yield [(name, key) for key in report[name]], _TOTAL
    yield [("by_hour_weekday", day, hour) for day in range(7) for hour in range(24)], _TOTAL
    yield [("first_reply_buckets", "overall", key) for key in report["first_reply_buckets"]["overall"]], _TOTAL
    yield ([("first_reply_buckets", "office_hours", key) for key in report["first_reply_buckets"]["office_hours"]],
           ("after_hours", "inside"))
    yield [("crisis", "flag_to_claim", key) for key in report["crisis"]["flag_to_claim"]], ("crisis", "urgent")
    yield ([("funnel", "consent_answered"), *(("funnel", "stopped", step) for step in BEFORE_CONSENT)],
           ("funnel", "opened"))
    yield ([("funnel", "handoff_sent"), *(("funnel", "stopped", step) for step in AFTER_CONSENT)],
           ("funnel", "consent_answered"))


def _counts(node: Any, path: Path = ()) -> Iterator[tuple[Path, int]]:
    """Every count of the report with its path (the period and k are not counts)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if path or key not in ("min_cell", "from", "to", "after_hours_share"):
                yield from _counts(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _counts(value, (*path, index))
    elif isinstance(node, int) and not isinstance(node, bool):
        yield path, node


def _set(node: Any, path: Path, value: Any) -> None:
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
