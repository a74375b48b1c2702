"""Measure the crisis check once on a batch of labelled messages (`label<TAB>lang<TAB>text`), each read as the
first message of a new conversation, and print the row for tests/data/crisis/unseen/RESULTS.md: recall and false
alarms, Japanese and English apart. `--show` lists what was missed and what alarmed: only after the first
figures are recorded, since a batch that has been looked at is no longer unseen.

    python -m bench.crisis_measure tests/data/crisis/unseen/03.tsv --writer "..." --date 2026-12-07"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogs.crisis import detect

Row = tuple[str, str, str]


def load(path: Path) -> list[Row]:
    """The batch's rows (label, lang, text), comments and blank lines left out."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, lang, text = line.split("\t")
            rows.append((label, lang, text.replace("\\n", "\n")))
    return rows


def share(hits: int, of: int) -> str:
    """`hits/of = 0.nn`, or a dash for an empty group."""
    return f"{hits}/{of} = {hits / of:.2f}" if of else "–"


def figures(rows: list[Row], langs: tuple[str, ...]) -> tuple[str, str, list[Row], list[Row]]:
    """Recall and false alarms over the rows in these languages, with the misses and the alarms."""
    chosen = [r for r in rows if r[1] in langs]
    positives = [r for r in chosen if r[0] != "none"]
    negatives = [r for r in chosen if r[0] == "none"]
    missed = [r for r in positives if not detect(r[2])]
    alarms = [r for r in negatives if detect(r[2])]
    return (share(len(positives) - len(missed), len(positives)), share(len(alarms), len(negatives)), missed, alarms)


def main() -> int:
    """Print the results row (and, with --show, the misses and alarms)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("batch", type=Path)
    parser.add_argument("--writer", default="an independent writer")
    parser.add_argument("--date", required=True)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    rows = load(args.batch)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    cells, shown = [], []
    for langs in (("ja",), ("en",), ("ja", "en")):
        recall, alarms, missed, alarmed = figures(rows, langs)
        cells += [recall, alarms]
        shown = missed + alarmed
    print(f"| {args.batch.stem} | {args.date} | {args.writer} | {commit} | " + " | ".join(cells) + " |")
    if args.show:
        for label, lang, text in shown:
            print(f"{label}\t{lang}\t{text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
