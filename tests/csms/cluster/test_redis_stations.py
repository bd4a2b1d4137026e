"""The central system's stations across processes over Redis (``csms/cluster/redis_stations.py``): a
CSMS node announces the stations connected to it and serves calls for them; an API node with
no station of its own asks through the same link the API uses, and gets the same answers and
the same errors as in one process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import orjson
import pytest
from redis.asyncio import Redis

from chargeyard.api import ApiSettings, create_app
from chargeyard.csms.cluster.redis_presence import NODE_LIST_TTL_S
from chargeyard.csms.cluster.redis_station_presence import ANNOUNCE_WAIT_S, KEY_TTL_S
from chargeyard.csms.cluster.redis_stations import RedisStations
from chargeyard.csms.commands import Charger, get_configuration
from chargeyard.csms.commands.transactions import remote_start
from chargeyard.csms.link import LinkedStations
from chargeyard.csms.registry import Registry
from chargeyard.csms.station_calls import (
    StationDidNotAnswer,
    StationNotConnected,
    StationRefused,
)
from chargeyard.protocol import V16, V201, CallErrorReply, Payload, VersionSpec
from chargeyard.store import Store
from tests.bus.buses import delete_keys, redis_url
from tests.bus.own_redis import OwnRedis
from tests.migrated import migrated_sqlite_url
from tests.polling import eventually, polled, until


class Station:
    """The registry's side of one station's connection: answers each CALL with
    ``answer(action, payload)``, keeps what it was sent and how it was closed."""

    def __init__(
        self, version: VersionSpec, answer: Callable[[str, Payload], Payload] | None = None
    ) -> None:
        self.version = version
        self.answer = answer or (lambda _action, _payload: {"status": "Accepted"})
        self.sent: list[tuple[str, Payload]] = []
        self.closed: list[tuple[int, str]] = []

    async def call(self, action: str, payload: Payload) -> Payload:
        self.sent.append((action, payload))
        return self.answer(action, payload)

    async def close(self, code: int, reason: str) -> None:
        self.closed.append((code, reason))


def link_over(stations: RedisStations, registry: Registry) -> LinkedStations:
    """The API's link on an API node: directory and calls over Redis."""
    return LinkedStations(
        stations,
        stations,
        remote_starts=registry.remote_starts,
        reports=registry.reports,
        command_timeout=5.0,
    )


@asynccontextmanager
async def cluster(
    url: str, **options: float
) -> AsyncIterator[tuple[Registry, RedisStations, RedisStations]]:
    """A CSMS node (its registry and its RedisStations) and an API node, on a prefix of their
    own."""
    prefix = f"chargeyard-test:{uuid.uuid4().hex}:"
    registry = Registry(command_timeout=5.0)
    node = RedisStations(url, registry=registry, node="csms-a", prefix=prefix, **options)  # type: ignore[arg-type]
    api = RedisStations(url, prefix=prefix, **options)  # type: ignore[arg-type]
    try:
        async with node, api:
            yield registry, node, api
    finally:
        await delete_keys(url, prefix)


async def connect(registry: Registry, api: RedisStations, identity: str, station: Station) -> None:
    registry.add(identity, station)  # type: ignore[arg-type]  # the CALL side is enough here
    await eventually(lambda: api.is_connected(identity))


async def test_a_call_reaches_the_node_holding_the_station_and_its_answer_comes_back() -> None:
    async with cluster(redis_url()) as (registry, _node, api):
        station = Station(V201, lambda _action, _payload: {"status": "Accepted", "n": [1, 2]})
        await connect(registry, api, "CS-1", station)
        link = link_over(api, registry)

        assert await link.version_of("CS-1") is V201
        answer = await link.call("CS-1", "ClearCache", {})

        assert answer == {"status": "Accepted", "n": [1, 2]}
        assert station.sent == [("ClearCache", {})]


async def test_the_station_s_errors_and_an_unknown_station_read_as_in_one_process() -> None:
    def refuse(_action: str, _payload: Payload) -> Payload:
        raise CallErrorReply("Reset", "u-1", "NotSupported", "no resets here", {})

    async with cluster(redis_url()) as (registry, _node, api):
        await connect(registry, api, "CP-NO", Station(V16, refuse))
        link = link_over(api, registry)

        with pytest.raises(StationRefused) as refused:
            await link.call("CP-NO", "Reset", {"type": "Hard"})
        assert (
            str(refused.value) == "charger CP-NO answered Reset with NotSupported: no resets here"
        )
        with pytest.raises(StationNotConnected):
            await link.call("CP-GONE", "Reset", {"type": "Hard"})
        with pytest.raises(StationNotConnected):
            await link.version_of("CP-GONE")
        assert not await link.is_connected("CP-GONE")


async def test_a_presence_names_the_version_by_its_subprotocol_or_as_earlier_releases_did() -> None:
    # Through a rolling upgrade, nodes of the earlier release still write the version's name.
    url = redis_url()
    async with cluster(url) as (registry, node, api):
        await connect(registry, api, "CP-1", Station(V201))
        client: Redis = Redis.from_url(url)
        try:
            presence = orjson.loads(await client.get(f"{node.prefix}station:CP-1"))
            run = (await client.get(f"{node.prefix}alive:csms-a")).decode()
            assert presence == {"node": "csms-a", "version": "ocpp2.0.1", "run": run}
            # (no run: an earlier release's key, which expired with its node's presence)
            old = b'{"node":"csms-old","version":"1.6"}'
            await client.set(f"{node.prefix}station:CP-OLD", old, ex=15)
        finally:
            await client.aclose()
        assert await api.version_of("CP-1") is V201
        assert await api.version_of("CP-OLD") is V16


async def test_a_node_that_does_not_answer_is_a_timeout() -> None:
    url = redis_url()
    async with cluster(url, answer_grace_s=0.05) as (registry, node, api):
        # A key names a node that takes nothing (it died; its key has not expired yet).
        client: Redis = Redis.from_url(url)
        try:
            await client.set(
                f"{node.prefix}station:CP-GHOST", b'{"node":"gone","version":"ocpp1.6"}', ex=15
            )
        finally:
            await client.aclose()
        link = link_over(api, registry)

        with pytest.raises(StationDidNotAnswer) as silent:
            await link.call("CP-GHOST", "Reset", {"type": "Hard"}, timeout=0.2)
        assert str(silent.value) == "charger CP-GHOST did not answer Reset within 0.2 s"


async def test_a_station_that_goes_is_forgotten_unless_it_moved_to_another_node() -> None:
    url = redis_url()
    async with cluster(url) as (registry, node, api):
        first = Station(V16)
        await connect(registry, api, "CP-1", first)
        registry.remove("CP-1", first)  # type: ignore[arg-type]
        await node.flush()
        assert not await api.is_connected("CP-1")

        # CP-1 reconnects to node B before node A hears that its socket closed.
        other = Registry()
        async with RedisStations(url, registry=other, node="csms-b", prefix=node.prefix):
            await connect(registry, api, "CP-1", first)
            moved = Station(V201)
            other.add("CP-1", moved)  # type: ignore[arg-type]
            await eventually(lambda: _is(api.version_of("CP-1"), V201))
            registry.remove("CP-1", first)  # type: ignore[arg-type]
            await node.flush()

            assert await api.version_of("CP-1") is V201


async def test_a_station_s_key_counts_while_its_node_s_presence_lasts() -> None:
    url = redis_url()
    client: Redis = Redis.from_url(url)
    try:
        async with cluster(url, presence_ttl_s=3) as (registry, node, api):
            await connect(registry, api, "CP-1", Station(V16))
            key, alive = f"{node.prefix}station:CP-1", f"{node.prefix}alive:csms-a"
            # The node's presence is renewed a third of its TTL apart; the stations' keys
            # need no renewal of their own (a day's TTL bounds what a cluster gone leaves).
            assert 0 < await client.ttl(alive) <= 3
            assert 3 < await client.ttl(key) <= KEY_TTL_S

            await client.delete(alive)  # its presence expired (a kill -9, a stall)
            assert await client.exists(key)
            assert not await api.is_connected("CP-1")
            with pytest.raises(StationNotConnected):
                await api.version_of("CP-1")

            await node.renew(keys=False)  # back: its presence alone brings its keys back
            assert await api.version_of("CP-1") is V16
    finally:
        await client.aclose()


async def test_a_node_whose_presence_lapsed_writes_its_stations_keys_again() -> None:
    # Redis restarted from a snapshot taken before CP-2 connected, past the presence TTL.
    url = redis_url()
    client: Redis = Redis.from_url(url)
    try:
        async with cluster(url) as (registry, node, api):
            await connect(registry, api, "CP-1", Station(V16))
            await connect(registry, api, "CP-2", Station(V16))
            await client.delete(f"{node.prefix}station:CP-2", f"{node.prefix}alive:csms-a")
            await client.hdel(f"{node.prefix}node:csms-a", f"{node.prefix}station:CP-2")

            await node.renew(keys=False)

            assert await api.is_connected("CP-1")
            assert await api.is_connected("CP-2")
    finally:
        await client.aclose()


async def test_a_node_s_presence_renewal_leaves_its_stations_keys_alone() -> None:
    url = redis_url()
    client: Redis = Redis.from_url(url)
    try:
        async with cluster(url) as (registry, node, api):
            await connect(registry, api, "CP-1", Station(V16))
            key = f"{node.prefix}station:CP-1"
            await client.expire(key, 100)

            await node.renew(keys=False)
            assert 0 < await client.ttl(key) <= 100

            await node.renew()  # (every KEY_RENEW_S)
            assert 100 < await client.ttl(key) <= KEY_TTL_S
    finally:
        await client.aclose()


async def test_a_node_s_hash_holds_its_stations_outlives_its_presence_and_goes_when_it_closes() -> (
    None
):
    url = redis_url()
    client: Redis = Redis.from_url(url)
    try:
        async with cluster(url, presence_ttl_s=6) as (registry, node, api):
            first, second = Station(V16), Station(V201)
            await connect(registry, api, "CP-1", first)
            await connect(registry, api, "CP-2", second)
            registry.remove("CP-1", first)  # type: ignore[arg-type]
            await node.flush()

            hash_key = f"{node.prefix}node:csms-a"
            assert set(await client.hkeys(hash_key)) == {f"{node.prefix}station:CP-2".encode()}
            # (kept past the node's presence, so that a live node can mark its stations)
            assert 6 < await client.ttl(hash_key) <= NODE_LIST_TTL_S
        assert not await client.exists(hash_key)
        assert not await client.sismember(f"{node.prefix}nodes", "csms-a")
    finally:
        await client.aclose()


async def test_a_renewal_brings_back_a_lost_key_and_leaves_a_moved_station_to_its_node() -> None:
    url = redis_url()
    client: Redis = Redis.from_url(url)
    try:
        async with cluster(url, presence_ttl_s=6) as (registry, node, api):
            await connect(registry, api, "CP-1", Station(V16))
            await connect(registry, api, "CP-2", Station(V16))
            await node.renew()  # (the first renewal writes everything; this one is Redis's)
            # CP-1's key expired (its node was late); CP-2 reconnected to node B before node A
            # heard that its socket closed.
            await client.delete(f"{node.prefix}station:CP-1")
            async with RedisStations(url, registry=Registry(), node="csms-b", prefix=node.prefix):
                run = (await client.get(f"{node.prefix}alive:csms-b")).decode()
                moved = orjson.dumps({"node": "csms-b", "version": "ocpp2.0.1", "run": run})
                await client.set(f"{node.prefix}station:CP-2", moved, ex=6)

                await node.renew()

                assert await api.version_of("CP-1") is V16
                assert 6 < await client.ttl(f"{node.prefix}station:CP-1") <= KEY_TTL_S
                assert await api.version_of("CP-2") is V201
    finally:
        await client.aclose()


async def test_when_redis_lost_the_node_s_stations_a_renewal_writes_them_all_again() -> None:
    # Redis restarted without its data, or the node was too busy to renew within the TTL.
    url = redis_url()
    async with cluster(url) as (registry, node, api):
        for n in range(5):
            await connect(registry, api, f"CP-{n}", Station(V16))
        await node.renew()
        await delete_keys(url, node.prefix)

        await node.renew()

        for n in range(5):
            assert await api.is_connected(f"CP-{n}")


async def test_a_disconnect_travels_to_the_node_holding_the_station() -> None:
    async with cluster(redis_url()) as (registry, _node, api):
        station = Station(V16)
        await connect(registry, api, "CP-1", station)

        assert await link_over(api, registry).disconnect("CP-1", 4000, "deleted")
        await until(lambda: station.closed == [(4000, "deleted")])
        assert not await api.disconnect("CP-GONE")


async def test_b01_once_the_registry_says_a_connect_is_announced_every_node_can_reach_it() -> None:
    # The boot of a station is answered after registry.announced() (csms/boot.py): whoever
    # sees it booted may command it at once through another node.
    async with cluster(redis_url()) as (registry, _node, api):
        for n in range(50):
            registry.add(f"CP-{n}", Station(V16))  # type: ignore[arg-type]
            await registry.announced(f"CP-{n}")

            assert await api.is_connected(f"CP-{n}")


async def test_redis_gone_holds_no_boot_up(own_redis: OwnRedis) -> None:
    async with cluster(own_redis.url) as (registry, _node, api):
        await own_redis.stop()
        registry.add("CP-1", Station(V16))  # type: ignore[arg-type]
        async with asyncio.timeout(ANNOUNCE_WAIT_S + 1.0):
            await registry.announced("CP-1")

        await own_redis.start()
        await eventually(lambda: api.is_connected("CP-1"))


async def test_a_boot_whose_connect_is_written_waits_for_no_later_connect(
    own_redis: OwnRedis,
) -> None:
    # A boot waits for its own station's presence key only: with Redis frozen, CP-2's connect
    # cannot be written, and CP-2's boot waits for it (ANNOUNCE_WAIT_S at most), while CP-1,
    # written before, is answered at once.
    async with cluster(own_redis.url) as (registry, _node, api):
        await connect(registry, api, "CP-1", Station(V16))
        await registry.announced("CP-1")
        own_redis.pause()
        try:
            registry.add("CP-2", Station(V16))  # type: ignore[arg-type]
            loop = asyncio.get_running_loop()
            began = loop.time()
            await registry.announced("CP-1")
            assert loop.time() - began < 0.5
            async with asyncio.timeout(ANNOUNCE_WAIT_S + 1.0):
                await registry.announced("CP-2")
            assert loop.time() - began >= ANNOUNCE_WAIT_S - 0.1
        finally:
            own_redis.resume()
        await eventually(lambda: api.is_connected("CP-2"))


async def _is(version: Awaitable[VersionSpec], expected: VersionSpec) -> bool:
    try:
        return await version is expected
    except StationNotConnected:
        return False


async def test_while_redis_is_gone_a_command_is_503_saying_so_and_works_once_it_is_back(
    own_redis: OwnRedis, tmp_path: Path
) -> None:
    store = await Store.open(migrated_sqlite_url(tmp_path, "db.sqlite"))
    try:
        await store.stations.register("CP-1")
        _, key = await store.api_keys.create("tests")
        async with cluster(own_redis.url, presence_ttl_s=3) as (registry, _node, api):
            await connect(registry, api, "CP-1", Station(V16))
            app = create_app(store, link_over(api, registry), ApiSettings(command_timeout=5.0))
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://api.test",
                headers={"X-API-Key": key},
            ) as client:

                async def clear_cache() -> httpx.Response:
                    return await client.post("/api/v1/chargers/CP-1/cache/clear")

                await own_redis.stop()
                down = await clear_cache()
                assert down.status_code == 503
                assert down.json()["detail"].startswith(
                    "the central system cannot reach its stations' nodes: Redis at"
                    f" 127.0.0.1:{own_redis.port} cannot be reached"
                )
                assert down.json()["detail"].endswith("nothing was sent, try again")

                await own_redis.start()
                back = await polled(clear_cache, lambda r: r.status_code == 200, within=10)
                assert back.json()["status"] == "accepted"
    finally:
        await store.close()


def report_part(request_id: int, seq_no: int, name: str, last: bool) -> Payload:
    data = [
        {
            "component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": name},
            "variableAttribute": [{"type": "Actual", "value": "1", "mutability": "ReadWrite"}],
        }
    ]
    return {"requestId": request_id, "seqNo": seq_no, "tbc": not last, "reportData": data}


class Tags:
    """An id-tag table without the tag (the idToken goes out as Central)."""

    async def get(self, id_tag: str, *, organization_id: str = "default") -> None:
        return None


async def test_b07_a_report_asked_through_another_node_comes_back_whole() -> None:
    async with cluster(redis_url()) as (registry, _node, api):
        tasks: list[asyncio.Task[None]] = []

        async def send_parts(request_id: int) -> None:
            # As the station's handlers on its node do with each NotifyReport (B07).
            for seq_no, name in enumerate(("X", "Y")):
                registry.reports.add_part(
                    "CS-1", report_part(request_id, seq_no, name, last=seq_no == 1)
                )

        def answer(action: str, payload: Payload) -> Payload:
            if action == "GetBaseReport":  # the parts follow the answer
                tasks.append(asyncio.create_task(send_parts(payload["requestId"])))
            return {"status": "Accepted"}

        await connect(registry, api, "CS-1", Station(V201, answer))
        link = link_over(api, registry)

        result = await get_configuration(Charger(link, "CS-1"), [])

        assert result["configurationKey"] == [
            {"key": "OCPPCommCtrlr.X", "readonly": False, "value": "1"},
            {"key": "OCPPCommCtrlr.Y", "readonly": False, "value": "1"},
        ]
        assert len(registry.reports) == 0  # nothing left waiting on either node
        assert len(api.command_state) == 0


async def test_f02_a_remote_start_asked_through_another_node_is_claimed_on_the_station_s() -> None:
    async with cluster(redis_url()) as (registry, _node, api):
        sent: list[Payload] = []

        def answer(action: str, payload: Payload) -> Payload:
            sent.append(payload)
            return {"status": "Accepted"}

        await connect(registry, api, "CS-1", Station(V201, answer))
        result = await remote_start(
            Charger(link_over(api, registry), "CS-1"),
            1,
            "TAG-1",
            id_tags=Tags(),  # type: ignore[arg-type]  # the one method the command reads
            transactions=None,  # type: ignore[arg-type]  # read only for a transaction running
        )

        assert result["status"] == "accepted"
        [request] = sent
        # The station's node hears its TransactionEvent Started naming this remoteStartId:
        claimed = registry.remote_starts.claim(
            "CS-1", connector_id=1, id_tag="TAG-1", remote_start_id=request["remoteStartId"]
        )
        assert claimed
        assert len(api.command_state) == 0


async def test_a_start_the_station_refused_is_withdrawn_on_the_station_s_node() -> None:
    async with cluster(redis_url()) as (registry, _node, api):
        await connect(registry, api, "CP-1", Station(V16, lambda _a, _p: {"status": "Rejected"}))

        result = await remote_start(
            Charger(link_over(api, registry), "CP-1"),
            1,
            "TAG-1",
            id_tags=Tags(),  # type: ignore[arg-type]
            transactions=None,  # type: ignore[arg-type]
        )

        assert result["status"] == "rejected"
        await until(lambda: len(registry.remote_starts) == 0)
        assert not registry.remote_starts.claim("CP-1", connector_id=1, id_tag="TAG-1")
