"""The fleet's shared :class:`Scheduler`: one loop timer, one live heap entry per runtime."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from chargeyard.fleet.scheduling import Scheduler


class _Runtime:
    """What the scheduler needs of a runtime: the order of its live entry, and ``_timer_due``."""

    def __init__(self, name: str, fired: list[str]) -> None:
        self.name = name
        self.fired = fired
        self._timer_order = 0

    def arm(self, scheduler: Scheduler, at: float) -> None:
        self._timer_order = scheduler.arm(cast(Any, self), at)

    def cancel(self, scheduler: Scheduler) -> None:
        if self._timer_order:
            self._timer_order = 0
            scheduler.drop()

    def _timer_due(self, order: int) -> None:
        assert order == self._timer_order, "only live entries fire"
        self._timer_order = 0
        self.fired.append(self.name)


async def test_entries_fire_in_deadline_order() -> None:
    scheduler, fired = Scheduler(), []
    now = scheduler.time()
    for name, delay in (("c", 0.03), ("a", 0.01), ("b", 0.02)):
        _Runtime(name, fired).arm(scheduler, now + delay)
    await asyncio.sleep(0.1)
    assert fired == ["a", "b", "c"]
    assert scheduler.entries == (0, 0)


class _Failing(_Runtime):
    def _timer_due(self, order: int) -> None:
        super()._timer_due(order)
        raise RuntimeError("unable to perform operation on <TCPTransport closed=True>")


async def test_a_station_whose_timer_fails_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The stations due together all fire, and later ones still do, when one of them raises
    (a bug; once, a write to a socket that had just failed): the failure is logged."""
    scheduler, fired = Scheduler(resolution=0), []
    now = scheduler.time()
    _Runtime("a", fired).arm(scheduler, now + 0.01)
    _Failing("broken", fired).arm(scheduler, now + 0.01)
    _Runtime("b", fired).arm(scheduler, now + 0.01)
    _Runtime("later", fired).arm(scheduler, now + 0.03)
    await asyncio.sleep(0.1)
    assert sorted(fired) == ["a", "b", "broken", "later"]
    assert "a station's timer failed" in caplog.text


async def test_rearming_replaces_the_entry_and_cancelling_removes_it() -> None:
    scheduler, fired = Scheduler(), []
    now = scheduler.time()
    moved, cancelled = _Runtime("moved", fired), _Runtime("cancelled", fired)
    moved.arm(scheduler, now + 0.01)
    moved.arm(scheduler, now + 0.05)  # the first entry is now stale
    cancelled.arm(scheduler, now + 0.02)
    cancelled.cancel(scheduler)
    assert scheduler.entries == (1, 2)
    await asyncio.sleep(0.03)
    assert fired == []  # neither stale entry fired
    await asyncio.sleep(0.05)
    assert fired == ["moved"]
    assert scheduler.entries == (0, 0)


async def test_stale_entries_are_swept_once_they_outnumber_live_ones() -> None:
    scheduler, fired = Scheduler(), []
    now = scheduler.time()
    runtimes = [_Runtime(str(i), fired) for i in range(100)]
    for runtime in runtimes:
        runtime.arm(scheduler, now + 60)
    for _ in range(5):  # a boot: every call moves each deadline to its timeout and back
        for runtime in runtimes:
            runtime.arm(scheduler, now + 30)
            runtime.arm(scheduler, now + 60)
    live, stale = scheduler.entries
    assert live == 100
    assert stale <= live  # without the sweep: 1,000 stale entries
    scheduler.close()


async def test_deadlines_are_rounded_up_to_the_resolution() -> None:
    scheduler, fired = Scheduler(resolution=0.05), []
    first = _Runtime("first", fired)
    first.arm(scheduler, scheduler.time() + 0.001)
    steps = scheduler._heap[0][0] / 0.05
    assert steps == pytest.approx(round(steps), abs=1e-7)  # on the 50 ms grid
    await asyncio.sleep(0.12)
    assert fired == ["first"]


def test_a_negative_resolution_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Scheduler(resolution=-1)
