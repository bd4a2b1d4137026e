"""An event loop on a clock of its own: faster than wall time, or as fast as the CPU goes.

``chargeyard up --speed`` runs the whole lab on it, the pytest plugin's fixtures and the test
suite's ``virtual_time`` tests too. Only code that keeps time through the loop follows it:
asyncio's timers, ``asyncio.timeout`` and ``asyncio.sleep``, and ``chargeyard.loop_clock``
(the stations' ``SystemClock``, the central system's timestamps through ``store.types``).

Theory of operation
-------------------
``speed=N`` (a number): the loop's clock runs N times wall time from the moment the loop is
made. Timers are kept on that clock, and the selector's waits are divided by N, so that a
heartbeat every 300 s comes every 5 s of wall time at N = 60.

``speed=None`` (``max``): before each turn in which nothing is ready to run and a timer is due
later, the loop asks the sockets, without waiting. A frame that one socket of this process
sends to another on loopback is almost always readable before its send returns; on a busy
machine the kernel may deliver it later. So:

- while a TCP socket of this process has sent bytes that its peer, a socket of this process
  too, has not received yet by the kernel's count (``TCP_INFO``), the loop waits for the
  sockets in real time, :data:`SETTLE_S` at a time, at most :data:`IN_FLIGHT_MAX_S` in all;
- then, if anything was sent since it last did, it asks the sockets once more; and if a TCP
  socket of this process sent to a socket it does not know (another process's, or one of its
  own that its server has not accepted yet, whose bytes the count above cannot follow), it
  waits :data:`ANSWER_S` for them, or for a peer that answers from another process.
  (A peer that answers from another thread of this process holds the clock while it works:
  ``away``.)

If nothing came, and no work the loop waits for runs on another thread (its executor,
SQLite's threads through aiosqlite, anyio's worker threads), the clock moves to the next
timer and the turn runs it. (On a frozen clock the store runs SQLite on the loop's own thread
instead, ``store/inline_sqlite.py``: blocking costs no time there, and spares the hops.)

Between those jumps the clock either keeps wall time (``frozen=False``: what the work in
between costs counts, as the test suite's loop does) or stands still (``frozen=True``: time
moves only from timer to timer, so the same run on a faster or busier machine gives the same
timestamps, which a seeded run needs to repeat itself byte for byte).

A process whose peers keep wall time (a central system elsewhere, PostgreSQL or Redis with
their own timeouts) must not run at another speed: its clock would run ahead of theirs.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import math
import selectors
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from chargeyard.fast_forward_waits import (
    install_hooks,
    sends_count,
    sends_in_flight,
    unheard_sends_count,
)

SETTLE_S = 0.0005
"""How long the loop waits at a time, in real time, for bytes on their way to its sockets."""

IN_FLIGHT_MAX_S = 1.0
"""How long it waits for them in all (a peer whose window is full never takes them) before
its clock jumps ahead anyway."""

ANSWER_S = 0.002
"""How long the loop waits once after a send to a socket it does not know."""

FROZEN_ORIGIN = 1_000_000.0
"""The reading a frozen clock starts at (seconds, like ``time.monotonic()``'s)."""

MAX = "max"
"""The speed that jumps from timer to timer (``speed=None`` to the loop)."""

T = TypeVar("T")


def parse_speed(text: str | float) -> float | None:
    """``"max"`` as None, else a positive number of times wall time (``"60"``, ``60``).

    Raises:
        ValueError: neither ``max`` nor a positive finite number.
    """
    if isinstance(text, str) and text.strip().lower() == MAX:
        return None
    try:
        speed = float(text)
    except ValueError:
        raise ValueError(f"speed {text!r}: expected a positive number or {MAX!r}") from None
    if not 0 < speed < float("inf"):
        raise ValueError(f"speed {text!r}: expected a positive number or {MAX!r}")
    return speed


class _ScaledSelector(selectors.BaseSelector):
    """The loop's selector, its waits divided by the speed (the loop computes them on its own
    clock, which runs ``speed`` times wall time)."""

    def __init__(self, inner: selectors.BaseSelector, speed: float) -> None:
        self._inner = inner
        self._speed = speed

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        return self._inner.select(None if timeout is None else timeout / self._speed)

    def close(self) -> None:
        self._inner.close()

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._inner.get_map()


class FastForwardLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop on a clock of its own (see the module docstring).

    Args:
        speed: times wall time; None: jump from timer to timer (``max``).
        start: the UTC time the loop's clock starts at (``loop_clock.now()``); None: now.
        frozen: with ``speed`` None, the clock stands still between jumps (the work of a turn
            takes no time), so that a run repeats its timestamps.
        answer_s: how long the loop waits after a send to a socket it does not know
            (:data:`ANSWER_S`; 0 where every peer runs on the loop, as in the lab).
        step_s: frozen, the clock jumps to whole multiples of this many seconds (0: to the
            next timer exactly): the timers due within one step run together, so that their
            work (a central system's database statements) overlaps instead of taking turns.
        wall, selector: the wall clock (monotonic seconds) and the selector the loop waits
            on (tests inject them).
    """

    def __init__(
        self,
        speed: float | None = None,
        *,
        start: datetime | None = None,
        frozen: bool = False,
        answer_s: float = ANSWER_S,
        step_s: float = 0.0,
        wall: Callable[[], float] = time.monotonic,
        selector: selectors.BaseSelector | None = None,
    ) -> None:
        if speed is not None and not 0 < speed < float("inf"):
            raise ValueError(f"speed {speed!r}: expected a positive number")
        selector = selector or selectors.DefaultSelector()
        super().__init__(selector if speed is None else _ScaledSelector(selector, speed))
        self._wall = wall
        if speed is None:
            install_hooks()
        self.speed = speed
        self.frozen = frozen and speed is None
        # Where the loop's clock starts: time.monotonic() (they agree there), or, frozen, a
        # fixed reading, so that timers on a grid of the clock (the stations' scheduler) fall
        # at the same moments in every run.
        self._origin = FROZEN_ORIGIN if self.frozen else wall()
        self._start = start if start is not None else datetime.now(UTC)
        self._answer_s = answer_s
        self._step_s = step_s
        self._jumped = 0.0  # seconds the clock jumped over, in all (not frozen)
        self._frozen_at = self._origin  # the clock's reading (frozen)
        self._away = 0  # work off the loop that it waits for
        self._sends_awaited = 0  # sends_count() when the loop last asked the sockets again
        self._unheard_awaited = 0  # unheard_sends_count() when it last waited for an answer

    def time(self) -> float:
        if self.frozen:
            return self._frozen_at
        elapsed = self._wall() - self._origin
        return self._origin + elapsed * (self.speed or 1.0) + self._jumped

    @property
    def time_offset(self) -> float:
        """Seconds the loop's clock is ahead of ``time.monotonic()`` (``loop_clock``)."""
        return self.time() - self._wall()

    def elapsed(self) -> float:
        """Seconds on the loop's clock since the loop was made."""
        return self.time() - self._origin

    def virtual_now(self) -> datetime:
        """The UTC time on the loop's clock (``loop_clock.now()`` reads it)."""
        return self._start + timedelta(seconds=self.elapsed())

    @contextlib.contextmanager
    def away(self) -> Iterator[None]:
        """While the block runs, work off the loop is under way: the clock does not jump."""
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
        # (asyncio's private turn: _ready, _scheduled, _timer_cancelled_count, _selector and
        # _process_events are the base loop's own, stable since Python 3.4.)
        if self.speed is None:
            self._jump_if_idle()
        super()._run_once()  # type: ignore[misc]

    def _jump_if_idle(self) -> None:
        self._drop_cancelled_timers()
        ready, scheduled = self._ready, self._scheduled  # type: ignore[attr-defined]
        if ready or not scheduled or self._stopping or self._away:  # type: ignore[attr-defined]
            return
        selector: selectors.BaseSelector = self._selector  # type: ignore[attr-defined]
        events = selector.select(0)
        give_up = time.monotonic() + IN_FLIGHT_MAX_S
        while not events and sends_in_flight() and time.monotonic() < give_up:
            events = selector.select(SETTLE_S)
        if not events and sends_count() != self._sends_awaited:
            # Asked again after any send (what arrived since the first look runs first); for
            # the answer only after one to a socket it does not know.
            self._sends_awaited = sends_count()
            unheard = unheard_sends_count()
            wait = self._answer_s if unheard != self._unheard_awaited else 0.0
            self._unheard_awaited = unheard
            events = selector.select(wait)
        if events:
            self._process_events(events)  # type: ignore[attr-defined]
        elif not ready:
            due: float = scheduled[0].when()
            if self.frozen:  # set, not added: the same timer gives the same reading
                if self._step_s > 0:
                    steps = math.ceil((due - self._origin) / self._step_s)
                    due = self._origin + steps * self._step_s
                self._frozen_at = max(self._frozen_at, due)
            else:
                self._jumped += max(due - self.time(), 0.0)

    def _drop_cancelled_timers(self) -> None:
        """Take the cancelled timers off the head of the heap, as the base turn does: the
        clock jumps to the first timer that will run, not to a cancelled one (from which the
        base turn would then wait for the next timer in real time)."""
        scheduled: list[asyncio.TimerHandle] = self._scheduled  # type: ignore[attr-defined]
        while scheduled and scheduled[0].cancelled():
            self._timer_cancelled_count -= 1  # type: ignore[attr-defined]
            handle = heapq.heappop(scheduled)
            handle._scheduled = False  # type: ignore[attr-defined]


def away_from(loop: asyncio.AbstractEventLoop | None) -> contextlib.AbstractContextManager[None]:
    """``loop.away()`` on a fast-forward loop; nothing on any other."""
    return loop.away() if isinstance(loop, FastForwardLoop) else contextlib.nullcontext()


def loop_factory(
    speed: float | None,
    *,
    start: datetime | None = None,
    frozen: bool = False,
    answer_s: float = ANSWER_S,
    step_s: float = 0.0,
) -> Callable[[], FastForwardLoop]:
    """What ``asyncio.Runner(loop_factory=...)`` takes to run on this loop."""
    return lambda: FastForwardLoop(
        speed, start=start, frozen=frozen, answer_s=answer_s, step_s=step_s
    )
