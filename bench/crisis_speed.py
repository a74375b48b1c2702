"""How long the crisis check takes per message, on this machine: a wall-clock figure, so a benchmark and not a
unit test (a loaded machine would fail one). Run as `python bench/crisis_speed.py [ROUNDS]`; it prints the mean
and the slowest time for a short message and a long one, against the 50 ms a message may take."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogs.crisis import detect

BUDGET_MS = 50.0
MESSAGES = {
    "short": "もう消えたい",
    "long": "息子が十年間部屋から出てこないので、もう疲れてしまいました。" * 20,
}


def measure(text: str, rounds: int) -> list[float]:
    """Milliseconds of each of `rounds` checks of one text."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        detect(text)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    """Print the figures; exit 1 when a mean is over the budget."""
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    detect("ウォームアップ")  # the dictionary loads once per process
    over = False
    for name, text in MESSAGES.items():
        times = measure(text, rounds)
        mean = statistics.fmean(times)
        over = over or mean > BUDGET_MS
        print(f"{name} ({len(text)} characters): mean {mean:.2f} ms, slowest {max(times):.2f} ms "
              f"over {rounds} checks (budget {BUDGET_MS:.0f} ms)")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
