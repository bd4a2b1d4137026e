"""An event loop whose clock jumps ahead whenever it would only wait: the tests marked
``virtual_time`` run on it (``tests/conftest.py``), so that what their code waits for on its
timers (a station's reboot delay, a case's "nothing else comes within 3 s") passes at once.

Theory of operation: before each turn in which nothing is ready to run and a timer is due
later, the loop asks the sockets once, waiting :data:`SETTLE_S` of real time. A frame sent on
loopback within this process is readable as soon as its send returns; the short real wait also
covers the kernel's own moment of delivery on a busy machine. If nothing came, the loop's
clock moves to the next timer (``time_offset`` grows by the gap) and the turn runs it.

Only code that keeps time through the loop follows it: asyncio's timers, ``asyncio.timeout``
and ``asyncio.sleep``, and ``chargeyard.loop_clock`` (a station's ``SystemClock`` and the
conformance suite read it). A test whose work waits on a thread, another process or a database
must not run here: its clock would run ahead of what it waits for.
"""

from __future__ import annotations

import asyncio

SETTLE_S = 0.002
"""How long the loop waits, in real time, for the sockets before it jumps ahead."""


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop on a clock that jumps over idle waits (the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.time_offset = 0.0
        """Seconds the loop's clock is ahead of ``time.monotonic()`` (``loop_clock`` reads it)."""

    def time(self) -> float:
        return super().time() + self.time_offset

    def _run_once(self) -> None:
        # (asyncio's private turn: _ready, _scheduled, _selector and _process_events are the
        # base loop's own, stable since Python 3.4.)
        if not self._ready and self._scheduled and not self._stopping:  # type: ignore[attr-defined]
            events = self._selector.select(SETTLE_S)  # type: ignore[attr-defined]
            if events:
                self._process_events(events)  # type: ignore[attr-defined]
            elif not self._ready:  # type: ignore[attr-defined]
                due = self._scheduled[0].when()  # type: ignore[attr-defined]
                self.time_offset += max(due - self.time(), 0.0)
        super()._run_once()  # type: ignore[misc]
