"""Care in the turn itself when a message signals danger (docs/SAFETY.md): a first word of care at once (the
service adds the crisis contacts and makes the case urgent), what was written kept on the sheet, then the
conversation goes on where it was."""

from __future__ import annotations

from dialogs import crisis, prompts
from dialogs.i18n import gettext as _
from dialogs.model import CrisisSignaled
from dialogs.turn import Turn


def care(turn: Turn, max_text: int) -> bool:
    """Answer a message that signals danger; False when it signals none (or is a button press)."""
    text = turn.text
    if turn.inbound.choice_id or not text:
        return False
    signals = crisis.detect(text)
    if not signals:
        return False
    conv = turn.conv
    conv.sheet.risk.urgent = True
    conv.sheet.risk.signals = sorted(set(conv.sheet.risk.signals) | signals)
    turn.emit(CrisisSignaled(tuple(sorted(signals))))
    turn.say(prompts.crisis_care(signals))
    conv.paused = conv.awaiting_erase = False
    if len(text) > max_text:
        turn.say(prompts.too_long(max_text))
    elif not conv.started:
        conv.started = True
        conv.sheet.details.append(text)
        turn.ask_again()
    elif turn.step.words_are_the_answer:
        turn.step.answer(turn, None)
    else:
        conv.sheet.details.append(text)
        turn.ask_again(_(prompts.CARRY_ON))
    return True
