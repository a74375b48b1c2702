"""Reading the operators' TOML data files: a list of tables, each parsed by the caller, with the first
problem named by file and entry."""

from __future__ import annotations

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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadDataFile(f"{path}: {exc}") from exc
    found = []
    for n, entry in enumerate(data.get(table, []), start=1):
        try:
            found.append(parse(entry))
        except (KeyError, TypeError, ValueError) as exc:
            raise BadDataFile(f"{path}: {table} {n}: {exc}") from exc
    return found
