"""Calls waiting on a node that went away (``csms/cluster/redis_call_watch.py``): a CSMS node killed
with requests in its calls list, or after taking them. The asker does not wait for the
request's deadline (a timeout that would blame the station): a request its node never took
moves to the node the station reconnected to, or is answered 503 "went away; retry" once the
node's presence is gone; one the node took is answered the same once the node is gone or the
station is seen on another node.

A node's presence expiring is its ``alive`` key deleted here (Redis expires it
``presence_ttl_s`` after the node's last beat); a node that took a request is the test
popping it from the node's list."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from chargeyard.api import ApiSettings, create_app
from chargeyard.csms.cluster.redis_call_watch import Step, WaitingCall, step
from chargeyard.csms.cluster.redis_stations import RedisStations
from chargeyard.csms.registry import Registry
from chargeyard.csms.station_calls import (
    StationAnswer,
    StationDidNotAnswer,
    StationNodeGone,
    StationRequest,
)
from chargeyard.protocol import V16
from chargeyard.store import Store
from tests.bus.buses import redis_url
from tests.csms.cluster.test_redis_stations import Station, cluster, link_over
from tests.migrated import migrated_sqlite_url
from tests.polling import eventually

WATCH = {"watch_s": 0.05, "moved_grace_s": 0.2, "answer_grace_s": 0.05}
"""Looked after every 50 ms: each test's bound (2 s) is well under the 5 s a command waits."""

WENT_AWAY = "the node holding charger CP-1 went away; retry"


class NodeKeys:
    """The test's view of the keys a node keeps (``redis_stations.py``)."""

    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    async def held_by(self, identity: str, node: str, *, present: bool) -> None:
        """``identity``'s key names ``node``; ``present``: ``node``'s alive key is there."""
        value = f'{{"node":"{node}","version":"ocpp1.6"}}'.encode()
        await self.client.set(f"{self.prefix}station:{identity}", value, ex=15)
        if present:
            await self.client.set(f"{self.prefix}alive:{node}", 1, ex=15)

    async def queued(self, node: str) -> int:
        count: int = await self.client.llen(f"{self.prefix}calls:{node}")
        return count

    async def take(self, node: str) -> None:
        """``node`` takes the request in its list (and then says nothing)."""
        assert await self.client.lpop(f"{self.prefix}calls:{node}") is not None

    async def gone(self, node: str) -> None:
        """``node``'s presence expires."""
        await self.client.delete(f"{self.prefix}alive:{node}")


@asynccontextmanager
async def watched() -> AsyncIterator[tuple[Registry, RedisStations, NodeKeys]]:
    url = redis_url()
    client: Redis = Redis.from_url(url)
    try:
        async with cluster(url, **WATCH) as (registry, node, api):
            yield registry, api, NodeKeys(client, node.prefix)
    finally:
        await client.aclose()


async def test_a_call_queued_for_a_node_whose_presence_expired_is_503_at_once_and_never_sent() -> (
    None
):
    async with watched() as (registry, api, redis):
        await redis.held_by("CP-1", "csms-dead", present=False)

        async with asyncio.timeout(2):
            with pytest.raises(StationNodeGone) as gone:
                await link_over(api, registry).call("CP-1", "Reset", {"type": "Hard"})

        assert str(gone.value) == f"{WENT_AWAY} (nothing was sent)"
        assert await redis.queued("csms-dead") == 0  # taken back: nobody serves it later


async def test_a_call_queued_for_a_silent_node_moves_to_the_node_its_station_reconnected_to() -> (
    None
):
    async with watched() as (registry, api, redis):
        # The node died a moment ago: its presence lives on, nobody takes its calls.
        await redis.held_by("CP-1", "csms-dead", present=True)
        call = asyncio.create_task(link_over(api, registry).call("CP-1", "ClearCache", {}))
        await eventually(lambda: _is(redis.queued("csms-dead"), 1))

        station = Station(V16)
        registry.add("CP-1", station)  # type: ignore[arg-type]  # it reconnects to csms-a
        await registry.announced("CP-1")

        async with asyncio.timeout(2):
            assert await call == {"status": "Accepted"}
        assert station.sent == [("ClearCache", {})]
        assert await redis.queued("csms-dead") == 0


async def test_a_call_taken_by_a_node_that_then_died_is_503_saying_it_may_have_been_sent() -> None:
    async with watched() as (registry, api, redis):
        await redis.held_by("CP-1", "csms-dead", present=True)
        call = asyncio.create_task(link_over(api, registry).call("CP-1", "Reset", {"type": "Hard"}))
        await eventually(lambda: _is(redis.queued("csms-dead"), 1))
        await redis.take("csms-dead")

        await redis.gone("csms-dead")

        async with asyncio.timeout(2):
            with pytest.raises(StationNodeGone) as gone:
                await call
        assert str(gone.value) == f"{WENT_AWAY} (the command may have reached the charger)"


async def test_a_call_taken_by_a_node_whose_station_reconnected_elsewhere_is_503_not_resent() -> (
    None
):
    async with watched() as (registry, api, redis):
        await redis.held_by("CP-1", "csms-dead", present=True)
        call = asyncio.create_task(link_over(api, registry).call("CP-1", "Reset", {"type": "Hard"}))
        await eventually(lambda: _is(redis.queued("csms-dead"), 1))
        await redis.take("csms-dead")

        station = Station(V16)
        registry.add("CP-1", station)  # type: ignore[arg-type]
        await registry.announced("CP-1")

        async with asyncio.timeout(2):  # its old node's presence lives on: the grace decides
            with pytest.raises(StationNodeGone) as gone:
                await call
        assert str(gone.value) == f"{WENT_AWAY} (the command may have reached the charger)"
        assert station.sent == []  # at most once: it may have gone through the old node


async def test_a_present_node_that_does_not_answer_is_still_a_timeout() -> None:
    async with watched() as (registry, api, redis):
        await redis.held_by("CP-1", "csms-slow", present=True)

        with pytest.raises(StationDidNotAnswer):
            await link_over(api, registry).call("CP-1", "Reset", {"type": "Hard"}, timeout=0.3)


async def test_a_stopping_node_answers_the_calls_it_waits_for_at_once_and_sends_no_more() -> None:
    async with watched() as (registry, api, redis):
        await redis.held_by("CP-1", "csms-slow", present=True)
        link = link_over(api, registry)
        call = asyncio.create_task(link.call("CP-1", "Reset", {"type": "Hard"}))
        await eventually(lambda: _is(redis.queued("csms-slow"), 1))

        link.abandon()

        stopping = "this node is stopping before charger CP-1 answered; retry"
        async with asyncio.timeout(1):
            with pytest.raises(StationNodeGone) as waited:
                await call
            with pytest.raises(StationNodeGone) as after:
                await link.call("CP-1", "Reset", {"type": "Hard"})
        assert str(waited.value) == f"{stopping} (the command may have reached the charger)"
        assert str(after.value) == f"{stopping} (nothing was sent)"
        assert await redis.queued("csms-slow") == 1  # the first only


async def test_the_api_answers_a_node_gone_503_with_retry_after(tmp_path: Path) -> None:
    store = await Store.open(migrated_sqlite_url(tmp_path, "db.sqlite"))
    try:
        await store.stations.register("CP-1")
        _, key = await store.api_keys.create("tests")
        async with watched() as (registry, api, redis):
            await redis.held_by("CP-1", "csms-dead", present=False)
            app = create_app(store, link_over(api, registry), ApiSettings(command_timeout=5.0))
            async with (
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url="http://api.test",
                    headers={"X-API-Key": key},
                ) as client,
                asyncio.timeout(2),
            ):
                response = await client.post("/api/v1/chargers/CP-1/cache/clear")

        assert response.status_code == 503
        assert response.json() == {"detail": f"{WENT_AWAY} (nothing was sent)"}
        assert response.headers["Retry-After"] == "2"
    finally:
        await store.close()


def _call(node: str) -> WaitingCall:
    request = StationRequest(uuid.uuid4().hex, "api", "CP-1", "Reset", {}, 5.0, 0.0)
    return WaitingCall(request, b"{}", node, asyncio.Future[StationAnswer]())


@pytest.mark.parametrize(
    ("holder", "present", "expected"),
    [
        ("a", True, Step.WAIT),  # all is well: its node answers, or the deadline does
        (None, True, Step.WAIT),  # the station left a live node: that node answers
        ("a", False, Step.DROP),  # its node went away with the station's key still there
        (None, False, Step.DROP),
        ("b", True, Step.MOVE),  # the station reconnected to another node
        ("b", False, Step.MOVE),
    ],
)
async def test_what_a_waiting_call_needs(holder: str | None, present: bool, expected: Step) -> None:
    assert step(_call("a"), holder, present) is expected


async def _is(count: Awaitable[int], expected: int) -> bool:
    return await count == expected
