"""The fast-forward loop (``chargeyard/fast_forward.py``): a clock N times wall time, whose
waits are N times shorter, and a clock that jumps from timer to timer; ``loop_clock`` reads
both. The wall clock and the selector are injected: nothing here waits in real time."""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from chargeyard import loop_clock
from chargeyard.fast_forward import FROZEN_ORIGIN, FastForwardLoop, parse_speed

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
T = TypeVar("T")


class _Wall:
    """Monotonic seconds that move only when the selector "waits"."""

    def __init__(self) -> None:
        self.seconds = 500.0
        self.waits: list[float | None] = []

    def __call__(self) -> float:
        return self.seconds


class _WaitingSelector(selectors.DefaultSelector):
    """A selector whose wait passes on the injected wall clock, at once."""

    def __init__(self, wall: _Wall) -> None:
        super().__init__()
        self._wall = wall

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        self._wall.waits.append(timeout)
        if timeout is not None and timeout > 0:
            self._wall.seconds += timeout
        return super().select(0)


def _run_at_speed(speed: float, wall: _Wall, main: Coroutine[Any, Any, T]) -> T:
    loop = FastForwardLoop(speed, start=START, wall=wall, selector=_WaitingSelector(wall))
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()


def test_speed_60_runs_an_hour_a_minute() -> None:
    wall = _Wall()
    began = wall.seconds

    async def an_hour() -> tuple[float, datetime]:
        before = loop_clock.monotonic()
        await asyncio.sleep(3600)
        return loop_clock.monotonic() - before, loop_clock.now()

    lab_s, now = _run_at_speed(60, wall, an_hour())
    assert wall.seconds - began == pytest.approx(60.0)  # one minute of wall time
    assert lab_s == pytest.approx(3600.0)
    assert now == pytest.approx(START + timedelta(hours=1), abs=timedelta(milliseconds=1))
    # The loop asked its selector to wait a minute, not an hour.
    assert max(w for w in wall.waits if w is not None) == pytest.approx(60.0, abs=0.01)


def test_speed_60_timestamps_run_sixty_times_wall_time() -> None:
    wall = _Wall()

    async def read_after_wall_seconds(seconds: float) -> datetime:
        wall.seconds += seconds  # work that takes ten wall seconds
        return loop_clock.now()

    now = _run_at_speed(60, wall, read_after_wall_seconds(10))
    assert now == START + timedelta(minutes=10)


def test_max_frozen_jumps_from_timer_to_timer_and_stands_still_between() -> None:
    loop = FastForwardLoop(None, start=START, frozen=True)

    async def a_day() -> list[tuple[float, datetime]]:
        seen = [(loop_clock.monotonic(), loop_clock.now())]
        await asyncio.sleep(8 * 3600)
        seen.append((loop_clock.monotonic(), loop_clock.now()))
        sum(range(100_000))  # work: the frozen clock does not move
        seen.append((loop_clock.monotonic(), loop_clock.now()))
        return seen

    try:
        seen = loop.run_until_complete(a_day())
    finally:
        loop.close()
    assert seen == [
        (FROZEN_ORIGIN, START),
        (FROZEN_ORIGIN + 8 * 3600, START + timedelta(hours=8)),
        (FROZEN_ORIGIN + 8 * 3600, START + timedelta(hours=8)),
    ]


def test_max_waits_for_a_thread_before_it_jumps() -> None:
    """Work on the executor holds the clock: the timer of 10 s does not fire before the
    thread's answer, which takes real time but no time on the clock."""
    loop = FastForwardLoop(None, start=START, frozen=True)

    async def race() -> list[str]:
        order: list[str] = []
        timer = loop.call_later(10, order.append, "timer")
        await loop.run_in_executor(None, time.sleep, 0.05)
        order.append(f"thread at {loop.elapsed():.0f} s")
        await asyncio.sleep(10)
        timer.cancel()
        return order

    try:
        assert loop.run_until_complete(race()) == ["thread at 0 s", "timer"]
    finally:
        loop.close()


@pytest.mark.parametrize(
    ("make_loop", "still"),
    [
        (lambda: FastForwardLoop(None, frozen=True), True),
        (lambda: FastForwardLoop(None, frozen=False), False),
        (lambda: FastForwardLoop(60.0, frozen=True), False),  # frozen only at max
        (asyncio.new_event_loop, False),
    ],
    ids=["max-frozen", "max", "speed-60", "asyncio"],
)
def test_loop_clock_says_whether_the_clock_stands_still_while_the_loop_works(
    make_loop: Callable[[], asyncio.AbstractEventLoop], still: bool
) -> None:
    loop = make_loop()

    async def read() -> bool:
        return loop_clock.stands_still()

    try:
        assert loop.run_until_complete(read()) is still
    finally:
        loop.close()
    assert loop_clock.stands_still() is False  # outside a loop


@pytest.mark.parametrize(
    ("text", "speed"), [("max", None), ("MAX", None), ("60", 60.0), ("0.5", 0.5), (3, 3.0)]
)
def test_parse_speed(text: str | float, speed: float | None) -> None:
    assert parse_speed(text) == speed


@pytest.mark.parametrize("text", ["0", "-2", "fast", "inf", "nan", ""])
def test_parse_speed_refuses_what_is_no_speed(text: str) -> None:
    with pytest.raises(ValueError, match="expected a positive number or 'max'"):
        parse_speed(text)
