"""Train the crisis check's learned layer and write dialogs/crisis/weights.json (`make crisis-train`).

The data: every file in tests/data/crisis/train/, and every unseen batch whose first measure is recorded in
tests/data/crisis/unseen/RESULTS.md (a batch joins only after it was measured as it came). Each file is one
writer. Cross-validation leaves one writer out at a time, so the figures say how the check does on a voice it
has not read; the thresholds are chosen on those held-out scores. It prints, per layer (rules alone, model
alone, both together), recall and false alarms over the held-out folds, Japanese and English apart."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.crisis_data import Example, data_digest, labelled
from dialogs.crisis import rules
from dialogs.crisis.model import LABELS, WEIGHTS, features
from dialogs.crisis.reading import read

C = 4.0
MIN_DF = 2
MIN_WEIGHT = 0.01
TARGET_FALSE_ALARMS = 0.03  # the bar for a batch nobody trained on


def fit(x: list[dict[str, int]], y: list[int]) -> tuple[DictVectorizer, LogisticRegression]:
    """A multinomial logistic regression over binary features seen in at least MIN_DF messages."""
    seen = Counter(name for row in x for name in row)
    x = [{name: 1 for name in row if seen[name] >= MIN_DF} for row in x]
    vectorizer = DictVectorizer()
    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    model.fit(vectorizer.fit_transform(x), y)
    return vectorizer, model


def held_out(rows: list[Example], x: list[dict[str, int]], y: list[int]) -> np.ndarray:
    """P(danger) of every message from a model that did not see its writer."""
    p = np.zeros(len(rows))
    for writer in sorted({r[0] for r in rows}):
        inside = [i for i, r in enumerate(rows) if r[0] != writer]
        outside = [i for i, r in enumerate(rows) if r[0] == writer]
        vectorizer, model = fit([x[i] for i in inside], [y[i] for i in inside])
        p[outside] = 1 - model.predict_proba(vectorizer.transform([x[i] for i in outside]))[:, 0]
    return p


def rate(alarm: np.ndarray, positive: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """Recall and false alarms over the masked messages."""
    pos, neg = mask & positive, mask & ~positive
    return float(alarm[pos].mean()) if pos.any() else 0.0, float(alarm[neg].mean()) if neg.any() else 0.0


def thresholds(p: np.ndarray, by_rules: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
    """The pair (model alone, with a rule) with the best held-out recall at false alarms ≤ the target."""
    best = (0.0, 0.5, 0.5)
    everything = np.ones(len(p), dtype=bool)
    for alone in np.arange(0.30, 0.95, 0.025):
        for with_rule in np.arange(0.02, alone + 0.001, 0.02):
            recall, alarms = rate((p >= alone) | (by_rules & (p >= with_rule)), positive, everything)
            if alarms <= TARGET_FALSE_ALARMS and recall > best[0]:
                best = (recall, float(alone), float(with_rule))
    return best[1], best[2]


def report(name: str, alarm: np.ndarray, positive: np.ndarray, langs: np.ndarray) -> None:
    """One line of held-out figures for a layer."""
    cells = []
    for lang in ("ja", "en", None):
        mask = np.ones(len(alarm), dtype=bool) if lang is None else langs == lang
        recall, alarms = rate(alarm, positive, mask)
        cells.append(f"{lang or 'all'} recall {recall:.3f} false alarms {alarms:.3f}")
    print(f"{name:>14}: " + "; ".join(cells))


def main() -> int:
    """Cross-validate, choose the thresholds, fit on everything and write the weights."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = labelled()
    readings = [read(r[3]) for r in rows]
    fired = [rules.fired(reading) for reading in readings]
    x = [dict.fromkeys(features(reading, f), 1) for reading, f in zip(readings, fired, strict=True)]
    y = [LABELS.index(r[1]) for r in rows]
    positive = np.array([r[1] != "none" for r in rows])
    langs = np.array([r[2] for r in rows])
    by_rules = np.array([bool(f) and not reading.resolved_past for reading, f in zip(readings, fired, strict=True)])
    print(f"{len(rows)} messages from {len({r[0] for r in rows})} writers; {int(positive.sum())} positive")
    p = held_out(rows, x, y)
    alone, with_rule = thresholds(p, by_rules, positive)
    print(f"thresholds: model alone {alone:.3f}, with a rule {with_rule:.3f} (leave-one-writer-out)")
    report("rules alone", by_rules, positive, langs)
    report("model alone", p >= alone, positive, langs)
    report("together", (p >= alone) | (by_rules & (p >= with_rule)), positive, langs)
    if args.no_write:
        return 0
    vectorizer, model = fit(x, y)
    weights = {name: [round(float(w), 3) for w in model.coef_[:, i]]
               for name, i in vectorizer.vocabulary_.items() if np.abs(model.coef_[:, i]).max() >= MIN_WEIGHT}
    WEIGHTS.write_text(json.dumps({"intercept": [round(float(b), 4) for b in model.intercept_], "threshold": alone,
                                   "rule_threshold": with_rule, "data": data_digest(), "weights": weights},
                                  ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    print(f"wrote {WEIGHTS} ({len(weights)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
