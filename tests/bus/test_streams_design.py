"""What only the streams design (``benchmarks/_streams_bus.py``) has to show: what a node read
from its stream and had not taken is handed on when the node dies, and a node taken for gone
never takes what was handed on (no message reaches two live nodes)."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from chargeyard.bus import CommandMessage
from chargeyard.bus.redis_bus import RedisBus
from chargeyard.protocol import V16
from tests.bus.buses import bus_maker, redis_url, streams_bus

RedisStreamsBus = streams_bus()
_scripts = importlib.import_module("_streams_scripts")  # (beside it, in benchmarks/)
GROUP: str = _scripts.GROUP
TAKE: str = _scripts.scripts()["TAKE"]


def message(n: int, charger_id: str) -> CommandMessage:
    return CommandMessage(f"c{n}", "org-1", charger_id, "plug", V16, {"evse_id": n})


@pytest.fixture
async def bus() -> AsyncIterator[RedisBus]:
    async with bus_maker("redis-streams") as make:
        made = make()
        assert isinstance(made, RedisStreamsBus)
        yield made


@pytest.fixture
async def client() -> AsyncIterator[Redis]:
    made: Redis = Redis.from_url(redis_url())
    yield made
    await made.aclose()


async def _read_as(client: Redis, bus: RedisBus, node: str) -> list[bytes]:
    """Read ``node``'s commands as its reader does, without taking them (a node killed between
    its read and its take): their entry ids."""
    read = await client.xreadgroup(GROUP, node, {f"{bus.prefix}commands:{node}": ">"}, count=10)
    return [entry_id for _stream, entries in read for entry_id, _fields in entries]


async def test_what_a_dead_node_read_and_had_not_taken_is_served_by_a_live_node(
    bus: RedisBus, client: Redis
) -> None:
    await bus.hold("node-a", ["dep-1"])  # the placement node
    await bus.hold("node-b", ["dep-2"])
    await bus.publish_many([message(1, "dep-2"), message(2, "dep-2")])
    assert len(await _read_as(client, bus, "node-b")) == 2
    await client.delete(f"{bus.prefix}alive:node-b")  # killed: its alive key expired

    await bus.publish(message(3, "dep-2"))  # routed to node-b: it is found dead

    assert (await bus.pending("node-a"), await bus.pending("node-b")) == (3, 0)
    on_a = aiter(bus.consume("node-a"))
    assert [(await anext(on_a)).command_id for _ in range(3)] == ["c1", "c2", "c3"]


async def test_a_node_taken_for_gone_takes_nothing_that_was_handed_on(
    bus: RedisBus, client: Redis
) -> None:
    await bus.hold("node-a", ["dep-1"])
    await bus.hold("node-b", ["dep-2"])
    await bus.publish(message(1, "dep-2"))
    read = await _read_as(client, bus, "node-b")
    await client.delete(f"{bus.prefix}alive:node-b")  # stalled past its alive TTL
    await bus.publish(message(2, "dep-2"))  # routed to node-b: it is found gone

    take = client.register_script(TAKE)
    stream = f"{bus.prefix}commands:node-b"
    assert await take(args=[bus.prefix, stream, *read]) == []  # back from its stall: not its own
    assert await bus.pending("node-a") == 2  # c1, handed on, and c2


async def test_an_entry_still_pending_is_taken_once(bus: RedisBus, client: Redis) -> None:
    await bus.hold("node-b", ["dep-2"])
    await bus.publish(message(1, "dep-2"))
    read = await _read_as(client, bus, "node-b")
    take = client.register_script(TAKE)
    stream = f"{bus.prefix}commands:node-b"
    assert await take(args=[bus.prefix, stream, *read]) == read
    assert await take(args=[bus.prefix, stream, *read]) == []
    assert await client.xlen(stream) == 0  # taken: off the stream
