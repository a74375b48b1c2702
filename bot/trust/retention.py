"""Retention: the personal fields of cases closed more than N days ago are erased (statistics stay), and
intakes that never reached a handoff are deleted after M days of silence. Runs daily inside `serve`, and
on demand with `tsunagu retention run [--dry-run]`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, utcnow
from bot.trust.erasure import erase_conversation
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
ACTOR = "retention"
BATCH = 200


@dataclass(frozen=True)
class Periods:
    """How long data is kept."""

    closed_days: int = 365
    unfinished_days: int = 90


@dataclass(frozen=True)
class Report:
    """What a run erased (or, dry, would erase)."""

    closed_cases: int
    unfinished_intakes: int
    dry_run: bool

    def to_dict(self) -> dict[str, object]:
        """For `tsunagu retention run` (counts only)."""
        return {"closed_conversations_erased": self.closed_cases, "unfinished_intakes_deleted": self.unfinished_intakes,
                "dry_run": self.dry_run}


class Retention:
    """Applies the periods; each conversation in its own short transaction, so serving goes on."""

    def __init__(self, uow: Callable[[], UnitOfWork], periods: Periods, clock: Clock = utcnow) -> None:
        self._uow = uow
        self._periods = periods
        self._clock = clock
        self._stop = threading.Event()

    def run(self, dry_run: bool = False) -> Report:
        """Erase what is past its period (or only count it)."""
        now = self._clock()
        closed_before = now - timedelta(days=self._periods.closed_days)
        idle_before = now - timedelta(days=self._periods.unfinished_days)
        closed = self._each(lambda uow, limit: uow.handoffs.closed_before(closed_before, limit),
                            lambda uow, cid: erase_conversation(uow, cid, ACTOR, now, unlink=True), dry_run)
        unfinished = self._each(lambda uow, limit: uow.conversations.idle_unfinished(idle_before, limit),
                                lambda uow, cid: self._delete(uow, cid, now), dry_run)
        if not dry_run and (closed or unfinished):
            with self._uow() as uow:
                uow.audit.record(ACTOR, "retention", None, now, f"closed={closed} unfinished={unfinished}")
                uow.commit()
        return Report(closed, unfinished, dry_run)

    def _each(self, find: Callable[[UnitOfWork, int], list[str]], act: Callable[[UnitOfWork, str], None],
              dry_run: bool) -> int:
        if dry_run:
            with self._uow() as uow:
                return len(find(uow, 10**9))
        done = 0
        while True:
            with self._uow() as uow:
                batch = find(uow, BATCH)
            if not batch:
                return done
            for conversation_id in batch:
                with self._uow() as uow:
                    act(uow, conversation_id)
                    uow.commit()
                done += 1

    @staticmethod
    def _delete(uow: UnitOfWork, conversation_id: str, now: datetime) -> None:
        uow.conversations.delete(conversation_id)
        uow.audit.record(ACTOR, "delete_unfinished", conversation_id, now)

    def run_daily(self, first_after: float = 60.0, may_run: Callable[[], bool] = lambda: True,
                  check_every: float = 5.0) -> None:
        """Run once a day until stopped, while `may_run` says this process is the one that runs it (looked at
        every `check_every` seconds): the first run `first_after` seconds after it became the one."""
        due: float | None = None
        while not self._stop.wait(check_every):
            if not may_run():
                due = None
                continue
            now = time.monotonic()
            if due is None:
                due = now + first_after
            if now >= due:
                try:
                    report = self.run()
                    log.info("retention: %s", report.to_dict())
                except Exception as exc:  # a failed run is retried tomorrow; serving goes on
                    log.error("retention run failed: %s", type(exc).__name__)
                due = time.monotonic() + 24 * 3600

    def stop(self) -> None:
        """End run_daily."""
        self._stop.set()
