"""The README's recipe for adding an intake step, shown to work: a throwaway step (the person's nickname, a field
the sheet has and no step asks) registered after `wishes`. Nothing else is written, and the machine, the
diagram, back, the review, editing and the printed sheet all take it in."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from dialogs.model import Choice, Conversation, Reply, Sheet
from dialogs.steps import INTAKE
from dialogs.steps.base import Step, way_out
from tests.unit.transcript import Chat

if TYPE_CHECKING:
    from dialogs.turn import Turn


class Nickname(Step):
    """What the person likes to be called (呼び名): typed, or skipped."""

    def __init__(self) -> None:
        super().__init__("nickname", section="nickname", label="呼び名")

    def ask(self, conv: Conversation) -> list[Reply]:
        skip = Choice("nickname:skip", "とばす")
        return [Reply("ご本人の呼び名があれば教えてください。", (skip, *way_out("nickname")))]

    def expects_button(self, conv: Conversation) -> bool:
        return False

    def answer(self, turn: Turn, value: str | None) -> None:
        """Stores the nickname, then goes on."""
        if value is None and turn.text:
            turn.conv.sheet.person.nickname = turn.answer_text
        elif value != "skip":
            turn.stale()
            return
        turn.advance()

    def summary(self, sheet: Sheet) -> list[str]:
        return [f"呼び名：{sheet.person.nickname}"] if sheet.person.nickname else []

    def printed(self, sheet: Sheet, today: date) -> dict[str, object]:
        return {"nickname": sheet.person.nickname or ""}


INTAKE_WITH_NICKNAME = INTAKE.with_step(Nickname(), after="wishes")


def test_a_registered_step_is_asked_in_its_place_and_back_comes_to_it() -> None:
    chat = Chat(intake=INTAKE_WITH_NICKNAME)
    chat.walk_to("wishes")
    chat.say("まず話を聞いてほしいです")
    assert chat.conv.state == "nickname" and chat.last.text == "ご本人の呼び名があれば教えてください。"
    chat.say("たっくん")
    assert chat.conv.state == "contact"
    chat.press("contact:back")
    assert chat.conv.state == "nickname", "back from the next step comes to it"
    chat.press("nickname:skip")
    assert chat.conv.state == "contact" and chat.conv.sheet.person.nickname == "たっくん"


def test_the_review_summarises_it_and_can_open_it_again() -> None:
    chat = Chat(intake=INTAKE_WITH_NICKNAME)
    chat.walk_to("wishes")
    chat.say("まず話を聞いてほしいです")
    chat.say("たっくん")
    chat.walk_to("review")
    assert "呼び名：たっくん" in chat.last.text
    chat.press("review:edit")
    assert "review:edit_nickname" in chat.offered()
    chat.press("review:edit_nickname")
    assert chat.conv.state == "nickname"
    chat.say("たろちゃん")
    assert chat.conv.state == "review" and "呼び名：たろちゃん" in chat.last.text


def test_the_diagram_and_the_printed_sheet_follow() -> None:
    drawn = INTAKE_WITH_NICKNAME.mermaid()
    assert 'state "nickname" as nickname' in drawn
    assert "wishes --> nickname: next" in drawn and "nickname --> contact: next" in drawn
    assert "contact --> nickname: back" in drawn and "review --> nickname: edit_nickname" in drawn
    sheet = Sheet()
    sheet.person.nickname = "たっくん"
    assert INTAKE_WITH_NICKNAME.printed(sheet, date(2026, 12, 9))["nickname"] == "たっくん"
    assert "nickname" not in INTAKE.mermaid(), "the registered intake itself is unchanged"
