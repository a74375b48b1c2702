"""The step machine: one shared `transitions` Machine whose model is the conversation being handled."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from transitions import EventData, Machine

from dialogs.model import Conversation

STATES: tuple[str, ...] = (
    "welcome",
    "who",
    "consent",
    "topics",
    "main_topic",
    "details",
    "wishes",
    "contact",
    "profile",
    "registrant",
    "review",
    "handed_off",
)
EDITABLE: tuple[str, ...] = (
    "who", "consent", "topics", "details", "wishes", "contact", "profile", "registrant",
)
MULTI_QUESTION: frozenset[str] = frozenset({"contact", "profile", "registrant"})


def _conv(event: EventData) -> Conversation:
    model = event.model
    assert isinstance(model, Conversation)
    return model


def editing(event: EventData) -> bool:
    """The person came here from the review to change one section."""
    return _conv(event).editing


def several_topics(event: EventData) -> bool:
    """Two or more topics are chosen, so the hardest one is asked."""
    return len(_conv(event).sheet.topics) >= 2


def writes_for_someone(event: EventData) -> bool:
    """A family member or supporter writes, so the registrant questions apply."""
    return _conv(event).sheet.writer in ("family", "supporter")


def _enter_fresh(event: EventData) -> None:
    """Every step starts at its first question."""
    _conv(event).sub_step = 0


def _start_editing(event: EventData) -> None:
    _conv(event).editing = True


def _stop_editing(event: EventData) -> None:
    _conv(event).editing = False


Transition = dict[str, Any]


def _forward() -> list[Transition]:
    """`next`: the order of the intake; the first transition whose conditions hold is taken."""
    to_review_when_editing = [
        {"trigger": "next", "source": s, "dest": "review", "conditions": [editing]}
        for s in ("who", "consent", "details", "wishes", "contact", "registrant")
    ]
    return [
        {"trigger": "next", "source": "welcome", "dest": "who"},
        *to_review_when_editing,
        {"trigger": "next", "source": "who", "dest": "consent"},
        {"trigger": "next", "source": "consent", "dest": "topics"},
        {"trigger": "next", "source": "topics", "dest": "main_topic", "conditions": [several_topics]},
        {"trigger": "next", "source": "topics", "dest": "review", "conditions": [editing]},
        {"trigger": "next", "source": "topics", "dest": "details"},
        {"trigger": "next", "source": "main_topic", "dest": "review", "conditions": [editing]},
        {"trigger": "next", "source": "main_topic", "dest": "details"},
        {"trigger": "next", "source": "details", "dest": "wishes"},
        {"trigger": "next", "source": "wishes", "dest": "contact"},
        {"trigger": "next", "source": "contact", "dest": "profile"},
        {"trigger": "next", "source": "profile", "dest": "registrant",
         "conditions": [writes_for_someone], "unless": [editing]},
        {"trigger": "next", "source": "profile", "dest": "review"},
        {"trigger": "next", "source": "registrant", "dest": "review"},
        {"trigger": "send", "source": "review", "dest": "handed_off"},
    ]


def _backward() -> list[Transition]:
    """`back`: one question back, mirroring the forward order."""
    return [
        {"trigger": "back", "source": "who", "dest": "welcome"},
        {"trigger": "back", "source": "consent", "dest": "who"},
        {"trigger": "back", "source": "topics", "dest": "consent"},
        {"trigger": "back", "source": "main_topic", "dest": "topics"},
        {"trigger": "back", "source": "details", "dest": "main_topic", "conditions": [several_topics]},
        {"trigger": "back", "source": "details", "dest": "topics"},
        {"trigger": "back", "source": "wishes", "dest": "details"},
        {"trigger": "back", "source": "contact", "dest": "wishes"},
        {"trigger": "back", "source": "profile", "dest": "contact"},
        {"trigger": "back", "source": "registrant", "dest": "profile"},
        {"trigger": "back", "source": "review", "dest": "registrant", "conditions": [writes_for_someone]},
        {"trigger": "back", "source": "review", "dest": "profile"},
    ]


def _editing_and_restart() -> list[Transition]:
    """`edit_<step>` from the review, and `restart` from anywhere before the handoff."""
    edits: list[Transition] = [
        {"trigger": f"edit_{step}", "source": "review", "dest": step, "after": [_start_editing]}
        for step in EDITABLE
    ]
    restart: Transition = {
        "trigger": "restart",
        "source": [s for s in STATES if s != "handed_off"],
        "dest": "welcome",
        "after": [_stop_editing],
    }
    erase: Transition = {"trigger": "erase", "source": "*", "dest": "welcome", "after": [_stop_editing]}
    return [*edits, restart, erase]


TRANSITIONS: list[Transition] = [*_forward(), *_backward(), *_editing_and_restart()]


def machine_config() -> dict[str, Any]:
    """The keyword arguments shared by the running machine and the drawn one."""
    return {
        "states": [
            {"name": s, "on_enter": [_enter_fresh] + ([_stop_editing] if s == "review" else [])}
            for s in STATES
        ],
        "transitions": TRANSITIONS,
        "initial": "welcome",
        "auto_transitions": False,
        "send_event": True,
        "ignore_invalid_triggers": True,
    }


_MACHINE = Machine(model=None, **machine_config())
_LOCK = threading.Lock()


@contextmanager
def driving(conv: Conversation) -> Iterator[Callable[[str], bool]]:
    """Attach the conversation to the shared machine and yield `fire(trigger) -> moved?`."""
    with _LOCK:
        own_attributes = set(vars(conv))
        _MACHINE.add_model(conv, initial=conv.state)
        try:

            def fire(trigger: str) -> bool:
                before = conv.state
                result = bool(_MACHINE.events[trigger].trigger(conv)) if trigger in _MACHINE.events else False
                return result and (conv.state != before or trigger == "restart")

            yield fire
        finally:
            _MACHINE.remove_model(conv)
            for bound in set(vars(conv)) - own_attributes:  # the trigger methods add_model bound
                delattr(conv, bound)


def mermaid() -> str:
    """The machine drawn as a Mermaid state diagram (kept in docs/dialog.mmd by a test)."""
    from transitions.extensions import GraphMachine

    class _Model:
        state = "welcome"

    drawn = GraphMachine(
        model=_Model(), graph_engine="mermaid", title="Tsunagu intake", show_conditions=True,
        **machine_config(),
    )
    source: str = drawn.get_graph().draw(None)
    return source.strip() + "\n"
