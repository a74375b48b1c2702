"""`make bench`: the real `tsunagu serve` against the stand-in Bot API on 127.0.0.1, on SQLite.

Measures intake throughput and the webhook's answer time (2,000 people, 16 concurrent senders) against the
floor (bench/floor.py: secret, parse, one committed SQLite row), the reply lag at a realistic load (100
people writing every 10 s), the start time and the resident memory. Prints a table; `--write` also
appends it to bench/RESULTS.md with the machine it ran on."""

from __future__ import annotations

import argparse
import os
import pickle
import platform
import queue
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stored import preload  # noqa: E402
from tests.e2e.server import TSUNAGU, free_port, start  # noqa: E402
from tests.standins.telegram_api import TOKEN, TelegramStandIn  # noqa: E402

SECRET = "bench-secret"
SENDERS = 16


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def post_all(port: int, updates: list[dict[str, Any]], senders: int = SENDERS) -> tuple[float, list[float]]:
    """POST every update (each once, spread over `senders` threads); returns (updates/s, answer times)."""
    local = threading.local()
    times: list[float] = []
    lock = threading.Lock()
    clients: queue.SimpleQueue[httpx.Client] = queue.SimpleQueue()
    for _ in range(senders):  # made before the clock starts (see reply_lag)
        clients.put(httpx.Client(timeout=30))

    def send(update: dict[str, Any]) -> None:
        if not hasattr(local, "http"):
            local.http = clients.get_nowait()
        began = time.perf_counter()
        answer = local.http.post(f"http://127.0.0.1:{port}/webhooks/telegram", json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        took = time.perf_counter() - began
        assert answer.status_code == 200, answer.text
        with lock:
            times.append(took)

    began = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(send, updates))
    return len(updates) / (time.perf_counter() - began), times


def floor(tmp: Path, updates: list[dict[str, Any]]) -> float:
    """Updates per second the floor endpoint commits."""
    port = free_port()
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "floor.py"), str(port), str(tmp / "floor.db"),
                                SECRET])
    try:
        wait_healthy(f"http://127.0.0.1:{port}")
        rate, _ = post_all(port, updates)
        return rate
    finally:
        process.terminate()
        process.wait(10)


def wait_healthy(url: str, limit: float = 60) -> float:
    began = time.perf_counter()
    while time.perf_counter() - began < limit:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return time.perf_counter() - began
        except httpx.HTTPError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{url} did not start")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def drain(standin: TelegramStandIn, quiet: float = 3.0, limit: float = 600) -> float:
    """Wait until the intake's replies have all gone out (nothing sent for `quiet` seconds); returns how long."""
    began = last_change = time.monotonic()
    count = -1
    while time.monotonic() - began < limit:
        now = len(standin.state.log)
        if now != count:
            count, last_change = now, time.monotonic()
        elif time.monotonic() - last_change >= quiet:
            return last_change - began
        time.sleep(0.2)
    return limit


def reply_lag(port: int, standin: TelegramStandIn, people: int = 100, every: float = 10.0,
              rounds: int = 3) -> list[float]:
    """Each person writes every `every` seconds; the time from the webhook POST to the reply at the stand-in."""
    chats = list(range(900_000, 900_000 + people))
    posted: list[tuple[int, float]] = []
    lock = threading.Lock()

    def person(chat: int, offset: float, http: httpx.Client) -> None:
        time.sleep(offset)
        for n in range(rounds):
            update = standin.message(chat, "/start" if n == 0 else "ヘルプ")
            began = time.monotonic()
            http.post(f"http://127.0.0.1:{port}/webhooks/telegram", json=update,
                      headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            with lock:
                posted.append((chat, began))
            time.sleep(max(0.0, every - (time.monotonic() - began)))

    # each client made before the clock starts: making one (its TLS context) takes this process tens of ms
    clients = [httpx.Client(timeout=30) for _ in chats]
    threads = [threading.Thread(target=person, args=(chat, every * i / people, http))
               for i, (chat, http) in enumerate(zip(chats, clients, strict=True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(3)
    lags = []
    for chat, began in posted:
        after = [m.at for m in standin.messages(chat) if m.at >= began]
        if after:
            lags.append(min(after) - began)
    return lags


def run(people: int, lag_rounds: int = 3) -> dict[str, Any]:
    standin = TelegramStandIn().start()
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": standin.root}
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        updates = [standin.message(1_000_000 + n, "/start") for n in range(people)]
        floor_rate = floor(tmp, updates)
        began = time.perf_counter()
        server = start(tmp / "var", None, env)
        started = time.perf_counter() - began
        try:
            port = int(server.url.rsplit(":", 1)[1])
            post_all(port, [standin.message(2_000_000 + n, "/start") for n in range(50)])  # warm up
            rate, times = post_all(port, [standin.message(3_000_000 + n, "/start") for n in range(people)])
            drained = drain(standin)
            lags = reply_lag(port, standin, rounds=lag_rounds)
            memory = rss_mb(server.process.pid)
        finally:
            server.stop()
            standin.stop()
    return {"people": people, "intake_rate": rate, "floor_rate": floor_rate, "ratio": rate / floor_rate,
            "answer_p50_ms": quantile(times, 0.5) * 1000, "answer_p99_ms": quantile(times, 0.99) * 1000,
            "lag_p50_ms": quantile(lags, 0.5) * 1000, "lag_p99_ms": quantile(lags, 0.99) * 1000,
            "lag_n": len(lags), "start_s": started, "rss_mb": memory, "drain_s": drained}


def intake_with_stored(stored: int, people: int) -> float:
    """Intake throughput (first messages of new people) with `stored` conversations already in the database."""
    standin = TelegramStandIn().start()
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": standin.root}
    with tempfile.TemporaryDirectory() as directory:
        data_dir = Path(directory) / "var"
        upgrade_env = {k: v for k, v in os.environ.items() if not k.startswith(("TSUNAGU_", "TELEGRAM_", "LINE_"))}
        subprocess.run([*TSUNAGU, "db", "upgrade"], env={**upgrade_env, "TSUNAGU_DATA_DIR": str(data_dir)},
                       check=True, capture_output=True)
        preload(data_dir, stored)
        server = start(data_dir, None, env)
        try:
            port = int(server.url.rsplit(":", 1)[1])
            post_all(port, [standin.message(2_000_000 + n, "/start") for n in range(50)])  # warm up
            rate, _ = post_all(port, [standin.message(3_000_000 + n, "/start") for n in range(people)])
        finally:
            server.stop()
            standin.stop()
    return rate


def scale(people: int, small: int = 1_000, large: int = 1_000_000) -> dict[str, float]:
    """Intake with `small` and with `large` stored conversations, each in its own fresh database."""
    few = intake_with_stored(small, people)
    many = intake_with_stored(large, people)
    return {"scale_small": small, "scale_large": large, "scale_small_rate": few, "scale_large_rate": many,
            "scale_slowdown": few / many}


KILL_CHATS = 200


def press_through(port: int, standin: TelegramStandIn, chats: list[int]) -> int:
    """Each chat sends /start, then presses 「はじめる」 on the greeting; returns the updates acknowledged."""
    acknowledged = 0
    lock = threading.Lock()

    def person(chat: int) -> None:
        nonlocal acknowledged
        http = httpx.Client(timeout=30)
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        url = f"http://127.0.0.1:{port}/webhooks/telegram"
        if http.post(url, json=standin.message(chat, "/start"), headers=headers).status_code != 200:
            return
        with lock:
            acknowledged += 1
        standin.wait(lambda: any(m.data() for m in standin.messages(chat)), timeout=120, what="the greeting")
        greeting = next(m for m in standin.messages(chat) if m.data())
        if http.post(url, json=standin.callback(chat, "welcome:start", greeting.message_id),
                     headers=headers).status_code == 200:
            with lock:
                acknowledged += 1

    with ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(person, chats))
    return acknowledged


def kept_by_tsunagu(data_dir: Path, chats: list[int]) -> int:
    """Updates of these chats in the database (the thread keeps each one the bot took in)."""
    db = sqlite3.connect(data_dir / "tsunagu.sqlite3")
    try:
        marks = ",".join("?" * len(chats))
        return int(db.execute(f"SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id"
                              f" WHERE m.direction = 'in' AND c.user_key IN ({marks})",
                              [str(c) for c in chats]).fetchone()[0])
    finally:
        db.close()


def kept_by_baseline(data_dir: Path, chats: list[int]) -> int:
    """Updates of these chats whose effect the pickle file holds (the state a chat reached)."""
    path = data_dir / "baseline.pickle"
    if not path.exists():
        return 0
    with path.open("rb") as fh:
        states = pickle.load(fh).get("conversations", {}).get("intake", {})  # our own file
    return sum(min(2, 1 + int(states[(chat, chat)])) for chat in chats if states.get((chat, chat)) is not None)


def replied(standin: TelegramStandIn, chats: list[int]) -> int:
    """Chats that got the answer to their press (the question after the greeting)."""
    return sum(1 for chat in chats if len(standin.messages(chat)) >= 2)


def kill_9(launch: Callable[[], Any], port: int, standin: TelegramStandIn, kept: Callable[[], int],
           first_chat: int) -> dict[str, int]:
    """Acknowledged updates, then kill -9 a second after the last, start again; what survived."""
    chats = list(range(first_chat, first_chat + KILL_CHATS))
    process = launch()
    acknowledged = press_through(port, standin, chats)
    time.sleep(1.0)
    process.kill()
    process.wait(10)
    process = launch()
    drain(standin, quiet=5.0, limit=120)
    process.terminate()
    process.wait(10)
    survived = kept()
    return {"acknowledged": acknowledged, "lost": acknowledged - survived, "unanswered": KILL_CHATS - replied(
        standin, chats)}


def tsunagu_kill(tmp: Path) -> dict[str, int]:
    """kill -9 of the real `tsunagu serve`."""
    standin = TelegramStandIn().start()
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": standin.root}
    port = free_port()
    data_dir = tmp / "kill"
    try:
        return kill_9(lambda: start(data_dir, None, env, port=port).process, port, standin,
                      lambda: kept_by_tsunagu(data_dir, list(range(7_000_000, 7_000_000 + KILL_CHATS))), 7_000_000)
    finally:
        standin.stop()


def baseline(tmp: Path, people: int) -> dict[str, Any]:
    """The python-telegram-bot ConversationHandler + PicklePersistence bot (bench/baseline.py): intake
    throughput and answer time as above, then the same kill -9."""
    standin = TelegramStandIn().start()
    port = free_port()
    data_dir = tmp / "baseline"
    data_dir.mkdir()

    def launch() -> subprocess.Popen[bytes]:
        process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "baseline.py"), str(port), str(data_dir),
                                    SECRET, standin.root])
        wait_healthy(f"http://127.0.0.1:{port}")
        return process

    try:
        process = launch()
        post_all(port, [standin.message(2_000_000 + n, "/start") for n in range(50)])  # warm up
        rate, times = post_all(port, [standin.message(3_000_000 + n, "/start") for n in range(people)])
        process.kill()
        process.wait(10)
        killed = kill_9(launch, port, standin, lambda: kept_by_baseline(
            data_dir, list(range(8_000_000, 8_000_000 + KILL_CHATS))), 8_000_000)
    finally:
        standin.stop()
    return {"baseline_rate": rate, "baseline_p50_ms": quantile(times, 0.5) * 1000,
            "baseline_p99_ms": quantile(times, 0.99) * 1000, **{f"baseline_{k}": v for k, v in killed.items()}}


def table(r: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str, Callable[[], bool]]] = [
        ("intake (webhooks committed/s)", f"{r['intake_rate']:.0f}", "", lambda: True),
        ("floor (secret, parse, one SQLite row)", f"{r['floor_rate']:.0f}", "", lambda: True),
        ("intake ÷ floor", f"{r['ratio']:.2f}", "≥ 0.5", lambda: r["ratio"] >= 0.5),
        ("webhook answer p50 / p99", f"{r['answer_p50_ms']:.1f} / {r['answer_p99_ms']:.1f} ms", "p99 ≤ 50 ms",
         lambda: r["answer_p99_ms"] <= 50),
        (f"reply lag p50 / p99 ({r['lag_n']} messages)", f"{r['lag_p50_ms']:.1f} / {r['lag_p99_ms']:.1f} ms",
         "p99 ≤ 100 ms", lambda: r["lag_p99_ms"] <= 100),
        ("the intake's replies all sent (paced to Telegram's limits)", f"{r['drain_s']:.0f} s", "", lambda: True),
        ("start until /healthz", f"{r['start_s']:.2f} s", "≤ 2 s", lambda: r["start_s"] <= 2),
    ]
    if "scale_slowdown" in r:
        rows += [
            (f"intake with {r['scale_small']:,} / {r['scale_large']:,} stored conversations",
             f"{r['scale_small_rate']:.0f} / {r['scale_large_rate']:.0f} /s", "", lambda: True),
            ("slowdown from the smaller to the larger store", f"{r['scale_slowdown']:.2f} ×", "≤ 1.2 ×",
             lambda: r["scale_slowdown"] <= 1.2),
        ]
    rows += [
        ("resident memory after the load", f"{r['rss_mb']:.0f} MB", "", lambda: True),
        (f"kill -9 a second after {r['kill_acknowledged']} acknowledged updates ({KILL_CHATS} chats): updates lost,"
         " chats left unanswered", f"{r['kill_lost']}, {r['kill_unanswered']}", "0, 0",
         lambda: r["kill_lost"] == 0 and r["kill_unanswered"] == 0),
        ("baseline (python-telegram-bot ConversationHandler + PicklePersistence): intake",
         f"{r['baseline_rate']:.0f} /s", "", lambda: True),
        ("baseline: webhook answer p50 / p99", f"{r['baseline_p50_ms']:.1f} / {r['baseline_p99_ms']:.1f} ms", "",
         lambda: True),
        (f"baseline: kill -9 after {r['baseline_acknowledged']} acknowledged updates: updates lost, chats left"
         " unanswered", f"{r['baseline_lost']}, {r['baseline_unanswered']}", "", lambda: True),
    ]
    lines = ["| measure | result | target | met |", "|---|---|---|---|"]
    for name, value, target, met in rows:
        lines.append(f"| {name} | {value} | {target} | {('yes' if met() else 'NO') if target else ''} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--lag-rounds", type=int, default=3, help="messages each of the 100 people writes, 10 s apart")
    parser.add_argument("--stored", type=int, default=1_000_000,
                        help="conversations stored for the scale run (compared with 1,000; 0 skips it)")
    parser.add_argument("--write", action="store_true", help="append the table to bench/RESULTS.md")
    args = parser.parse_args()
    result = run(args.people, args.lag_rounds)
    if args.stored:
        result.update(scale(args.people, large=args.stored))
    with tempfile.TemporaryDirectory() as directory:
        result.update({f"kill_{k}": v for k, v in tsunagu_kill(Path(directory)).items()})
        result.update(baseline(Path(directory), args.people))
    machine = f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    text = table(result)
    print(text)
    if args.write:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write(f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.people} people, SQLite\n\n{machine}\n\n"
                     f"{text}\n")


if __name__ == "__main__":
    main()
