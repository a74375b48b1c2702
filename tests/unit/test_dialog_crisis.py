"""Danger in the dialog (pure): at any step a signal gets care in the same turn, an event that makes the
case urgent, what was written kept on the sheet, and the conversation carries on where it was."""

from __future__ import annotations

import pytest

from dialogs.model import CrisisSignaled, HandoffRequested, MessageForCounselor
from tests.unit.transcript import Chat


def test_the_very_first_message() -> None:
    chat = Chat()
    replies = chat.say("死にたい")
    assert CrisisSignaled(("suicide",)) in chat.events
    assert "ひとりで抱えなくて大丈夫です" in replies[0].text
    assert chat.offered() == ["welcome:start", "welcome:about", "welcome:later"], "then the welcome"
    assert chat.conv.sheet.risk.urgent and chat.conv.sheet.risk.signals == ["suicide"]


@pytest.mark.parametrize("step", ["who", "consent", "topics", "contact", "profile", "review"])
def test_in_the_middle_of_the_intake(step: str) -> None:
    chat = Chat()
    chat.walk_to(step)
    asked = chat.last.text
    replies = chat.say("夫に殴られています")
    assert CrisisSignaled(("violence",)) in chat.events
    assert "あなたの安全がいちばん大切です" in replies[0].text
    assert chat.conv.state == step, "the same question again, gently"
    assert replies[-1].text == asked or (step == "review" and "夫に殴られています" in replies[-1].text)
    assert "夫に殴られています" in chat.conv.sheet.details
    assert "ボタン" not in "".join(r.text for r in replies), "no nudge about buttons"


def test_in_the_details_the_words_are_the_answer() -> None:
    chat = Chat()
    chat.walk_to("details")
    chat.say("息子が倒れて動かない")
    assert CrisisSignaled(("medical",)) in chat.events
    assert chat.conv.sheet.details == ["息子が倒れて動かない"]
    assert chat.conv.state == "details"


def test_after_the_handoff_the_counselor_gets_it_too() -> None:
    chat = Chat()
    chat.walk_to("review")
    chat.press("review:send")
    assert HandoffRequested(urgent=False) in chat.events
    chat.say("もう消えたい")
    assert CrisisSignaled(("suicide",)) in chat.events
    assert MessageForCounselor("もう消えたい") in chat.events
    assert chat.conv.state == "handed_off"


def test_a_crisis_later_makes_the_final_handoff_urgent() -> None:
    chat = Chat()
    chat.walk_to("contact")
    chat.say("ODしちゃった")
    chat.walk_to("review")
    chat.press("review:send")
    assert HandoffRequested(urgent=True) in chat.events


@pytest.mark.parametrize("text", ["死ぬほど眠い", "笑いすぎて死にそう", "電気が消えた"])
def test_idioms_change_nothing(text: str) -> None:
    chat = Chat()
    chat.walk_to("details")
    chat.say(text)
    assert not [e for e in chat.events if isinstance(e, CrisisSignaled)]
    assert not chat.conv.sheet.risk.urgent
