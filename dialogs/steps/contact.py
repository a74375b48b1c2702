"""How and when a counselor may reach the person: the method (buttons), then convenient times (typed)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from dialogs.i18n import N_
from dialogs.i18n import gettext as _
from dialogs.model import Choice, Reply, Sheet
from dialogs.steps.base import Question, Questions, label, way_out
from dialogs.steps.words import shorten

if TYPE_CHECKING:
    from dialogs.turn import Turn

CONTACT_LABELS = {
    "chat": N_("このチャットで"),
    "phone": N_("電話で"),
    "meeting": N_("窓口で会って"),
    "visit": N_("家に来てもらって"),
}


def _skip() -> Choice:
    return Choice("contact:skip", _("とばす"))


def method_question() -> Reply:
    """How a counselor may reach them."""
    buttons = tuple(Choice(f"contact:{k}", label(CONTACT_LABELS, k)) for k in CONTACT_LABELS)
    return Reply(_("相談員とは、どんな方法でやりとりしたいですか？"), (*buttons, _skip(), *way_out("contact")))


def choose_method(sheet: Sheet, value: str) -> bool:
    """Stores how a counselor may reach the person."""
    if value not in CONTACT_LABELS:
        return False
    sheet.contact.method = value
    return True


def times_question() -> Reply:
    """When a counselor may reach them."""
    return Reply(_("都合のよい曜日や時間帯があれば、教えてください。"), (_skip(), *way_out("contact")))


def write_times(turn: Turn, text: str) -> bool:
    """Stores when a counselor may reach the person."""
    turn.conv.sheet.contact.times = text
    return True


class Contact(Questions):
    """How, then when; its skip button skips the whole step."""

    def __init__(self) -> None:
        super().__init__("contact", (Question("method", method_question, choose=choose_method, buttons=True),
                                     Question("times", times_question, write=write_times)),
                         skip_one=None, skip_rest="skip", section="contact", label=N_("連絡の方法"))

    def summary(self, sheet: Sheet) -> list[str]:
        if not sheet.contact.method:
            return []
        value = label(CONTACT_LABELS, sheet.contact.method)
        if sheet.contact.times:
            value += f"（{shorten(sheet.contact.times, 40)}）"
        return [_("連絡の方法：{value}").format(value=value)]

    def printed(self, sheet: Sheet, today: date) -> dict[str, object]:
        method = sheet.contact.method
        return {"contact": label(CONTACT_LABELS, method) if method else "", "contact_times": sheet.contact.times or ""}
