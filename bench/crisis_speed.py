"""What the crisis check costs (`make crisis-bench`): detection time per message over every labelled message
(p50, p99, slowest; budget p99 ≤ 5 ms), the time to load it in a fresh process, and the time until a served
`tsunagu serve` answers /healthz with the check loaded (budget ≤ 2 s). Wall-clock figures, so a benchmark and
not a unit test. `--write` appends the table to bench/RESULTS.md."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.crisis_data import labelled  # noqa: E402
from tests.e2e.server import start  # noqa: E402

P99_BUDGET_MS = 5.0
READY_BUDGET_S = 2.0
LOAD = "import time; t = time.perf_counter(); import dialogs.crisis as c; c.warm(); print(time.perf_counter() - t)"


def quantile(values: list[float], q: float) -> float:
    """The q-quantile of the values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def detection_ms(rounds: int) -> tuple[list[float], list[float]]:
    """Milliseconds of each check of each labelled message, `rounds` times over: wall clock, and the thread's
    own CPU time (what the check costs, whatever else the machine is doing)."""
    from dialogs.crisis import detect, warm

    warm()
    texts = [r[3] for r in labelled()]
    times, cpu = [], []
    for _ in range(rounds):
        for text in texts:
            began, began_cpu = time.perf_counter(), time.thread_time()
            detect(text)
            times.append((time.perf_counter() - began) * 1000)
            cpu.append((time.thread_time() - began_cpu) * 1000)
    return times, cpu


def load_s() -> float:
    """Seconds to import and warm the check in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", LOAD], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def ready_s() -> float:
    """Seconds from starting `tsunagu serve` (SQLite, web chat) until /healthz answers."""
    with tempfile.TemporaryDirectory() as directory:
        began = time.perf_counter()
        server = start(Path(directory) / "var")
        took = time.perf_counter() - began
        server.stop()
    return took


def table(times: list[float], cpu: list[float], loads: list[float], readies: list[float]) -> str:
    """The results as a Markdown section."""
    p99 = quantile(times, 0.99)
    ready = max(readies)
    return "\n".join([
        f"## Crisis check, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC ({platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f})", "",
        "| measure | figure | budget | met |", "|---|---|---|---|",
        f"| detection p50 / p99 / slowest, {len(times)} checks | {quantile(times, 0.5):.2f} / {p99:.2f} / "
        f"{max(times):.2f} ms | p99 ≤ {P99_BUDGET_MS:.0f} ms | {'yes' if p99 <= P99_BUDGET_MS else 'no'} |",
        f"| the same in CPU time of the checking thread | {quantile(cpu, 0.5):.2f} / {quantile(cpu, 0.99):.2f} / "
        f"{max(cpu):.2f} ms | – | – |",
        f"| import and warm in a fresh process (worst of {len(loads)}) | {max(loads):.2f} s | – | – |",
        f"| `tsunagu serve` until /healthz, check loaded (worst of {len(readies)}) | {ready:.2f} s | "
        f"≤ {READY_BUDGET_S:.0f} s | {'yes' if ready <= READY_BUDGET_S else 'no'} |", ""])


def main() -> int:
    """Measure, print, and with --write append to bench/RESULTS.md."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    times, cpu = detection_ms(args.rounds)
    loads = [load_s() for _ in range(3)]
    readies = [ready_s() for _ in range(3)]
    section = table(times, cpu, loads, readies)
    print(section)
    if args.write:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as out:
            out.write("\n" + section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
