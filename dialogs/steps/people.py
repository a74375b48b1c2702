"""The optional questions about the person (本人) and, when someone writes for them, about the writer (登録者):
each its own question, each skippable, the rest skippable at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from dialogs.i18n import N_
from dialogs.i18n import gettext as _
from dialogs.model import AGE_BANDS, Choice, Conversation, Reply, Sheet
from dialogs.steps.base import Question, Questions, label, way_out
from dialogs.steps.opening import writes_for_someone
from dialogs.text import normalize_municipality, phone_number
from dialogs.wareki import PartialDate, age_on, format_partial_wareki, read_birth

if TYPE_CHECKING:
    from dialogs.turn import Turn

GENDER_LABELS = {"male": N_("男性"), "female": N_("女性"), "other": N_("その他"), "no_answer": N_("答えない")}
AGE_BAND_LABELS = {"10s": N_("10代"), "20s": N_("20代"), "30s": N_("30代"), "40s": N_("40代"), "50s": N_("50代"),
                   "60s_plus": N_("60代以上")}
RELATIONSHIP_LABELS = {"parent": N_("親"), "sibling": N_("きょうだい"), "spouse": N_("配偶者"), "child": N_("子"),
                       "other": N_("その他")}


def _asking(step: str, text: str, *buttons: Choice) -> Callable[[], Reply]:
    """A question's prompt: its text (a message id), its buttons (labels are message ids), then skip this, skip
    the rest, back and pause; translated when it is asked."""
    def prompt() -> Reply:
        skips = (Choice(f"{step}:skip", _("とばす")), Choice(f"{step}:skip_all", _("残りは全部とばす")))
        return Reply(_(text), (*(Choice(b.id, _(b.label)) for b in buttons), *skips, *way_out(step)))

    return prompt


def _labelled(step: str, prefix: str, labels: dict[str, str], keys: tuple[str, ...] | None = None) -> list[Choice]:
    """A button for each label (`<step>:<prefix><key>`), its label still a message id."""
    return [Choice(f"{step}:{prefix}{k}", labels[k]) for k in keys or tuple(labels)]


def _named(conv: Conversation) -> bool:
    """A name was given, so its furigana is asked."""
    return bool(conv.sheet.person.name)


def _write(attribute: str, read: Callable[[str], str] = lambda text: text) -> Callable[[Turn, str], bool]:
    """Store typed text in one of the person's fields."""
    def write(turn: Turn, text: str) -> bool:
        setattr(turn.conv.sheet.person, attribute, read(text))
        return True
    return write


def _choose_gender(sheet: Sheet, value: str) -> bool:
    gender = value.removeprefix("gender_")
    if not value.startswith("gender_") or gender not in GENDER_LABELS:
        return False
    sheet.person.gender = gender
    return True


def _choose_age_band(sheet: Sheet, value: str) -> bool:
    band = value.removeprefix("age_")
    if not value.startswith("age_") or band not in AGE_BANDS:
        return False
    sheet.person.age_band, sheet.person.birth_date, sheet.person.age = band, None, None
    return True


def _write_birth(turn: Turn, text: str) -> bool:
    birth = read_birth(text, turn.today)
    if birth is None:
        turn.ask_again(_("うまく読み取れませんでした。「昭和60年4月1日」や「1985/4/1」のように書くか、年代のボタンを選べます。"))
        return False
    person = turn.conv.sheet.person
    person.birth_date, person.age, person.age_band = birth.date.iso(), birth.age, birth.band
    return True


def _bad_phone(turn: Turn) -> None:
    turn.ask_again(_("番号の形がうまく読み取れませんでした。数字だけで書いてもらえますか？とばしても大丈夫です。"))


def _write_phone(turn: Turn, text: str) -> bool:
    parsed = phone_number(text)
    if parsed is None:
        _bad_phone(turn)
        return False
    shown, mobile = parsed
    if mobile:
        turn.conv.sheet.person.phone_mobile = shown
    else:
        turn.conv.sheet.person.phone_home = shown
    return True


def profile_intro() -> str:
    """Said before the optional questions about the person."""
    return _("ここからは、ご本人について少しだけ伺います。どれも答えなくて大丈夫です。")


class Profile(Questions):
    """One optional detail about the person at a time: name, furigana (only after a name), gender, birth date or
    age band, municipality (it routes the case), phone."""

    def __init__(self) -> None:
        questions = (
            Question("name", _asking("profile", N_("お名前を教えてください。呼び名やニックネームでもかまいません。")),
                     write=_write("name")),
            Question("furigana", _asking("profile", N_("お名前のふりがなを教えてください。")),
                     write=_write("furigana"), asked_if=_named),
            Question("gender", _asking("profile", N_("性別を教えてください。"),
                                       *_labelled("profile", "gender_", GENDER_LABELS)),
                     choose=_choose_gender, buttons=True),
            Question("birth", _asking("profile", N_("生年月日を教えてください（例：昭和60年4月1日、1985年4月1日）。"
                                                    "年代だけでも大丈夫です。"),
                                      *_labelled("profile", "age_", AGE_BAND_LABELS, AGE_BANDS)),
                     choose=_choose_age_band, write=_write_birth),
            Question("municipality", _asking("profile", N_("お住まいの区市町村を教えてください（例：足立区）。"
                                                           "近くの窓口につなぐために使います。")),
                     write=_write("municipality", normalize_municipality)),
            Question("phone", _asking("profile", N_("連絡のつく電話番号があれば、教えてください。")),
                     write=_write_phone),
        )
        super().__init__("profile", questions, section="profile", label=N_("ご本人のこと"), intro=profile_intro)

    def summary(self, sheet: Sheet) -> list[str]:
        p, lines = sheet.person, []
        if p.name:
            name = p.name + (f"（{p.furigana}）" if p.furigana else "")
            lines.append(_("お名前：{value}").format(value=name))
        if p.gender:
            lines.append(_("性別：{value}").format(value=label(GENDER_LABELS, p.gender)))
        if p.birth_date:
            lines.append(_("生年月日：{value}").format(value=format_partial_wareki(PartialDate.from_iso(p.birth_date))))
        elif p.age_band:
            lines.append(_("年代：{value}").format(value=label(AGE_BAND_LABELS, p.age_band)))
        if p.municipality:
            lines.append(_("お住まい：{value}").format(value=p.municipality))
        if p.phone_mobile or p.phone_home:
            lines.append(_("電話：{value}").format(value=p.phone_mobile or p.phone_home))
        return lines

    def printed(self, sheet: Sheet, today: date) -> dict[str, object]:
        person = sheet.person
        return {"person": person, "gender": label(GENDER_LABELS, person.gender) if person.gender else "",
                "birth": _birth(sheet, today)}


def _birth(sheet: Sheet, today: date) -> str:
    """The birth date in 和暦 with the age today, or the age band."""
    person = sheet.person
    if person.birth_date:
        birth = PartialDate.from_iso(person.birth_date)
        age = age_on(birth, today)
        return format_partial_wareki(birth) + (_("（{age}歳）").format(age=age) if age is not None else "")
    return label(AGE_BAND_LABELS, person.age_band) if person.age_band else ""


def _choose_relationship(sheet: Sheet, value: str) -> bool:
    relationship = value.removeprefix("rel_")
    if not value.startswith("rel_") or relationship not in RELATIONSHIP_LABELS:
        return False
    sheet.registrant.relationship = RELATIONSHIP_LABELS[relationship]  # as the paper form writes it
    return True


def _write_registrant(attribute: str) -> Callable[[Turn, str], bool]:
    def write(turn: Turn, text: str) -> bool:
        setattr(turn.conv.sheet.registrant, attribute, text)
        return True
    return write


def _write_registrant_phone(turn: Turn, text: str) -> bool:
    parsed = phone_number(text)
    if parsed is None:
        _bad_phone(turn)
        return False
    turn.conv.sheet.registrant.phone = parsed[0]
    return True


def registrant_intro() -> str:
    """Said before the questions about the family member or supporter who writes."""
    return _("最後に、書いている方のことを伺います。こちらも答えなくて大丈夫です。")


class Registrant(Questions):
    """The family member or supporter who writes (登録者): name, relationship, phone."""

    def __init__(self) -> None:
        questions = (
            Question("name", _asking("registrant", N_("あなたのお名前を教えてください。")),
                     write=_write_registrant("name")),
            Question("relationship", _asking("registrant", N_("ご本人とのご関係を教えてください。"),
                                             *_labelled("registrant", "rel_", RELATIONSHIP_LABELS)),
                     choose=_choose_relationship, write=_write_registrant("relationship")),
            Question("phone", _asking("registrant", N_("あなたの電話番号があれば、教えてください。")),
                     write=_write_registrant_phone),
        )
        super().__init__("registrant", questions, section="registrant", label=N_("書いている方のこと"),
                         when=writes_for_someone, intro=registrant_intro)

    def summary(self, sheet: Sheet) -> list[str]:
        r = sheet.registrant
        filled = [part for part in (r.name, r.relationship, r.phone) if part]
        return [_("書いている方：{value}").format(value=" / ".join(filled))] if filled else []

    def printed(self, sheet: Sheet, today: date) -> dict[str, object]:
        return {"registrant": sheet.registrant}
