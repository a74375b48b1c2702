"""Replies as LINE messages: text split at 5,000 characters; up to 13 choices as quick reply
buttons on the turn's last message; more (the 19 topics) as a Flex carousel of postback buttons,
the chosen ones filled. Postback data are exactly the choice ids."""

from __future__ import annotations

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexCarousel,
    FlexMessage,
    FlexText,
    Message,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from bot.channels.splitting import split_text
from dialogs.model import Choice, Reply
from dialogs.ruby import with_parentheses

MAX_TEXT = 5000
MAX_QUICK_REPLY = 13
QUICK_LABEL = 20
BUTTON_LABEL = 40
BUTTONS_PER_BUBBLE = 8
CHOSEN = "✓"


def render_turn(replies: list[Reply]) -> list[Message]:
    """A turn's messages in order; quick replies only on the very last one (LINE shows no others)."""
    messages: list[Message] = []
    for index, reply in enumerate(replies):
        last = index == len(replies) - 1
        messages.extend(render(reply, quick_reply_allowed=last))
    return messages


def render(reply: Reply, quick_reply_allowed: bool = True) -> list[Message]:
    """One reply as LINE messages (readings of hard kanji in parentheses)."""
    reply = with_parentheses(reply)
    chunks = split_text(reply.text or " ", MAX_TEXT)
    if not reply.choices:
        return [TextMessage(text=chunk) for chunk in chunks]
    if quick_reply_allowed and len(reply.choices) <= MAX_QUICK_REPLY:
        texts: list[Message] = [TextMessage(text=chunk) for chunk in chunks[:-1]]
        items = [QuickReplyItem(action=_action(c, QUICK_LABEL)) for c in reply.choices]
        return [*texts, TextMessage(text=chunks[-1], quick_reply=QuickReply(items=items))]
    if reply.update:  # a ticked topic: the buttons again, without repeating the question
        return [buttons(reply)]
    return [*(TextMessage(text=chunk) for chunk in chunks), buttons(reply)]


def buttons(reply: Reply) -> FlexMessage:
    """The choices as a carousel of bubbles with postback buttons (chosen ones filled)."""
    groups = [reply.choices[i:i + BUTTONS_PER_BUBBLE] for i in range(0, len(reply.choices), BUTTONS_PER_BUBBLE)]
    bubbles = [
        FlexBubble(size="kilo", body=FlexBox(layout="vertical", spacing="sm", contents=[
            FlexButton(action=_action(c, BUTTON_LABEL), height="sm",
                       style="primary" if c.label.startswith(CHOSEN) else "secondary")
            for c in group
        ]))
        for group in groups
    ]
    if len(bubbles) == 1:
        bubbles[0].body.contents.insert(0, FlexText(text=_short(reply.text, 200), wrap=True, size="sm"))
    alt = _short(reply.text, 400)
    return FlexMessage(alt_text=alt, contents=FlexCarousel(contents=bubbles))


def _action(choice: Choice, limit: int) -> PostbackAction:
    return PostbackAction(label=_short(choice.label, limit), data=choice.id, display_text=_short(choice.label, 300))


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
