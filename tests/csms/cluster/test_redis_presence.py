"""A station's ``isOnline`` in a cluster follows the presence of the node holding it
(``csms/cluster/redis_presence.py``): marked offline when its node's presence expires, by
whichever live node notices, never by a node that merely starts, and online again when its
node comes back."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import pytest
from redis.asyncio import Redis

from chargeyard.bus.redis_connection import OwnedTasks
from chargeyard.csms.cluster.redis_presence import NodePresence
from chargeyard.csms.cluster.redis_stations import RedisStations
from chargeyard.csms.registry import Registry
from chargeyard.csms.server import CsmsSettings
from chargeyard.protocol import V16
from chargeyard.stack import ClusterOptions, StartupFailure, start_central_system
from chargeyard.store import Store
from tests.bus.buses import delete_keys, redis_url
from tests.bus.own_redis import OwnRedis
from tests.csms.cluster.test_redis_stations import Station
from tests.migrated import migrated_sqlite_url
from tests.polling import eventually, until
from tests.ports import free_port

SLOW_RENEWAL = 60
"""A presence TTL whose renewals (every 20 s) never come within a test: each node's renewal is
the test's to make (``renew()``), and a node's death is its ``alive`` key deleted."""


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(migrated_sqlite_url(tmp_path, "db.sqlite")) as opened:
        yield opened


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    prefix = f"chargeyard-test:{uuid.uuid4().hex}:"
    yield prefix
    await delete_keys(redis_url(), prefix)


async def online(store: Store, *identities: str) -> None:
    for identity in identities:
        await store.stations.set_online(identity, ocpp_version=V16)


async def is_online(store: Store, identity: str) -> bool:
    station = await store.stations.get(identity)
    assert station is not None
    return station.is_online


def node(name: str, registry: Registry, prefix: str, store: Store) -> RedisStations:
    return RedisStations(
        redis_url(),
        registry=registry,
        node=name,
        prefix=prefix,
        presence_ttl_s=SLOW_RENEWAL,
        book=store.stations,
    )


def holding(*identities: str) -> Registry:
    registry = Registry()
    for identity in identities:
        registry.add(identity, Station(V16))  # type: ignore[arg-type]  # the CALL side is enough
    return registry


async def die(prefix: str, name: str) -> None:
    """The node's presence expires, as after its ``kill -9`` (or a stall past the TTL)."""
    client: Redis = Redis.from_url(redis_url())
    try:
        await client.delete(f"{prefix}alive:{name}")
    finally:
        await client.aclose()


async def test_a_node_gone_has_its_stations_marked_offline_by_a_live_node_but_one_that_moved(
    store: Store, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="chargeyard.csms.cluster.redis_presence")
    await online(store, "CP-1", "CP-2", "CP-3", "CP-B")
    a = node("csms-a", holding("CP-1", "CP-2", "CP-3"), prefix, store)
    b_registry = holding("CP-B")
    b = node("csms-b", b_registry, prefix, store)
    async with a, b:
        await a.renew()
        await b.renew()
        # CP-3 reconnected to node B (its socket to A was cut), then A went away.
        b_registry.add("CP-3", Station(V16))  # type: ignore[arg-type]
        await b.flush()
        await die(prefix, "csms-a")

        await b.renew()  # B notices

        await eventually(lambda: _offline(store, "CP-1", "CP-2"))
        # The count is logged once the whole mark is done (CP-3 checked against B's hold, the
        # gone stations' keys and the claimed list deleted, after the rows were written).
        await until(
            lambda: "2 stations of CSMS node csms-a, gone, marked offline" in caplog.messages
        )
        assert await is_online(store, "CP-3")
        assert await is_online(store, "CP-B")
        assert await _keys(prefix, "CP-1", "CP-2", "CP-3", "CP-B") == {"CP-3", "CP-B"}


async def test_a_node_that_starts_leaves_the_live_nodes_stations_online(
    store: Store, prefix: str
) -> None:
    await online(store, "CP-1", "CP-2")
    async with node("csms-a", holding("CP-1", "CP-2"), prefix, store) as a:
        await a.renew()
        async with node("csms-b", Registry(), prefix, store) as b:
            await b.renew()
            await b.renew()

            assert await is_online(store, "CP-1")
            assert await is_online(store, "CP-2")


async def test_a_node_taken_for_gone_marks_its_stations_online_again_when_it_is_back(
    store: Store, prefix: str
) -> None:
    # It stalled, or lost Redis, for longer than the TTL, and another node claimed it.
    await online(store, "CP-1", "CP-2")
    async with (
        node("csms-a", holding("CP-1", "CP-2"), prefix, store) as a,
        node("csms-b", Registry(), prefix, store) as b,
    ):
        await a.renew()
        await die(prefix, "csms-a")
        await b.renew()
        await eventually(lambda: _offline(store, "CP-1", "CP-2"))

        await a.renew()  # back: it finds itself forgotten

        assert await a.is_connected("CP-1")
        await eventually(lambda: _all(is_online(store, "CP-1"), is_online(store, "CP-2")))


async def test_a_node_restarted_under_its_name_marks_offline_what_did_not_reconnect(
    store: Store, prefix: str
) -> None:
    await online(store, "CP-1", "CP-2", "CP-B")
    before = node("csms-a", holding("CP-1", "CP-2"), prefix, store)
    async with node("csms-b", holding("CP-B"), prefix, store) as b:
        await b.renew()
        await before.renew()  # (its first run: it never closes, as after a kill -9)
        try:
            # Restarted at once, before its presence expired; CP-2 is back already.
            async with node("csms-a", holding("CP-2"), prefix, store) as after:
                # (the previous run's keys count no more from the moment it joined)
                assert not await after.is_connected("CP-1")
                await eventually(lambda: _offline(store, "CP-1"))
                assert await is_online(store, "CP-2")
                assert await is_online(store, "CP-B")
                await eventually(lambda: _no_keys(prefix, "CP-1"))
                assert await after.is_connected("CP-2")
        finally:
            await before.close()


async def test_after_redis_paused_past_the_presence_ttl_every_station_is_online_within_5_s(
    store: Store, own_redis: OwnRedis
) -> None:
    """Redis frozen (SIGSTOP) for longer than the presence TTL: every presence expired, each
    node finds its own lapsed and writes its stations' keys again; none takes the other for
    gone meanwhile (should one have, the other finds itself forgotten and marks its stations
    online again)."""
    await online(store, "CP-A", "CP-B")

    def paused_node(name: str, registry: Registry) -> RedisStations:
        return RedisStations(
            own_redis.url,
            registry=registry,
            node=name,
            prefix="pause:",
            presence_ttl_s=1,
            book=store.stations,
        )

    api = RedisStations(own_redis.url, prefix="pause:")
    async with paused_node("csms-a", holding("CP-A")), paused_node("csms-b", holding("CP-B")), api:
        await eventually(lambda: _all(api.is_connected("CP-A"), api.is_connected("CP-B")))

        own_redis.pause()
        await asyncio.sleep(2)
        own_redis.resume()

        async with asyncio.timeout(5):
            await eventually(lambda: _all(is_online(store, "CP-A"), is_online(store, "CP-B")))
            await eventually(lambda: _all(api.is_connected("CP-A"), api.is_connected("CP-B")))
        await asyncio.sleep(1.5)  # a renewal later, nothing has changed
        assert await is_online(store, "CP-A")
        assert await is_online(store, "CP-B")


async def test_a_node_whose_own_presence_lapsed_takes_no_other_for_gone_for_one_ttl(
    store: Store, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis away past the TTL (frozen, or restarted with its data) expires every node's
    presence at once, and the nodes come back one after the other: the first back does not
    take the others for gone (nor mark their stations offline) before they had a TTL to renew
    in; one that does not come back in that time is gone, and its stations are marked."""
    caplog.set_level(logging.INFO, logger="chargeyard.csms.cluster.redis_presence")
    await online(store, "CP-A", "CP-B", "CP-C")

    def short_lived(name: str, identity: str) -> RedisStations:
        return RedisStations(
            redis_url(),
            registry=holding(identity),
            node=name,
            prefix=prefix,
            presence_ttl_s=1,
            book=store.stations,
        )

    a, b, c = (short_lived(f"csms-{n}", f"CP-{n.upper()}") for n in "abc")
    try:
        for each in (a, b, c):
            await each.renew()
        for name in ("csms-a", "csms-b", "csms-c"):  # Redis away: every presence lapsed
            await die(prefix, name)

        await a.renew()  # A back first; B never comes back (killed meanwhile), C does
        assert await _members(prefix) == {"csms-a", "csms-b", "csms-c"}
        await c.renew()

        async def b_marked() -> bool:
            await c.renew()
            await a.renew()
            return not await is_online(store, "CP-B")

        # A's grace is one presence TTL (LAPSE_GRACE_TTLS), whole seconds (the alive key's
        # SET ... EX): the wait cannot be shorter than a second; frequent looks end it soon after.
        await eventually(b_marked, within=5, every=0.05)
        assert await _members(prefix) == {"csms-a", "csms-c"}
        assert await is_online(store, "CP-A")
        assert await is_online(store, "CP-C")
        assert not [m for m in caplog.messages if "csms-c, gone" in m or "csms-a, gone" in m]
        lapsed = [m for m in caplog.messages if "presence lapsed" in m]
        assert {m.split("'s")[0] for m in lapsed} == {"CSMS node csms-a", "CSMS node csms-c"}
    finally:
        for each in (a, b, c):
            await each.close()


async def test_a_claim_run_after_its_claimers_own_presence_lapsed_claims_nobody(
    store: Store, prefix: str
) -> None:
    """A claim sent just before Redis froze runs just after it, when every node's presence
    has lapsed, before its claimer's next beat could find its own lapsed: it claims no node,
    and marks no station offline."""
    await online(store, "CP-A", "CP-B")
    client: Redis = Redis.from_url(redis_url())
    tasks = OwnedTasks()

    def membership(name: str, identity: str) -> NodePresence:
        return NodePresence(
            client,
            prefix=prefix,
            node=name,
            ttl_s=SLOW_RENEWAL,
            book=store.stations,
            holds=lambda held: held == identity,
            tasks=tasks,
        )

    a, b = membership("csms-a", "CP-A"), membership("csms-b", "CP-B")
    try:
        for each in (a, b):
            await each.join()
        for name in ("csms-a", "csms-b"):  # Redis frozen past the TTL: every presence lapsed
            await die(prefix, name)

        await a.claim_gone()  # (sent before the freeze; no beat of A's since)

        await asyncio.sleep(0)  # (a claim's marking runs in a task of its own)
        assert await _members(prefix) == {"csms-a", "csms-b"}
        assert await is_online(store, "CP-B")
    finally:
        await tasks.cancel()
        await client.aclose()


async def _keys(prefix: str, *identities: str) -> set[str]:
    """Those of ``identities`` whose station key is in Redis (present or not)."""
    client: Redis = Redis.from_url(redis_url())
    try:
        return {i for i in identities if await client.exists(f"{prefix}station:{i}")}
    finally:
        await client.aclose()


async def _no_keys(prefix: str, *identities: str) -> bool:
    return not await _keys(prefix, *identities)


async def _members(prefix: str) -> set[str]:
    client: Redis = Redis.from_url(redis_url())
    try:
        return {member.decode() for member in await client.smembers(f"{prefix}nodes")}
    finally:
        await client.aclose()


# No Redis answers here (a closed port) and every other peer is on the test's loop or SQLite:
# on the virtual-time loop the Redis client's back-off between its connection attempts
# (bus/redis_connection.py) passes at once.
@pytest.mark.virtual_time
async def test_a_cluster_node_that_cannot_join_marks_no_station_offline(
    store: Store, tmp_path: Path
) -> None:
    url = migrated_sqlite_url(tmp_path, "db.sqlite")
    await online(store, "CP-1")
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    async with contextlib.AsyncExitStack() as running:
        with pytest.raises(StartupFailure, match=r"Redis at 127\.0\.0\.1"):
            await start_central_system(
                running,
                database_url=url,
                settings=CsmsSettings(port=0),
                max_payload_chars=10_000,
                webhook_outbound=None,
                webhooks=False,
                cluster=ClusterOptions(redis_url=nowhere, node="csms-x"),
            )

    assert await is_online(store, "CP-1")


async def _all(*answers: Awaitable[bool]) -> bool:
    return all([await answer for answer in answers])


async def _offline(store: Store, *identities: str) -> bool:
    return not any([await is_online(store, identity) for identity in identities])
