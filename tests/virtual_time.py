"""An event loop whose clock jumps ahead whenever it would only wait: the tests marked
``virtual_time`` run on it (``tests/conftest.py``), so that what their code waits for on its
timers (a station's reboot delay, a case's "nothing else comes within 3 s") passes at once.

Theory of operation: before each turn in which nothing is ready to run and a timer is due
later, the loop asks the sockets once, waiting :data:`SETTLE_S` of real time. A frame sent on
loopback within this process is readable as soon as its send returns; the short real wait also
covers the kernel's own moment of delivery on a busy machine. If nothing came, the loop's
clock moves to the next timer (``time_offset`` grows by the gap) and the turn runs it. While
work the loop waits for runs off it (a call in its executor, a SQLite statement on aiosqlite's
thread), the clock does not jump: the loop waits in real time, as any loop does.

Only code that keeps time through the loop follows it: asyncio's timers, ``asyncio.timeout``
and ``asyncio.sleep``, and ``chargeyard.loop_clock`` (a station's ``SystemClock`` and the
conformance suite read it). A test that waits on another process, or on a server such as
PostgreSQL or Redis, must not run here: its clock would run ahead of what it waits for.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from typing import Any, TypeVar

import aiosqlite

SETTLE_S = 0.002
"""How long the loop waits, in real time, for the sockets before it jumps ahead."""

T = TypeVar("T")


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop on a clock that jumps over idle waits (the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.time_offset = 0.0
        """Seconds the loop's clock is ahead of ``time.monotonic()`` (``loop_clock`` reads it)."""
        self._away = 0  # work off the loop that it waits for

    def time(self) -> float:
        return super().time() + self.time_offset

    @contextlib.contextmanager
    def away(self) -> Iterator[None]:
        """While the block runs, work off the loop is under way: the clock keeps real time."""
        self._away += 1
        try:
            yield
        finally:
            self._away -= 1

    def run_in_executor(  # type: ignore[override]
        self, executor: Executor | None, func: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        future = super().run_in_executor(executor, func, *args)
        self._away += 1
        future.add_done_callback(self._back)
        return future

    def _back(self, _: object) -> None:
        self._away -= 1

    def _run_once(self) -> None:
        # (asyncio's private turn: _ready, _scheduled, _selector and _process_events are the
        # base loop's own, stable since Python 3.4.)
        if not self._ready and self._scheduled and not self._stopping and not self._away:
            events = self._selector.select(SETTLE_S)
            if events:
                self._process_events(events)
            elif not self._ready:
                due = self._scheduled[0].when()
                self.time_offset += max(due - self.time(), 0.0)
        super()._run_once()


def _away_while(method: Callable[..., Any]) -> Callable[..., Any]:
    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        if not isinstance(loop, VirtualTimeLoop):
            return await method(*args, **kwargs)
        with loop.away():
            return await method(*args, **kwargs)

    return wrapped


# aiosqlite runs each statement on a thread of its own and hands the loop a future: the loop
# must not take that wait for idle time. (Patched once for the whole test process; on any
# other loop the wrapper only calls through.)
aiosqlite.core.Connection._execute = _away_while(aiosqlite.core.Connection._execute)  # type: ignore[method-assign]
aiosqlite.core.Connection._connect = _away_while(aiosqlite.core.Connection._connect)  # type: ignore[method-assign]
