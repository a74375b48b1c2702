"""The Telegram adapter's pure parts: reading updates, rendering replies, splitting text, pacing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Update

from bot.channels.port import Blocked, Incoming
from bot.channels.splitting import split_text
from bot.channels.telegram.render import MAX_TEXT, bundle, keyboard, render
from bot.channels.telegram.updates import read
from bot.pacing import Pacer, SendWindow, TokenBucket
from dialogs.engine import current_prompt
from dialogs.model import Conversation, Reply
from tests.standins.telegram_api import Updates

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def asked(state: str) -> list[Reply]:
    """The question a conversation at this step is asked."""
    return current_prompt(Conversation("telegram", "1", state=state))


def _updates() -> Updates:
    return Updates()


def incoming(data: dict[str, object]) -> Incoming:
    meaning = read(Update.de_json(data, None), NOW)
    assert isinstance(meaning, Incoming)
    return meaning


def test_text_commands_and_kinds_become_inbound_messages() -> None:
    u = _updates()
    hello = incoming(u.message(42, "こんにちは", language_code="en"))
    assert (hello.inbound.channel, hello.inbound.user_key, hello.inbound.text) == ("telegram", "42", "こんにちは")
    assert hello.inbound.locale_hint == "en"
    assert incoming(u.message(42, "/start")).inbound.kind == "open"
    assert incoming(u.message(42, "/delete@tsunagu_test_bot")).inbound.choice_id == "cmd:erase"
    assert incoming(u.message(42, "/language")).inbound.choice_id == "cmd:language"
    assert incoming(u.message(42, "/unshare")).inbound.choice_id == "cmd:unshare"
    assert incoming(u.message(42, "/unknown")).inbound.text == "/unknown"
    sticker = {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1,
               "is_animated": False, "is_video": False}
    assert incoming(u.message(42, None, sticker=sticker)).inbound.kind == "sticker"
    voice = {"file_id": "v", "file_unique_id": "vu", "duration": 3}
    assert incoming(u.message(42, None, voice=voice)).inbound.kind == "audio"
    photo = [{"file_id": "p", "file_unique_id": "pu", "width": 1, "height": 1}]
    assert incoming(u.message(42, None, photo=photo, caption="見てください")).inbound.text == "見てください"


def test_a_button_press_carries_its_choice_id_and_the_message_to_edit() -> None:
    u = _updates()
    press = incoming(u.callback(42, "topics:hikikomori", message_id=77))
    assert press.inbound.choice_id == "topics:hikikomori"
    assert press.delivery == {"message_id": 77}
    assert press.acknowledge is not None
    forged = incoming(u.callback(42, "<script>", message_id=77))
    assert forged.inbound.choice_id is None and forged.inbound.kind == "open"


def test_event_ids_are_stable_for_a_resend_and_differ_after_update_id_reuse() -> None:
    u = _updates()
    update = u.message(42, "a")
    assert incoming(update).inbound.event_id == incoming(dict(update)).inbound.event_id
    other = u.message(42, "b")
    other["update_id"] = update["update_id"]  # Telegram may re-randomise update ids
    assert incoming(other).inbound.event_id != incoming(update).inbound.event_id


def test_group_chats_are_ignored_and_a_block_is_noticed() -> None:
    u = _updates()
    group = u.message(-100, "hi")
    group["message"]["chat"] = {"id": -100, "type": "group", "title": "staff"}
    assert read(Update.de_json(group, None), NOW) is None
    kicked = {"update_id": 1, "my_chat_member": {
        "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "is_bot": False, "first_name": "x"},
        "date": 0, "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "b"}},
        "new_chat_member": {"status": "kicked", "until_date": 0,
                            "user": {"id": 1, "is_bot": True, "first_name": "b"}}}}
    assert read(Update.de_json(kicked, None), NOW) == Blocked("42")


@given(st.text(min_size=1, max_size=12_000))
def test_split_text_keeps_every_character_and_the_limit(text: str) -> None:
    parts = split_text(text, limit=1000)
    assert "".join(parts) == text
    assert all(len(p.encode("utf-16-le", "surrogatepass")) // 2 <= 1000 for p in parts)


def test_long_text_prefers_to_break_after_a_line() -> None:
    text = "あ" * 3000 + "\n" + "い" * 3000
    assert split_text(text, 4096) == ["あ" * 3000 + "\n", "い" * 3000]
    emoji = "😀" * 3000  # two UTF-16 units each
    assert all(len(p) <= 2048 for p in split_text(emoji, 4096)) and "".join(split_text(emoji, 4096)) == emoji


def test_the_topic_keyboard_has_every_choice_id_and_pairs_short_labels() -> None:
    [reply] = asked("topics")
    markup = keyboard(reply.choices)
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert data == [c.id for c in reply.choices]
    assert all(len(str(d).encode()) <= 64 for d in data)
    assert [b.callback_data for b in markup.inline_keyboard[-2]] == ["topics:back", "topics:pause"]
    assert [b.callback_data for b in markup.inline_keyboard[-1]] == ["topics:send_now"]
    assert len(markup.inline_keyboard) < len(reply.choices)


def test_the_keyboard_rides_on_the_last_part_only() -> None:
    parts = render(Reply("x" * 5000, asked("welcome")[1].choices))
    assert [p.keyboard is not None for p in parts] == [False, True]


def test_a_turn_goes_as_few_messages_as_fit() -> None:
    question = asked("welcome")[1]
    told = bundle([Reply("ひとつめ"), Reply("ふたつめ"), question])
    assert [r.text for r in told] == [f"ひとつめ\n\nふたつめ\n\n{question.text}"]
    assert told[0].choices == question.choices, "the buttons ride on the message that ends the turn"
    after = bundle([question, Reply("そのあと")])
    assert [r.text for r in after] == [question.text, "そのあと"], "nothing joins a message after its buttons"
    ticked = Reply("ticked", question.choices, update=True)
    assert bundle([Reply("a"), ticked]) == [Reply("a"), ticked], "a re-drawn keyboard stays an edit of its own"
    long = "あ" * (MAX_TEXT - 10)
    assert len(bundle([Reply(long), Reply("これで4,096を超えます")])) == 2, "never past what one message holds"


@given(st.lists(st.text(min_size=1, max_size=3000), min_size=1, max_size=6))
def test_bundling_keeps_every_reply_in_order(texts: list[str]) -> None:
    told = bundle([Reply(t) for t in texts])
    assert "\n\n".join(r.text for r in told) == "\n\n".join(texts)
    assert all(len(r.text.encode("utf-16-le")) // 2 <= MAX_TEXT for r in told if "\n\n" in r.text)


def test_pacing_allows_a_short_burst_then_one_a_second() -> None:
    now = [0.0]
    pacer = Pacer((1.0, 3.0), (30.0, 30.0), clock=lambda: now[0])
    assert [pacer.delay("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert pacer.delay("a") == 1.0
    assert pacer.delay("b") == 0.0, "another chat is not held up"
    pacer.hold("b", 5.0)
    assert pacer.delay("b") >= 5.0


def test_a_bucket_refills_at_its_rate_up_to_its_burst() -> None:
    bucket = TokenBucket(rate=2.0, burst=2.0, tokens=0.0, updated=0.0)
    assert bucket.reserve(0.5) == 0.0
    assert bucket.reserve(0.5) == 0.5
    assert bucket.full(100.0)


def test_a_send_window_counts_sends_as_they_leave_per_key_and_overall() -> None:
    now = [10.0]
    window = SendWindow(per_key=2, overall=3, seconds=1.0, clock=lambda: now[0])
    assert [window.room("a"), window.room("a")] == [0.0, 0.0]
    assert window.room("a") == 1.0, "a third send to one chat waits for the first to leave the window"
    assert window.room("b") == 0.0, "another chat is not held up"
    assert window.room("c") == 1.0, "three in all is the overall limit"
    now[0] = 10.6
    assert window.room("c") == pytest.approx(0.4)
    now[0] = 11.0
    assert window.room("a") == 0.0 and window.room("c") == 0.0


def test_sends_bunched_after_a_stall_leave_no_faster_than_the_window() -> None:
    async def burst() -> list[float]:
        window = SendWindow(per_key=30, overall=5, seconds=0.2)
        loop = asyncio.get_running_loop()
        times: list[float] = []

        async def send(key: str) -> None:
            await window.enter(key)
            times.append(loop.time())

        await asyncio.gather(*(send(str(n)) for n in range(12)))
        return times

    times = asyncio.run(burst())
    assert all(b - a >= 0.19 for a, b in zip(times, times[5:], strict=False))
