"""What only the Redis buses have to show (each test runs on the lists bus and on the streams
design of ``benchmarks/_streams_bus.py``): they survive losing their server mid-run, a node
that died or that Redis forgot is routed around and holds again, and every key they write is
bounded (a TTL, or one entry per charger and node that release and leave remove)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from chargeyard.bus import CommandMessage, CommandOutcome
from chargeyard.bus.redis_bus import RedisBus
from chargeyard.bus.redis_connection import LOST
from chargeyard.bus.redis_scripts import ALIVE_TTL_S
from chargeyard.bus.requests import RuntimeAnswer, RuntimeRequest
from chargeyard.csms.cluster.redis_events import RedisEvents
from chargeyard.csms.cluster.redis_stations import RedisStations
from chargeyard.csms.events import EventHub
from chargeyard.csms.registry import Registry
from chargeyard.protocol import V16
from tests.bus.buses import bus_maker, redis_url, streams_bus
from tests.bus.own_redis import OwnRedis
from tests.polling import eventually, until

BUS_LOGGER = "chargeyard.bus.redis"
KINDS = {"redis": RedisBus, "redis-streams": streams_bus()}


@pytest.fixture(params=list(KINDS))
def kind(request: pytest.FixtureRequest) -> str:
    """Which Redis bus the test runs on (``tests/bus/buses.py``'s names)."""
    name: str = request.param
    return name


@pytest.fixture
def bus_class(kind: str) -> type[RedisBus]:
    return KINDS[kind]


CLOSE_S = 10.0  # for a bus, its stations and its events to close


def message(n: int, charger_id: str = "dep-1") -> CommandMessage:
    return CommandMessage(f"c{n}", "org-1", charger_id, "plug", V16, {"evse_id": n})


async def test_a_lost_connection_is_logged_once_per_process_retried_and_recovered(
    own_redis: OwnRedis, caplog: pytest.LogCaptureFixture, bus_class: type[RedisBus]
) -> None:
    """A process whose bus, stations and events all use one Redis (an API node) logs its
    outage once, and its return once."""
    caplog.set_level(logging.INFO, logger=BUS_LOGGER)
    bus = bus_class(own_redis.url, prefix="lost:")
    stations = RedisStations(own_redis.url, registry=Registry(), prefix="lost:stations:")
    events = RedisEvents(own_redis.url, EventHub(), node=stations.node, prefix="lost:events:")
    taken: asyncio.Queue[CommandMessage] = asyncio.Queue()

    async def consume() -> None:
        async for item in bus.consume("node-1"):
            taken.put_nowait(item)

    consumer = asyncio.create_task(consume())
    try:
        await stations.start()
        await events.start()
        await bus.hold("node-1", ["dep-1"])
        await bus.publish(message(1))
        async with asyncio.timeout(2):
            assert (await taken.get()).command_id == "c1"
        waiting = asyncio.create_task(bus.wait_outcome("c2"))
        await until(lambda: bus.waiting() == 1)

        await own_redis.stop()
        await until(lambda: _records(caplog, logging.WARNING) != [])
        await asyncio.sleep(0.5)  # every reader has failed and is backing off by now
        await own_redis.start()

        await bus.publish(message(2))
        async with asyncio.timeout(5):
            assert (await taken.get()).command_id == "c2"
        outcome = CommandOutcome("c2", "org-1", "dep-1", ok=True)
        await bus.report(outcome)
        async with asyncio.timeout(5):
            assert await waiting == outcome
        await asyncio.sleep(2.5)  # every reader has come back by now (back-off: 2 s at most)
        warnings = _records(caplog, logging.WARNING)
        assert len(warnings) == 1, warnings
        assert warnings[0].startswith(f"lost the Redis connection to 127.0.0.1:{own_redis.port}")
        infos = _records(caplog, logging.INFO)
        assert infos == [f"the Redis connection to 127.0.0.1:{own_redis.port} is back"], infos
    finally:
        consumer.cancel()
        # Bounded: a close that waits for ever fails here, by name, instead of holding the
        # worker until the suite's timeout ends it.
        async with asyncio.timeout(CLOSE_S):
            await asyncio.gather(consumer, return_exceptions=True)
            await events.close()
            await stations.close()
            await bus.close()


def _records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == BUS_LOGGER and r.levelno == level]


@pytest.fixture
async def redis_bus(kind: str) -> AsyncIterator[RedisBus]:
    """A Redis bus on ``CHARGEYARD_TEST_REDIS_URL`` (a prefix of its own, deleted after)."""
    async with bus_maker(kind) as make:
        bus = make()
        assert isinstance(bus, RedisBus)
        yield bus


async def test_every_key_expires_or_is_bounded_by_the_fleet(redis_bus: RedisBus) -> None:
    bus = redis_bus
    await bus.publish(message(1, "dep-9"))  # no node yet: the backlog
    await bus.hold("node-a", ["dep-1"])
    await bus.hold("node-b", ["dep-2"])
    await bus.publish_many([message(2, "dep-1"), message(3, "dep-2")])
    await bus.report(CommandOutcome("c1", "org-1", "dep-9", ok=True))

    async def serve() -> None:
        async for request in bus.requests("node-b"):
            await bus.answer(RuntimeAnswer(request.request_id, True, {}))

    server = asyncio.create_task(serve())
    async with asyncio.timeout(2):
        await bus.request(RuntimeRequest("r1", "org-1", "status", ("dep-2",)))
    server.cancel()
    await asyncio.gather(server, return_exceptions=True)

    client: Redis = Redis.from_url(redis_url())
    try:
        keys = [
            key.decode().removeprefix(bus.prefix)
            async for key in client.scan_iter(match=f"{bus.prefix}*")
        ]
        fleet_sized = {"holders", "joins", "nodes", "held:node-a", "held:node-b"}
        expiring = [key for key in keys if key not in fleet_sized]
        assert set(expiring) >= {"commands:node-a", "commands:node-b", "outcome:c1"}
        for key in expiring:
            assert await client.ttl(bus.prefix + key) > 0, key
        # Release and leave remove what is sized by the fleet.
        await bus.release("node-a", ["dep-1"])
        await bus.leave("node-a")
        await bus.leave("node-b")
        assert await client.hlen(bus.prefix + "holders") == 0
        assert await client.zcard(bus.prefix + "nodes") == 0
        assert not await client.exists(bus.prefix + "held:node-a", bus.prefix + "held:node-b")
    finally:
        await client.aclose()


async def test_a_waiter_whose_lookup_meets_an_outage_still_gets_its_outcome(
    redis_bus: RedisBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outage can come between a waiter's registration and its lookup: the wait goes on,
    and the outcome reaches it once reported."""
    bus = redis_bus
    real_get = bus._redis.get

    async def refused(*args: object, **kwargs: object) -> bytes | None:
        monkeypatch.setattr(bus._redis, "get", real_get)
        raise ConnectionRefusedError(111, "Connect call failed")

    monkeypatch.setattr(bus._redis, "get", refused)
    waiting = asyncio.create_task(bus.wait_outcome("c7"))
    await until(lambda: bus.waiting() == 1)
    outcome = CommandOutcome("c7", "org-1", "dep-1", ok=True)
    await bus.report(outcome)
    async with asyncio.timeout(5):
        assert await waiting == outcome


async def test_a_wait_cancelled_during_its_lookup_ends_even_if_the_client_calls_it_lost(
    redis_bus: RedisBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller's timeout that lands while the lookup is in flight ends the wait, even when
    the client turns the cancellation into one of its connection errors."""
    bus = redis_bus
    deadline = asyncio.timeout(5.0)
    looked_up = 0

    async def cancelled_into_lost(*args: object, **kwargs: object) -> bytes | None:
        nonlocal looked_up
        looked_up += 1
        deadline.reschedule(asyncio.get_running_loop().time())  # the timeout lands now
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise RedisTimeoutError("Timeout reading from 127.0.0.1:6379") from None
        return None

    monkeypatch.setattr(bus._redis, "get", cancelled_into_lost)
    with pytest.raises(TimeoutError):
        async with deadline:
            await bus.wait_outcome("never")
    assert looked_up == 1  # the timeout came during the lookup, not before it
    assert bus.waiting() == 0


async def test_a_full_queue_refuses_a_publish_rather_than_grow(redis_bus: RedisBus) -> None:
    small = type(redis_bus)(redis_url(), prefix=redis_bus.prefix, max_queue=2)
    try:
        await small.publish_many([message(1), message(2)])
        with pytest.raises(ResponseError, match="is full"):
            await small.publish(message(3))
        assert await small.pending("node-1") == 0  # (a backlog, not a node's queue)
    finally:
        await small.close()


async def test_a_node_that_died_without_leaving_is_routed_around(redis_bus: RedisBus) -> None:
    """A worker killed with SIGKILL never leaves: once its ``alive`` key is gone (its TTL,
    ``ALIVE_TTL_S``; deleted here rather than waited for), the next message that would go to
    it makes it leave, so its chargers' messages and new placements reach a live node."""
    bus = redis_bus
    await bus.hold("node-a", ["dep-1"])  # joins first: the placement node
    await bus.hold("node-b", ["dep-2"])
    await bus.publish_many([message(1, "dep-1"), message(2, "dep-9")])
    assert (await bus.pending("node-a"), await bus.pending("node-b")) == (2, 0)

    client: Redis = Redis.from_url(redis_url())
    try:
        assert 0 < await client.ttl(bus.prefix + "alive:node-a") <= ALIVE_TTL_S
        await client.delete(bus.prefix + "alive:node-a")  # node-a died
        await bus.publish(message(3, "dep-9"))
        assert (await bus.pending("node-a"), await bus.pending("node-b")) == (0, 3)
        assert await client.zrange(bus.prefix + "nodes", 0, -1) == [b"node-b"]
        assert await client.hget(bus.prefix + "holders", "dep-1") is None
    finally:
        await client.aclose()
    on_b = aiter(bus.consume("node-b"))
    async with asyncio.timeout(2):
        assert [(await anext(on_b)).command_id for _ in range(3)] == ["c1", "c2", "c3"]


async def test_a_dead_node_s_commands_follow_its_chargers_to_the_node_that_adopts_them(
    redis_bus: RedisBus,
) -> None:
    """A worker killed with commands in its queue: once another node holds its chargers (a
    lease adopted), those commands go there, rather than wait in the dead node's queue for a
    message routed to it, which may never come (nothing is routed to it once its chargers are
    held elsewhere)."""
    bus = redis_bus
    await bus.hold("node-b", ["dep-2"])  # the placement node, alive
    await bus.hold("node-a", ["dep-1", "dep-3"])
    await bus.publish_many([message(1, "dep-1"), message(2, "dep-3"), message(3, "dep-1")])
    assert await bus.pending("node-a") == 3

    client: Redis = Redis.from_url(redis_url())
    try:
        await client.delete(bus.prefix + "alive:node-a")  # node-a died
        await bus.hold("node-c", ["dep-1"])  # dep-1's lease adopted; dep-3's not yet
        assert (await bus.pending("node-a"), await bus.pending("node-c")) == (0, 2)
        assert await client.zrange(bus.prefix + "nodes", 0, -1) == [b"node-b", b"node-c"]
        assert await client.hget(bus.prefix + "holders", "dep-3") is None
    finally:
        await client.aclose()
    on_c, on_b = aiter(bus.consume("node-c")), aiter(bus.consume("node-b"))
    async with asyncio.timeout(2):
        assert [(await anext(on_c)).command_id for _ in range(2)] == ["c1", "c3"]
        assert (await anext(on_b)).command_id == "c2"  # (no holder now: the placement node)


async def test_a_reader_keeps_its_node_alive_and_joins_again_holding_what_it_held(
    redis_bus: RedisBus,
) -> None:
    bus = redis_bus
    client: Redis = Redis.from_url(redis_url())
    on_a = aiter(bus.consume("node-a"))
    reading = asyncio.create_task(anext(on_a))
    try:
        await bus.hold("node-a", ["dep-1", "dep-3"])
        await eventually(lambda: _exists(client, bus.prefix + "alive:node-a"))
        # Taken for gone (as if it had stalled, or Redis had been paused, for ALIVE_TTL_S):
        # the next publish evicts it.
        await client.delete(bus.prefix + "alive:node-a")
        await bus.hold("node-b", ["dep-2"])
        await bus.publish(message(1, "dep-9"))
        # Evicted: the message went to node-b, the only node left. (Its holds went with it,
        # but its reader, awake every BLOCK_S, may already have joined again and held them.)
        assert await bus.pending("node-b") == 1
        # Meanwhile dep-3 moved to node-b (a worker adopted it): it stays there.
        await bus.hold("node-b", ["dep-3"])
        # Its reader sees it left without asking, joins again (last, behind node-b) and holds
        # its chargers again: their messages come to it with no new hold.
        await eventually(lambda: _holder(client, bus.prefix, "dep-1", b"node-a"))
        assert await client.zrange(bus.prefix + "nodes", 0, -1) == [b"node-b", b"node-a"]
        assert await client.hget(bus.prefix + "holders", "dep-3") == b"node-b"
        await bus.publish(message(2, "dep-1"))
        async with asyncio.timeout(2):
            assert (await reading).command_id == "c2"
    finally:
        reading.cancel()
        await asyncio.gather(reading, return_exceptions=True)
        await client.aclose()


async def test_a_node_holds_its_chargers_again_after_redis_restarted_empty(
    own_redis: OwnRedis, bus_class: type[RedisBus]
) -> None:
    bus = bus_class(own_redis.url, prefix="empty:")
    client: Redis = Redis.from_url(own_redis.url)
    on_b = aiter(bus.consume("node-b"))
    reading = asyncio.create_task(anext(on_b))
    try:
        await bus.hold("node-a", ["dep-1"])  # the placement node (its reader is elsewhere)
        await bus.hold("node-b", ["dep-2", "dep-3"])
        await eventually(lambda: _exists(client, "empty:alive:node-b"))

        await own_redis.stop()
        await own_redis.start(empty=True)

        await eventually(lambda: _holder(client, "empty:", "dep-3", b"node-b"))
        assert await client.hgetall("empty:holders") == {b"dep-2": b"node-b", b"dep-3": b"node-b"}
        await bus.publish(message(1, "dep-2"))
        async with asyncio.timeout(2):
            assert (await reading).command_id == "c1"
    finally:
        reading.cancel()
        await asyncio.gather(reading, return_exceptions=True)
        await client.aclose()
        await bus.close()


async def test_after_redis_paused_past_the_alive_ttl_every_node_holds_its_chargers_within_5_s(
    own_redis: OwnRedis, bus_class: type[RedisBus]
) -> None:
    """Redis frozen (SIGSTOP) for longer than a node's ``alive`` key lives, with a publish
    waiting in it (as the API's would): once it is back, that publish makes the nodes leave,
    and each joins again holding its chargers, so every command reaches its node again."""
    made = [bus_class(own_redis.url, prefix="pause:", alive_ttl_s=1) for _ in range(3)]
    a, b, api = made
    client: Redis = Redis.from_url(own_redis.url)
    taken: dict[str, asyncio.Queue[str]] = {"node-a": asyncio.Queue(), "node-b": asyncio.Queue()}

    async def consume(bus: RedisBus, node: str) -> None:
        async for item in bus.consume(node):
            taken[node].put_nowait(item.command_id)

    consumers = [
        asyncio.create_task(consume(a, "node-a")),
        asyncio.create_task(consume(b, "node-b")),
    ]
    try:
        await a.hold("node-a", ["dep-1"])  # the placement node
        await b.hold("node-b", ["dep-2"])
        await api.publish(message(1, "dep-2"))
        async with asyncio.timeout(2):
            assert await taken["node-b"].get() == "c1"

        own_redis.pause()
        await asyncio.sleep(1.5)  # past the alive TTL
        sent = asyncio.create_task(api.publish(message(2, "dep-9")))
        await asyncio.sleep(0.2)
        own_redis.resume()
        await sent

        async with asyncio.timeout(5):
            await eventually(lambda: _holder(client, "pause:", "dep-1", b"node-a"))
            await eventually(lambda: _holder(client, "pause:", "dep-2", b"node-b"))
        await api.publish_many([message(3, "dep-1"), message(4, "dep-2")])
        async with asyncio.timeout(2):
            # (c2, an unheld charger's command, went to whichever node joined first)
            assert (
                await _next_but(taken["node-a"], "c2"),
                await _next_but(taken["node-b"], "c2"),
            ) == ("c3", "c4")
    finally:
        for consumer in consumers:
            consumer.cancel()
        await asyncio.gather(*consumers, return_exceptions=True)
        await client.aclose()
        for bus in made:
            await bus.close()


async def test_a_hold_that_did_not_reach_redis_is_made_once_it_answers(
    own_redis: OwnRedis, bus_class: type[RedisBus]
) -> None:
    bus = bus_class(own_redis.url, prefix="late:")
    client: Redis = Redis.from_url(own_redis.url)
    on_a = aiter(bus.consume("node-a"))
    reading = asyncio.create_task(anext(on_a))
    try:
        await eventually(lambda: _exists(client, "late:alive:node-a"))
        await own_redis.stop()
        with pytest.raises(LOST):
            await bus.hold("node-a", ["dep-1"])
        await own_redis.start()  # (with its data: only the hold is missing)

        await eventually(lambda: _holder(client, "late:", "dep-1", b"node-a"))
    finally:
        reading.cancel()
        await asyncio.gather(reading, return_exceptions=True)
        await client.aclose()
        await bus.close()


async def _next_but(queue: asyncio.Queue[str], skipped: str) -> str:
    while (item := await queue.get()) == skipped:
        pass
    return item


async def _holder(client: Redis, prefix: str, charger_id: str, node: bytes) -> bool:
    try:
        return bool(await client.hget(prefix + "holders", charger_id) == node)
    except LOST:
        return False  # (not back yet)


async def _exists(client: Redis, key: str) -> bool:
    return bool(await client.exists(key))


async def test_a_burst_of_requests_past_the_client_s_connections_waits_for_one(
    redis_bus: RedisBus,
) -> None:
    """An API node asks a worker 300 things at once (a location's chargers, a busy
    dashboard): each waits for one of the client's connections, none fails for want of one."""
    bus = redis_bus
    chargers = [f"dep-{n}" for n in range(300)]
    await bus.hold("node-a", chargers)

    answering: set[asyncio.Task[None]] = set()

    async def serve() -> None:  # a task per request, as the runtime service answers
        async for request in bus.requests("node-a"):
            task = asyncio.create_task(bus.answer(RuntimeAnswer(request.request_id, True, {})))
            answering.add(task)
            task.add_done_callback(answering.discard)

    server = asyncio.create_task(serve())
    try:
        async with asyncio.timeout(30):
            answers = await asyncio.gather(
                *(
                    bus.request(RuntimeRequest(f"r{n}", "org-1", "status", (charger,)))
                    for n, charger in enumerate(chargers)
                )
            )
        assert all(answer.ok for answer in answers)
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
