"""Fair, bounded scheduling of the work peers start, so that it cannot crowd out the rest.

Theory of operation
-------------------
asyncio runs what is ready in FIFO order, one loop iteration at a time. A central system with
a thousand stations that each send their next message as soon as the last is answered has
about a thousand messages in the loop at all times; by Little's law anything else that needs
the loop (an HTTP request, the answer to a CALL the central system sent) then waits about
``1000 / throughput`` per step, and a REST command takes several steps (hundreds of
milliseconds each at a few thousand messages per second).

A :class:`WorkQueue` takes that work out of the loop's queue. A connection hands it each
incoming CALL (and 2.1 SEND) as a :data:`Work`; one task owned by the queue
(:meth:`WorkQueue.start` / :meth:`WorkQueue.stop`, or ``async with``) starts the queued work in
arrival order, ``slice_size`` at a time with a loop iteration between slices, and never more
than ``max_active`` unfinished at once (a handler awaiting its group commit counts as
unfinished). What arrives faster than that waits in the queue, where it costs nothing, while
answers to the central system's own CALLs (``connection.py`` reads them at once) and HTTP
requests take their turn every few milliseconds. Arrival order is fair between stations: each
sends one CALL at a time (OCPP-J 1.6 section 4.1.1; 2.0.1 part 4 section 4.1.1).

The cost is latency for station messages under overload, which they would have paid anyway
inside the loop; under light load the queue is empty and work starts in the iteration after it
arrives. How far behind the queue is (:attr:`WorkQueue.backlog_s`, the time its oldest work has
waited) is what the central system's listener holds new connections on
(``csms/backpressure.py``): a boot storm must not grow the queue until answers come after the
stations have stopped waiting for them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

Work = Callable[[], "asyncio.Task[Any] | None"]
"""Starts one piece of work: returns the task that finishes it (counted as active until it
is done), or None when the work was done on the spot or is no longer wanted."""

# 8 (it was 32): a loop iteration under load lasts about as long as its slices take, and a
# REST command waits several iterations. On benchmarks/csms.py (1,000 stations, uvloop),
# alternating runs gave a REST median of 26 ms with 8, 33-41 ms with 16 and 41-48 ms with 32,
# p99 72-77 / 100-103 / 93-121 ms, at rates inside the run-to-run noise.
DEFAULT_SLICE_SIZE = 8
DEFAULT_MAX_ACTIVE = 256


class WorkQueue:
    """Starts submitted :data:`Work` in order, a slice per loop iteration, a bounded number
    at a time.

    Args:
        slice_size: pieces of work started per loop iteration at most.
        max_active: pieces of work started and not yet finished, at most.
    """

    def __init__(
        self,
        *,
        slice_size: int = DEFAULT_SLICE_SIZE,
        max_active: int = DEFAULT_MAX_ACTIVE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if slice_size < 1 or max_active < 1:
            raise ValueError("need slice_size >= 1 and max_active >= 1")
        self._slice_size = slice_size
        self._max_active = max_active
        self._clock = clock
        self._queue: deque[tuple[float, Work]] = deque()  # (queued at, work)
        self._active = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def queued(self) -> int:
        """Work submitted and not yet started."""
        return len(self._queue)

    @property
    def backlog_s(self) -> float:
        """Seconds the oldest queued work has waited (0.0 when nothing waits)."""
        return self._clock() - self._queue[0][0] if self._queue else 0.0

    @property
    def active(self) -> int:
        """Work started and not yet finished."""
        return self._active

    def submit(self, work: Work) -> None:
        """Queue ``work``; it starts in a later loop iteration. Call from the event loop."""
        if self._task is None:
            raise RuntimeError("the work queue is not running")
        self._queue.append((self._clock(), work))
        if self._active < self._max_active:
            self._wake.set()

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the work queue is already started")
        self._task = asyncio.get_running_loop().create_task(self._run(), name="work-queue")

    async def stop(self) -> None:
        """Stop starting work; what is queued is dropped (its connections are closing)."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        self._queue.clear()

    async def __aenter__(self) -> WorkQueue:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _run(self) -> None:
        queue = self._queue
        while True:
            if not queue or self._active >= self._max_active:
                self._wake.clear()
                await self._wake.wait()
                continue
            for _ in range(min(self._slice_size, len(queue))):
                if self._active >= self._max_active:
                    break
                self._begin(queue.popleft()[1])
            await asyncio.sleep(0)  # let one loop iteration of everything else run

    def _begin(self, work: Work) -> None:
        try:
            task = work()
        except Exception:  # a bug in the work; the queue must go on for everyone else
            logger.exception("scheduled work failed to start")
            return
        if task is not None:
            self._active += 1
            task.add_done_callback(self._finished)

    def _finished(self, _task: asyncio.Task[Any]) -> None:
        self._active -= 1
        if self._queue and self._active < self._max_active:
            self._wake.set()
