"""What every use case shares: one unit of work per call (check, change and audit commit together or not at
all), the clock, and the people's time zone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import JAPAN, Clock, utcnow
from bot.gatherings.catalog import Gathering
from bot.safety.resources import Resource
from storage.uow import UnitOfWork


class Work:
    """The use cases' shared parts; `on_outbox` wakes the deliverer after a reply is queued, `reader` makes a
    unit that writes nothing (long reads), `min_cell` is the smallest count statistics show."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock = utcnow, zone: ZoneInfo = JAPAN,
                 on_outbox: Callable[[], None] = lambda: None, resources: tuple[Resource, ...] = (),
                 reader: Callable[[], UnitOfWork] | None = None, min_cell: int = 5,
                 gatherings: tuple[Gathering, ...] = ()) -> None:
        self._uow = uow
        self._reader = reader or uow
        self.min_cell = min_cell
        self._clock = clock
        self.zone = zone
        self._on_outbox = on_outbox
        self.resources = resources
        self.gatherings = gatherings

    @contextmanager
    def unit(self) -> Iterator[tuple[UnitOfWork, datetime]]:
        """A unit of work and the time it acts at; nothing is kept unless the use case commits."""
        with self._uow() as uow:
            yield uow, self._clock()

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """A unit of work that writes nothing (on SQLite it neither waits for nor holds the write lock)."""
        with self._reader() as uow:
            yield uow
