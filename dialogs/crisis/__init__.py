"""Danger signals in what people type (docs/SAFETY.md): suicide and self-harm, violence and abuse, medical
emergencies. Two layers decide together (docs/crisis.md): written rules over the structure of each sentence
(dialogs/crisis/rules.py), and a model learned from labelled messages (dialogs/crisis/model.py). The model
alone raises an alarm when it is sure; a rule raises one when the model does not find it unlikely."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.crisis import model, rules
from dialogs.crisis.reading import read
from dialogs.crisis.reading import warm as _warm_reading
from dialogs.crisis.rules import CATEGORIES, MEDICAL, SUICIDE, VIOLENCE

__all__ = ["CATEGORIES", "MEDICAL", "SUICIDE", "VIOLENCE", "Verdict", "detect", "judge", "warm"]


@dataclass(frozen=True)
class Verdict:
    """What each layer found in one message, and the decision."""

    rules: frozenset[str]
    probabilities: dict[str, float]
    signals: frozenset[str]


def judge(text: str) -> Verdict:
    """Read the message once, ask both layers, and decide."""
    if not text or not text.strip():
        return Verdict(frozenset(), {"any": 0.0}, frozenset())
    reading = read(text[:2000])
    fired = rules.fired(reading)
    by_rules = frozenset() if reading.resolved_past else fired
    p = model.danger(reading, fired)
    shipped = model.load()
    if p["any"] >= shipped.threshold or (by_rules and p["any"] >= shipped.rule_threshold):
        likely = {c for c in CATEGORIES if p[c] >= 0.5 * p["any"] / len(CATEGORIES) and p[c] >= 0.1}
        found = by_rules | likely or {max(CATEGORIES, key=lambda c: p[c])}
        return Verdict(by_rules, p, frozenset(found))
    return Verdict(by_rules, p, frozenset())


def detect(text: str) -> frozenset[str]:
    """The danger categories a message signals (empty for none)."""
    return judge(text).signals


def warm() -> None:
    """Load the dictionary and the model before the first message."""
    _warm_reading()
    model.load()
