"""The closes that wait for a booted station's grace (csms/boot_grace.py), on a clock the test
moves."""

from __future__ import annotations

import asyncio

from chargeyard.csms.boot_grace import BootGrace
from chargeyard.store import NotFoundError
from tests.csms.moved_clock import MovedClock


def _grace() -> tuple[BootGrace, MovedClock, list[str]]:
    clock = MovedClock()
    return BootGrace(60.0, clock), clock, []


async def test_a_close_waits_for_the_end_of_the_grace() -> None:
    grace, clock, closed = _grace()
    ends = grace.ends()

    async def close() -> None:
        closed.append("CP-1")

    await grace.at_end(ends, close)
    clock.advance(59)
    await grace.settled()
    assert (closed, grace.waiting) == ([], 1)
    clock.advance(1)
    await asyncio.wait_for(grace.settled(), 5)
    assert (closed, grace.waiting) == (["CP-1"], 0)
    await grace.at_end(ends, close)  # the grace is over: at once
    assert closed == ["CP-1", "CP-1"]


async def test_the_listener_stopping_drops_the_closes_still_waiting() -> None:
    grace, clock, closed = _grace()

    async def close() -> None:
        closed.append("CP-1")

    await grace.at_end(grace.ends(), close)
    await asyncio.wait_for(grace.close(), 5)
    clock.advance(60)
    await asyncio.sleep(0)
    assert (closed, grace.waiting) == ([], 0)


async def test_a_station_deleted_within_its_grace_is_no_error() -> None:
    grace, clock, _ = _grace()

    async def close() -> None:
        raise NotFoundError("station", "CP-1")

    await grace.at_end(grace.ends(), close)
    clock.advance(60)
    await asyncio.wait_for(grace.settled(), 5)
    assert grace.waiting == 0
