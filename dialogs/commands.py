"""What works at any step, typed or pressed: 戻る, やめる, 最初から, ここまでで送る, 削除, 共有をやめる, ヘルプ and the
languages. One table: a command's button value, the words that name it, what it does and its line in the help text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dialogs import prompts
from dialogs.i18n import LANGUAGES, N_, current_locale, use_locale
from dialogs.i18n import gettext as _
from dialogs.model import (
    Consent,
    ConsentWithdrawn,
    ContactsRequested,
    EraseRequested,
    GatheringPressed,
    GatheringsRequested,
    ResourcesRequested,
    Sheet,
)
from dialogs.text import fold
from dialogs.turn import Turn


@dataclass(frozen=True)
class Command:
    """`action` runs it as a button value (`<any step>:<action>`); `words` typed as a whole message run it too."""

    action: str
    words: tuple[str, ...]
    run: Callable[[Turn], None]
    help: str | None = None  # its line in the help text (a message id)


def back(turn: Turn) -> None:
    """One question back: within the step, else to the step before."""
    if not turn.step.back(turn.conv):
        turn.fire("back")
    turn.ask_again()


def pause(turn: Turn) -> None:
    """Stop for now; the next message is welcomed back (nothing to pause after the handoff)."""
    turn.conv.paused = not turn.step.final
    turn.say(_(prompts.PAUSED))


def restart(turn: Turn) -> None:
    """Start over with an empty sheet (not after the handoff)."""
    if turn.step.final:
        turn.say(_(prompts.ALREADY_SENT))
        return
    turn.conv.sheet = Sheet()
    turn.fire("restart")
    turn.ask_again()


def send_now(turn: Turn) -> None:
    """「ここまでで送る」: straight to the review with what is answered so far (only after consent)."""
    step = turn.step
    if step.final:
        turn.say(_(prompts.ALREADY_SENT))
    elif turn.intake.can_send_now(step.name):
        step.settle(turn.conv.sheet)
        turn.fire("send_now")
        turn.ask_again()
    elif step.name == "review":
        turn.ask_again()
    else:
        turn.ask_again(_(prompts.SEND_NOW_LATER))


def erase(turn: Turn) -> None:
    """Ask once whether everything written should be erased."""
    turn.conv.awaiting_erase = True
    turn.say(prompts.erase_confirm())


def unshare(turn: Turn) -> None:
    """Stop sharing with other agencies from now on; the consultation itself goes on."""
    consent = turn.conv.sheet.consent
    if consent is None or not consent.share_with_agencies:
        turn.ask_again(_(prompts.NOT_SHARED))
        return
    turn.conv.sheet.consent = Consent(share_with_agencies=False, at=turn.inbound.received_at.isoformat(),
                                      text_version=consent.text_version)
    turn.emit(ConsentWithdrawn())
    turn.ask_again(_(prompts.UNSHARED))


def show_help(turn: Turn) -> None:
    """The words that work at any step, then the question again."""
    spoken = next(language.action for language in LANGUAGES if language.code == current_locale())
    lines = [_(c.help) for c in COMMANDS if c.help and c.action != spoken]  # none for the language being spoken
    turn.ask_again("\n".join([_("いつでも使えることば："), *lines]))


def gatherings(turn: Turn) -> None:
    """Show the gatherings that fit (the service lists them: they are operators' data), then, before the handoff,
    the question again."""
    turn.emit(GatheringsRequested(again=not turn.step.final))


def consult(turn: Turn) -> None:
    """「相談する」: the intake from where it is (its first question for someone new), a pause ended."""
    turn.ask_again()


def places(turn: Turn) -> None:
    """「集まり・相談先」: the local places to turn to and the gatherings that fit, then, before the handoff, the
    question again (the service lists them: they are operators' data)."""
    turn.emit(ResourcesRequested())
    turn.emit(GatheringsRequested(again=not turn.step.final))


def contacts(turn: Turn) -> None:
    """「緊急のとき」: the crisis contacts, open ones first (the service lists them)."""
    turn.emit(ContactsRequested())


def gathering_pressed(turn: Turn, choice_id: str) -> None:
    """A button on a gathering's message, whatever the step: the service answers it."""
    _, action, ref = choice_id.split(":", 2) if choice_id.count(":") >= 2 else (None, "", "")
    turn.emit(GatheringPressed(action, ref))


def choose_language(turn: Turn) -> None:
    """The languages on offer."""
    turn.say(prompts.language_choice())


def switch_to(code: str) -> Callable[[Turn], None]:
    """Go on in another language."""
    def switch(turn: Turn) -> None:
        turn.conv.locale = code
        with use_locale(code):
            turn.ask_again(_(prompts.LANGUAGE_CHANGED))
    switch.__doc__ = f"Go on in {code}."
    return switch


COMMANDS: tuple[Command, ...] = (
    Command("back", ("戻る", "もどる", "back", "前へ", "まえへ"), back, N_("「戻る」ひとつ前の質問へ")),
    Command("pause", ("やめる", "やめます", "中断", "ひと休み", "ひとやすみ", "一休み", "pause", "stop"), pause,
            N_("「やめる」ひと休み（続きから再開できます）")),
    Command("restart", ("最初から", "さいしょから", "はじめから", "start over", "restart"), restart,
            N_("「最初から」はじめからやり直す")),
    Command("send_now", ("ここまでで送る", "ここまででおくる", "send now", "send what i have"), send_now,
            N_("「ここまでで送る」いままでの答えで、送る前の確認へ")),
    Command("erase", ("削除", "さくじょ", "データを消して", "delete", "erase", "delete my data"), erase,
            N_("「削除」書いた内容を消す")),
    Command("unshare", ("共有をやめる", "同意を取り消す", "同意の取り消し", "stop sharing", "withdraw consent"),
            unshare, N_("「共有をやめる」ほかの機関との共有をやめる")),
    Command("gatherings", ("集まり", "あつまり", "集まりを見る", "イベント", "events", "gatherings"), gatherings,
            N_("「集まり」居場所やグループの予定を見る")),
    Command("consult", ("相談する", "そうだんする"), consult),
    Command("places", ("集まり・相談先", "相談先", "そうだんさき"), places),
    Command("contacts", ("緊急のとき", "きんきゅうのとき"), contacts),
    Command("help", ("ヘルプ", "へるぷ", "help", "使い方", "つかいかた"), show_help),
    Command("language", ("言語", "げんご", "言葉", "ことば", "language"), choose_language),
    *(Command(language.action, language.words, switch_to(language.code), language.help)
      for language in LANGUAGES),
)
_BY_ACTION = {command.action: command for command in COMMANDS}
_BY_WORD = {fold(word): command for command in COMMANDS for word in command.words}


def named(choice_id: str | None, text: str | None) -> Command | None:
    """The command a pressed button (by its value, at any step) or a whole typed message names."""
    if choice_id:
        return _BY_ACTION.get(choice_id.partition(":")[2])
    return _BY_WORD.get(fold(text)) if text else None


def run(turn: Turn, command: Command) -> None:
    """Run a command; any command ends a pause."""
    turn.conv.paused = False
    command.run(turn)


def answer_erase(turn: Turn, choice_id: str | None) -> None:
    """The answer to 「消しますか？」: erase on confirmation, else leave everything as it was."""
    conv = turn.conv
    conv.awaiting_erase = False
    if choice_id == "erase:confirm":
        turn.emit(EraseRequested())
        conv.sheet = Sheet()
        conv.paused = False
        turn.fire("erase")
        turn.say(_(prompts.ERASED))
    else:
        turn.ask_again(_(prompts.NOT_ERASED))


def resume(turn: Turn, choice_id: str) -> None:
    """Back after a pause or a long silence: go on where it stopped, or start over."""
    turn.conv.paused = False
    if choice_id == "resume:restart":
        restart(turn)
    else:
        turn.ask_again()
