"""The crisis check's labelled messages (tests/data/crisis): every file in train/, and every unseen batch whose
first measure is recorded in unseen/RESULTS.md (a batch joins only after it was measured as it came). Each file
is one writer. Read by the training (bench/crisis_train.py) and by the test of the whole set."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "crisis"
Example = tuple[str, str, str, str]  # writer, label, lang, text


def measured_batches() -> set[str]:
    """The unseen batches whose first measure is on record."""
    text = (DATA / "unseen" / "RESULTS.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| (\d+) \|", text, re.M))


def files() -> list[Path]:
    """The files that may be trained on, in a stable order."""
    measured = measured_batches()
    return sorted((DATA / "train").glob("*.tsv")) + [p for p in sorted((DATA / "unseen").glob("*.tsv"))
                                                      if p.stem in measured]


def labelled() -> list[Example]:
    """Every labelled message that may be trained on, with its writer (the file it came from)."""
    rows = []
    for path in files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                label, lang, text = line.split("\t")
                rows.append((path.stem, label, lang, text.replace("\\n", "\n")))
    return rows


def data_digest() -> str:
    """A digest of those files, so the shipped weights can say which data they learned from."""
    digest = hashlib.sha256()
    for path in files():
        digest.update(path.read_bytes())
    return digest.hexdigest()
