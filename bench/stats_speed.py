"""The statistics over a large store (issue 17): N handoffs over four fiscal years (people returning, one in
five brought by an agency's link, a share relayed, answered, urgent, closed), written in bulk into SQLite or
PostgreSQL, then the report of one year and of all four timed through the read model, the report and the
protection. Then the intake rate (the service handling people's messages in one thread) alone and while another
thread reads the year's statistics in a loop.

    .venv/bin/python bench/stats_speed.py [--handoffs 1000000] [--postgres URL] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.cases import Cases  # noqa: E402
from bot.cases.actor import OPERATOR  # noqa: E402
from bot.cases.statistics import StatsRequest  # noqa: E402
from bot.clock import JAPAN  # noqa: E402
from bot.service import Service  # noqa: E402
from dialogs.model import Inbound  # noqa: E402
from storage.crypto import FieldCipher  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.uow import SqlUnitOfWork  # noqa: E402

START = datetime(2023, 4, 1, tzinfo=JAPAN).astimezone(UTC)
DAYS = 4 * 365
TOPICS = ("hikikomori", "income", "mental", "relationships", "job_search", "health", "care", "debt")
TOWNS = ("足立区", "町田市", "八王子市", "世田谷区", None)
BATCH = 50_000
ROUNDS = 3  # intake measures, each the median of this many
KEY = "hOAzHRSz4zFd3OaPcMzsxHgXUAiUozU1NIaWUcSx3_8="
SHEET = "gAAAAAB" + "x" * 2400  # a filled sheet's ciphertext is about this long: the rows are as large as real ones


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def rows(total: int, seed: int = 17) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(handoff, its new conversation or None for a returning person), oldest first."""
    pick = random.Random(seed)
    firsts = int(total * 0.8)
    seconds = sorted(pick.uniform(0, DAYS * 86400) for _ in range(total))
    latest: dict[str, str] = {}
    for n, offset in enumerate(seconds):
        at = START + timedelta(seconds=offset)
        conv = f"c{n:09d}" if n < firsts else f"c{pick.randrange(firsts):09d}"
        previous, latest[conv] = latest.get(conv), stamp(at)
        urgent = pick.random() < 0.03
        replied = pick.random() < 0.7
        closed = pick.random() < 0.6
        topics = pick.sample(TOPICS, pick.randrange(0, 3))
        claim, reply = pick.randrange(5, 900), pick.randrange(5, 3000)  # minutes
        agency = pick.choice((1, 1, 2, 3))
        handoff = {
            "id": f"h{n:09d}", "conversation_id": conv, "agency_id": agency,
            "priority": "urgent" if urgent else "normal", "status": "closed" if closed else "claimed",
            "channel": pick.choice(("line", "line", "telegram", "webchat")),
            "writer": pick.choice(("self", "family", "family", "supporter", None)), "topics": json.dumps(topics),
            "main_topic": topics[0] if topics else None, "sheet_enc": SHEET, "created_at": stamp(at),
            "updated_at": stamp(at), "outcome": pick.choice(("connected", "ended", "no_contact")) if closed else None,
            "closed_at": stamp(at + timedelta(days=20)) if closed else None, "thread_from": 0,
            "age_band": pick.choice(("20s", "30s", "40s", "50s", None)), "municipality": pick.choice(TOWNS),
            "after_hours": pick.random() < 0.45, "flagged_at": stamp(at) if urgent else None,
            "claimed_at": stamp(at + timedelta(minutes=claim)), "claim_wait": claim * 60,
            "first_reply_at": stamp(at + timedelta(minutes=reply)) if replied else None,
            "reply_wait": reply * 60 if replied else None,
            "relay_of": None, "previous_case_at": previous,
        }
        new = {"id": conv, "channel": handoff["channel"], "user_key": conv, "state": "handed_off", "locale": "ja",
               "context": "{}", "sheet_enc": SHEET, "version": 1, "created_at": stamp(at - timedelta(minutes=9)),
               "updated_at": stamp(at), "stopped_step": "handed_off",
               "via_agency_id": agency if n % 5 == 0 else None} if n < firsts else None  # 1 in 5 by a link
        yield handoff, new


def load(engine: Engine, total: int) -> None:
    """Write the store in batches (COPY on PostgreSQL, executemany on SQLite); 1 in 100 cases relayed."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for name in ("1", "2", "3"):
            cur.execute(f"INSERT INTO agencies (id, name, is_default, created_at) VALUES ({name}, 'agency {name}', "
                        f"{'false' if engine.dialect.name == 'postgresql' else '0'}, '{stamp(START)}')")
        handoffs: list[dict[str, Any]] = []
        convs: list[dict[str, Any]] = []
        for handoff, conv in rows(total):
            handoffs.append(handoff)
            if conv:
                convs.append(conv)
            if int(handoff["id"][1:]) % 100 == 99:
                handoffs.append({**handoff, "id": "r" + handoff["id"][1:], "relay_of": handoff["id"],
                                 "agency_id": 1 + handoff["agency_id"] % 3, "status": "claimed"})
            if len(handoffs) >= BATCH:
                _write(cur, engine, convs, handoffs)
                handoffs, convs = [], []
        _write(cur, engine, convs, handoffs)
        cur.execute("INSERT INTO relays (id, conversation_id, from_handoff_id, to_handoff_id, from_agency_id, "
                    "to_agency_id, by_counselor, note_enc, items, basis, status, created_at) "
                    "SELECT 'x' || c.id, c.conversation_id, c.relay_of, c.id, o.agency_id, c.agency_id, 'bench', "
                    "'x', '[]', 'consent', 'accepted', c.created_at FROM handoffs c JOIN handoffs o "
                    "ON o.id = c.relay_of")
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _write(cur: Any, engine: Engine, convs: list[dict[str, Any]], handoffs: list[dict[str, Any]]) -> None:
    for table, batch in (("conversations", convs), ("handoffs", handoffs)):
        if not batch:
            continue
        names = list(batch[0])
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row([_pg(row[n]) for n in names])
        else:
            cur.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                            [tuple(row[n] for n in names) for row in batch])


def _pg(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 26 and value[4] == "-" and value[10] == " ":
        return value + "+00"
    return value


def timed(cases: Cases, first: date, last: date, runs: int = 3) -> float:
    """The median seconds of the whole statistics use case (read, report, protection, audit)."""
    times = []
    for _ in range(runs):
        cases.__dict__.pop("_recent", None)  # counted afresh each time, not from the minute's cache
        began = time.perf_counter()
        cases.statistics(OPERATOR, StatsRequest(first, last))
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def intake_rate(engine: Engine, cipher: FieldCipher, cases: Cases | None, seconds: float = 8.0,
                afresh: bool = False) -> float:
    """Messages a second the service commits (people opening the chat and pressing through the first steps),
    while `cases` reads the year's statistics in a loop in another thread, as a reloaded page does (from the
    minute's cache), or `afresh` each time (None: nothing else runs)."""
    service = Service(lambda: SqlUnitOfWork(engine, cipher))
    stop = threading.Event()

    def read_loop() -> None:
        while not stop.is_set() and cases is not None:
            if afresh:
                cases.__dict__.pop("_recent", None)
            cases.statistics(OPERATOR, StatsRequest(date(2025, 4, 1), date(2026, 3, 31)))
            time.sleep(0.05)  # a browser's reload: the page rendered and asked for again

    if cases is not None and not afresh:
        cases.statistics(OPERATOR, StatsRequest(date(2025, 4, 1), date(2026, 3, 31)))  # the page's first load
    reader = threading.Thread(target=read_loop)
    reader.start()
    done, began, person = 0, time.perf_counter(), 0
    steps: tuple[dict[str, str], ...] = ({"kind": "open"}, {"choice_id": "welcome:start"},
                                         {"choice_id": "who:family"}, {"choice_id": "consent:yes"})
    tag = "load" if cases else "alone"
    while time.perf_counter() - began < seconds:
        person += 1
        for n, step in enumerate(steps):
            service.handle(Inbound("webchat", f"bench-{tag}-{person}", f"{tag}-{person}-{n}", datetime.now(UTC),
                                   **step))
            done += 1
    stop.set()
    reader.join()
    return done / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--handoffs", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="an empty PostgreSQL database's URL (default: SQLite in a temp dir)")
    parser.add_argument("--write", action="store_true", help="append the figures to bench/RESULTS.md")
    parser.add_argument("--keep", help="a SQLite file to fill once and measure again on later runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{args.keep or tmp + '/stats.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        began = time.perf_counter()
        with engine.connect() as conn:
            filled = conn.exec_driver_sql("SELECT count(*) FROM handoffs").scalar()
        if not filled:
            load(engine, args.handoffs)
        loaded = time.perf_counter() - began
        cipher = FieldCipher([KEY])
        cases = Cases(lambda: SqlUnitOfWork(engine, cipher), zone=JAPAN,
                      reader=lambda: SqlUnitOfWork(engine, cipher, read_only=True))
        year = timed(cases, date(2025, 4, 1), date(2026, 3, 31))
        every = timed(cases, date(2023, 4, 1), date(2027, 3, 31))
        rates: list[list[float]] = [[], [], []]
        for _ in range(ROUNDS):  # interleaved, so a machine that speeds up or slows down meets each alike
            rates[0].append(intake_rate(engine, cipher, None))
            rates[1].append(intake_rate(engine, cipher, cases))
            rates[2].append(intake_rate(engine, cipher, cases, afresh=True))
        alone, loaded_rate, afresh_rate = (statistics.median(r) for r in rates)
        engine.dispose()
    rows_ = [("bulk load (handoffs, their conversations, 1 in 100 relayed)", f"{loaded:.0f} s", "", ""),
             ("statistics of one fiscal year (about a quarter of the store)", f"{year:.2f} s", "≤ 2 s",
              "yes" if year <= 2 else "NO"),
             ("statistics of all four years (every handoff)", f"{every:.2f} s", "", ""),
             ("intake alone / while the page is reloaded in a loop (median of 3)",
              f"{alone:.0f} / {loaded_rate:.0f} /s", "", ""),
             ("intake while the year's statistics are counted afresh in a loop", f"{afresh_rate:.0f} /s", "", "")]
    table = "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows_)
    print(table)
    if args.write:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as out:
            out.write(f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, statistics over {args.handoffs:,} handoffs, "
                      f"{'PostgreSQL' if engine.dialect.name == 'postgresql' else 'SQLite'} (bench/stats_speed.py)\n\n"
                      f"vm: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}\n\n"
                      f"| measure | result | target | met |\n|---|---|---|---|\n{table}\n")


if __name__ == "__main__":
    main()
