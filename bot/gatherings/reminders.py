"""The reminder sweep: at their hour, the reminders people asked for go to the outbox of the person's channel.

A reminder leaves its table and enters the outbox in one transaction, so it is sent once, whether the process ran
through its hour or started after it (a restart). One whose meeting moved, was cancelled or changed its place (its
fingerprint no longer matches), or has already begun, is dropped as stale instead."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.clock import Clock, utcnow
from bot.gatherings.chat import Invitations
from bot.outbox import enqueue
from storage.records import Reminder
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
BOT = "bot"
IDLE_SECONDS = 30.0


class ReminderSweep:
    """Sends due reminders; run_forever() in a thread of `serve`, send_due() once from tests and tools."""

    def __init__(self, uow: Callable[[], UnitOfWork], invitations: Invitations, clock: Clock = utcnow,
                 on_outbox: Callable[[], None] = lambda: None) -> None:
        self._uow = uow
        self._invitations = invitations
        self._clock = clock
        self._on_outbox = on_outbox
        self._stop = threading.Event()

    def stop(self) -> None:
        """End run_forever."""
        self._stop.set()

    def run_forever(self, idle: float = IDLE_SECONDS) -> None:
        """Sweep at once (reminders due while the process was down go now), then every `idle` seconds."""
        while not self._stop.is_set():
            try:
                self.send_due()
            except Exception:  # the thread must survive a database hiccup; logged without content
                log.exception("reminder sweep failed")
            self._stop.wait(idle)

    def send_due(self) -> tuple[int, int]:
        """One round: (sent, dropped as stale)."""
        sent = stale = 0
        with self._uow() as uow:
            due = uow.reminders.due(self._clock())
        for reminder in due:
            outcome = self._one(reminder)
            sent += outcome == "sent"
            stale += outcome == "stale"
        if sent:
            self._on_outbox()
        return sent, stale

    def _one(self, reminder: Reminder) -> str | None:
        now = self._clock()
        with self._uow() as uow:
            gathering = self._invitations.get(reminder.gathering_id)
            address = uow.conversations.address(reminder.conversation_id, lock=True)
            fresh = (gathering is not None and address is not None and reminder.starts_at > now
                     and gathering.fingerprint(reminder.starts_at) == reminder.fingerprint
                     and self._invitations.stands(gathering, reminder.starts_at))
            status = "sent" if fresh else "stale"
            if not uow.reminders.finish(reminder.id, status, now):
                return None  # another process took it
            if fresh and gathering is not None and address is not None:
                reply = self._invitations.reminder_text(gathering, reminder.starts_at, address.locale)
                enqueue(uow, address, [reply], BOT, now)
            uow.commit()
        return status
