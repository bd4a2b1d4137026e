"""What a fleet of station runtimes shares: the reconnection policy, the counters, the
:class:`Dialer` that opens at most ``limit`` connections at a time, and the :class:`Scheduler`
that keeps every station's next deadline in one heap behind one loop timer.

``runtime.py`` runs one station; these are the parts a :class:`~chargeyard.fleet.fleet.Fleet`
gives all its runtimes at once (one runtime alone gets its own).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import random
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chargeyard.fleet.runtime import StationRuntime
    from chargeyard.protocol.observer import SessionObserver

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """Seconds: the first wait, its growth factor and ceiling; waits are drawn uniformly from
    [0, wait] ("full jitter")."""

    initial: float = 1.0
    factor: float = 2.0
    ceiling: float = 60.0

    def wait(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0, min(self.ceiling, self.initial * self.factor**attempt))


class RuntimeStats:
    """Counters one runtime (or a whole fleet, sharing one object) keeps up to date.

    Attributes:
        frames_sent, frames_received: OCPP messages (WebSocket text messages).
        connects, disconnects, failures: opened, lost, and failed connection attempts (a dial
            that failed, or a connection dropped before its station was Accepted).
        faults: what network faults did (``fleet/chaos/``), by effect.
        errors: the latest problems, oldest first: (wall time, identity, what happened).
        ocpp: told of every message and round trip of the stations' sessions (metrics), or
            None; read by each runtime when a connection opens.
    """

    __slots__ = (
        "connects",
        "disconnects",
        "errors",
        "failures",
        "faults",
        "frames_received",
        "frames_sent",
        "ocpp",
    )

    def __init__(self, keep_errors: int = 20) -> None:
        self.frames_sent = 0
        self.frames_received = 0
        self.connects = 0
        self.disconnects = 0
        self.failures = 0
        self.errors: deque[tuple[float, str, str]] = deque(maxlen=keep_errors)
        self.ocpp: SessionObserver | None = None
        self.faults: dict[str, int] = {}

    def fault(self, effect: str) -> None:
        """One more thing a network fault did (``fleet/chaos/engine.py``'s ``EFFECTS``)."""
        self.faults[effect] = self.faults.get(effect, 0) + 1

    def error(self, identity: str, what: str) -> None:
        self.errors.append((time.time(), identity, what))


class Dialer:
    """Opens connections for runtimes, at most ``limit`` (TCP connect + handshake) at a time.

    Runtimes queue here; up to ``limit`` worker tasks take them in order. Workers exist only
    while there is something to dial, and :meth:`close` ends them.
    """

    def __init__(self, limit: int = 100) -> None:
        if limit < 1:
            raise ValueError("a dialer needs a limit of at least 1")
        self.limit = limit
        self._queue: deque[StationRuntime] = deque()
        self._workers: set[asyncio.Task[None]] = set()

    def submit(self, runtime: StationRuntime) -> None:
        self._queue.append(runtime)
        if len(self._workers) < self.limit:
            task = asyncio.get_running_loop().create_task(self._work())
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)  # (also when cancelled before it ran)

    @property
    def waiting(self) -> int:
        """Runtimes queued for a connection and not being dialed yet."""
        return len(self._queue)

    async def _work(self) -> None:
        queue = self._queue
        try:
            while queue:
                await queue.popleft()._dial()
        finally:
            # Leave the set in the same step that found the queue empty. The done callback
            # comes a turn of the loop later, and a runtime submitted in between (a retry
            # timer due at once: the backoff is jittered from 0) saw this worker as busy,
            # started none, and was never dialed. uvloop runs due timers before the callbacks
            # the finished task scheduled, so there it happened.
            worker = asyncio.current_task()
            if worker is not None:
                self._workers.discard(worker)

    async def close(self) -> None:
        """Stop dialing: queued runtimes stay unconnected."""
        self._queue.clear()
        workers = list(self._workers)
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


class Scheduler:
    """One event-loop timer for the deadlines of many runtimes (a fleet shares one).

    Each runtime has at most one live entry in a heap of (loop time, order, runtime); arming
    again pushes a new entry and leaves the old one stale (an entry is live while its order is
    the runtime's ``_timer_order``). Arming costs a ``heappush`` of a tuple instead of a
    ``TimerHandle`` (about 200 bytes a station) and a cancel, and the loop's own heap holds one
    timer.

    Stale entries are counted, and the heap is rebuilt without them once they outnumber the
    live ones. Without that, a booting fleet of 10,000 left 33,000 stale entries (every call
    moves a station's deadline to its call timeout and back), about 3 MB popped one by one
    over the next 30 s.

    What saves CPU is the resolution: measured at 10,000 stations in steady state (heartbeat
    every 60 s, a tenth sending MeterValues every 10 s), a ``TimerHandle`` per station and this
    heap with exact deadlines both took about 7.5 % of a core, with 100 to 200 turns of the
    event loop a second; a 50 ms grid took 17 turns a second and about 6 %.

    Args:
        resolution: seconds; deadlines are rounded up to a multiple of it, so that stations
            whose deadlines fall close together are served in one turn of the event loop
            (0: exact). OCPP intervals are whole seconds; a fleet uses 50 ms.
    """

    __slots__ = ("_heap", "_loop", "_order", "_stale", "_timer", "_timer_at", "resolution")

    def __init__(self, resolution: float = 0.0) -> None:
        if resolution < 0:
            raise ValueError("the resolution must not be negative")
        self.resolution = resolution
        self._heap: list[tuple[float, int, StationRuntime]] = []
        self._stale = 0  # entries in the heap that will not fire
        self._order = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    def time(self) -> float:
        """The event loop's clock, which the entries use."""
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        return loop.time()

    def arm(self, runtime: StationRuntime, at: float) -> int:
        """Call ``runtime._timer_due(order)`` at loop time ``at``; returns that order, which the
        runtime keeps as its ``_timer_order`` (an entry it held before is dropped)."""
        self._sweep_if_stale()  # before this runtime's entry goes stale: it is live until then
        if runtime._timer_order:
            self._stale += 1
        order = next(self._order)
        if self.resolution:
            at = math.ceil(at / self.resolution) * self.resolution
        heapq.heappush(self._heap, (at, order, runtime))
        if at < self._timer_at:
            self._wake_at(at)
        return order

    def drop(self) -> None:
        """Note that a runtime cancelled its entry (its ``_timer_order`` is 0 already)."""
        self._stale += 1
        self._sweep_if_stale()

    def _sweep_if_stale(self) -> None:
        heap = self._heap
        if self._stale >= 64 and self._stale * 2 > len(heap):
            heap[:] = [entry for entry in heap if entry[2]._timer_order == entry[1]]
            heapq.heapify(heap)
            self._stale = 0

    @property
    def entries(self) -> tuple[int, int]:
        """(live, stale) entries in the heap."""
        return len(self._heap) - self._stale, self._stale

    def _wake_at(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        self._timer_at = at
        self._timer = loop.call_at(at, self._fire)

    def _fire(self) -> None:
        self._timer, self._timer_at = None, math.inf
        heap = self._heap
        now = self.time()
        due = []
        while heap and heap[0][0] <= now:
            due.append(heapq.heappop(heap))
        for _, order, runtime in due:  # what they arm now waits for the next turn
            if runtime._timer_order == order:
                try:
                    runtime._timer_due(order)
                except Exception:  # a bug in one station must not stop the others' timers
                    logger.exception("a station's timer failed")
            else:
                self._stale -= 1
        if heap and heap[0][0] < self._timer_at:
            self._wake_at(heap[0][0])

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = math.inf
        self._heap.clear()
        self._stale = 0
