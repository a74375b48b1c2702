"""The crisis check against a labelled set of Japanese (and a few English) messages in tests/data:
positives of every category as people type them, and hard negatives (idioms, past bereavement,
near misses). It prints recall and the false-alarm rate; recall must be at least 0.97 and false
alarms at most 0.03."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.crisis import CATEGORIES, detect

DATA = Path(__file__).resolve().parents[1] / "data" / "crisis_messages.tsv"


def labelled() -> list[tuple[str, str]]:
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            assert label in (*CATEGORIES, "none"), line
            rows.append((label, text))
    return rows


def test_the_labelled_set_is_large_and_covers_every_category() -> None:
    rows = labelled()
    labels = [label for label, _ in rows]
    assert len(rows) >= 300
    assert all(labels.count(c) >= 20 for c in CATEGORIES) and labels.count("none") >= 150
    assert len({text for _, text in rows}) == len(rows), "no message twice"


def test_recall_and_false_alarms_on_the_labelled_set() -> None:
    rows = labelled()
    positives = [(label, text) for label, text in rows if label != "none"]
    negatives = [text for label, text in rows if label == "none"]
    missed = [(label, text) for label, text in positives if label not in detect(text)]
    alarms = [text for text in negatives if detect(text)]
    recall = 1 - len(missed) / len(positives)
    false_alarms = len(alarms) / len(negatives)
    for category in CATEGORIES:
        of = [t for label, t in positives if label == category]
        hit = sum(1 for t in of if category in detect(t))
        print(f"{category}: {hit}/{len(of)}")
    print(f"recall {recall:.3f} on {len(positives)} positives; false alarms {false_alarms:.3f} on {len(negatives)}")
    assert recall >= 0.97, missed
    assert false_alarms <= 0.03, alarms


@pytest.mark.parametrize("text", ["死にたい", "ｼﾆﾀｲ", "死 に た い", "死にたくなる", "死んじゃいたい", "OD", "リスカ",
                                  "消えたい"])
def test_the_issues_examples_fire(text: str) -> None:
    assert "suicide" in detect(text)


@pytest.mark.parametrize("text", ["死ぬほど眠い", "笑いすぎて死にそう", "電気が消えた", "消しゴム"])
def test_the_issues_idioms_do_not(text: str) -> None:
    assert detect(text) == frozenset()


def test_threads_read_at_once_and_each_gets_the_answer_it_would_alone() -> None:
    """The service reads messages in several threads; SudachiPy's tokenizer must not be shared by them."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"{text}。その{n}日後、{text}" for n, (_, text) in enumerate(labelled()[:200])]
    alone = [detect(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(detect, texts))
    assert together == alone
