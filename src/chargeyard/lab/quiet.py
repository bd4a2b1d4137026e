"""Printing to a terminal that the log shares: wait until the log is quiet, then print in one
piece.

Why: ``chargeyard up`` logs a line per station event. Right after startup every demo charger
boots and reports each of its connectors (OCPP 1.6 section 4.9, 2.0.1 B01.FR.05), and those
lines keep coming for a moment after the API opens; the start banner written then ends up
between them, or scrolled away by them. So the banner waits until no record has been written
for a short while (:meth:`LogQuiet.settle`, with a limit: a busy fleet never goes quiet), and
is written while the log's handlers are held (:func:`unsplit`), so that no record, from any
thread, lands inside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator


class LogQuiet(logging.Handler):
    """A handler on the root logger that writes nothing and notes when the last record was
    written: it sees what the lab's log handler prints, after the loggers' level filters."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._clock = clock
        self.last = float("-inf")

    def emit(self, record: logging.LogRecord) -> None:
        self.last = self._clock()

    async def settle(
        self,
        quiet: float,
        at_most: float,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> bool:
        """Return once no record was written for ``quiet`` seconds (True), or after
        ``at_most`` seconds however busy the log is (False)."""
        deadline = self._clock() + at_most
        while True:
            now = self._clock()
            idle = now - self.last
            if idle >= quiet:
                return True
            if now >= deadline:
                return False
            await sleep(min(quiet - idle, deadline - now))


@contextlib.contextmanager
def watching(clock: Callable[[], float] = time.monotonic) -> Iterator[LogQuiet]:
    """A :class:`LogQuiet` on the root logger while the block runs."""
    root = logging.getLogger()
    quiet = LogQuiet(clock)
    root.addHandler(quiet)
    try:
        yield quiet
    finally:
        root.removeHandler(quiet)


@contextlib.contextmanager
def unsplit() -> Iterator[None]:
    """Hold every handler of the root logger: a record logged meanwhile by another thread
    waits until the block is written (this thread may still log: the locks are reentrant)."""
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.acquire()
    try:
        yield
    finally:
        for handler in reversed(handlers):
            handler.release()
