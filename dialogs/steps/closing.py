"""The closing steps: the review of the whole sheet (send it, or open a section again), and after the handoff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogs.i18n import gettext as _
from dialogs.model import (
    Choice,
    Conversation,
    HandoffRequested,
    MessageForCounselor,
    Reply,
    ResourcesRequested,
)
from dialogs.steps.base import Step, label, way_out

if TYPE_CHECKING:
    from dialogs.steps.intake import Intake
    from dialogs.turn import Turn


class Review(Step):
    """The whole sheet as it will be sent, to send or change; it knows the other steps through its intake."""

    def __init__(self, intake: Intake) -> None:
        super().__init__("review")
        self.intake = intake

    def ask(self, conv: Conversation) -> list[Reply]:
        lines = [_("この内容で相談員に届けます。"), *self.intake.summary(conv.sheet)]
        return [Reply("\n".join(lines), (Choice("review:send", _("この内容で送る")), Choice("review:edit", _("なおす")),
                                         *way_out("review", send_now=False)))]

    def edit_menu(self, conv: Conversation) -> Reply:
        """Which section to change: those that apply to this sheet."""
        sections = [s for s in self.intake.sections() if s.when is None or s.when(conv)]
        return Reply(_("どこをなおしますか？"),
                     (*(Choice(f"review:edit_{s.section}", label({s.section or "": s.label}, s.section or ""))
                        for s in sections),
                      Choice("review:back_to_review", _("なおさずに戻る"))))

    def answer(self, turn: Turn, value: str | None) -> None:
        """Sends the sheet, or opens one section for changes."""
        sections = {s.section: s for s in self.intake.sections()}
        if value == "send":
            turn.fire("send")
            turn.emit(HandoffRequested(urgent=turn.conv.sheet.risk.urgent))
            turn.ask_again()
        elif value == "edit":
            turn.say(self.edit_menu(turn.conv))
        elif value and value.startswith("edit_") and value.removeprefix("edit_") in sections:
            sections[value.removeprefix("edit_")].reopen(turn.conv.sheet)
            turn.advance(value)
        elif value == "back_to_review":
            turn.ask_again()
        else:
            turn.nudge()


class HandedOff(Step):
    """After the handoff: thanks, what happens next; whatever the person writes goes to the counselor."""

    def __init__(self) -> None:
        super().__init__("handed_off", words_are_the_answer=True, welcomes_back=False, final=True)

    def ask(self, conv: Conversation) -> list[Reply]:
        return [Reply(
            _("送りました。ありがとうございます。相談員が受付時間に読んで、このチャットでお返事します。"
              "それまでに書きたいことがあれば、いつでもここに書いてください。"),
            (Choice("handed_off:message", _("相談員にメッセージを書く")),),
        )]

    def expects_button(self, conv: Conversation) -> bool:
        return False

    def answer(self, turn: Turn, value: str | None) -> None:
        """After the handoff, what the person writes goes to the counselor."""
        if value is None and turn.text:
            turn.emit(MessageForCounselor(turn.text))
            turn.say(_("相談員に届けました。"))
        elif value == "resources":
            turn.emit(ResourcesRequested())  # the service lists them (they are operators' data)
        else:
            turn.say(_("どうぞ、ここに書いてください。相談員に届けます。"))
