"""The intake as registered steps: the step machine (`transitions`), its drawing, the review's summary, the
sections the review can open and the printed sheet's values all follow from the order of the steps."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import cached_property
from typing import Any

from transitions import EventData, Machine

from dialogs.model import Conversation, Sheet
from dialogs.steps.base import Condition, Step, editing
from dialogs.steps.closing import HandedOff, Review

Transition = dict[str, Any]


class Intake:
    """The steps in the order they are asked, then the review and the handoff."""

    def __init__(self, steps: Sequence[Step], send_now_after: str = "consent") -> None:
        self.steps: tuple[Step, ...] = (*steps, Review(self), HandedOff())
        self.send_now_after = send_now_after  # from the steps after this one, 「ここまでで送る」 opens the review
        self._by_name = {step.name: step for step in self.steps}
        if len(self._by_name) != len(self.steps):
            raise ValueError("two steps have one name")
        self._lock = threading.Lock()

    def with_step(self, step: Step, after: str) -> Intake:
        """The same intake with one more step after another (as a new step is registered)."""
        names = [s.name for s in self.steps[:-2]]
        at = names.index(after) + 1
        return Intake([*self.steps[:at], step, *self.steps[at:-2]], self.send_now_after)

    def can_send_now(self, name: str) -> bool:
        """Whether 「ここまでで送る」 works at this step: after consent, before the review."""
        return name in self._send_now_sources()

    def _send_now_sources(self) -> list[str]:
        names = [s.name for s in self.steps[:-2]]
        start = names.index(self.send_now_after) + 1 if self.send_now_after in names else len(names)
        return names[start:]

    @property
    def states(self) -> tuple[str, ...]:
        """The machine's states: every step's name."""
        return tuple(self._by_name)

    def step(self, name: str) -> Step:
        """A step by name."""
        return self._by_name[name]

    def sections(self) -> list[Step]:
        """The first step of each section, in order: what the review can open again."""
        first: dict[str, Step] = {}
        for step in self.steps:
            if step.section is not None:
                first.setdefault(step.section, step)
        return list(first.values())

    def summary(self, sheet: Sheet) -> list[str]:
        """The review's lines: each step's answers, in order."""
        return [line for step in self.steps for line in step.summary(sheet)]

    def printed(self, sheet: Sheet, today: date) -> dict[str, object]:
        """The printed sheet's values, as each step formats its answers."""
        values: dict[str, object] = {}
        for step in self.steps:
            values.update(step.printed(sheet, today))
        return values

    # --- the machine -----------------------------------------------------------------------------

    def machine_config(self) -> dict[str, Any]:
        """The keyword arguments shared by the running machine and the drawn one."""
        return {
            "states": [{"name": s.name, "on_enter": [_enter_fresh] + ([_stop_editing] if s.name == "review" else [])}
                       for s in self.steps],
            "transitions": [*self._forward(), *self._backward(), *self._edits_and_restart()],
            "initial": self.steps[0].name,
            "auto_transitions": False,
            "send_event": True,
            "ignore_invalid_triggers": True,
        }

    def _forward(self) -> list[Transition]:
        """`next`: the first later step whose condition holds. While editing, a step of the same section that
        follows is still asked (the hardest topic after the topics); then back to the review."""
        transitions: list[Transition] = []
        ordered = list(self.steps[:-1])  # up to the review
        review = ordered[-1]
        for index, source in enumerate(ordered[:-1]):
            later = ordered[index + 1:]
            same = 0
            while source.section is not None and later[same].section == source.section:
                same += 1
            follow_ups, rest = later[:same], later[same:]
            transitions.extend(_first_that_applies("next", source, follow_ups))
            if any(step.when is None for step in follow_ups):
                continue  # a follow-up that is always asked: the section goes on, editing or not
            if source.section is not None and rest[0] is not review:
                transitions.append(_go("next", source, review, editing))
            transitions.extend(_first_that_applies("next", source, rest))
        transitions.append({"trigger": "send", "source": review.name, "dest": self.steps[-1].name})
        return transitions

    def _backward(self) -> list[Transition]:
        """`back`: the first earlier step whose condition holds."""
        ordered = list(self.steps[:-1])
        return [t for index in range(1, len(ordered))
                for t in _first_that_applies("back", ordered[index], ordered[index - 1::-1])]

    def _edits_and_restart(self) -> list[Transition]:
        """`edit_<section>` from the review, `restart` from anywhere before the handoff, `erase` from anywhere,
        `send_now` from any step after consent to the review."""
        edits: list[Transition] = [
            {"trigger": f"edit_{s.section}", "source": "review", "dest": s.name, "after": [_start_editing]}
            for s in self.sections()
        ]
        restart: Transition = {"trigger": "restart", "source": [s.name for s in self.steps if not s.final],
                               "dest": self.steps[0].name, "after": [_stop_editing]}
        erase: Transition = {"trigger": "erase", "source": "*", "dest": self.steps[0].name, "after": [_stop_editing]}
        send_now: Transition = {"trigger": "send_now", "source": self._send_now_sources(), "dest": "review"}
        return [*edits, restart, erase, send_now]

    @cached_property
    def _machine(self) -> Machine:
        return Machine(model=None, **self.machine_config())

    @contextmanager
    def driving(self, conv: Conversation) -> Iterator[Callable[[str], bool]]:
        """Attach the conversation to the shared machine and yield `fire(trigger) -> moved?`."""
        machine = self._machine
        with self._lock:
            own_attributes = set(vars(conv))
            machine.add_model(conv, initial=conv.state)
            try:

                def fire(trigger: str) -> bool:
                    before = conv.state
                    result = bool(machine.events[trigger].trigger(conv)) if trigger in machine.events else False
                    return result and (conv.state != before or trigger == "restart")

                yield fire
            finally:
                machine.remove_model(conv)
                for bound in set(vars(conv)) - own_attributes:  # the trigger methods add_model bound
                    delattr(conv, bound)

    def mermaid(self) -> str:
        """The machine drawn as a Mermaid state diagram (kept in docs/dialog.mmd by a test)."""
        from transitions.extensions import GraphMachine

        class _Model:
            state = self.steps[0].name

        drawn = GraphMachine(model=_Model(), graph_engine="mermaid", title="Tsunagu intake", show_conditions=True,
                             **self.machine_config())
        source: str = drawn.get_graph().draw(None)
        return source.strip() + "\n"


def _conv(event: EventData) -> Conversation:
    model = event.model
    assert isinstance(model, Conversation)
    return model


def _condition(predicate: Condition) -> Callable[[EventData], bool]:
    """A predicate on the conversation as the machine calls it, under the predicate's name (the diagram's)."""
    def condition(event: EventData) -> bool:
        return predicate(_conv(event))
    condition.__name__ = predicate.__name__
    return condition


_CONDITIONS: dict[Condition, Callable[[EventData], bool]] = {}


def _named(predicate: Condition) -> Callable[[EventData], bool]:
    return _CONDITIONS.setdefault(predicate, _condition(predicate))


def _go(trigger: str, source: Step, dest: Step, when: Condition | None = None) -> Transition:
    transition: Transition = {"trigger": trigger, "source": source.name, "dest": dest.name}
    if when is not None:
        transition["conditions"] = [_named(when)]
    return transition


def _first_that_applies(trigger: str, source: Step, candidates: Sequence[Step]) -> list[Transition]:
    """Transitions to each candidate in turn, under its condition, up to the first that has none."""
    transitions = []
    for target in candidates:
        transitions.append(_go(trigger, source, target, target.when))
        if target.when is None:
            break
    return transitions


def _enter_fresh(event: EventData) -> None:
    """Every step starts at its first question."""
    _conv(event).sub_step = 0


def _start_editing(event: EventData) -> None:
    _conv(event).editing = True


def _stop_editing(event: EventData) -> None:
    _conv(event).editing = False
