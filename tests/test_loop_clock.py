"""``loop_clock`` reads the running loop's own clock where its class keeps one, and the wall
clock elsewhere; which it is, is found once per loop class."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from chargeyard import loop_clock
from chargeyard.fast_forward import FastForwardLoop

AHEAD = timedelta(days=3)


class _AheadLoop(asyncio.SelectorEventLoop):
    """A loop whose clock shows a time three days ahead of the wall clock."""

    time_offset = AHEAD.total_seconds()

    def virtual_now(self) -> datetime:
        return datetime.now(UTC) + AHEAD


def _readings() -> tuple[datetime, float, float, bool]:
    async def read() -> tuple[datetime, float, float, bool]:
        return (
            loop_clock.now(),
            loop_clock.offset(),
            loop_clock.monotonic(),
            loop_clock.stands_still(),
        )

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(read())
    finally:
        loop.close()


def _readings_on(loop: asyncio.AbstractEventLoop) -> tuple[datetime, float]:
    async def read() -> tuple[datetime, float]:
        return loop_clock.now(), loop_clock.offset()

    try:
        return loop.run_until_complete(read())
    finally:
        loop.close()


def test_a_plain_loop_and_no_loop_read_the_wall_clock() -> None:
    for _ in range(2):  # (the second time from what the first found of the class)
        shown, ahead, monotonic, still = _readings()
        assert abs(shown - datetime.now(UTC)) < timedelta(seconds=5)
        assert ahead == 0.0
        assert abs(monotonic - time.monotonic()) < 5
        assert still is False
    assert abs(loop_clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    assert loop_clock.offset() == 0.0


def test_a_loop_class_with_a_clock_of_its_own_is_read_after_a_plain_one() -> None:
    _readings()  # a plain loop's class found first
    shown, ahead = _readings_on(_AheadLoop())
    assert abs(shown - (datetime.now(UTC) + AHEAD)) < timedelta(seconds=5)
    assert ahead == AHEAD.total_seconds()


def test_a_fast_forward_loop_is_read_every_time() -> None:
    for _ in range(2):
        loop = FastForwardLoop(None, frozen=True)
        shown, _ = _readings_on(loop)
        assert shown == loop.virtual_now()
