"""engine.handle(conversation, inbound) -> Outcome: one turn of the dialog, with no I/O. The turn is routed:
danger first, then the first contact, size limits, commands, pauses, odd input, and the current step."""

from __future__ import annotations

from datetime import timedelta, tzinfo
from zoneinfo import ZoneInfo

from dialogs import commands, prompts
from dialogs.danger import care
from dialogs.i18n import gettext as _
from dialogs.i18n import normalize_locale, use_locale
from dialogs.model import Conversation, Inbound, Outcome, Reply
from dialogs.steps import INTAKE
from dialogs.steps.intake import Intake
from dialogs.text import match_typed
from dialogs.turn import Turn

MAX_TEXT = 10_000
RESUME_AFTER = timedelta(hours=12)
GATHERING_BUTTON = "gathering:"  # 「行ってみたい」「思い出させて」「やめる」 work at any step, answered by the service
JAPAN = ZoneInfo("Asia/Tokyo")


def handle(conv: Conversation, inbound: Inbound, zone: tzinfo = JAPAN, intake: Intake = INTAKE) -> Outcome:
    """Handle one inbound message: move the conversation on and say what to send back. `zone` is the people's
    time zone (their "today", for ages); `intake` the registered steps."""
    if not conv.started:
        conv.locale = normalize_locale(inbound.locale_hint, conv.locale)
    outcome = Outcome()
    with use_locale(conv.locale), intake.driving(conv) as fire:
        route(Turn(conv, inbound, outcome, fire, intake, zone))
    conv.last_active_at = inbound.received_at
    return outcome


def current_prompt(conv: Conversation, intake: Intake = INTAKE) -> list[Reply]:
    """The question the conversation stands at, as it would be asked again."""
    return intake.step(conv.state).ask(conv)


def route(turn: Turn) -> None:
    """Send the message where it belongs."""
    conv = turn.conv
    if care(turn, MAX_TEXT):
        return
    if not conv.started:
        conv.started = True
        turn.ask_again()
        return
    if turn.text is not None and len(turn.text) > MAX_TEXT:
        turn.say(prompts.too_long(MAX_TEXT))
        return
    choice_id = _choice_id(turn)
    command = commands.named(choice_id, turn.text)
    if conv.awaiting_erase:
        commands.answer_erase(turn, choice_id)
    elif command is not None:
        commands.run(turn, command)
    elif choice_id is not None and choice_id.startswith(GATHERING_BUTTON):
        commands.gathering_pressed(turn, choice_id)
    elif choice_id is not None and choice_id.startswith("resume:"):
        commands.resume(turn, choice_id)
    elif conv.paused or _silent_too_long(turn):
        conv.paused = True
        turn.say(prompts.welcome_back())
    elif choice_id is None and turn.text is None:
        _not_text(turn)
    elif choice_id is None and not turn.text:
        turn.ask_again(_(prompts.EMPTY))
    else:
        answer(turn, choice_id)


def answer(turn: Turn, choice_id: str | None) -> None:
    """The current step reads the answer; a button of another step is explained, not obeyed."""
    value: str | None = None
    if choice_id is not None:
        step, _, value = choice_id.partition(":")
        if step != turn.conv.state:
            turn.stale()
            return
    turn.step.answer(turn, value)


def _choice_id(turn: Turn) -> str | None:
    """The pressed button, or the button a typed message names at a button question."""
    conv, text = turn.conv, turn.text
    if turn.inbound.choice_id:
        return turn.inbound.choice_id
    if not text:
        return None
    if conv.awaiting_erase:
        return match_typed(prompts.erase_confirm().choices, text)
    if conv.paused or _silent_too_long(turn):
        return match_typed(prompts.welcome_back().choices, text)
    return turn.step.typed_choice(conv, text)


def _silent_too_long(turn: Turn) -> bool:
    """Twelve hours or more since the last message, in the middle of the intake."""
    last = turn.conv.last_active_at
    return last is not None and turn.inbound.received_at - last > RESUME_AFTER and turn.step.welcomes_back


def _not_text(turn: Turn) -> None:
    """A sticker, a photo, or the chat opened again."""
    kind = turn.inbound.kind
    if kind == "open":
        turn.ask_again()
    elif turn.step.final:
        turn.say(prompts.not_text(kind))
    else:
        turn.ask_again(prompts.not_text(kind))
