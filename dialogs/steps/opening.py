"""The opening steps: the welcome, who is writing, and consent to sharing."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from dialogs.i18n import N_
from dialogs.i18n import gettext as _
from dialogs.model import Choice, Consent, ConsentGiven, Conversation, Reply, Sheet
from dialogs.steps.base import Step, label, way_out

if TYPE_CHECKING:
    from dialogs.turn import Turn

CONSENT_VERSION = "2026-11-v1"  # the version of the consent wording below; change it with the wording

WRITER_LABELS = {
    "self": N_("本人"),
    "family": N_("家族"),
    "supporter": N_("支援者・その他"),
    "no_answer": N_("答えない"),
}
WRITER_BUTTONS = {"self": "self", "family": "family", "supporter": "supporter", "skip": "no_answer"}


def writes_for_someone(conv: Conversation) -> bool:
    """A family member or supporter writes, so the questions about the writer (登録者) apply."""
    return conv.sheet.writer in ("family", "supporter")


class Welcome(Step):
    """The greeting: what this is, that nothing is required; start, learn more, or leave it for later."""

    def __init__(self) -> None:
        super().__init__("welcome", welcomes_back=False)

    def ask(self, conv: Conversation) -> list[Reply]:
        return [
            Reply(_(
                "こんにちは。ひきこもりのことを相談できる窓口です。"
                "ご本人でも、ご家族でも大丈夫です。"
                "名前を言わなくても、答えたくない質問をとばしてもかまいません。いつでもやめられます。"
            )),
            Reply(
                _("書いてもらったことは、相談員が受付時間に順番に読みます。はじめてみますか？"),
                (
                    Choice("welcome:start", _("はじめる")),
                    Choice("welcome:about", _("くわしく知る")),
                    Choice("welcome:later", _("またあとで")),
                ),
            ),
        ]

    def answer(self, turn: Turn, value: str | None) -> None:
        """Starts the intake, explains it, or leaves it for later."""
        if value == "start":
            turn.advance()
        elif value == "about":
            turn.say(_(
                "いくつか質問をして、相談の用紙（つなぐシート）を一緒につくります。"
                "できた用紙は、お住まいの地域の相談員に届きます。"
                "そのあとは、このチャットで相談員とやりとりできます。"
                "書いた内容は暗号化して保管し、外には出しません。"
            ), self.ask(turn.conv)[1])
        elif value == "later":
            turn.say(_("わかりました。いつでも、また書いてください。続きから始められます。"))
        else:
            turn.nudge()


class Who(Step):
    """Who is writing: the person, a family member, a supporter, or no answer."""

    def __init__(self) -> None:
        super().__init__("who", section="who", label=N_("書いている人"))

    def ask(self, conv: Conversation) -> list[Reply]:
        choices = tuple(Choice(f"who:{value}", label(WRITER_LABELS, writer))
                        for value, writer in WRITER_BUTTONS.items())
        return [Reply(_("いま書いているのは、どなたですか？"), choices + way_out("who", send_now=False))]

    def answer(self, turn: Turn, value: str | None) -> None:
        """Stores who is writing and asks for consent."""
        if value not in WRITER_BUTTONS:
            turn.nudge()
            return
        turn.conv.sheet.writer = WRITER_BUTTONS[value]
        turn.advance()

    def summary(self, sheet: Sheet) -> list[str]:
        if not sheet.writer:
            return []
        return [_("書いている人：{value}").format(value=label(WRITER_LABELS, sheet.writer))]

    def printed(self, sheet: Sheet, today: date) -> dict[str, object]:
        return {"writer": label(WRITER_LABELS, sheet.writer) if sheet.writer else ""}


class ConsentStep(Step):
    """Consent to share with related agencies: the short wording, the full one on request."""

    def __init__(self) -> None:
        super().__init__("consent", section="consent", label=N_("共有について"))

    def ask(self, conv: Conversation) -> list[Reply]:
        return [Reply(
            _("必要なときに、関係する支援機関とこの相談内容を共有してもよいですか？"
              "共有しなくても、相談はできます。"),
            (
                Choice("consent:yes", _("共有してよい")),
                Choice("consent:no", _("共有しない")),
                Choice("consent:more", _("くわしく")),
                *way_out("consent", send_now=False),
            ),
        )]

    def answer(self, turn: Turn, value: str | None) -> None:
        """Stores the consent answer (with its wording version), or shows the full text."""
        if value == "more":
            turn.ask_again(_(
                "共有するのは、この用紙の内容です。"
                "ご本人やご家族に合う支援につなぐために、区市町村の相談窓口や、"
                "保健・福祉・就労・教育などの支援機関に伝えることがあります。"
                "共有したときは、いつ・どこに・何を伝えたかを記録します。"
                "あとから「共有しない」に変えることもできます。"
                "命に関わる危険があるときは、同意がなくても必要な機関に連絡することがあります。"
            ))
            return
        if value not in ("yes", "no"):
            turn.nudge()
            return
        agreed = value == "yes"
        turn.conv.sheet.consent = Consent(share_with_agencies=agreed, at=turn.inbound.received_at.isoformat(),
                                          text_version=CONSENT_VERSION)
        turn.emit(ConsentGiven(agreed, CONSENT_VERSION))
        turn.advance()

    def summary(self, sheet: Sheet) -> list[str]:
        if sheet.consent.share_with_agencies is None:
            return []
        value = _("共有してよい") if sheet.consent.share_with_agencies else _("共有しない")
        return [_("共有：{value}").format(value=value)]

    def printed(self, sheet: Sheet, today: date) -> dict[str, object]:
        return {"consent": sheet.consent.share_with_agencies, "consent_version": sheet.consent.text_version or ""}
