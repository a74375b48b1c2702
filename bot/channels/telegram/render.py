"""Replies as Telegram messages: plain text (nothing people write is parsed as markup), a turn's replies
in as few messages as fit, split at 4,096 characters, and the choices as an inline keyboard whose
callback data are the choice ids."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.splitting import split_text, units
from dialogs.model import Choice, Reply
from dialogs.ruby import with_parentheses

MAX_TEXT = 4096
SEPARATOR = "\n\n"
PAIR_WIDTH = 20  # two buttons share a row when both labels are at most this wide


@dataclass(frozen=True)
class Part:
    """One Telegram message of a reply."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def bundle(replies: list[Reply]) -> list[Reply]:
    """A turn's replies as few messages: a text without buttons joins the reply after it, within 4,096
    characters. One notification instead of two or three, and a turn costs one of the ~30 messages a
    second Telegram allows a bot, so replies keep up with the people writing."""
    out: list[Reply] = []
    for reply in replies:
        last = out[-1] if out else None
        if (last is not None and not last.choices and not last.update and not reply.update
                and units(last.text) + units(SEPARATOR) + units(reply.text) <= MAX_TEXT):
            out[-1] = Reply(f"{last.text}{SEPARATOR}{reply.text}", reply.choices)
        else:
            out.append(reply)
    return out


def render(reply: Reply) -> list[Part]:
    """The messages that carry a reply (readings of hard kanji in parentheses); the keyboard rides on the last one."""
    reply = with_parentheses(reply)
    chunks = split_text(reply.text or " ", MAX_TEXT)
    markup = keyboard(reply.choices) if reply.choices else None
    return [Part(chunk, markup if i == len(chunks) - 1 else None) for i, chunk in enumerate(chunks)]


def _width(label: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label)


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup:
    """Buttons in rows: two short labels share a row, a long one has its own."""
    rows: list[list[InlineKeyboardButton]] = []
    for choice in choices:
        button = InlineKeyboardButton(choice.label, callback_data=choice.id)
        last = rows[-1] if rows else None
        if (last is not None and len(last) == 1 and _width(last[0].text) <= PAIR_WIDTH
                and _width(choice.label) <= PAIR_WIDTH and _same_group(last[0], choice)):
            last.append(button)
        else:
            rows.append([button])
    return InlineKeyboardMarkup(rows)


def _same_group(previous: InlineKeyboardButton, choice: Choice) -> bool:
    """Way-out buttons (back, pause, send now) pair with each other, not with an answer."""
    way_out = ("back", "pause", "send_now")
    prev_way_out = str(previous.callback_data).endswith(tuple(f":{w}" for w in way_out))
    return prev_way_out == choice.id.endswith(tuple(f":{w}" for w in way_out))
