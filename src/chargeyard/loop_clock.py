"""Time as the running event loop keeps it.

asyncio's loop keeps time with ``time.monotonic``, so its timers, ``asyncio.timeout`` and
``asyncio.sleep`` run on the same clock as a deadline read from :func:`monotonic`. An event
loop may run ahead of that clock: one that fast-forwards (it jumps to its next timer whenever
nothing is ready, or runs N times wall time: ``fast_forward.py``) says by how much in its
``time_offset`` attribute, and which UTC time its clock shows with ``virtual_now()``. Code whose
deadlines and timestamps must agree with the loop's timers (a simulated station, the central
system's stored times through ``store.types.utc_now``, the conformance suite that plays its
peer) reads time here, so that all keep one time whether the loop fast-forwards or not. On a
loop that does not, :func:`monotonic` is ``time.monotonic()`` and :func:`now` is the wall
clock.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

_OWN_CLOCK: dict[type, bool] = {}
"""Whether a loop class keeps a clock of its own (``fast_forward.FastForwardLoop`` defines
``virtual_now`` and ``time_offset``; asyncio's and uvloop's loops neither), found once per
class: asked of the instance on every reading, a missing attribute raised and caught an
AttributeError, which made a reading nearly three times as dear as the wall clock's (and the
stations and the central system read the clock for every frame)."""


def _clock_loop() -> asyncio.AbstractEventLoop | None:
    """The running loop if it keeps a clock of its own, else None (no loop, or one on the wall
    clock)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    kind = type(loop)
    own = _OWN_CLOCK.get(kind)
    if own is None:
        own = _OWN_CLOCK[kind] = hasattr(kind, "virtual_now") or hasattr(kind, "time_offset")
    return loop if own else None


def offset() -> float:
    """How far the running event loop's clock is ahead of ``time.monotonic()`` (0 outside a
    loop, or on a loop that does not fast-forward)."""
    loop = _clock_loop()
    if loop is None:
        return 0.0
    ahead: float = getattr(loop, "time_offset", 0.0)
    return ahead


def monotonic() -> float:
    """Seconds on the running loop's clock (deadlines, durations)."""
    loop = _clock_loop()
    if loop is not None and hasattr(loop, "time_offset"):
        return loop.time()  # exactly the loop's timers' clock, not a second reading of it
    return time.monotonic()


def stands_still() -> bool:
    """Whether the running loop's clock stands still while the loop works (a fast-forward
    loop at ``max``, ``frozen``): work that blocks the loop then costs no time on its clock,
    only the CPU it takes (``store/inline_sqlite.py``)."""
    loop = _clock_loop()
    return loop is not None and bool(getattr(loop, "frozen", False))


def now() -> datetime:
    """The UTC time on the running loop's clock: the wall clock's, unless the loop runs a
    clock of its own."""
    loop = _clock_loop()
    if loop is None:
        return datetime.now(UTC)
    virtual_now = getattr(loop, "virtual_now", None)
    if virtual_now is not None:
        shown: datetime = virtual_now()
        return shown
    ahead = offset()
    wall = datetime.now(UTC)
    return wall + timedelta(seconds=ahead) if ahead else wall
