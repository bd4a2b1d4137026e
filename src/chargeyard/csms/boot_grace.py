"""The grace a booting station gets to deliver what it queued before the central system closes
the transactions of a connector it reports Available (``orphans.py``).

A station that keeps its transactions across a power loss reports them ended once booted (1.6
StopTransaction with reason PowerLoss, section 4.2.1; 2.0.1 TransactionEvent Ended, E04), and
may report its connectors first: neither version orders the boot's StatusNotifications (1.6
section 4.9, 2.0.1 B01) and the queued transaction messages. So the first Available report
of a connector after a BootNotification closes that connector's transactions only once
:data:`ORPHAN_GRACE_S` have passed since the boot: a stop delivered meanwhile leaves nothing
to close, and no transaction is closed at a register older than the one its station reports.
A report that comes after the grace closes at once, as one without a boot never does.

The waits are work the listener owns (:class:`BootGrace`, one per listener), not the
station's connection: a station that goes away within its grace still has its transactions
closed when the grace ends. They are cancelled when the listener stops; the station's next
boot then asks again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from chargeyard import loop_clock
from chargeyard.store import NotFoundError

logger = logging.getLogger(__name__)

ORPHAN_GRACE_S = 60.0
"""Seconds after a BootNotification before a connector the station reports Available has its
transactions closed by the central system (``CsmsSettings.orphan_grace_s``)."""


class GraceClock(Protocol):
    """Monotonic time and a way to wait on it (tests inject one that moves when told)."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class LoopClock:
    """The process's monotonic clock and asyncio's sleep."""

    def monotonic(self) -> float:
        return loop_clock.monotonic()  # asyncio.sleep's clock, fast-forwarded or not

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class BootGrace:
    """The listener's closes waiting for a booted station's grace to end.

    Args:
        seconds: the grace (0: a boot's Available reports close at once).
        clock: where time is read and waited on (default: :class:`LoopClock`).
    """

    def __init__(self, seconds: float = ORPHAN_GRACE_S, clock: GraceClock | None = None) -> None:
        self.seconds = seconds
        self.clock: GraceClock = clock or LoopClock()
        # Each waiting close, with when its grace ends.
        self._waiting: dict[asyncio.Task[None], float] = {}

    def ends(self) -> float:
        """When the grace of a station booting now ends (on :attr:`clock`)."""
        return self.clock.monotonic() + self.seconds

    async def at_end(self, ends: float, close: Callable[[], Awaitable[object]]) -> None:
        """Run ``close`` once the grace that ends at ``ends`` is over: now if it is, else as
        work of the listener's."""
        if ends <= self.clock.monotonic():
            await close()
            return
        task = asyncio.get_running_loop().create_task(self._later(ends, close))
        self._waiting[task] = ends
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._waiting.pop(task, None)

    async def _later(self, ends: float, close: Callable[[], Awaitable[object]]) -> None:
        wait = ends - self.clock.monotonic()  # (from when the task runs)
        if wait > 0:
            await self.clock.sleep(wait)
        try:
            await close()
        except NotFoundError:
            pass  # the station was deleted meanwhile, with its transactions
        except Exception:  # the next boot asks again; the listener goes on
            logger.exception("closing the transactions of a booted station failed")

    @property
    def waiting(self) -> int:
        """How many closes wait for a grace to end."""
        return len(self._waiting)

    async def settled(self) -> None:
        """Return once every close whose grace is over by now has run (tests, after moving
        their clock; bound the wait with ``asyncio.timeout``)."""
        now = self.clock.monotonic()
        due = [task for task, ends in self._waiting.items() if ends <= now]
        if due:
            await asyncio.gather(*due, return_exceptions=True)

    async def close(self) -> None:
        """Drop every close still waiting (the listener stops), and return once they are
        gone."""
        waiting = list(self._waiting)
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)


__all__ = ["ORPHAN_GRACE_S", "BootGrace", "GraceClock", "LoopClock"]
