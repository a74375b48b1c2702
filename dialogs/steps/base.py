"""What a step of the intake is: its question, how it reads an answer, where it stands on the sheet and in the
review. A step is one registered object (dialogs/steps/__init__.py); the machine, the diagram, the review, the
back and edit targets and the printed sheet all follow from the registered steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from dialogs.i18n import gettext as _
from dialogs.model import Choice, Conversation, Reply, Sheet
from dialogs.text import match_typed

if TYPE_CHECKING:
    from dialogs.turn import Turn

Condition = Callable[[Conversation], bool]


def editing(conv: Conversation) -> bool:
    """The person came here from the review to change one section."""
    return conv.editing


def label(mapping: dict[str, str], key: str) -> str:
    """A translated label from a step's table of labels."""
    return _(mapping[key])


def way_out(step: str, send_now: bool = True) -> tuple[Choice, ...]:
    """The back and pause buttons offered with every question, and after consent 「ここまでで送る」 (straight to
    the review with what is answered so far)."""
    buttons = (Choice(f"{step}:back", _("戻る")), Choice(f"{step}:pause", _("ひと休み")))
    return (*buttons, Choice(f"{step}:send_now", _("ここまでで送る"))) if send_now else buttons


class Step:
    """One step: subclasses name it and say what they ask and how they read the answer.

    `section` is the part of the sheet the step fills, which the review can open again (`edit_<section>`
    enters the section's first step); `label` is that section's name. `when` is the condition under which the
    step is asked at all (a named function: the diagram shows its name). A step in no section is the
    conversation's frame (welcome, review, handed_off)."""

    def __init__(self, name: str, *, section: str | None = None, label: str = "", when: Condition | None = None,
                 intro: Callable[[], str] | None = None, words_are_the_answer: bool = False,
                 welcomes_back: bool = True, final: bool = False) -> None:
        self.name = name
        self.section = section
        self.label = label
        self.when = when
        self.intro = intro  # said once on arriving, before the first question
        self.words_are_the_answer = words_are_the_answer  # a message that signals danger is also the answer
        self.welcomes_back = welcomes_back  # after a long silence here, the person is welcomed back first
        self.final = final  # after the handoff: nothing to start over, nothing to pause

    def ask(self, conv: Conversation) -> list[Reply]:
        """The question as it is asked (again)."""
        raise NotImplementedError

    def answer(self, turn: Turn, value: str | None) -> None:
        """Read the answer: a pressed button's value, or None for typed text (turn.text)."""
        raise NotImplementedError

    def expects_button(self, conv: Conversation) -> bool:
        """Whether the question is answered with a button (typed text is then matched to one)."""
        return True

    def typed_choice(self, conv: Conversation, text: str) -> str | None:
        """The button a typed message names, at a button question."""
        if not self.expects_button(conv):
            return None
        return match_typed(tuple(c for reply in self.ask(conv) for c in reply.choices), text)

    def enter(self, conv: Conversation) -> None:
        """Arrived: start at the first question that applies."""

    def back(self, conv: Conversation) -> bool:
        """One question back within the step; False when the step's first question is asked already."""
        return False

    def settle(self, sheet: Sheet) -> None:
        """The person sends from this step (「ここまでで送る」): complete what its answers so far imply."""

    def reopen(self, sheet: Sheet) -> None:
        """The review opens this section again (details start afresh)."""

    def summary(self, sheet: Sheet) -> list[str]:
        """The step's lines in the review, only what was answered."""
        return []

    def printed(self, sheet: Sheet, today: date) -> dict[str, object]:
        """The step's values for the printed sheet (bot/templates/sheet.html), already formatted."""
        return {}


@dataclass(frozen=True)
class Question:
    """One question of a step that asks several: its prompt; `choose` stores a pressed button's value (False
    when the value is not one of its buttons); `write` stores typed text (False when it asked again, saying
    why); `asked_if` leaves the question out when it makes no sense."""

    name: str
    prompt: Callable[[], Reply]
    choose: Callable[[Sheet, str], bool] | None = None
    write: Callable[[Turn, str], bool] | None = None
    buttons: bool = False  # typed text is matched to the buttons, not written
    asked_if: Condition | None = None


class Questions(Step):
    """A step that asks several questions in turn (conversation.sub_step is the current one); the button value
    `skip_one` leaves one out, `skip_rest` the rest of the step."""

    def __init__(self, name: str, questions: tuple[Question, ...], *, skip_one: str | None = "skip",
                 skip_rest: str | None = "skip_all", **step: Any) -> None:
        super().__init__(name, **step)
        self.questions = questions
        self.skip_one = skip_one
        self.skip_rest = skip_rest

    def question(self, conv: Conversation) -> Question:
        """The question being asked."""
        return self.questions[conv.sub_step]

    def ask(self, conv: Conversation) -> list[Reply]:
        return [self.question(conv).prompt()]

    def expects_button(self, conv: Conversation) -> bool:
        return self.question(conv).buttons

    def answer(self, turn: Turn, value: str | None) -> None:
        if value is not None and value == self.skip_rest:
            turn.advance()
        elif (value is not None and value == self.skip_one) or self._take(turn, self.question(turn.conv), value):
            self._next(turn)

    def _take(self, turn: Turn, question: Question, value: str | None) -> bool:
        if value is not None:
            if question.choose is not None and question.choose(turn.conv.sheet, value):
                return True
            turn.stale() if value else turn.nudge()
            return False
        if question.write is None:
            turn.nudge()
            return False
        return question.write(turn, turn.answer_text)

    def _next(self, turn: Turn) -> None:
        turn.conv.sub_step += 1
        self.enter(turn.conv)
        if turn.conv.sub_step >= len(self.questions):
            turn.advance()
        else:
            turn.ask_again()

    def _asked(self, conv: Conversation, index: int) -> bool:
        condition = self.questions[index].asked_if
        return condition is None or condition(conv)

    def enter(self, conv: Conversation) -> None:
        while conv.sub_step < len(self.questions) and not self._asked(conv, conv.sub_step):
            conv.sub_step += 1

    def back(self, conv: Conversation) -> bool:
        earlier = [i for i in range(conv.sub_step) if self._asked(conv, i)]
        if not earlier:
            return False
        conv.sub_step = earlier[-1]
        return True
