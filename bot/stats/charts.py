"""Server-rendered SVG charts of the statistics' tables: no script, no build step, and they print. Bars for a
category table, a weekday-by-hour heat map for arrival times. A hidden count draws no bar and says "<k"; the
table beside each chart carries the same numbers for screen readers and for copying."""

from __future__ import annotations

from markupsafe import Markup, escape

from bot.stats.tables import Cell, Table

LABEL_WIDTH = 190
BAR_WIDTH = 300
ROW = 22
CELL = 17


def chart(table: Table) -> Markup | None:
    """The chart that fits a table, or None for a table that is clearer alone (relays)."""
    if table.key == "by_hour_weekday":
        return heat_map(table)
    if table.key in ("relays",) or not table.rows:
        return None
    return bars(table)


def bars(table: Table) -> Markup:
    """Horizontal bars, one per row, from the table's first count column."""
    values = [cells[0] for _, cells in table.rows]
    top = max((_number(v) for v in values), default=0.0) or 1.0
    height = ROW * len(table.rows) + 8
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [_open(width, height, table.title)]
    for index, (label, cells) in enumerate(table.rows):
        y = 4 + index * ROW
        value = cells[0]
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(_short(label))}</text>')
        length = _number(value) / top * BAR_WIDTH
        if length:
            parts.append(f'<rect class="bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW - 6}"/>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 15}">{escape(_shown(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def heat_map(table: Table) -> Markup:
    """Weekdays down, hours across; the darker, the more first contacts. Hidden counts are hatched."""
    counts = [_number(v) for _, cells in table.rows for v in cells]
    top = max(counts, default=0.0) or 1.0
    left, head = 28, 18
    width, height = left + CELL * 24 + 4, head + CELL * len(table.rows) + 4
    parts = [_open(width, height, table.title),
             '<defs><pattern id="hidden" width="4" height="4" patternUnits="userSpaceOnUse">'
             '<path d="M0,4 L4,0" class="hatch"/></pattern></defs>']
    for hour in range(0, 24, 3):
        parts.append(f'<text x="{left + hour * CELL + CELL / 2}" y="12" text-anchor="middle">{hour}</text>')
    for row, (label, cells) in enumerate(table.rows):
        y = head + row * CELL
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        for hour, value in enumerate(cells):
            x = left + hour * CELL
            if isinstance(value, str):
                fill = 'fill="url(#hidden)"'
            else:
                fill = f'class="heat" fill-opacity="{0.08 + 0.92 * _number(value) / top:.2f}"'
            parts.append(f'<rect x="{x}" y="{y}" width="{CELL - 1}" height="{CELL - 1}" {fill}>'
                         f'<title>{escape(label)} {hour}:00 {escape(_shown(value))}</title></rect>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(width: int, height: int, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">')


def _number(value: Cell) -> float:
    """A count as a length (hidden ones and shares draw as their share of a hundred, or nothing)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) * (100 if isinstance(value, float) else 1)


def _shown(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1%}"
    return str(value)


def _short(label: str, most: int = 14) -> str:
    return label if len(label) <= most else label[:most - 1] + "…"
