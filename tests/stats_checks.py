"""What every shown statistics report must satisfy, checked the way an outsider would: no count from 1 to k-1
anywhere, and no hidden cell worked out by subtracting shown cells from a shown total."""

from __future__ import annotations

from typing import Any

from bot.stats.protect import groups_of


def leaves(node: Any) -> list[Any]:
    """Every value of a report, nested ones included."""
    if isinstance(node, dict):
        return [v for value in node.values() for v in leaves(value)]
    if isinstance(node, list):
        return [v for value in node for v in leaves(value)]
    return [node]


def at(report: dict[str, Any], path: tuple[Any, ...]) -> Any:
    """The value at a path, or None when the shown report has no such place (the internal after_hours)."""
    node: Any = report
    for key in path:
        if isinstance(node, dict) and key not in node:
            return None
        node = node[key]
    return node


def assert_protected(shown: dict[str, Any], exact: dict[str, Any]) -> None:
    """The shown report hides every small count, and every group with a shown total hides none or two or more."""
    k = shown["min_cell"]
    mark = f"<{k}"
    for value in leaves({key: v for key, v in shown.items() if key not in ("min_cell", "after_hours_share")}):
        assert not (isinstance(value, int) and not isinstance(value, bool) and 0 < value < k), value
        assert isinstance(value, int | str | float) or value is None
        if isinstance(value, str) and value.startswith("<"):
            assert value == mark
    for cells, total in groups_of(exact):
        known = at(shown, total)  # the out-of-hours counts are not shown, but the share gives them back
        if not isinstance(known, int) and not (known is None and shown["after_hours_share"] is not None):
            continue
        hidden = [c for c in cells if at(shown, c) == mark]
        assert len(hidden) != 1, (cells[0], total, hidden)
