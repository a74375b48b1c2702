"""やさしい日本語 (ja@easy), after the 在留支援のためのやさしい日本語ガイドライン: every message a person reads is
written in short sentences ending in です／ます, without double negatives, and every kanji beyond the first grade's
carries its reading; the readings become ruby in the web chat and parentheses on LINE and Telegram; the whole
intake, and the care given to a message that signals danger, work in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.channels.line.render import render as line_render
from bot.channels.telegram.render import render as telegram_render
from bot.web import environment
from dialogs.i18n import EASY
from dialogs.model import Choice, CrisisSignaled, HandoffRequested, Reply
from dialogs.ruby import RUBY, parenthesized, without_readings
from tests.unit.test_locales import KEYWORDS, METHODS, ROOT
from tests.unit.transcript import Chat

CATALOG = ROOT / "locales" / EASY / "LC_MESSAGES" / "messages.po"
BASIC_KANJI = set("一二三四五六七八九十百日月年本語人")  # left without a reading (the 1st grade's, and 日本語)
SENTENCE_END = re.compile(r"(です|ます|ました|ません|でした|ください|ですね|なさい|こんにちは|）)[。]$"
                          r"|(ですか|ますか)？$")
DOUBLE_NEGATIVE = re.compile(r"な(く|い)(は|わけでは|とは|こともない)(ない|ありません)|ないではない|なくもない")
LONGEST_SENTENCE = 45  # characters, readings left out


def people_read() -> set[str]:
    """The messages people read: those of the dialog, the care and channel code, and the web chat page."""
    found: set[str] = set()
    for folder, methods in ((ROOT / "dialogs", METHODS), (ROOT / "bot" / "safety", METHODS),
                            (ROOT / "bot" / "channels", METHODS),
                            (ROOT / "bot" / "templates", [("chat.html", "jinja2")])):
        for _file, _line, message, _comments, _ctx in extract_from_dir(folder, methods, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    found.discard("つなぐ：緊急の相談が届きました。コンソールで確認してください。")  # to staff (bot/safety/alerts.py)
    return found


def easy_catalog() -> dict[str, str]:
    with CATALOG.open("rb") as fh:
        return {m.id: str(m.string) for m in read_po(fh, locale=EASY) if m.id and isinstance(m.id, str)}


@pytest.fixture(scope="module")
def easy() -> dict[str, str]:
    catalog = easy_catalog()
    return {message: catalog[message] for message in people_read()}


def test_every_message_people_read_is_rewritten_or_already_easy(easy: dict[str, str]) -> None:
    assert len(easy) > 150
    same = sorted(m for m, t in easy.items() if t == m and re.search(r"[\u3400-\u9fff]", m))
    assert not same, f"kanji left as in the source: {same[:5]}"


def test_kanji_beyond_the_basic_ones_carry_their_readings(easy: dict[str, str]) -> None:
    for text in easy.values():
        assert text.count("《") == len(RUBY.findall(text)), text
        bare = set(RUBY.sub("", text)) & {chr(c) for c in range(0x3400, 0xA000)}
        assert bare <= BASIC_KANJI, (text, bare - BASIC_KANJI)


def test_short_sentences_in_desu_masu_without_double_negatives(easy: dict[str, str]) -> None:
    for text in easy.values():
        plain = without_readings(text)
        assert not DOUBLE_NEGATIVE.search(plain), plain
        for sentence in re.split(r"(?<=[。？])", plain):
            sentence = sentence.strip()
            if sentence.endswith(("。", "？")):
                assert len(sentence) <= LONGEST_SENTENCE, sentence
                assert SENTENCE_END.search(sentence), sentence


def test_readings_become_parentheses_on_line_and_telegram_and_ruby_on_the_page() -> None:
    assert parenthesized("相談員《そうだんいん》に｜お金《かね》のこと") == "相談員（そうだんいん）にお金（かね）のこと"
    assert without_readings("相談員《そうだんいん》に｜お金《かね》のこと") == "相談員にお金のこと"
    reply = Reply("相談《そうだん》します。", (Choice("who:family", "家族《かぞく》"),))
    line = line_render(reply)[0].to_dict()
    assert line["text"] == "相談（そうだん）します。"
    assert line["quickReply"]["items"][0]["action"]["label"] == "家族（かぞく）"
    part = telegram_render(reply)[0]
    assert part.text == "相談（そうだん）します。"
    assert part.keyboard is not None and part.keyboard.inline_keyboard[0][0].text == "家族（かぞく）"
    ruby = environment().filters["ruby"]
    assert str(ruby("<b>相談《そうだん》</b>")) == (
        "&lt;b&gt;<ruby>相談<rp>（</rp><rt>そうだん</rt><rp>）</rp></ruby>&lt;/b&gt;")


def test_the_whole_intake_in_easy_japanese() -> None:
    chat = Chat()
    chat.open()
    chat.press("welcome:start")
    chat.say("やさしい にほんご")
    assert chat.conv.locale == EASY
    assert chat.last.text == "今《いま》書《か》いているのは、だれですか？"
    chat.say("家族")  # typed like the label, without its reading
    assert chat.conv.sheet.writer == "family"
    chat.press("consent:yes")
    chat.say("15")
    assert "学校《がっこう》に行《い》けない" in chat.last.text
    chat.say("ここまでで送る")
    assert chat.conv.state == "review"
    assert "困《こま》っていること：◎ひきこもり・学校《がっこう》に行《い》けない" in chat.last.text
    chat.press("review:send")
    assert HandoffRequested(urgent=False) in chat.events
    assert chat.last.text.startswith("送《おく》りました。")


def test_care_for_danger_in_easy_japanese() -> None:
    chat = Chat()
    chat.open()
    chat.say("やさしい日本語")
    replies = chat.say("死にたい")
    assert CrisisSignaled(("suicide",)) in chat.events
    assert "ひとりで悩《なや》まなくて大丈夫《だいじょうぶ》です。" in replies[0].text
    replies = chat.say("夫に殴られています")
    assert "あなたが安全《あんぜん》なことが、いちばん大切《たいせつ》です。" in replies[0].text


def test_the_catalog_lives_where_babel_reads_it() -> None:
    assert Path(CATALOG).exists() and len(EASY) <= 8, "the conversation's locale column is String(8)"
