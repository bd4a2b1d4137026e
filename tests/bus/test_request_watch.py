"""A runtime request whose node goes away before it answers (``bus/request_watch.py``): moved to
where its charger is now while it was still queued, answered ``node_gone`` once the node that
took it is gone, and followed when a node's leaving handed it on. Each process of a cluster is a
bus of its own here, on the test's prefix; a node "dies" by its bus closing without leaving and
its ``alive`` key going (deleted rather than waited for)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from chargeyard.bus.redis_bus import RedisBus
from chargeyard.bus.requests import RuntimeAnswer, RuntimeRequest
from tests.bus.buses import Bus, bus_maker, redis_url
from tests.polling import eventually

WATCH_S = 0.05
WATCH_LOGGER = "chargeyard.bus.request_watch"


class Cluster:
    """The buses of one test (``bus_maker``: one per process, on the test's prefix), the tasks
    that serve on them, and a client to look at and kill nodes with."""

    def __init__(self, make: Callable[..., Bus]) -> None:
        self._make = make
        self.client: Redis = Redis.from_url(redis_url())
        self.tasks: list[asyncio.Task[None]] = []
        self.prefix = ""

    def bus(self) -> RedisBus:
        bus = self._make(watch_s=WATCH_S)
        assert isinstance(bus, RedisBus)
        self.prefix = bus.prefix
        return bus

    def serve(self, bus: RedisBus, node: str) -> None:
        """``node`` answers every request, saying it was the one."""

        async def serving() -> None:
            async for request in bus.requests(node):
                await bus.answer(RuntimeAnswer(request.request_id, True, {"by": node}))

        self.tasks.append(asyncio.create_task(serving()))

    def take(self, bus: RedisBus, node: str) -> asyncio.Task[RuntimeRequest]:
        """``node`` takes the next request and never answers it."""
        return asyncio.create_task(anext(aiter(bus.requests(node))))

    async def queued(self, node: str) -> int:
        count: int = await self.client.llen(f"{self.prefix}requests:{node}")
        return count

    async def kill(self, bus: RedisBus, node: str) -> None:
        await bus.close()  # (its readers stop; it never leaves)
        await self.client.delete(f"{self.prefix}alive:{node}")

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.client.aclose()


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    async with bus_maker("redis") as make:  # (closes the buses and deletes their keys after)
        made = Cluster(make)
        try:
            yield made
        finally:
            await made.close()


def status(n: int, charger_id: str = "dep-1") -> RuntimeRequest:
    return RuntimeRequest(f"r{n}", "org-1", "status", (charger_id,))


async def test_a_request_queued_on_a_dead_worker_moves_to_the_worker_that_adopted_its_charger(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    """Killed before it took the request, with its ``alive`` key still there: the request
    moves as soon as another node holds the charger, not when the key lapses."""
    caplog.set_level(logging.INFO, logger=WATCH_LOGGER)
    worker_a, worker_b, api = cluster.bus(), cluster.bus(), cluster.bus()
    await worker_a.hold("node-a", ["dep-1"])  # (no reader: it hung, then died)
    asking = asyncio.create_task(api.request(status(1)))
    await eventually(lambda: _queues(cluster, "node-a", 1))
    await worker_b.hold("node-b", ["dep-1"])  # its lease adopted
    cluster.serve(worker_b, "node-b")
    async with asyncio.timeout(2):
        answer = await asking
    assert (answer.ok, answer.result) == (True, {"by": "node-b"})
    assert await cluster.queued("node-a") == 0
    assert [r.getMessage() for r in caplog.records if r.name == WATCH_LOGGER] == [
        "status request r1 moved from the queue of bus node node-a, gone or no longer holding"
        " its charger, to node-b"
    ]


async def test_a_request_queued_on_a_node_taken_for_gone_goes_to_the_placement_node(
    cluster: Cluster,
) -> None:
    """Nobody holds the charger now: the placement node gets the request (it starts the
    charger or answers that it does not run), as a new request would."""
    worker_a, worker_b, api = cluster.bus(), cluster.bus(), cluster.bus()
    await worker_a.hold("node-a", ["dep-1"])
    await worker_b.hold("node-b", ["dep-2"])
    cluster.serve(worker_b, "node-b")
    asking = asyncio.create_task(api.request(status(1)))
    await eventually(lambda: _queues(cluster, "node-a", 1))
    await cluster.kill(worker_a, "node-a")
    async with asyncio.timeout(2):
        answer = await asking
    assert (answer.ok, answer.result) == (True, {"by": "node-b"})


async def test_a_request_taken_by_a_node_that_died_is_answered_node_gone(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    """Taken, then the node died: nothing will answer. While its ``alive`` key lives the
    node may still answer; once it is gone the asker hears so at once, not at its deadline."""
    worker_a, api = cluster.bus(), cluster.bus()
    await worker_a.hold("node-a", ["dep-1"])
    taking = cluster.take(worker_a, "node-a")
    asking = asyncio.create_task(api.request(status(1)))
    async with asyncio.timeout(2):
        assert (await taking).request_id == "r1"
    await worker_a.close()
    done, _ = await asyncio.wait([asking], timeout=10 * WATCH_S)
    assert not done  # (its alive key is there: a stalled node answers)

    await cluster.client.delete(f"{cluster.prefix}alive:node-a")
    async with asyncio.timeout(2):
        answer = await asking
    assert (answer.ok, answer.error_kind) == (False, "node_gone")
    assert answer.error == (
        "the node holding charger dep-1 (node-a) went away before it answered; retry (the"
        " request may have reached the charger)"
    )
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == WATCH_LOGGER] == [
        (
            "WARNING",
            "status request r1 was taken by bus node node-a, which went away before answering",
        )
    ]


async def test_a_request_handed_on_by_a_node_s_leaving_is_followed_where_it_went(
    cluster: Cluster,
) -> None:
    """Another message routed to the dead node made it leave, emptying its queue into the
    live node's: the watch finds the request there (``{p}moved:{id}``), and waits for that
    node's answer rather than calling it gone."""
    worker_a, worker_b, api = cluster.bus(), cluster.bus(), cluster.bus()
    await worker_a.hold("node-a", ["dep-1"])
    await worker_b.hold("node-b", ["dep-2"])
    asking = asyncio.create_task(api.request(status(1)))
    await eventually(lambda: _queues(cluster, "node-a", 1))
    await cluster.kill(worker_a, "node-a")
    other = asyncio.create_task(api.request(status(2, "dep-9")))  # routed to node-a: evicts it
    await eventually(lambda: _queues(cluster, "node-b", 2))
    done, _ = await asyncio.wait([asking], timeout=10 * WATCH_S)
    assert not done  # (queued on node-b, which has not read yet)

    cluster.serve(worker_b, "node-b")
    async with asyncio.timeout(2):
        answers = await asyncio.gather(asking, other)
    assert [(a.ok, a.result) for a in answers] == [(True, {"by": "node-b"})] * 2


async def _queues(cluster: Cluster, node: str, count: int) -> bool:
    return await cluster.queued(node) == count
