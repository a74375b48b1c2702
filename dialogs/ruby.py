"""Readings of hard kanji in the やさしい日本語 catalog, written as in 青空文庫: 相談《そうだん》 gives the kanji run
before 《》 its reading, ｜ marks where a base starts when it is not a plain run of kanji (｜お金《かね》). The
web chat shows them as ruby, LINE and Telegram in parentheses: 相談（そうだん）."""

from __future__ import annotations

import re
from dataclasses import replace

from dialogs.model import Choice, Reply

RUBY = re.compile(r"(?:｜([^｜《》\n]+)|([\u3400-\u9fff々〆ヶ]+))《([^《》\n]+)》")


def parenthesized(text: str) -> str:
    """Readings after their kanji in parentheses: 相談（そうだん）."""
    return RUBY.sub(lambda m: f"{m.group(1) or m.group(2)}（{m.group(3)}）", text)


def without_readings(text: str) -> str:
    """Only the base text: 相談 (for matching what people type against a label)."""
    return RUBY.sub(lambda m: m.group(1) or m.group(2), text)


def with_parentheses(reply: Reply) -> Reply:
    """A reply for a channel without ruby (LINE, Telegram): readings in parentheses, in its text and buttons."""
    choices = tuple(Choice(c.id, parenthesized(c.label)) for c in reply.choices)
    return replace(reply, text=parenthesized(reply.text), choices=choices)
