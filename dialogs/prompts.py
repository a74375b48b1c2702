"""What the bot says: every question and answer of the intake, in gettext (ja is the source)."""

from __future__ import annotations

from dialogs.i18n import N_
from dialogs.i18n import gettext as _
from dialogs.model import AGE_BANDS, Choice, Conversation, Reply, Sheet
from dialogs.topics import TOPIC_IDS, topic_label
from dialogs.wareki import PartialDate, format_partial_wareki

CONSENT_VERSION = "2026-11-v1"

WRITER_LABELS = {
    "self": N_("本人"),
    "family": N_("家族"),
    "supporter": N_("支援者・その他"),
    "no_answer": N_("答えない"),
}
GENDER_LABELS = {
    "male": N_("男性"),
    "female": N_("女性"),
    "other": N_("その他"),
    "no_answer": N_("答えない"),
}
AGE_BAND_LABELS = {
    "10s": N_("10代"),
    "20s": N_("20代"),
    "30s": N_("30代"),
    "40s": N_("40代"),
    "50s": N_("50代"),
    "60s_plus": N_("60代以上"),
}
CONTACT_LABELS = {
    "chat": N_("このチャットで"),
    "phone": N_("電話で"),
    "meeting": N_("窓口で会って"),
    "visit": N_("家に来てもらって"),
}
RELATIONSHIP_LABELS = {
    "parent": N_("親"),
    "sibling": N_("きょうだい"),
    "spouse": N_("配偶者"),
    "child": N_("子"),
    "other": N_("その他"),
}
SECTION_LABELS = {
    "who": N_("書いている人"),
    "consent": N_("共有について"),
    "topics": N_("困っていること"),
    "details": N_("くわしい様子"),
    "wishes": N_("希望する支援"),
    "contact": N_("連絡の方法"),
    "profile": N_("ご本人のこと"),
    "registrant": N_("書いている方のこと"),
}
PROFILE_QUESTIONS: tuple[str, ...] = ("name", "furigana", "gender", "birth", "municipality", "phone")
REGISTRANT_QUESTIONS: tuple[str, ...] = ("name", "relationship", "phone")


def label(mapping: dict[str, str], key: str) -> str:
    """A translated label from one of the tables above."""
    return _(mapping[key])


def way_out(step: str) -> tuple[Choice, ...]:
    """The back and pause buttons offered with every question."""
    return (Choice(f"{step}:back", _("戻る")), Choice(f"{step}:pause", _("ひと休み")))


# --- welcome, who, consent -------------------------------------------------------------------

def welcome() -> list[Reply]:
    """The greeting: what this is, that nothing is required, and the first buttons."""
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


def about() -> str:
    """What happens with what people write, before anything is asked."""
    return _(
        "いくつか質問をして、相談の用紙（つなぐシート）を一緒につくります。"
        "できた用紙は、お住まいの地域の相談員に届きます。"
        "そのあとは、このチャットで相談員とやりとりできます。"
        "書いた内容は暗号化して保管し、外には出しません。"
    )


def later() -> str:
    """Said when the person leaves the welcome for another time."""
    return _("わかりました。いつでも、また書いてください。続きから始められます。")


def who() -> Reply:
    """Who is writing."""
    choices = tuple(Choice(f"who:{k if k != 'no_answer' else 'skip'}", label(WRITER_LABELS, k))
                    for k in WRITER_LABELS)
    return Reply(_("いま書いているのは、どなたですか？"), choices + way_out("who"))


def consent() -> Reply:
    """Consent to share with related agencies (short wording)."""
    return Reply(
        _("必要なときに、関係する支援機関とこの相談内容を共有してもよいですか？"
          "共有しなくても、相談はできます。"),
        (
            Choice("consent:yes", _("共有してよい")),
            Choice("consent:no", _("共有しない")),
            Choice("consent:more", _("くわしく")),
            *way_out("consent"),
        ),
    )


def consent_full() -> str:
    """The full consent wording (version CONSENT_VERSION)."""
    return _(
        "共有するのは、この用紙の内容です。"
        "ご本人やご家族に合う支援につなぐために、区市町村の相談窓口や、"
        "保健・福祉・就労・教育などの支援機関に伝えることがあります。"
        "共有したときは、いつ・どこに・何を伝えたかを記録します。"
        "あとから「共有しない」に変えることもできます。"
        "命に関わる危険があるときは、同意がなくても必要な機関に連絡することがあります。"
    )


# --- topics -----------------------------------------------------------------------------------

def topics(sheet: Sheet) -> Reply:
    """The 19 topics as toggles, with what is chosen so far."""
    chosen = [topic_label(t) for t in sheet.topics]
    text = _("いま困っていることを、いくつでも選べます。番号を書いても大丈夫です（例：1 3 15）。")
    if chosen:
        text += "\n" + _("選んだもの：{topics}").format(topics="、".join(chosen))
    buttons = tuple(
        Choice(f"topics:{t}", ("✓ " if t in sheet.topics else "") + f"{n}. {topic_label(t)}")
        for n, t in enumerate(TOPIC_IDS, start=1)
    )
    return Reply(text, (*buttons, Choice("topics:done", _("選び終えた")), *way_out("topics")))


def main_topic(sheet: Sheet) -> Reply:
    """The hardest of the chosen topics."""
    buttons = tuple(Choice(f"main_topic:{t}", topic_label(t)) for t in sheet.topics)
    return Reply(
        _("その中で、いちばん困っていることはどれですか？"),
        (*buttons, Choice("main_topic:skip", _("選ばない")), *way_out("main_topic")),
    )


# --- details, wishes, contact -----------------------------------------------------------------

def details() -> Reply:
    """Free text about the situation, in several messages if they like."""
    return Reply(
        _("よければ、いまの様子を教えてください。書いた内容は相談員だけが読みます。"
          "何回かに分けて送っても大丈夫です。"),
        (Choice("details:done", _("書き終えた")), Choice("details:skip", _("とばす")),
         *way_out("details")),
    )


def details_ack() -> Reply:
    """Each details message is acknowledged."""
    return Reply(
        _("ありがとうございます。受け取りました。続けて書いても、「書き終えた」を押してもかまいません。"),
        (Choice("details:done", _("書き終えた")), *way_out("details")),
    )


def wishes() -> Reply:
    """What kind of support they would like."""
    return Reply(
        _("どんな支援があるとよいですか？思いつかなければ、とばしても大丈夫です。"),
        (Choice("wishes:skip", _("とばす")), *way_out("wishes")),
    )


def contact_method() -> Reply:
    """How a counselor may reach them."""
    buttons = tuple(Choice(f"contact:{k}", label(CONTACT_LABELS, k)) for k in CONTACT_LABELS)
    return Reply(
        _("相談員とは、どんな方法でやりとりしたいですか？"),
        (*buttons, Choice("contact:skip", _("とばす")), *way_out("contact")),
    )


def contact_times() -> Reply:
    """When a counselor may reach them."""
    return Reply(
        _("都合のよい曜日や時間帯があれば、教えてください。"),
        (Choice("contact:skip", _("とばす")), *way_out("contact")),
    )


# --- profile and registrant -------------------------------------------------------------------

def _skips(step: str) -> tuple[Choice, ...]:
    return (
        Choice(f"{step}:skip", _("とばす")),
        Choice(f"{step}:skip_all", _("残りは全部とばす")),
        *way_out(step),
    )


def profile_intro() -> str:
    """Said before the optional questions about the person."""
    return _("ここからは、ご本人について少しだけ伺います。どれも答えなくて大丈夫です。")


def profile_question(question: str) -> Reply:
    """One optional question about the person (本人)."""
    if question == "name":
        return Reply(_("お名前を教えてください。呼び名やニックネームでもかまいません。"), _skips("profile"))
    if question == "furigana":
        return Reply(_("お名前のふりがなを教えてください。"), _skips("profile"))
    if question == "gender":
        genders = tuple(Choice(f"profile:gender_{k}", label(GENDER_LABELS, k)) for k in GENDER_LABELS)
        return Reply(_("性別を教えてください。"), genders + _skips("profile"))
    if question == "birth":
        bands = tuple(Choice(f"profile:age_{k}", label(AGE_BAND_LABELS, k)) for k in AGE_BANDS)
        return Reply(
            _("生年月日を教えてください（例：昭和60年4月1日、1985年4月1日）。年代だけでも大丈夫です。"),
            bands + _skips("profile"),
        )
    if question == "municipality":
        return Reply(
            _("お住まいの区市町村を教えてください（例：足立区）。近くの窓口につなぐために使います。"),
            _skips("profile"),
        )
    return Reply(_("連絡のつく電話番号があれば、教えてください。"), _skips("profile"))


def registrant_intro() -> str:
    """Said before the questions about the family member or supporter who writes."""
    return _("最後に、書いている方のことを伺います。こちらも答えなくて大丈夫です。")


def registrant_question(question: str) -> Reply:
    """One optional question about the writer (登録者)."""
    if question == "name":
        return Reply(_("あなたのお名前を教えてください。"), _skips("registrant"))
    if question == "relationship":
        rels = tuple(Choice(f"registrant:rel_{k}", label(RELATIONSHIP_LABELS, k)) for k in RELATIONSHIP_LABELS)
        return Reply(_("ご本人とのご関係を教えてください。"), rels + _skips("registrant"))
    return Reply(_("あなたの電話番号があれば、教えてください。"), _skips("registrant"))


def bad_birth_date() -> str:
    """A birth date that could not be read."""
    return _("うまく読み取れませんでした。「昭和60年4月1日」や「1985/4/1」のように書くか、年代のボタンを選べます。")


def bad_phone() -> str:
    """A phone number that could not be read."""
    return _("番号の形がうまく読み取れませんでした。数字だけで書いてもらえますか？とばしても大丈夫です。")


# --- review and after ------------------------------------------------------------------------

def summary(sheet: Sheet) -> str:
    """The sheet as the person will send it; only what they answered."""
    lines: list[str] = [_("この内容で相談員に届けます。")]
    if sheet.writer:
        lines.append(_("書いている人：{value}").format(value=label(WRITER_LABELS, sheet.writer)))
    if sheet.consent.share_with_agencies is not None:
        value = _("共有してよい") if sheet.consent.share_with_agencies else _("共有しない")
        lines.append(_("共有：{value}").format(value=value))
    if sheet.topics:
        marked = [("◎" if t == sheet.main_topic else "○") + topic_label(t) for t in sheet.topics]
        lines.append(_("困っていること：{value}").format(value="、".join(marked)))
    if sheet.details:
        lines.append(_("くわしい様子：{value}").format(value=_shorten(" / ".join(sheet.details))))
    if sheet.wishes:
        lines.append(_("希望する支援：{value}").format(value=_shorten(sheet.wishes)))
    if sheet.contact.method:
        value = label(CONTACT_LABELS, sheet.contact.method)
        if sheet.contact.times:
            value += f"（{_shorten(sheet.contact.times, 40)}）"
        lines.append(_("連絡の方法：{value}").format(value=value))
    lines.extend(_person_lines(sheet))
    lines.extend(_registrant_lines(sheet))
    return "\n".join(lines)


def _person_lines(sheet: Sheet) -> list[str]:
    p = sheet.person
    lines = []
    if p.name:
        name = p.name + (f"（{p.furigana}）" if p.furigana else "")
        lines.append(_("お名前：{value}").format(value=name))
    if p.gender:
        lines.append(_("性別：{value}").format(value=label(GENDER_LABELS, p.gender)))
    if p.birth_date:
        lines.append(_("生年月日：{value}").format(
            value=format_partial_wareki(PartialDate.from_iso(p.birth_date))))
    elif p.age_band:
        lines.append(_("年代：{value}").format(value=label(AGE_BAND_LABELS, p.age_band)))
    if p.municipality:
        lines.append(_("お住まい：{value}").format(value=p.municipality))
    phone = p.phone_mobile or p.phone_home
    if phone:
        lines.append(_("電話：{value}").format(value=phone))
    return lines


def _registrant_lines(sheet: Sheet) -> list[str]:
    r = sheet.registrant
    parts = [r.name or "", r.relationship or "", r.phone or ""]
    filled = [p for p in parts if p]
    return [_("書いている方：{value}").format(value=" / ".join(filled))] if filled else []


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def review(sheet: Sheet) -> Reply:
    """The whole sheet, to send or change."""
    return Reply(
        summary(sheet),
        (Choice("review:send", _("この内容で送る")), Choice("review:edit", _("なおす")),
         *way_out("review")),
    )


def edit_menu(conv: Conversation) -> Reply:
    """Which section to change."""
    sections = [s for s in SECTION_LABELS
                if s != "registrant" or conv.sheet.writer in ("family", "supporter")]
    return Reply(
        _("どこをなおしますか？"),
        (*(Choice(f"review:edit_{s}", label(SECTION_LABELS, s)) for s in sections),
         Choice("review:back_to_review", _("なおさずに戻る"))),
    )


def handed_off() -> Reply:
    """Thanks, and what happens next."""
    return Reply(
        _("送りました。ありがとうございます。相談員が受付時間に読んで、このチャットでお返事します。"
          "それまでに書きたいことがあれば、いつでもここに書いてください。"),
        (Choice("handed_off:message", _("相談員にメッセージを書く")),),
    )


def write_to_counselor() -> str:
    """After the handoff, an invitation to write."""
    return _("どうぞ、ここに書いてください。相談員に届けます。")


def forwarded() -> str:
    """After the handoff, each message is acknowledged."""
    return _("相談員に届けました。")


def already_sent() -> str:
    """Start over is not possible after the handoff."""
    return _("相談はもう相談員に届いています。続きは、ここに書いてもらえれば相談員に届きます。")


# --- at any step -----------------------------------------------------------------------------

def nudge() -> str:
    """Typed text at a button step that matched no button."""
    return _("ありがとうございます。よければ下のボタンから選んでください。文字で書いてもらっても大丈夫です。")


def stale_button() -> str:
    """A button from an earlier question."""
    return _("そのボタンは前の質問のものでした。いまはこちらの質問です。")


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


def help_text() -> str:
    """What can be said at any step."""
    return _(
        "いつでも使えることば：\n"
        "「戻る」ひとつ前の質問へ\n"
        "「やめる」ひと休み（続きから再開できます）\n"
        "「最初から」はじめからやり直す\n"
        "「削除」書いた内容を消す\n"
        "「共有をやめる」ほかの機関との共有をやめる\n"
        "「English」英語に切りかえる"
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
                 (Choice("language:lang_ja", "日本語"), Choice("language:lang_en", "English")))


def language_changed() -> str:
    """After a language switch (said in the new language)."""
    return _("日本語で続けます。")
