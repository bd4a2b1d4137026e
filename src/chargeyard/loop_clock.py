"""Time as the running event loop keeps it.

asyncio's loop keeps time with ``time.monotonic``, so its timers, ``asyncio.timeout`` and
``asyncio.sleep`` run on the same clock as a deadline read from :func:`monotonic`. An event
loop may run ahead of that clock: one that fast-forwards (it jumps to its next timer whenever
nothing is ready) says by how much in its ``time_offset`` attribute. Code whose deadlines and
timestamps must agree with the loop's timers (a simulated station, the conformance suite that
plays its peer) reads time here, so that both keep one time whether the loop fast-forwards or
not. On a loop that does not, :func:`monotonic` is ``time.monotonic()`` and :func:`now` is the
wall clock.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta


def offset() -> float:
    """How far the running event loop's clock is ahead of ``time.monotonic()`` (0 outside a
    loop, or on a loop that does not fast-forward)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return 0.0
    ahead: float = getattr(loop, "time_offset", 0.0)
    return ahead


def monotonic() -> float:
    """Seconds on the running loop's clock (deadlines, durations)."""
    return time.monotonic() + offset()


def now() -> datetime:
    """The wall clock's UTC time, as far ahead as the running loop's clock is."""
    ahead = offset()
    wall = datetime.now(UTC)
    return wall + timedelta(seconds=ahead) if ahead else wall
