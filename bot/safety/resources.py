"""Local resources from the operators' directory (TOML, modelled on 町田市's support map): those that fit
a person's topics and municipality, as a short message the bot offers after the handoff and a counselor
can send from the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.safety.datafile import BadDataFile, load_entries
from dialogs.i18n import N_
from dialogs.i18n import gettext as _
from dialogs.text import normalize_municipality
from dialogs.topics import TOPIC_IDS

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "data" / "resources.toml"
FIELDS = {"work": N_("就労"), "welfare": N_("福祉・居場所"), "education": N_("教育"), "health": N_("保健医療")}
MAX_OFFERED = 3


BadResources = BadDataFile  # the directory cannot be used (the message says where)


@dataclass(frozen=True)
class Resource:
    """One place to turn to."""

    id: str
    field: str
    name: str
    what: str
    for_whom: str
    reach: str
    municipalities: frozenset[str]
    topics: frozenset[str]
    checked: date

    def serves(self, municipality: str | None) -> bool:
        """Open to people of this municipality (an entry without municipalities serves everyone)."""
        if not self.municipalities:
            return True
        return municipality is not None and normalize_municipality(municipality) in self.municipalities

    def text(self) -> str:
        """The entry as a message."""
        return _("【{field}】{name}\n{what}\n対象：{for_whom}\n連絡：{reach}").format(
            field=_(FIELDS[self.field]), name=self.name, what=self.what, for_whom=self.for_whom, reach=self.reach)


def load_resources(path: Path = DEFAULT_FILE) -> tuple[Resource, ...]:
    """Every entry of the directory; BadResources names the first problem."""
    found = load_entries(path, "resource", _resource)
    ids = [r.id for r in found]
    if len(set(ids)) != len(ids):
        raise BadResources(f"{path}: two resources share an id")
    return tuple(found)


def _resource(entry: dict[str, Any]) -> Resource:
    if entry["field"] not in FIELDS:
        raise ValueError(f"field must be one of {', '.join(FIELDS)}")
    topics = frozenset(str(t) for t in entry.get("topics", []))
    if topics - set(TOPIC_IDS):
        raise ValueError(f"unknown topics {sorted(topics - set(TOPIC_IDS))}")
    if not isinstance(entry["checked"], date):
        raise ValueError("checked must be a date like 2026-11-01")
    municipalities = frozenset(normalize_municipality(str(m)) for m in entry.get("municipalities", []))
    return Resource(str(entry["id"]), str(entry["field"]), str(entry["name"]), str(entry["what"]),
                    str(entry["for_whom"]), str(entry["reach"]), municipalities, topics, entry["checked"])


def fitting(resources: tuple[Resource, ...], topics: list[str], main_topic: str | None,
            municipality: str | None, limit: int = MAX_OFFERED) -> list[Resource]:
    """Resources for these topics open to this municipality: the main topic first, then the most topics
    in common, local ones before those for everyone."""
    chosen = set(topics) | ({main_topic} if main_topic else set())
    scored = [
        ((main_topic in r.topics), len(r.topics & chosen), bool(r.municipalities), -n, r)
        for n, r in enumerate(resources) if r.serves(municipality) and r.topics & chosen
    ]
    scored.sort(key=lambda s: s[:4], reverse=True)
    return [s[4] for s in scored[:limit]]


def offer_text(found: list[Resource]) -> str:
    """The resources as one message."""
    return "\n\n".join(r.text() for r in found)
