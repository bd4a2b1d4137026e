"""One direction of a faulty link: bytes leave in the order they came, each chunk after the
latency drawn for it and after the bytes before it went through the bandwidth cap.

A :class:`Pipe` belongs to one connection (``fleet/link.py``): what it holds when the
connection is lost is lost with it, as bytes in flight are on a real network. With no latency
and no cap a chunk is delivered at once, unless older chunks still wait (order first).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable


class Pipe:
    """Delivers chunks to ``deliver`` late, in order (see the module docstring)."""

    __slots__ = ("_deliver", "_free_at", "_last_at", "_loop", "_queue", "_timer")

    def __init__(self, deliver: Callable[[bytes], None]) -> None:
        self._deliver = deliver
        self._loop = asyncio.get_running_loop()
        self._queue: deque[tuple[float, bytes]] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self._last_at = 0.0  # when the last chunk leaves (order: none leaves before it)
        self._free_at = 0.0  # when the bandwidth cap has sent what it took so far

    @property
    def holding(self) -> bool:
        """Chunks wait in the pipe."""
        return bool(self._queue)

    def push(self, data: bytes, latency_s: float, bytes_per_s: float | None) -> float:
        """Send ``data`` after ``latency_s`` and its turn at ``bytes_per_s``; returns how long
        it waits."""
        now = self._loop.time()
        ready = max(now, self._free_at)
        if bytes_per_s:
            ready += len(data) / bytes_per_s
            self._free_at = ready
        at = max(ready + max(latency_s, 0.0), self._last_at)
        self._last_at = at
        if not self._queue and at <= now:
            self._deliver(data)
            return 0.0
        self._queue.append((at, data))
        if self._timer is None:
            self._timer = self._loop.call_at(self._queue[0][0], self._due)
        return at - now

    def _due(self) -> None:
        self._timer = None
        queue, now = self._queue, self._loop.time()
        while queue and queue[0][0] <= now:
            self._deliver(queue.popleft()[1])
        if queue:
            self._timer = self._loop.call_at(queue[0][0], self._due)

    def close(self) -> None:
        """Drop what waits (the connection is gone)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._queue.clear()


__all__ = ["Pipe"]
