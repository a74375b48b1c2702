"""Property: any sequence of inbound messages leaves a valid state, answers every message, never raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.model import AGE_BANDS, CONTACT_METHODS, GENDERS, WRITERS, Sheet
from dialogs.steps import STATES
from dialogs.topics import TOPIC_IDS
from tests.unit.transcript import Chat

STEP_NAMES = [*STATES, "resume", "erase", "*"]
VALUES = [
    "start", "about", "later", "self", "family", "supporter", "skip", "yes", "no", "more", "done",
    "send", "edit", "edit_topics", "edit_profile", "edit_registrant", "back_to_review", "pause",
    "back", "help", "restart", "erase", "lang_en", "lang_ja", "lang_ja_easy", "send_now", "continue", "confirm",
    "cancel",
    "message", "skip_all", "gender_female", "age_20s", "rel_parent", "chat", "phone", "nonsense",
    *TOPIC_IDS,
]
TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["1 3 15", "やめる", "戻る", "最初から", "削除", "ヘルプ", "English", "日本語",
                     "やさしい日本語", "ここまでで送る", "はい", "消す", "昭和60年4月1日", "090-1234-5678",
                     "足立区", "😊", "", "20", "1"]),
)
MESSAGE = st.one_of(
    st.tuples(st.just("say"), TEXTS),
    st.tuples(st.just("press"), st.builds(lambda s, v: f"{s}:{v}", st.sampled_from(STEP_NAMES),
                                          st.sampled_from(VALUES))),
    st.tuples(st.just("kind"), st.sampled_from(["sticker", "image", "open"])),
    st.tuples(st.just("wait"), st.sampled_from([60.0, 86400.0 * 3])),
)


def assert_valid(sheet: Sheet, state: str) -> None:
    assert state in STATES
    assert sheet.writer in (None, *WRITERS)
    assert len(set(sheet.topics)) == len(sheet.topics)
    assert all(t in TOPIC_IDS for t in sheet.topics)
    assert sheet.main_topic is None or sheet.main_topic in sheet.topics
    assert sheet.person.gender in (None, *GENDERS)
    assert sheet.person.age_band in (None, *AGE_BANDS)
    assert sheet.contact.method in (None, *CONTACT_METHODS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MESSAGE, max_size=60))
def test_any_sequence_leaves_a_valid_state(messages: list[tuple[str, object]]) -> None:
    chat = Chat()
    chat.open()
    for how, value in messages:
        if how == "say":
            chat.say(str(value))
        elif how == "press":
            chat.press(str(value))
        elif how == "kind":
            chat.send_kind(str(value))
        else:
            chat.wait(seconds=float(value))  # type: ignore[arg-type]
        assert_valid(chat.conv.sheet, chat.conv.state)
        assert chat.conv.sub_step >= 0
        assert Sheet.from_dict(chat.conv.sheet.to_dict()) == chat.conv.sheet
