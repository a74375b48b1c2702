"""The dialog, conversation by conversation (pure: no database, no server)."""

from __future__ import annotations

from dialogs.engine import handle
from dialogs.i18n import use_locale
from dialogs.model import (
    ConsentGiven,
    ConsentWithdrawn,
    ContactsRequested,
    EraseRequested,
    GatheringsRequested,
    HandoffRequested,
    Inbound,
    MessageForCounselor,
    ResourcesRequested,
)
from dialogs.prompts import CONSENT_VERSION
from tests.unit.transcript import Chat


def test_family_member_walks_the_whole_intake() -> None:
    chat = Chat()
    chat.walk_to("review")
    sheet = chat.conv.sheet
    assert sheet.writer == "family"
    assert sheet.consent.share_with_agencies is True
    assert sheet.consent.text_version == CONSENT_VERSION
    assert sheet.topics == ["income", "hikikomori"]
    assert sheet.main_topic == "hikikomori"
    assert sheet.details == ["息子が10年、部屋から出てきません。"]
    assert sheet.wishes == "まず話を聞いてほしいです"
    assert (sheet.contact.method, sheet.contact.times) == ("chat", "平日の夜")
    assert sheet.person.name == "たろう"
    assert sheet.person.gender == "male"
    assert sheet.person.birth_date == "1989-05-03"
    assert sheet.person.age == 37
    assert sheet.person.municipality == "足立区"
    assert sheet.person.phone_mobile == "090-1234-5678"
    assert sheet.registrant.name == "山田花子"
    assert sheet.registrant.relationship == "親"
    assert sheet.registrant.phone == "03-1234-5678"
    assert "◎ひきこもり・不登校" in chat.last.text
    assert "平成元年5月3日" in chat.last.text
    chat.press("review:send")
    assert chat.conv.state == "handed_off"
    assert HandoffRequested(urgent=False) in chat.events
    assert ConsentGiven(True, CONSENT_VERSION) in chat.events


def test_the_person_themself_is_not_asked_registrant_questions() -> None:
    chat = Chat()
    chat.open()
    chat.press("welcome:start")
    chat.press("who:self")
    chat.press("consent:no")
    chat.press("topics:done")
    assert chat.conv.state == "details"
    chat.press("details:skip")
    chat.press("wishes:skip")
    chat.press("contact:skip")
    chat.press("profile:skip_all")
    assert chat.conv.state == "review"
    assert chat.conv.sheet.consent.share_with_agencies is False


def test_main_topic_is_asked_only_with_two_or_more_topics() -> None:
    chat = Chat()
    chat.walk_to("topics")
    chat.press("topics:mental")
    chat.press("topics:done")
    assert chat.conv.state == "details"
    assert chat.conv.sheet.main_topic == "mental"


def test_topic_toggles_and_typed_numbers() -> None:
    chat = Chat()
    chat.walk_to("topics")
    chat.say("1 3 15")
    assert chat.conv.sheet.topics == ["job_search", "work_trouble", "hikikomori"]
    chat.say("３")  # full-width, toggles off
    assert chat.conv.sheet.topics == ["job_search", "hikikomori"]
    chat.press("topics:debt")
    assert "✓ 6. 債務について" in [c.label for c in chat.last.choices]
    chat.say("99")
    assert "ボタン" in chat.replies[-2].text


def test_text_at_a_button_step_gets_a_kind_nudge_and_the_buttons_again() -> None:
    chat = Chat()
    chat.walk_to("who")
    chat.say("うーん")
    assert chat.replies[-2].text.startswith("ありがとうございます。よければ下のボタンから")
    assert "who:family" in chat.offered()
    assert chat.conv.state == "who"
    chat.say("家族")  # the label typed works
    assert chat.conv.sheet.writer == "family"


def test_a_button_from_an_old_message_is_explained_not_obeyed() -> None:
    chat = Chat()
    chat.walk_to("topics")
    chat.press("who:self")
    assert chat.conv.sheet.writer == "family"
    assert chat.conv.state == "topics"
    assert "前の質問" in chat.replies[-2].text


def test_details_are_acknowledged_one_by_one() -> None:
    chat = Chat()
    chat.walk_to("details")
    chat.say("ひとつめ")
    assert "受け取りました" in chat.last.text
    chat.say("ふたつめ")
    chat.press("details:done")
    assert chat.conv.sheet.details == ["ひとつめ", "ふたつめ"]
    assert chat.conv.state == "wishes"


def test_birth_date_in_wareki_western_or_age_band() -> None:
    chat = Chat()
    chat.walk_to("profile")
    chat.press("profile:skip")  # name skipped, so furigana is not asked
    assert "性別" in chat.last.text
    chat.press("profile:skip")
    chat.say("よくわからない")
    assert "読み取れません" in chat.replies[-2].text
    chat.press("profile:age_30s")
    assert chat.conv.sheet.person.age_band == "30s"
    chat.press("profile:back")
    chat.say("1985/4/1")
    assert chat.conv.sheet.person.birth_date == "1985-04-01"
    assert chat.conv.sheet.person.age_band == "40s"


def test_pause_and_resume_where_it_stopped() -> None:
    chat = Chat()
    chat.walk_to("wishes")
    chat.say("やめる")
    assert chat.conv.paused
    chat.say("こんばんは")
    assert chat.last.text == "おかえりなさい。続きから始めますか？"
    chat.press("resume:continue")
    assert chat.conv.state == "wishes"
    assert not chat.conv.paused


def test_days_later_the_person_is_welcomed_back() -> None:
    chat = Chat()
    chat.walk_to("contact")
    chat.wait(days=3)
    chat.say("すみません")
    assert chat.last.text == "おかえりなさい。続きから始めますか？"
    chat.press("resume:restart")
    assert chat.conv.state == "welcome"
    assert chat.conv.sheet.topics == []


def test_back_goes_one_question_back() -> None:
    chat = Chat()
    chat.walk_to("details")
    chat.say("戻る")
    assert chat.conv.state == "main_topic"
    chat.press("main_topic:back")
    assert chat.conv.state == "topics"


def test_editing_a_section_returns_to_the_review() -> None:
    chat = Chat()
    chat.walk_to("review")
    chat.press("review:edit")
    assert "review:edit_registrant" in chat.offered()
    chat.press("review:edit_wishes")
    assert chat.conv.state == "wishes"
    chat.say("家族会に行ってみたい")
    assert chat.conv.state == "review"
    assert chat.conv.sheet.wishes == "家族会に行ってみたい"
    assert not chat.conv.editing


def test_erase_needs_one_confirmation() -> None:
    chat = Chat()
    chat.walk_to("contact")
    chat.say("削除")
    assert chat.offered() == ["erase:confirm", "erase:cancel"]
    chat.press("erase:cancel")
    assert chat.conv.state == "contact"
    chat.say("削除")
    chat.press("erase:confirm")
    assert EraseRequested() in chat.events
    assert chat.conv.state == "welcome"
    assert chat.conv.sheet.details == []


def test_the_person_can_stop_sharing_at_any_step_and_carry_on() -> None:
    chat = Chat()
    chat.walk_to("contact")
    assert chat.conv.sheet.consent is not None and chat.conv.sheet.consent.share_with_agencies
    replies = chat.say("共有をやめる")
    assert ConsentWithdrawn() in chat.events
    assert "これからは、ほかの支援機関と共有しません。" in replies[0].text
    assert chat.conv.state == "contact", "the question is asked again, nothing is lost"
    assert chat.conv.sheet.consent is not None and not chat.conv.sheet.consent.share_with_agencies
    chat.events.clear()
    again = chat.say("共有をやめる")
    assert ConsentWithdrawn() not in chat.events and "共有しない設定です" in again[0].text


def test_after_the_handoff_messages_go_to_the_counselor() -> None:
    chat = Chat()
    chat.walk_to("review")
    chat.press("review:send")
    chat.say("追加で伝えたいことがあります")
    assert MessageForCounselor("追加で伝えたいことがあります") in chat.events
    chat.say("最初から")
    assert chat.conv.state == "handed_off"


def test_language_switch_and_locale_hint() -> None:
    chat = Chat()
    chat.open(locale="en-US")
    assert chat.conv.locale == "en"
    assert chat.replies[0].text.startswith("Hello.")
    chat.press("welcome:start")
    chat.say("日本語")
    assert chat.conv.locale == "ja"
    assert chat.last.text == "いま書いているのは、どなたですか？"
    with use_locale("ja"):
        chat.press("*:lang_en")
    assert chat.last.text == "Who is writing?"


def test_odd_messages_get_kind_answers_and_change_nothing() -> None:
    chat = Chat()
    chat.walk_to("wishes")
    before = chat.conv.sheet.to_dict()
    chat.send_kind("sticker")
    assert "スタンプ" in chat.replies[-2].text
    chat.say("\x00\x07  ")
    assert "空" in chat.replies[-2].text
    chat.say("あ" * 10_001)
    assert "10,000" in chat.last.text
    assert chat.conv.sheet.to_dict() == before
    chat.say("😊🙏")
    assert chat.conv.sheet.wishes == "😊🙏"
    chat.say("x" * 10_000)  # at a button question: read kindly, nothing breaks
    assert chat.conv.state == "contact"
    assert "ボタン" in chat.replies[-2].text


def test_help_repeats_the_question() -> None:
    chat = Chat()
    chat.walk_to("consent")
    chat.say("ヘルプ")
    assert "いつでも使えることば" in chat.replies[-2].text
    assert chat.last.choices[0].id == "consent:yes"


def presses_to_handoff(chat: Chat) -> int:
    """A family member's shortest way: start, who, consent, one topic, 「ここまでで送る」, send."""
    chat.open()
    script = ["welcome:start", "who:family", "consent:yes", "topics:hikikomori", "topics:send_now", "review:send"]
    for choice in script:
        chat.press(choice)
    return len(script)


def test_send_now_reaches_the_handoff_in_at_most_eight_presses() -> None:
    chat = Chat()
    presses = presses_to_handoff(chat)
    assert presses <= 8
    assert chat.conv.state == "handed_off"
    assert chat.conv.sheet.topics == ["hikikomori"] and chat.conv.sheet.main_topic == "hikikomori"
    assert HandoffRequested(urgent=False) in chat.events


def test_send_now_is_offered_at_every_question_after_consent_and_keeps_the_answers() -> None:
    for state in ("topics", "main_topic", "details", "wishes", "contact", "profile", "registrant"):
        chat = Chat()
        chat.walk_to(state)
        assert f"{state}:send_now" in chat.offered(), state
        before = chat.conv.sheet.to_dict()
        chat.say("ここまでで送る")
        assert chat.conv.state == "review", state
        assert chat.conv.sheet.to_dict() == before
        assert chat.offered()[0] == "review:send"


def test_send_now_before_consent_is_explained_and_changes_nothing() -> None:
    chat = Chat()
    chat.walk_to("consent")
    assert "consent:send_now" not in chat.offered()
    chat.press("consent:send_now")
    assert chat.conv.state == "consent"
    assert "共有についての質問に答えたあとで" in chat.replies[-2].text
    assert chat.last.choices[0].id == "consent:yes"


def test_send_now_from_an_edited_section_returns_to_the_review() -> None:
    chat = Chat()
    chat.walk_to("review")
    chat.press("review:edit")
    chat.press("review:edit_contact")
    chat.press("contact:send_now")
    assert chat.conv.state == "review" and not chat.conv.editing
    chat.press("review:send")
    chat.press("handed_off:send_now")
    assert chat.conv.state == "handed_off" and "もう相談員に届いています" in chat.last.text


def test_the_menu_areas_are_commands_at_any_step() -> None:
    """LINE's rich menu sends menu:consult, menu:places, menu:contacts and menu:language at any moment."""
    chat = Chat()
    chat.walk_to("wishes")
    chat.say("やめる")
    asked = chat.press("menu:consult")
    assert not chat.conv.paused and chat.conv.state == "wishes" and asked[-1].choices
    at = chat.now
    places = handle(chat.conv, Inbound("webchat", "tester", "m1", at, choice_id="menu:places"), intake=chat.intake)
    assert places.events == [ResourcesRequested(), GatheringsRequested(again=True)]  # the service lists them
    contacts = handle(chat.conv, Inbound("webchat", "tester", "m2", at, choice_id="menu:contacts"),
                      intake=chat.intake)
    assert contacts.events == [ContactsRequested()] and chat.conv.state == "wishes"
    chat.press("menu:language")
    assert "language:lang_en" in chat.offered()
