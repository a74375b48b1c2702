"""What the bot says at any step, outside the steps' own questions (each step says those, in dialogs/steps/):
odd input, pauses, commands, erasure, languages and the first word of care (gettext; ja is the source)."""

from __future__ import annotations

from dialogs.i18n import LANGUAGES, N_
from dialogs.i18n import gettext as _
from dialogs.model import Choice, Reply
from dialogs.steps.opening import CONSENT_VERSION

__all__ = ["CONSENT_VERSION"]  # the consent wording's version, beside the wording in dialogs/steps/opening.py

# What is said as it is: message ids, translated where they are said (`_(prompts.PAUSED)`).
# Start over is not possible after the handoff.
ALREADY_SENT = N_("相談はもう相談員に届いています。続きは、ここに書いてもらえれば相談員に届きます。")
# 「ここまでで送る」 before the consent question is answered.
SEND_NOW_LATER = N_("共有についての質問に答えたあとで、ここまでの内容を送れるようになります。")
# A message with nothing readable in it.
EMPTY = N_("メッセージが空のようでした。")
# Pause: the next message resumes.
PAUSED = N_("ここでひと休みしますね。また書いてもらえれば、続きから始められます。")
# Many messages in a short time: all are kept; the bot answers again once they slow.
SLOW_DOWN = N_("たくさん書いてくれてありがとうございます。ぜんぶ受け取っています。少しずつ読んでいきますね。")
# After the crisis contacts, the conversation goes on gently.
CARRY_ON = N_("ここで話を続けても大丈夫です。書けるときに、書けることだけで。")
# The person withdrew their consent to sharing.
UNSHARED = N_("わかりました。これからは、ほかの支援機関と共有しません。相談はこのまま続けられます。")
# Withdrawing when nothing is shared.
NOT_SHARED = N_("いまは、ほかの支援機関と共有しない設定です。相談はこのまま続けられます。")
# After erasure.
ERASED = N_("消しました。また相談したくなったら、いつでも書いてください。")
# Erasure cancelled.
NOT_ERASED = N_("消さずに、そのままにしました。")
# After a language switch (said in the new language).
LANGUAGE_CHANGED = N_("日本語で続けます。")


def too_long(limit: int) -> str:
    """A message over the length limit."""
    message = _("長い文章をありがとうございます。一度に受け取れるのは{limit}文字までなので、分けて送ってもらえますか？")
    return message.format(limit=f"{limit:,}")


NOT_TEXT = {"sticker": N_("スタンプありがとうございます。ここでは文字とボタンでやりとりしています。"),
            "other": N_("送ってくださってありがとうございます。"
                        "ここでは文字しか読めないので、よければ文字で書いてください。")}
# The first answer to a message that signals danger: care, no alarm, no lecture (the gravest danger named first).
CARE = {"medical": N_("書いてくれてありがとうございます。急いで手当てが必要なときは、すぐに119に電話してください。"),
        "violence": N_("書いてくれてありがとうございます。"
                       "こわい思いをしているのですね。あなたの安全がいちばん大切です。"),
        "suicide": N_("書いてくれてありがとうございます。とてもつらい気持ちなのですね。ひとりで抱えなくて大丈夫です。")}


def not_text(kind: str) -> str:
    """A sticker, photo or other non-text message."""
    return _(NOT_TEXT.get(kind, NOT_TEXT["other"]))


def crisis_care(categories: frozenset[str]) -> str:
    """The first word of care for the gravest danger a message signals."""
    return _(CARE[next((c for c in CARE if c in categories), "suicide")])


def _question(text: str, *choices: tuple[str, str]) -> Reply:
    """A question (a message id) with its buttons (id, message id), in the active language."""
    return Reply(_(text), tuple(Choice(choice, _(label)) for choice, label in choices))


def welcome_back() -> Reply:
    """On return after a pause or a long silence."""
    return _question(N_("おかえりなさい。続きから始めますか？"), ("resume:continue", N_("続きから")),
                     ("resume:restart", N_("最初から")))


def erase_confirm() -> Reply:
    """Erasure needs one confirmation."""
    return _question(N_("これまでに書いた内容をすべて消しますか？消したものは元に戻せません。"),
                     ("erase:confirm", N_("消す")), ("erase:cancel", N_("消さない")))


def language_choice() -> Reply:
    """The languages on offer (each label in its own language)."""
    return Reply(_("どの言葉で続けますか？"),
                 tuple(Choice(f"language:{language.action}", language.name) for language in LANGUAGES))


