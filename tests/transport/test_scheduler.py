"""The work queue: incoming CALLs start in arrival order, a slice per loop iteration, a bounded
number at a time, while answers to the central system's own CALLs are never queued."""

from __future__ import annotations

import asyncio

import pytest

from chargeyard.protocol import V16, Payload
from chargeyard.transport.scheduler import WorkQueue
from tests.polling import until
from tests.transport.link import linked

BOOT_16 = {"chargePointVendor": "chargeyard", "chargePointModel": "Wallbox 11"}
BOOT_ACCEPTED = {"status": "Accepted", "currentTime": "2026-11-21T10:00:00.000Z", "interval": 300}

# Each test runs on a reader-loop socket and on a push socket (conftest.py).
pytestmark = pytest.mark.usefixtures("server_connection")


async def test_work_starts_in_arrival_order_one_slice_per_loop_iteration() -> None:
    started: list[tuple[int, int]] = []  # (work, loop iteration)
    iteration = 0

    async def count_iterations() -> None:
        nonlocal iteration
        while True:
            await asyncio.sleep(0)
            iteration += 1

    counter = asyncio.create_task(count_iterations())
    async with WorkQueue(slice_size=3, max_active=100) as queue:
        for index in range(7):
            queue.submit(lambda index=index: started.append((index, iteration)))  # type: ignore[misc]
        await until(lambda: len(started) == 7, every=0)
    counter.cancel()
    assert [index for index, _ in started] == list(range(7))
    slices = [
        [index for index, at in started if at == moment]
        for moment in sorted({a for _, a in started})
    ]
    assert slices == [[0, 1, 2], [3, 4, 5], [6]]


async def test_no_more_than_max_active_unfinished_at_once() -> None:
    release = asyncio.Event()
    running = 0
    most = 0

    async def job() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1

    async with WorkQueue(slice_size=10, max_active=2) as queue:
        for _ in range(5):
            queue.submit(lambda: asyncio.create_task(job()))
        await until(lambda: queue.active == 2, every=0)
        await asyncio.sleep(0.01)
        assert (queue.active, queue.queued, most) == (2, 3, 2)
        release.set()
        await until(lambda: queue.active == 0 and queue.queued == 0, every=0)
    assert most == 2


async def test_work_that_raises_does_not_stop_the_queue() -> None:
    done: list[int] = []

    def broken() -> None:
        raise RuntimeError("bug")

    async with WorkQueue() as queue:
        queue.submit(broken)
        queue.submit(lambda: done.append(1))
        await until(lambda: done == [1], every=0)


async def test_submitting_to_a_queue_not_running_is_an_error() -> None:
    queue = WorkQueue()
    with pytest.raises(RuntimeError):
        queue.submit(lambda: None)
    with pytest.raises(ValueError, match="slice_size"):
        WorkQueue(slice_size=0)


async def test_answer_to_a_csms_call_is_not_queued_behind_the_stations_calls() -> None:
    """The station's BootNotification holds the only active slot; the central system's
    GetConfiguration still gets its answer, because answers are read at once."""
    release = asyncio.Event()
    boot_started = asyncio.Event()

    async def boot(payload: Payload) -> Payload:
        boot_started.set()
        await release.wait()
        return BOOT_ACCEPTED

    config = {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]}
    async with (
        WorkQueue(max_active=1) as queue,
        linked(
            V16,
            csms_handlers={"BootNotification": boot},
            station_handlers={"GetConfiguration": lambda payload: config},
            scheduler=queue,
        ) as link,
    ):
        booting = asyncio.create_task(link.station.call("BootNotification", BOOT_16))
        await asyncio.wait_for(boot_started.wait(), 2)
        assert queue.active == 1
        answer = await asyncio.wait_for(link.central_system.call("GetConfiguration", {}), 2)
        assert answer == config
        assert not booting.done()
        release.set()
        assert await asyncio.wait_for(booting, 2) == BOOT_ACCEPTED
