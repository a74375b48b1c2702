"""What troubles the person (the 19 topics, as toggles or typed numbers) and which is the hardest (◎)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from dialogs.i18n import N_
from dialogs.i18n import gettext as _
from dialogs.model import Choice, Conversation, Reply, Sheet
from dialogs.steps.base import Step, way_out
from dialogs.text import numbers
from dialogs.topics import TOPIC_IDS, topic_label

if TYPE_CHECKING:
    from dialogs.turn import Turn


def several_topics(conv: Conversation) -> bool:
    """Two or more topics are chosen, so the hardest one is asked."""
    return len(conv.sheet.topics) >= 2


class Topics(Step):
    """The 19 topics as toggles, with what is chosen so far; numbers may be typed (1 3 15)."""

    def __init__(self) -> None:
        super().__init__("topics", section="topics", label=N_("困っていること"))

    def ask(self, conv: Conversation) -> list[Reply]:
        return [self.toggles(conv.sheet)]

    @staticmethod
    def toggles(sheet: Sheet) -> Reply:
        """The question with a button for every topic, the chosen ones ticked."""
        chosen = [topic_label(t) for t in sheet.topics]
        text = _("いま困っていることを、いくつでも選べます。番号を書いても大丈夫です（例：1 3 15）。")
        if chosen:
            text += "\n" + _("選んだもの：{topics}").format(topics="、".join(chosen))
        buttons = tuple(
            Choice(f"topics:{t}", ("✓ " if t in sheet.topics else "") + f"{n}. {topic_label(t)}")
            for n, t in enumerate(TOPIC_IDS, start=1)
        )
        return Reply(text, (*buttons, Choice("topics:done", _("選び終えた")), *way_out("topics")))

    def typed_choice(self, conv: Conversation, text: str) -> str | None:
        return None if numbers(text) is not None else super().typed_choice(conv, text)

    def answer(self, turn: Turn, value: str | None) -> None:
        """Toggles topics (by button or typed numbers) until the person is done."""
        sheet = turn.conv.sheet
        if value == "done":
            self.settle(sheet)
            turn.advance()
            return
        picked = _typed(turn.text or "") if value is None else ([value] if value in TOPIC_IDS else None)
        if not picked:
            turn.nudge()
            return
        for topic in picked:
            if topic in sheet.topics:
                sheet.topics.remove(topic)
            else:
                sheet.topics.append(topic)
        sheet.topics.sort(key=TOPIC_IDS.index)
        if sheet.main_topic not in sheet.topics:
            sheet.main_topic = None
        if value is None:
            turn.ask_again()
        else:
            turn.say(replace(self.toggles(sheet), update=True))

    def settle(self, sheet: Sheet) -> None:
        """One topic is the hardest one (◎); none, no hardest."""
        if len(sheet.topics) == 1:
            sheet.main_topic = sheet.topics[0]
        elif not sheet.topics:
            sheet.main_topic = None

    def summary(self, sheet: Sheet) -> list[str]:
        if not sheet.topics:
            return []
        marked = [("◎" if t == sheet.main_topic else "○") + topic_label(t) for t in sheet.topics]
        return [_("困っていること：{value}").format(value="、".join(marked))]

    def printed(self, sheet: Sheet, today: date) -> dict[str, object]:
        """The 19 topics in the form's order, each with ◎, ○ or nothing."""
        marks = [{"id": t, "label": topic_label(t),
                  "mark": "◎" if t == sheet.main_topic else ("○" if t in sheet.topics else "")} for t in TOPIC_IDS]
        return {"topics": marks}


def _typed(text: str) -> list[str] | None:
    """The topics a message of numbers names, each once; None unless every number is a topic's."""
    typed = numbers(text)
    if typed and all(1 <= n <= len(TOPIC_IDS) for n in typed):
        return [TOPIC_IDS[n - 1] for n in dict.fromkeys(typed)]
    return None


class MainTopic(Step):
    """The hardest of the chosen topics (◎); part of the topics section, asked only with two or more."""

    def __init__(self) -> None:
        super().__init__("main_topic", section="topics", when=several_topics)

    def ask(self, conv: Conversation) -> list[Reply]:
        buttons = tuple(Choice(f"main_topic:{t}", topic_label(t)) for t in conv.sheet.topics)
        return [Reply(
            _("その中で、いちばん困っていることはどれですか？"),
            (*buttons, Choice("main_topic:skip", _("選ばない")), *way_out("main_topic")),
        )]

    def answer(self, turn: Turn, value: str | None) -> None:
        """Stores the hardest topic (◎)."""
        sheet = turn.conv.sheet
        if value == "skip":
            sheet.main_topic = None
        elif value in sheet.topics:
            sheet.main_topic = value
        else:
            turn.nudge()
            return
        turn.advance()
