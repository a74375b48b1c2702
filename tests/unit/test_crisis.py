"""The crisis check against every labelled message in tests/data/crisis (the training files and the unseen
batches measured so far): recall at least 0.98 and false alarms at most 0.02, Japanese and English printed
apart. Also what its reading of structure promises (conjugations, negation, a past that is over, fiction),
and that the shipped weights were trained on the data as it is now."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dialogs.crisis import CATEGORIES, detect, judge
from dialogs.crisis.model import WEIGHTS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.crisis_data import data_digest, labelled  # noqa: E402


def test_the_labelled_set_is_large_varied_and_balanced() -> None:
    rows = labelled()
    labels = [r[1] for r in rows]
    assert len(rows) >= 1500
    assert 0.4 <= sum(label != "none" for label in labels) / len(rows) <= 0.6
    assert all(labels.count(c) >= 100 for c in CATEGORIES)
    assert sum(r[2] == "en" for r in rows) >= 150
    assert len({r[0] for r in rows}) >= 5, "several writers"
    assert len({r[3] for r in rows}) >= 0.99 * len(rows), "hardly any message twice"


def test_the_shipped_weights_were_trained_on_this_data() -> None:
    shipped = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert shipped["data"] == data_digest(), "the labelled data changed: run `make crisis-train`"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_recall_and_false_alarms_on_the_whole_labelled_set(lang: str) -> None:
    rows = [r for r in labelled() if r[2] == lang]
    positives = [(label, text) for _, label, _, text in rows if label != "none"]
    negatives = [text for _, label, _, text in rows if label == "none"]
    missed = [(label, text) for label, text in positives if not detect(text)]
    alarms = [text for text in negatives if detect(text)]
    recall = 1 - len(missed) / len(positives)
    false_alarms = len(alarms) / len(negatives)
    print(f"{lang}: recall {recall:.3f} on {len(positives)}; false alarms {false_alarms:.3f} on {len(negatives)}")
    assert recall >= 0.98, missed
    assert false_alarms <= 0.02, alarms


def test_the_category_is_the_right_one_for_most_positives() -> None:
    positives = [(label, text) for _, label, _, text in labelled() if label != "none"]
    right = sum(label in detect(text) for label, text in positives)
    assert right / len(positives) >= 0.95


@pytest.mark.parametrize("text", ["死にたい", "ｼﾆﾀｲ", "死 に た い", "死にたくなる", "死んじゃいたい", "死のうかな",
                                  "死ねたら楽なのに", "生きてる意味ある？", "消えたい", "OD", "リスカ"])
def test_every_form_of_a_wish_to_die_is_read(text: str) -> None:
    assert "suicide" in judge(text).rules


@pytest.mark.parametrize("text", ["死ぬほど眠い", "笑いすぎて死にそう", "電気が消えた", "消しゴム", "死にたくない",
                                  "昔はリスカしてたけど、もう何年もやってない。今は大丈夫",
                                  "子どもの頃は死にたいと思ってた。今は元気です"])
def test_idioms_negation_and_a_past_that_is_over_are_not_signals(text: str) -> None:
    assert judge(text).rules == frozenset() and detect(text) == frozenset()


def test_a_past_that_comes_back_now_is_a_signal() -> None:
    assert detect("昔リスカしてて、何年もやめてたのに、さっきまたやっちゃった")


def test_fiction_does_not_alarm() -> None:
    assert detect("ゲームのラスボスに何回も殺された笑") == frozenset()


def test_nothing_in_nothing_out() -> None:
    assert detect("") == frozenset() and detect("   ") == frozenset() and detect("🙂") == frozenset()


def test_a_very_long_message_is_read_without_trouble() -> None:
    assert "suicide" in detect("今日も一日部屋にいました。" * 40 + "もう死にたい。" + "おやすみなさい。" * 40)
