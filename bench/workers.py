"""`tsunagu serve --workers N` on PostgreSQL (issue 20): the intake with 1 and 2 workers and their ratio, the reply
lag at 10 messages a second with 2 workers, and kill -9 of a worker (the singleton holder, then another) under load.

Run on a quiet machine: `.venv/bin/python bench/workers.py --database-url postgresql://…/bench [--write]`. The
database is emptied first. Prints a table with the machine's conditions (load average before, CPU used by the server,
by this load generator and by PostgreSQL); `--write` appends it to bench/RESULTS.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import signal
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import SECRET, drain, quantile, reply_lag  # noqa: E402
from storage.db import make_engine  # noqa: E402
from tests.conftest import reset_postgres  # noqa: E402
from tests.e2e.server import Server, start  # noqa: E402
from tests.e2e.test_workers import holders, wait_for_holder, workers_of  # noqa: E402
from tests.standins.telegram_api import TOKEN, TelegramStandIn  # noqa: E402

SENDERS = int(os.environ.get("BENCH_SENDERS", "32"))
ROUNDS = 3  # intake runs per number of workers; the median run is reported
KEY = Fernet.generate_key().decode()
TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pids: list[int]) -> dict[int, float]:
    """User and system CPU seconds of each of these processes so far, with those of their children that ended
    (PostgreSQL's backends of closed connections count in the postmaster's)."""
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        seconds[pid] = sum(int(f) for f in fields[11:15]) / TICK
    return seconds


def machine_busy() -> tuple[float, float]:
    """(CPU seconds spent busy, seconds elapsed on all cores) of the whole machine so far."""
    times = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(times) - times[3] - times[4]) / TICK, sum(times) / TICK


def cpu_since(before: dict[int, float], pids: list[int]) -> float:
    """CPU seconds these processes used since `before` (one that began since counts whole)."""
    return sum(now - before.get(pid, 0.0) for pid, now in cpu_of(pids).items())


def family(pid: int) -> list[int]:
    """A process and its children (uvicorn's workers; not multiprocessing's resource tracker)."""
    return [pid, *workers_of(pid)]


def postgres_pids() -> list[int]:
    """The PostgreSQL server's processes on this machine (to see what the database cost)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def serve(url: str, workers: int, standin: TelegramStandIn, tmp: Path, port: int | None = None,
          http_timeout: float = 10.0) -> Server:
    env = {"TSUNAGU_HTTP_TIMEOUT": str(http_timeout), "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
           "TELEGRAM_API_BASE_URL": standin.root, "TSUNAGU_DATA_KEY": KEY}
    server = start(tmp / f"var{workers}", url, env, port=port, args=("--workers", str(workers)))
    if workers > 1:  # /healthz answered from one worker: wait until every worker takes requests
        deadline = time.monotonic() + 60
        while len(family(server.process.pid)) < workers + 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2.0)
    return server


def intake(url: str, workers: int, people: int, tmp: Path) -> dict[str, Any]:
    """Webhooks committed per second, and where the CPU went meanwhile."""
    reset_postgres(url)
    standin = TelegramStandIn().start()
    server = serve(url, workers, standin, tmp)
    try:
        port = int(server.url.rsplit(":", 1)[1])
        blast(port, [standin.message(2_000_000 + n, "/start") for n in range(200)])  # warm up
        pids = family(server.process.pid)
        served, database, mine = cpu_of(pids), cpu_of(postgres_pids()), time.process_time()
        busy, elapsed = machine_busy()
        began = time.monotonic()
        rate, times = blast(port, [standin.message(3_000_000 + n, "/start") for n in range(people)])
        wall = time.monotonic() - began
        busy_now, elapsed_now = machine_busy()
        split = sorted(cpu_since(served, [pid]) / wall for pid in pids[1:])  # each worker's share
        used: dict[str, Any] = {"server_cores": cpu_since(served, pids) / wall,
                                "pg_cores": cpu_since(database, postgres_pids()) / wall,
                                "bench_cores": (time.process_time() - mine) / wall, "split": split,
                                "busy_cores": (os.cpu_count() or 1) * (busy_now - busy) / (elapsed_now - elapsed)}
        drain(standin, quiet=2.0)
    finally:
        server.stop()
        standin.stop()
    return {"rate": rate, "p50_ms": quantile(times, 0.5) * 1000, "p99_ms": quantile(times, 0.99) * 1000, **used}


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run whose intake rate is the median."""
    return sorted(runs, key=lambda r: float(r["rate"]))[len(runs) // 2]


def probe(url: str, workers: int, people: int) -> None:
    """Only the intake with N workers, printed with each worker's cores (to see how the load is shared)."""
    with tempfile.TemporaryDirectory() as directory:
        print(json.dumps(intake(url, workers, people, Path(directory))))


def lag(url: str, tmp: Path) -> list[float]:
    """Reply lag with 2 workers: 100 people each writing every 10 s (10 messages a second), three rounds."""
    reset_postgres(url)
    standin = TelegramStandIn().start()
    server = serve(url, 2, standin, tmp)
    try:
        return reply_lag(int(server.url.rsplit(":", 1)[1]), standin, people=100, every=10.0, rounds=3)
    finally:
        server.stop()
        standin.stop()


def kill_under_load(url: str, tmp: Path, chats: int = 200, script: int = 5) -> dict[str, Any]:
    """People write through the shared port (each update sent again until a 200, as Telegram does) while the
    singleton holder is killed with -9, then another worker; acknowledged updates must all be stored."""
    reset_postgres(url)
    standin = TelegramStandIn().start()
    server = serve(url, 2, standin, tmp, http_timeout=2.0)  # a reply cut short is tried again after 9 s
    port = int(server.url.rsplit(":", 1)[1])
    acknowledged = retried = 0
    lock = threading.Lock()

    def person(chat: int) -> None:
        nonlocal acknowledged, retried
        http = httpx.Client(timeout=10)
        for n in range(script):
            update = standin.message(chat, "/start" if n == 0 else f"様子 {n}")
            while True:
                try:
                    if http.post(f"http://127.0.0.1:{port}/webhooks/telegram", json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                with lock:
                    retried += 1
                time.sleep(0.1)
            with lock:
                acknowledged += 1
            time.sleep(0.3)

    threads = [threading.Thread(target=person, args=(5_000_000 + i,)) for i in range(chats)]
    try:
        for thread in threads:
            thread.start()
        holder, _ = wait_for_holder(url, "retention")
        time.sleep(0.5)
        os.kill(holder, signal.SIGKILL)
        new_holder, takeover = wait_for_holder(url, "retention", not_pid=holder)
        time.sleep(0.5)
        other = next(p for p in family(server.process.pid)[1:] if p != new_holder)
        os.kill(other, signal.SIGKILL)
        for thread in threads:
            thread.join()
        written = time.monotonic()
        engine = make_engine(url)
        with engine.connect() as conn:
            while True:
                pending = conn.exec_driver_sql("SELECT count(*) FROM outbox WHERE status = 'pending'").scalar_one()
                conn.rollback()
                if not pending or time.monotonic() - written > 180:
                    break
                time.sleep(0.5)
            replied_after = time.monotonic() - written
            stored = conn.exec_driver_sql("SELECT count(*) FROM messages WHERE direction = 'in'").scalar_one()
        engine.dispose()
        drain(standin, quiet=2.0)
        unanswered = sum(1 for i in range(chats) if not standin.messages(5_000_000 + i))
        assert len(holders(url, "retention")) == 1
    finally:
        server.stop()
        standin.stop()
    return {"acknowledged": acknowledged, "lost": acknowledged - int(stored), "retried": retried,
            "takeover_s": takeover, "pending": int(pending), "unanswered": unanswered, "replied_s": replied_after}


def blast(port: int, updates: list[dict[str, Any]], connections: int = SENDERS) -> tuple[float, list[float]]:
    """POST every update over `connections` kept-alive sockets from one event loop, with the requests built
    beforehand: a load generator that costs little CPU, so that on a 2-core machine the cores go to the server.
    Returns (updates committed per second, answer times)."""
    requests = [_request(port, update) for update in updates]
    times: list[float] = []

    async def connection(mine: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for request in mine:
            began = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), head[:40]
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            times.append(time.perf_counter() - began)
        writer.close()

    async def everything() -> None:
        await asyncio.gather(*(connection(requests[i::connections]) for i in range(connections)))

    began = time.perf_counter()
    asyncio.run(everything())
    return len(updates) / (time.perf_counter() - began), times


def _request(port: int, update: dict[str, Any]) -> bytes:
    body = json.dumps(update).encode()
    return (f"POST /webhooks/telegram HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def table(r: dict[str, Any]) -> str:
    one, two = r["one"], r["two"]
    ratio = two["rate"] / one["rate"]
    k = r["kill"]
    rows = [
        (f"intake, 1 worker (webhooks committed/s, the median of {ROUNDS} runs)", f"{one['rate']:.0f}", ""),
        ("intake, 2 workers", f"{two['rate']:.0f}", ""),
        ("2 workers ÷ 1 worker", f"{ratio:.2f}", "≥ 1.6" + (" yes" if ratio >= 1.6 else " NO")),
        ("  every run's intake, 1 worker / 2 workers (interleaved)",
         f"{', '.join(map(str, r['rates'][1]))} / {', '.join(map(str, r['rates'][2]))}", ""),
        ("webhook answer p50 / p99, 1 worker", f"{one['p50_ms']:.0f} / {one['p99_ms']:.0f} ms", ""),
        ("webhook answer p50 / p99, 2 workers", f"{two['p50_ms']:.0f} / {two['p99_ms']:.0f} ms", ""),
        ("cores used during the intake, 1 worker: server / PostgreSQL / load generator",
         f"{one['server_cores']:.2f} / {one['pg_cores']:.2f} / {one['bench_cores']:.2f}", "of 2"),
        ("cores used during the intake, 2 workers: server / PostgreSQL / load generator",
         f"{two['server_cores']:.2f} / {two['pg_cores']:.2f} / {two['bench_cores']:.2f}", "of 2"),
        ("  each of the 2 workers", " / ".join(f"{c:.2f}" for c in two["split"]), ""),
        ("the whole machine busy during the intake, 1 worker / 2 workers",
         f"{one['busy_cores']:.2f} / {two['busy_cores']:.2f}", "of 2"),
        ("  the most 2 workers could give here, were every part to scale perfectly: cores ÷ cores busy with 1 worker",
         f"{(os.cpu_count() or 1) / one['busy_cores']:.2f}", ""),
        (f"reply lag p50 / p99 at 10 messages/s, 2 workers ({len(r['lag'])} messages)",
         f"{quantile(r['lag'], 0.5) * 1000:.0f} / {quantile(r['lag'], 0.99) * 1000:.0f} ms", ""),
        (f"kill -9 of the singleton holder, then of the other worker, under load ({k['acknowledged']} acknowledged "
         "updates): lost, chats unanswered, replies pending", f"{k['lost']}, {k['unanswered']}, {k['pending']}",
         "0, 0, 0" + (" yes" if (k["lost"], k["unanswered"], k["pending"]) == (0, 0, 0) else " NO")),
        ("  singletons taken over after the kill / updates sent again by the people / every reply out after the "
         "last update", f"{k['takeover_s']:.1f} s / {k['retried']} / {k['replied_s']:.0f} s", ""),
    ]
    lines = ["| measure | result | target |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {target} |" for name, value, target in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("TSUNAGU_TEST_POSTGRES_URL"))
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--write", action="store_true", help="append the table to bench/RESULTS.md")
    parser.add_argument("--probe", type=int, help="measure only the intake with this many workers")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url (an empty PostgreSQL database; it is emptied)")
    if args.probe:
        probe(args.database_url, args.probe, args.people)
        return
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
        for _ in range(ROUNDS):  # interleaved, so a machine that speeds up or slows down meets each alike
            for workers in (1, 2):
                runs[workers].append(intake(args.database_url, workers, args.people, tmp))
        result = {"one": median_run(runs[1]), "two": median_run(runs[2]),
                  "rates": {n: [round(r["rate"]) for r in rs] for n, rs in runs.items()},
                  "lag": lag(args.database_url, tmp), "kill": kill_under_load(args.database_url, tmp)}
    machine = (f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}; load average "
               f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} before the run; PostgreSQL, the stand-in Bot API and "
               "this load generator on the same machine")
    text = table(result)
    print(machine, text, sep="\n\n")
    if args.write:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write(f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.people} people, PostgreSQL, "
                     f"`serve --workers 1` and `2` (issue 20)\n\n{machine}\n\n{text}\n")


if __name__ == "__main__":
    main()
