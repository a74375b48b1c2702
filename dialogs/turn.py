"""One inbound message being handled: what it says, where the conversation stands, and what goes back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import TYPE_CHECKING

from dialogs.i18n import gettext as _
from dialogs.model import Conversation, Event, Inbound, Outcome, Reply
from dialogs.text import clean

if TYPE_CHECKING:
    from dialogs.steps.base import Step
    from dialogs.steps.intake import Intake

FIELD_LIMIT = 500  # characters kept of one typed answer to a short question


def nudge() -> str:
    """Typed text at a button step that matched no button."""
    return _("ありがとうございます。よければ下のボタンから選んでください。文字で書いてもらっても大丈夫です。")


def stale_button() -> str:
    """A button from an earlier question."""
    return _("そのボタンは前の質問のものでした。いまはこちらの質問です。")


class Turn:
    """The message, the conversation attached to the step machine (`fire`), and the outcome being built."""

    def __init__(self, conv: Conversation, inbound: Inbound, out: Outcome, fire: Callable[[str], bool],
                 intake: Intake, zone: tzinfo) -> None:
        self.conv = conv
        self.inbound = inbound
        self.out = out
        self.fire = fire
        self.intake = intake
        self.text = clean(inbound.text) if inbound.text is not None else None
        self.today = inbound.received_at.astimezone(zone).date()  # the person's day, for ages

    @property
    def step(self) -> Step:
        """The step the conversation stands at."""
        return self.intake.step(self.conv.state)

    @property
    def answer_text(self) -> str:
        """What was typed, cut to the length one short answer keeps."""
        return (self.text or "")[:FIELD_LIMIT]

    def say(self, *messages: str | Reply) -> None:
        """Queue replies."""
        self.out.replies.extend(m if isinstance(m, Reply) else Reply(m) for m in messages)

    def emit(self, event: Event) -> None:
        """Tell the service something happened (a handoff, a consent, a crisis…)."""
        self.out.events.append(event)

    def ask_again(self, *before: str) -> None:
        """Say something, then the current question again."""
        self.say(*before, *self.step.ask(self.conv))

    def nudge(self) -> None:
        """Typed text matched no button: say so kindly, and ask again."""
        self.ask_again(nudge())

    def stale(self) -> None:
        """A button of another question: say so, and ask the current one."""
        self.ask_again(stale_button())

    def advance(self, trigger: str = "next") -> None:
        """Move on (`next`, or `edit_<section>` from the review) and ask the new step's first question, after
        its introduction."""
        self.fire(trigger)
        step = self.step
        if step.intro is not None:
            self.say(step.intro())
        step.enter(self.conv)
        self.ask_again()
