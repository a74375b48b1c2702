"""The conversation, the intake sheet and the messages that cross the port between channels and dialog."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from functools import cache
from typing import Any, get_origin, get_type_hints

WRITERS: tuple[str, ...] = ("self", "family", "supporter", "no_answer")
GENDERS: tuple[str, ...] = ("male", "female", "other", "no_answer")
AGE_BANDS: tuple[str, ...] = ("10s", "20s", "30s", "40s", "50s", "60s_plus")
CONTACT_METHODS: tuple[str, ...] = ("chat", "phone", "meeting", "visit")


@dataclass
class Person:
    """The person the consultation is about (本人); every field optional."""

    name: str | None = None
    nickname: str | None = None
    furigana: str | None = None
    gender: str | None = None
    birth_date: str | None = None
    age: int | None = None
    age_band: str | None = None
    postal_code: str | None = None
    municipality: str | None = None
    address: str | None = None
    phone_home: str | None = None
    phone_mobile: str | None = None


@dataclass
class Registrant:
    """The family member or supporter who writes on the person's behalf (登録者)."""

    name: str | None = None
    relationship: str | None = None
    address: str | None = None
    phone: str | None = None


@dataclass
class Consent:
    """The answer to sharing with related agencies, with the wording version shown."""

    share_with_agencies: bool | None = None
    at: str | None = None
    text_version: str | None = None


@dataclass
class Contact:
    """How and when a counselor may reach the person."""

    method: str | None = None
    times: str | None = None


@dataclass
class Risk:
    """Set by the safety check, never asked."""

    urgent: bool = False
    signals: list[str] = field(default_factory=list)


@dataclass
class Sheet:
    """The つなぐシート as data; field names are an external interface (docs/INTAKE_SHEET.md)."""

    writer: str | None = None
    consent: Consent = field(default_factory=Consent)
    topics: list[str] = field(default_factory=list)
    main_topic: str | None = None
    details: list[str] = field(default_factory=list)
    wishes: str | None = None
    contact: Contact = field(default_factory=Contact)
    person: Person = field(default_factory=Person)
    registrant: Registrant = field(default_factory=Registrant)
    risk: Risk = field(default_factory=Risk)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for storage and export (what dataclasses.asdict gives, without its deep copies)."""
        plain: dict[str, Any] = _plain(self)
        return plain

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Sheet:
        """Rebuild a sheet from to_dict() output (or an exported sheet, whose details are one text), ignoring
        unknown keys: every field of the dataclasses is read by its declared type, so a new field needs no
        code here."""
        sheet: Sheet = _build(Sheet, data)
        return sheet


def _plain(value: Any) -> Any:
    """Dataclasses as dicts and lists as new lists, all the way down; other values as they are (the
    sheet holds only strings, numbers, booleans and None besides)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _names(type(value))}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@cache
def _types(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _build(cls: type, data: Any) -> Any:
    """An instance of a dataclass from plain data: nested dataclasses built too, lists copied (a lone text
    where a list is declared becomes a list of it), other values as they are."""
    values: dict[str, Any] = {}
    for name in _names(cls):
        if not isinstance(data, dict) or name not in data:
            continue
        value, declared = data[name], _types(cls)[name]
        if isinstance(declared, type) and is_dataclass(declared):
            values[name] = _build(declared, value)
        elif get_origin(declared) is list:
            values[name] = ([value] if value else []) if isinstance(value, str) else list(value or [])
        else:
            values[name] = value
    return cls(**values)


@dataclass
class Conversation:
    """One person on one channel: where the dialog stands, and the sheet filled so far.

    `state` is the step machine's state; the machine is shared and this object is its model
    only while one message is handled.
    """

    channel: str
    user_key: str
    state: str = "welcome"
    locale: str = "ja"
    sheet: Sheet = field(default_factory=Sheet)
    sub_step: int = 0
    editing: bool = False
    paused: bool = False
    awaiting_erase: bool = False
    started: bool = False
    last_active_at: datetime | None = None
    id: str | None = None
    after_hours_until: str | None = None  # told "counselors are away" until this ISO time (said once)
    slow_until: str | None = None  # told "we have it all, we read slowly" during a flood, until this ISO time
    text_times: list[str] = field(default_factory=list)  # when the latest typed messages came (flood control)

    def context(self) -> dict[str, Any]:
        """The dialog's bookkeeping beyond state and sheet, as plain data."""
        return {
            "sub_step": self.sub_step,
            "editing": self.editing,
            "paused": self.paused,
            "awaiting_erase": self.awaiting_erase,
            "started": self.started,
            "after_hours_until": self.after_hours_until,
            "slow_until": self.slow_until,
            "text_times": self.text_times,
        }

    def restore_context(self, data: dict[str, Any]) -> None:
        """Set the bookkeeping back from context()."""
        self.sub_step = int(data.get("sub_step", 0))
        self.editing = bool(data.get("editing", False))
        self.paused = bool(data.get("paused", False))
        self.awaiting_erase = bool(data.get("awaiting_erase", False))
        self.started = bool(data.get("started", False))
        self.after_hours_until = data.get("after_hours_until")
        self.slow_until = data.get("slow_until")
        self.text_times = list(data.get("text_times", []))


@dataclass(frozen=True)
class Inbound:
    """One message from a person, as every channel adapter hands it over.

    Exactly one of `text` and `choice_id` is usually set; neither means the person opened the
    chat (web chat page load, Telegram /start, LINE follow). `kind` tells what else arrived
    (a sticker, a photo) when it was not text.
    """

    channel: str
    user_key: str
    event_id: str
    received_at: datetime
    text: str | None = None
    choice_id: str | None = None
    locale_hint: str | None = None
    kind: str = "text"
    via: str | None = None  # the agency code of the outreach link the person came by (web chat /chat?a=<code>)


@dataclass(frozen=True)
class Choice:
    """A button: its stable id `<step>:<value>` and its label in the active locale."""

    id: str
    label: str


@dataclass(frozen=True)
class Reply:
    """A message to the person; adapters render the choices as buttons or numbered text.

    `update` marks a new version of the question whose button was just pressed (a topic ticked):
    a channel that can edit that message does so instead of sending another.
    """

    text: str
    choices: tuple[Choice, ...] = ()
    update: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the outbox."""
        data: dict[str, Any] = {"text": self.text, "choices": [{"id": c.id, "label": c.label} for c in self.choices]}
        if self.update:
            data["update"] = True
        return data

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Reply:
        """Rebuild from to_dict()."""
        return Reply(data["text"], tuple(Choice(c["id"], c["label"]) for c in data.get("choices", [])),
                     bool(data.get("update", False)))


@dataclass(frozen=True)
class HandoffRequested:
    """The person pressed send: the sheet goes to a counselor queue."""

    urgent: bool = False


@dataclass(frozen=True)
class ConsentGiven:
    """The person answered the consent question (yes or no), with the wording version shown."""

    agreed: bool
    text_version: str


@dataclass(frozen=True)
class CrisisSignaled:
    """A message signalled danger (dialogs.crisis): the case becomes urgent at once."""

    categories: tuple[str, ...]


@dataclass(frozen=True)
class ResourcesRequested:
    """After the handoff, the person asked to see local places to turn to."""


@dataclass(frozen=True)
class ContactsRequested:
    """The person asked where to turn at once (LINE's menu 「緊急のとき」): the crisis contacts, open ones first."""


@dataclass(frozen=True)
class GatheringsRequested:
    """The person asked to see gatherings (a button, /events, a word); `again`: ask the current question after."""

    again: bool = False


@dataclass(frozen=True)
class GatheringPressed:
    """「行ってみたい」 (want), 「思い出させて」 (remind) or 「やめる」 (stop) on a gathering's message, with what
    the button carries (the gathering and its meeting, or the reminder)."""

    action: str
    ref: str


@dataclass(frozen=True)
class ConsentWithdrawn:
    """The person asked that their consultation no longer be shared with other agencies."""


@dataclass(frozen=True)
class EraseRequested:
    """The person confirmed that their data should be erased."""


@dataclass(frozen=True)
class MessageForCounselor:
    """After the handoff: what the person wrote goes to the counselor's thread."""

    text: str


Event = (HandoffRequested | ConsentGiven | ConsentWithdrawn | CrisisSignaled | EraseRequested
         | MessageForCounselor | ResourcesRequested | GatheringsRequested | GatheringPressed
         | ContactsRequested)


@dataclass
class Outcome:
    """What handling one inbound message produced."""

    replies: list[Reply] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
