"""Reading the operators' TOML data files: a list of tables, each parsed by the caller, with the first
problem named by file and entry."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class BadDataFile(ValueError):
    """An operators' data file that cannot be used; the message says the file, the entry and what is wrong."""


def load_entries(path: Path, table: str, parse: Callable[[dict[str, Any]], T]) -> list[T]:
    """Every [[table]] of the file through `parse`; BadDataFile says the file, the entry and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadDataFile(f"{path}: {exc}") from exc
    found = []
    for n, entry in enumerate(data.get(table, []), start=1):
        try:
            found.append(parse(entry))
        except (KeyError, TypeError, ValueError) as exc:
            missing = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            raise BadDataFile(f"{path}: {table} {n} (line {entry_line(text, table, n)}): {missing}") from exc
    return found


def entry_line(text: str, table: str, n: int) -> int:
    """The line where the n-th [[table]] begins (1-based; 1 when it cannot be found)."""
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
    starts = [number for number, line in enumerate(text.splitlines(), start=1) if header.match(line)]
    return starts[n - 1] if n <= len(starts) else 1
