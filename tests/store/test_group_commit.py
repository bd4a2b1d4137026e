"""The group commit queue's linger (``store/group_commit.py``): a busy queue waits for its next
batch to fill as long as its last trip took (``linger_s`` at most), a queue that was idle does
not, and neither a full queue nor a stop waits. Virtual time: the loop's clock jumps over the
waits, so nothing sleeps; it still moves with the CPU the test spends, hence the few
milliseconds each time may be off by."""

from __future__ import annotations

import asyncio
import itertools
import statistics
from collections.abc import Sequence

import pytest

from chargeyard.store.group_commit import GroupCommit

pytestmark = pytest.mark.virtual_time

LINGER_S = 0.06
TRIP_S = 0.01


class Recorder(GroupCommit[int, int]):
    """Doubles each item, one trip of ``trip_s`` a batch; keeps each batch and the time it was
    taken."""

    def __init__(
        self, *, max_size: int = 1_000, linger_s: float = LINGER_S, trip_s: float = TRIP_S
    ) -> None:
        super().__init__(
            "recorder", max_size=max_size, max_size_name="max_size", wake_slice=8, linger_s=linger_s
        )
        self.trip_s = trip_s
        self.taken: list[tuple[float, list[int]]] = []

    async def _handle(self, items: Sequence[int]) -> list[int]:
        self.taken.append((asyncio.get_running_loop().time(), list(items)))
        await asyncio.sleep(self.trip_s)
        return [item * 2 for item in items]

    async def put(self, item: int) -> int:
        return await self._submit(item)


async def _arriving(recorder: Recorder, items: range, every_s: float) -> list[int]:
    async def one(item: int) -> int:
        await asyncio.sleep(item * every_s)
        return await recorder.put(item)

    return list(await asyncio.gather(*(one(item) for item in items)))


async def test_an_idle_queue_takes_a_lone_item_at_once() -> None:
    loop = asyncio.get_running_loop()
    async with Recorder() as recorder:
        for item in range(3):
            started = loop.time()
            assert await recorder.put(item) == item * 2
            # The trip only: each batch held one item, so none lingered.
            assert loop.time() - started == pytest.approx(TRIP_S, abs=0.005)
            await asyncio.sleep(1.0)
    assert [batch for _, batch in recorder.taken] == [[0], [1], [2]]


def _sizes(recorder: Recorder) -> list[int]:
    return [len(batch) for _, batch in recorder.taken]


def _gaps(recorder: Recorder) -> list[float]:
    times = [at for at, _ in recorder.taken]
    return [later - earlier for earlier, later in itertools.pairwise(times)]


async def test_a_busy_queue_waits_as_long_as_its_last_trip_and_its_batches_grow() -> None:
    # One item a millisecond for 600 ms, trips of 40 ms: without a linger a batch holds what
    # arrived during one trip; with it, what arrived during the trip and as long again.
    items = range(600)
    async with Recorder(linger_s=0.0, trip_s=0.04) as eager:
        assert await _arriving(eager, items, 0.001) == [item * 2 for item in items]
    async with Recorder(trip_s=0.04) as lingering:
        assert await _arriving(lingering, items, 0.001) == [item * 2 for item in items]

    assert [item for _, batch in lingering.taken for item in batch] == list(items)
    assert statistics.median(_sizes(eager)) == pytest.approx(40, abs=5)
    assert statistics.median(_sizes(lingering)) == pytest.approx(80, abs=10)
    assert statistics.median(_gaps(lingering)) == pytest.approx(0.08, abs=0.005)


async def test_a_linger_is_never_longer_than_linger_s() -> None:
    # Trips of 100 ms, a linger of 60 ms at most.
    async with Recorder(trip_s=0.1) as recorder:
        await _arriving(recorder, range(500), 0.001)
    assert statistics.median(_gaps(recorder)) == pytest.approx(0.1 + LINGER_S, abs=0.005)


async def test_a_linger_ends_when_the_queue_holds_a_full_batch() -> None:
    loop = asyncio.get_running_loop()
    async with Recorder(max_size=10) as recorder:
        await asyncio.gather(*(recorder.put(item) for item in range(2)))  # busy now
        started = loop.time()
        await asyncio.gather(*(recorder.put(item) for item in range(10)))
    # The ten arrived together: the batch was full, so it was taken without lingering.
    assert recorder.taken[-1] == (pytest.approx(started, abs=0.005), list(range(10)))


async def test_a_stop_ends_a_linger_and_handles_what_is_queued() -> None:
    loop = asyncio.get_running_loop()
    recorder = Recorder(linger_s=30.0, trip_s=1.0)
    await recorder.start()
    await asyncio.gather(*(recorder.put(item) for item in range(2)))  # busy now
    late = asyncio.ensure_future(recorder.put(7))
    await asyncio.sleep(0.001)  # queued; the queue lingers as long as its last trip, 1 s
    stopping = loop.time()
    await recorder.stop()
    assert await late == 14
    assert loop.time() - stopping == pytest.approx(1.0, abs=0.005)  # the trip, no linger


def test_a_negative_linger_is_refused() -> None:
    with pytest.raises(ValueError, match="linger_s >= 0"):
        Recorder(linger_s=-1.0)
