"""Backpressure on new connections: a listener that is behind with what its stations already
sent holds new handshakes until it catches up, and turns them away if it does not.

Why. Every station that connects sends a BootNotification at once and waits for the answer
(30 s in chargeyard's stations and in most chargers), then tries again a minute or more later
(when is the station's choice: OCPP 1.6 section 4.2 and 2.0.1 B01 speak only of the answers it
gets; chargeyard's stations wait 60 s, ``station/registration.py``). A listener
that accepts every handshake of a reboot storm queues boots faster than it answers them, its
answers come later and later, and past the station's timeout each answer is wasted work that
the station will ask for again: the storm outlasts itself (congestion collapse). Handshakes
are what a listener can refuse cheaply, before the station has said anything that must be
answered, so that is where the storm is held back.

How. Before the handshake's admission check (``server.py``), :meth:`ConnectionGate.admit` looks
at how long the oldest station message in the node's
:class:`~chargeyard.transport.scheduler.WorkQueue` has waited (its backlog). Under
``backlog_s`` the handshake goes on at once, which is always the case outside a storm. Over it,
the handshake is held, and let go as soon as the backlog is back under ``backlog_s``
(a look every ``tick_s``; a single task looks for every held handshake). A handshake held for
``hold_s`` without that happening is refused with 503 and ``Retry-After`` (RFC 9110 section
15.6.4): the station dials again after its back-off, by which time the node has answered the
stations it let in. ``hold_s`` is well under the handshake timeouts on both sides (10 s in
``websockets`` and in chargeyard's stations).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable

from chargeyard.transport.scheduler import WorkQueue

logger = logging.getLogger(__name__)

BACKLOG_S = 5.0
"""How long the oldest station message may wait before new connections are held: answers then
come well within a station's 30 s."""
HOLD_S = 4.0
"""How long a new connection is held at most before it is refused."""
TICK_S = 0.05
"""How often a held handshake's backlog is looked at."""
REPORT_EVERY_S = 10.0
"""At most one log line per this many seconds while connections are held or refused."""


class ConnectionGate:
    """Holds new connections while ``work`` is more than ``backlog_s`` behind (the module
    docstring says why and how). ``held`` and ``refused`` count the handshakes so treated."""

    def __init__(
        self,
        work: WorkQueue,
        *,
        backlog_s: float = BACKLOG_S,
        hold_s: float = HOLD_S,
        tick_s: float = TICK_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._work = work
        self._backlog_s = backlog_s
        self._hold_s = hold_s
        self._tick_s = tick_s
        self._clock = clock
        self._caught_up = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None
        self._waiting = 0
        self._reported_at = -math.inf
        self.held = 0
        self.refused = 0

    async def admit(self) -> int | None:
        """None when the handshake may go on (at once, or after a hold), else the seconds
        the station should wait before dialing again (answer 503 with them)."""
        if self._work.backlog_s <= self._backlog_s:
            return None
        self.held += 1
        self._report()
        if self._watcher is None or self._watcher.done():
            self._caught_up.clear()
            self._watcher = asyncio.get_running_loop().create_task(
                self._watch(), name="connection-gate"
            )
        self._waiting += 1
        try:
            async with asyncio.timeout(self._hold_s):
                await self._caught_up.wait()
            return None
        except TimeoutError:
            self.refused += 1
            return max(1, math.ceil(self._work.backlog_s))
        finally:
            self._waiting -= 1

    async def close(self) -> None:
        """End the watcher (the listener is stopping); held handshakes run out their hold."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _watch(self) -> None:
        # One look per tick for every held handshake; ends when none is held any more.
        while self._waiting:
            await asyncio.sleep(self._tick_s)
            if self._work.backlog_s <= self._backlog_s:
                self._caught_up.set()
                return

    def _report(self) -> None:
        now = self._clock()
        if now - self._reported_at < REPORT_EVERY_S:
            return
        self._reported_at = now
        logger.warning(
            "behind with the stations' messages (the oldest has waited %.1f s): holding new"
            " connections for up to %.0f s, refusing them with 503 after that"
            " (%d held, %d refused so far)",
            self._work.backlog_s,
            self._hold_s,
            self.held,
            self.refused,
        )


__all__ = ["BACKLOG_S", "HOLD_S", "ConnectionGate"]
