"""The person's own words: how things are (any number of messages), and the support they would like."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from dialogs.i18n import N_
from dialogs.i18n import gettext as _
from dialogs.model import Choice, Conversation, Reply, Sheet
from dialogs.steps.base import Step, way_out

if TYPE_CHECKING:
    from dialogs.turn import Turn


def shorten(text: str, limit: int = 80) -> str:
    """A long answer cut for the review."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Details(Step):
    """Free text about the situation, in several messages if they like; each is acknowledged."""

    def __init__(self) -> None:
        super().__init__("details", section="details", label=N_("くわしい様子"), words_are_the_answer=True)

    def ask(self, conv: Conversation) -> list[Reply]:
        return [Reply(
            _("よければ、いまの様子を教えてください。書いた内容は相談員だけが読みます。"
              "何回かに分けて送っても大丈夫です。"),
            (Choice("details:done", _("書き終えた")), Choice("details:skip", _("とばす")), *way_out("details")),
        )]

    def expects_button(self, conv: Conversation) -> bool:
        return False

    def answer(self, turn: Turn, value: str | None) -> None:
        """Collects the person's own words, acknowledging each message."""
        if value in ("done", "skip"):
            turn.advance()
        elif value is None and turn.text:
            turn.conv.sheet.details.append(turn.text)
            # outside the say() call: pybabel does not extract a message nested in a `say` keyword's call
            thanks = _("ありがとうございます。受け取りました。続けて書いても、「書き終えた」を押してもかまいません。")
            turn.say(Reply(thanks, (Choice("details:done", _("書き終えた")), *way_out("details"))))
        else:
            turn.stale()

    def reopen(self, sheet: Sheet) -> None:
        sheet.details = []

    def summary(self, sheet: Sheet) -> list[str]:
        if not sheet.details:
            return []
        return [_("くわしい様子：{value}").format(value=shorten(" / ".join(sheet.details)))]

    def printed(self, sheet: Sheet, today: date) -> dict[str, object]:
        return {"details": "\n\n".join(sheet.details)}


class Wishes(Step):
    """What kind of support they would like (skippable)."""

    def __init__(self) -> None:
        super().__init__("wishes", section="wishes", label=N_("希望する支援"))

    def ask(self, conv: Conversation) -> list[Reply]:
        return [Reply(_("どんな支援があるとよいですか？思いつかなければ、とばしても大丈夫です。"),
                      (Choice("wishes:skip", _("とばす")), *way_out("wishes")))]

    def expects_button(self, conv: Conversation) -> bool:
        return False

    def answer(self, turn: Turn, value: str | None) -> None:
        """Stores the wished-for support."""
        if value == "skip":
            turn.advance()
        elif value is None and turn.text:
            turn.conv.sheet.wishes = turn.text
            turn.advance()
        else:
            turn.stale()

    def summary(self, sheet: Sheet) -> list[str]:
        return [_("希望する支援：{value}").format(value=shorten(sheet.wishes))] if sheet.wishes else []

    def printed(self, sheet: Sheet, today: date) -> dict[str, object]:
        return {"wishes": sheet.wishes or ""}
