"""The learned layer of the crisis check: a logistic regression over character 1-3-grams of the text and 2-4-grams
of its sound (so kanji and kana spellings meet), lemmas and lemma pairs, conjugation forms, the reading's
structure flags and what the rules found, trained with scikit-learn
(`make crisis-train`, bench/crisis_train.py) on the labelled messages and shipped as weights.json. Scoring
is a sum of weights in plain Python, so serving needs neither scikit-learn nor numpy, and loading is quick."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dialogs.crisis.reading import Reading

WEIGHTS = Path(__file__).with_name("weights.json")
LABELS = ("none", "suicide", "violence", "medical")
CONJUGATED = ("動詞", "形容詞", "助動詞")
NEGATIONS = frozenset({"ない", "無い", "ぬ", "ず", "ん"})


def features(reading: Reading, fired: frozenset[str]) -> list[str]:
    """The features of a message, as the model and its training see them; `fired`: what the rules found in it
    before the past was weighed."""
    found: list[str] = []
    plain = f" {reading.plain} "
    for n in (1, 2, 3):
        found += [f"c:{plain[i:i + n]}" for i in range(len(plain) - n + 1)]
    sound = f" {reading.sound} "
    for n in (2, 3, 4):
        found += [f"y:{sound[i:i + n]}" for i in range(len(sound) - n + 1)]
    lemmas = [t.lemma for tokens in reading.sentences[0] for t in tokens]
    found += [f"l:{lemma}" for lemma in lemmas]
    found += [f"b:{a}|{b}" for a, b in itertools.pairwise(lemmas)]
    found += [f"k:{t.lemma}/{t.conjugation.split('-')[0]}" for tokens in reading.sentences[0] for t in tokens
              if t.pos in CONJUGATED and t.conjugation != "*"]
    found += [f"n:{lemma}" for lemma in negated(reading)]
    found += [f"f:{flag}" for flag in sorted(reading.flags)]
    if reading.resolved_past:
        found.append("f:resolved_past")
    found += [f"r:{category}" for category in sorted(fired)]
    if fired and reading.resolved_past:
        found.append("r:guarded")
    return found


def negated(reading: Reading) -> list[str]:
    """Lemmas in the scope of a negation: the word (and a wish on it) right before ない, ず, ぬ (死にたくない)."""
    found = []
    for tokens in reading.sentences[0]:
        for i, token in enumerate(tokens):
            if token.lemma in NEGATIONS and i and token.pos in ("助動詞", "形容詞"):
                scope = [t.lemma for t in tokens[max(0, i - 3):i] if t.pos in ("動詞", "形容詞", "助動詞")]
                found += scope
    return found


@dataclass(frozen=True)
class Model:
    """Weights per feature and label, the intercepts, and the danger threshold chosen by cross-validation."""

    weights: dict[str, list[float]]
    intercept: list[float]
    threshold: float
    rule_threshold: float

    def probabilities(self, found: Iterable[str]) -> dict[str, float]:
        """Each label's probability (softmax over the summed weights of the message's features)."""
        weights = self.weights
        rows = [weights[f] for f in set(found) if f in weights]
        scores = [b + sum(column) for b, column in zip(self.intercept, zip(*rows, strict=True), strict=True)] \
            if rows else list(self.intercept)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(LABELS, exps, strict=False)}


@cache
def load() -> Model:
    """The shipped model (loaded once)."""
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return Model(data["weights"], data["intercept"], data["threshold"], data["rule_threshold"])


def danger(reading: Reading, fired: frozenset[str]) -> dict[str, float]:
    """The probability of each danger category, and of any (`any`)."""
    probabilities = load().probabilities(features(reading, fired))
    return {**{k: v for k, v in probabilities.items() if k != "none"}, "any": 1 - probabilities["none"]}
