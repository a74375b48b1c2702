"""What the bot says at any step, outside the steps' own questions (each step says those, in dialogs/steps/):
odd input, pauses, commands, erasure, languages and the first word of care (gettext; ja is the source)."""

from __future__ import annotations

from dialogs.i18n import LANGUAGES
from dialogs.i18n import gettext as _
from dialogs.model import Choice, Reply
from dialogs.steps.opening import CONSENT_VERSION

__all__ = ["CONSENT_VERSION"]  # the consent wording's version, beside the wording in dialogs/steps/opening.py


def already_sent() -> str:
    """Start over is not possible after the handoff."""
    return _("相談はもう相談員に届いています。続きは、ここに書いてもらえれば相談員に届きます。")


def empty_message() -> str:
    """A message with nothing readable in it."""
    return _("メッセージが空のようでした。")


def too_long(limit: int) -> str:
    """A message over the length limit."""
    message = _("長い文章をありがとうございます。一度に受け取れるのは{limit}文字までなので、分けて送ってもらえますか？")
    return message.format(limit=f"{limit:,}")


def not_text(kind: str) -> str:
    """A sticker, photo or other non-text message."""
    if kind == "sticker":
        return _("スタンプありがとうございます。ここでは文字とボタンでやりとりしています。")
    return _("送ってくださってありがとうございます。ここでは文字しか読めないので、よければ文字で書いてください。")


def paused() -> str:
    """Pause: the next message resumes."""
    return _("ここでひと休みしますね。また書いてもらえれば、続きから始められます。")


def welcome_back() -> Reply:
    """On return after a pause or a long silence."""
    return Reply(
        _("おかえりなさい。続きから始めますか？"),
        (Choice("resume:continue", _("続きから")), Choice("resume:restart", _("最初から"))),
    )


def slow_down() -> str:
    """Many messages in a short time: all are kept; the bot answers again once they slow."""
    return _("たくさん書いてくれてありがとうございます。ぜんぶ受け取っています。少しずつ読んでいきますね。")


def crisis_care(categories: frozenset[str]) -> str:
    """The first answer to a message that signals danger: care, no alarm, no lecture."""
    if "medical" in categories:
        return _("書いてくれてありがとうございます。急いで手当てが必要なときは、すぐに119に電話してください。")
    if "violence" in categories:
        return _("書いてくれてありがとうございます。こわい思いをしているのですね。あなたの安全がいちばん大切です。")
    return _("書いてくれてありがとうございます。とてもつらい気持ちなのですね。ひとりで抱えなくて大丈夫です。")


def carry_on() -> str:
    """After the crisis contacts, the conversation goes on gently."""
    return _("ここで話を続けても大丈夫です。書けるときに、書けることだけで。")


def unshared() -> str:
    """The person withdrew their consent to sharing."""
    return _("わかりました。これからは、ほかの支援機関と共有しません。相談はこのまま続けられます。")


def not_shared() -> str:
    """Withdrawing when nothing is shared."""
    return _("いまは、ほかの支援機関と共有しない設定です。相談はこのまま続けられます。")


def erase_confirm() -> Reply:
    """Erasure needs one confirmation."""
    return Reply(
        _("これまでに書いた内容をすべて消しますか？消したものは元に戻せません。"),
        (Choice("erase:confirm", _("消す")), Choice("erase:cancel", _("消さない"))),
    )


def erased() -> str:
    """After erasure."""
    return _("消しました。また相談したくなったら、いつでも書いてください。")


def not_erased() -> str:
    """Erasure cancelled."""
    return _("消さずに、そのままにしました。")


def language_choice() -> Reply:
    """The languages on offer (each label in its own language)."""
    return Reply(_("どの言葉で続けますか？"),
                 tuple(Choice(f"language:lang_{language.code}", language.name) for language in LANGUAGES))


def language_changed() -> str:
    """After a language switch (said in the new language)."""
    return _("日本語で続けます。")
