"""Two ``chargeyard csms`` processes as one central system, on the machine's PostgreSQL and
Redis: a station connected to either node is commanded through either node's API, and the
answer is the station's own, and stays online when the other node restarts, or when a node
started with a wrong Redis URL exits; a node killed has its stations marked offline by the
other once its presence expires; a station connected nowhere is 503 from every node; each
node's live stream shows the other's events, and a webhook delivery is posted by one node
only.

Each node says in Redis which stations it holds and serves the calls to them
(``csms/cluster/redis_stations.py``); both keep their state in one PostgreSQL database,
created for the test and dropped after it.
"""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from pathlib import Path

import httpx
import orjson
import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect

from tests.cluster import api_key, booted_in_stream, booted_station, commanded, csms_nodes
from tests.csms.webhook_receiver import receiving
from tests.polling import eventually, until
from tests.ports import free_port
from tests.processes import ApiProcess, CsmsProcess

pytestmark = pytest.mark.slow


async def test_either_node_s_api_commands_a_station_on_either_node(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    key = await api_key(cluster_database)
    run = uuid.uuid4().hex[:8]
    on_a, on_b = f"CL-A-{run}", f"CL-B-{run}"
    async with (
        csms_nodes(tmp_path, cluster_database, cluster_redis) as (node_a, node_b),
        httpx.AsyncClient(headers={"X-API-Key": key}, timeout=20) as client,
        booted_station(node_a, on_a) as sent_to_a,
        booted_station(node_b, on_b) as sent_to_b,
    ):
        for node in (node_a, node_b):
            for identity in (on_a, on_b):
                response = await commanded(client, node, identity)
                assert response.status_code == 200, (node.api_url, identity, response.text)
                assert response.json()["status"] == "accepted"
        assert sent_to_a == ["ClearCache", "ClearCache"]
        assert sent_to_b == ["ClearCache", "ClearCache"]
        # Each node kept the commands its API sent; either node's history shows all of them
        # (the other node's last entry may still be on its way to the database).
        for node in (node_a, node_b):
            for identity in (on_a, on_b):
                await eventually(functools.partial(_cleared_twice, client, node.api_url, identity))

        never = f"CL-NEVER-{run}"
        for node in (node_a, node_b):
            unknown = await client.post(f"{node.api_url}/chargers/{never}/cache/clear")
            assert unknown.status_code == 404, unknown.text

        # A node that restarts marks no other node's station offline: a station's isOnline
        # follows its own node's presence (csms/cluster/redis_presence.py).
        assert await _online(client, node_a.api_url, on_b)
        await node_a.stop()
        await node_a.start(within=60)
        assert await _online(client, node_a.api_url, on_b)
        assert (await commanded(client, node_a, on_b)).status_code == 200


PRESENCE_TTL_S = 4


async def test_a_node_killed_has_its_stations_marked_offline_once_its_presence_expires(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    key = await api_key(cluster_database)
    run = uuid.uuid4().hex[:8]
    on_a, on_b = f"CL-DEAD-{run}", f"CL-LIVE-{run}"
    ttl = ("--presence-ttl", str(PRESENCE_TTL_S))
    async with (
        csms_nodes(tmp_path, cluster_database, cluster_redis, *ttl) as (node_a, node_b),
        httpx.AsyncClient(headers={"X-API-Key": key}, timeout=20) as client,
        booted_station(node_b, on_b),
    ):
        async with booted_station(node_a, on_a):
            assert await _online(client, node_b.api_url, on_a)
            node_a.kill()
            killed_at = time.monotonic()
            await node_a.wait_killed()

            async def marked_offline() -> bool:
                return not await _online(client, node_b.api_url, on_a)

            # Its presence expires (the TTL after its last renewal, a third of it before the
            # kill at most), and node B's next renewal notices: a TTL and a third. The bound
            # leaves room for node B to be starved of the CPU by a loaded machine (a renewal
            # late past the TTL makes it wait a TTL more before it claims: LAPSE_GRACE_TTLS);
            # what it rules out is a mark that waits for something else, or never comes.
            try:
                await eventually(marked_offline, within=6 * PRESENCE_TTL_S)
            except TimeoutError:
                pytest.fail(f"{on_a} still online; node B logged:\n{_told(node_b)}")
            took = time.monotonic() - killed_at
            assert took <= 3 * PRESENCE_TTL_S + 4, f"{took:.1f} s; node B:\n{_told(node_b)}"
        assert await _online(client, node_b.api_url, on_b)
        assert f"1 stations of CSMS node {_name(node_a)}, gone, marked offline" in node_b.output()

        # A node started with a wrong Redis URL says so and exits, and marks nothing.
        lost = CsmsProcess(
            tmp_path / "lost",
            tmp_path / "lost.log",
            *(
                "--database-url",
                cluster_database,
                "--redis-url",
                f"redis://127.0.0.1:{free_port()}/0",
            ),
            *("--node-name", f"lost-{run}", "--auto-register", *ttl),
        )
        lost.ready = "chargeyard csms: Redis at 127.0.0.1:"
        await lost.start(within=60)
        assert lost.process is not None
        assert await asyncio.wait_for(lost.process.wait(), 30) == 1, lost.output()
        assert await _online(client, node_b.api_url, on_b)
        assert (await commanded(client, node_b, on_b)).status_code == 200


def _told(node: CsmsProcess) -> str:
    """What ``node`` logged, but the HTTP requests the test's polling made."""
    lines = node.output().splitlines()
    return "\n".join(line for line in lines if "HTTP Request" not in line and "GET /" not in line)


def _name(node: CsmsProcess) -> str:
    return node.arguments[node.arguments.index("--node-name") + 1]


async def _cleared_twice(client: httpx.AsyncClient, api_url: str, identity: str) -> bool:
    """Whether ``identity``'s command history through ``api_url`` holds the two ClearCache."""
    history = (await client.get(f"{api_url}/chargers/{identity}/commands")).json()["data"]
    ended = [(entry["action"], entry["outcome"], entry["status"]) for entry in history]
    return ended == [("ClearCache", "answered", "Accepted")] * 2


async def test_a_station_that_disconnects_is_503_through_the_other_node(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    key = await api_key(cluster_database)
    identity = f"CL-GONE-{uuid.uuid4().hex[:8]}"
    async with (
        csms_nodes(tmp_path, cluster_database, cluster_redis) as (node_a, node_b),
        httpx.AsyncClient(headers={"X-API-Key": key}, timeout=20) as client,
    ):
        async with booted_station(node_a, identity):
            connected = await commanded(client, node_b, identity)
            assert connected.status_code == 200, connected.text

        async def refused() -> bool:
            response = await client.post(f"{node_b.api_url}/chargers/{identity}/cache/clear")
            return response.status_code == 503 and response.json() == {
                "detail": f"charger {identity} is not connected"
            }

        await eventually(refused, within=10)


async def _online(client: httpx.AsyncClient, api_url: str, identity: str) -> bool:
    station = (await client.get(f"{api_url}/chargers/{identity}")).json()
    return bool(station["isOnline"])


async def test_every_node_s_stream_sees_every_node_s_events_and_each_webhook_is_posted_once(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    key = await api_key(cluster_database)
    run = uuid.uuid4().hex[:8]
    on_a, on_b = f"CL-EA-{run}", f"CL-EB-{run}"
    async with (
        csms_nodes(tmp_path, cluster_database, cluster_redis) as (node_a, node_b),
        httpx.AsyncClient(headers={"X-API-Key": key}, timeout=20) as client,
        receiving() as receiver,
    ):
        created = await client.post(
            f"{node_a.api_url}/webhooks", json={"url": receiver.url, "events": ["charger.boot"]}
        )
        assert created.status_code == 201, created.text
        stream_url = node_b.api_url.replace("http://", "ws://") + f"/events?apiKey={key}"
        async with connect(stream_url, proxy=None, open_timeout=10) as stream:
            ready = orjson.loads(await asyncio.wait_for(stream.recv(), 10))
            assert ready["event"] == "stream.ready"
            async with booted_station(node_a, on_a), booted_station(node_b, on_b):
                streamed = await _boot_ids_in_stream(stream, {on_a, on_b})
        assert set(streamed) == {on_a, on_b}  # node A's station too, on node B's stream

        # Both nodes' senders read the one table; each boot is posted once.
        await until(lambda: len(receiver.requests) >= 2, within=15)
        await asyncio.sleep(1.0)  # room for a wrong second post by the other node
        posted = sorted(request.json["chargeBoxId"] for request in receiver.requests)
        assert posted == sorted([on_a, on_b])
        # An event has one id in the cluster: the webhook body's is the stream's, on any node.
        assert {r.json["chargeBoxId"]: r.json["id"] for r in receiver.requests} == streamed
        # Made by each node without asking the other (UUIDv7), so never the same twice.
        assert [uuid.UUID(streamed[on]).version for on in (on_a, on_b)] == [7, 7]
        assert streamed[on_a] != streamed[on_b]


async def _boot_ids_in_stream(stream: ClientConnection, identities: set[str]) -> dict[str, str]:
    """The id of each station's ``charger.boot`` on the live stream."""
    ids: dict[str, str] = {}
    async with asyncio.timeout(15):
        while set(ids) != identities:
            event = orjson.loads(await stream.recv())
            if event.get("event") == "charger.boot":
                ids[event["chargeBoxId"]] = event["id"]
    return ids


async def _keys(redis: str, pattern: str) -> list[bytes]:
    client: Redis = Redis.from_url(redis)
    try:
        return [key async for key in client.scan_iter(match=pattern)]
    finally:
        await client.aclose()


async def test_an_api_node_without_a_listener_commands_and_streams_every_node_s_stations(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    key = await api_key(cluster_database)
    run = uuid.uuid4().hex[:8]
    identity = f"CL-API-{run}"
    # A prefix of this cluster's own, as clusters sharing one Redis server keep apart.
    prefix = ("--redis-prefix", f"lab-{run}:")
    api_node = ApiProcess(
        tmp_path / "api",
        tmp_path / "api.log",
        *("--database-url", cluster_database, "--redis-url", cluster_redis, *prefix),
        *("--node-name", f"api-{run}"),
    )
    nodes = csms_nodes(tmp_path, cluster_database, cluster_redis, *prefix)
    async with nodes as (node_a, _node_b):
        try:
            await api_node.start(within=60)
            async with httpx.AsyncClient(headers={"X-API-Key": key}, timeout=20) as client:
                stream_url = api_node.api_url.replace("http://", "ws://") + f"/events?apiKey={key}"
                async with connect(stream_url, proxy=None, open_timeout=10) as stream:
                    assert orjson.loads(await stream.recv())["event"] == "stream.ready"
                    async with booted_station(node_a, identity) as sent:
                        assert await booted_in_stream(stream, {identity}) == {identity}
                        response = await commanded(client, api_node, identity)
                        assert response.status_code == 200, response.text
                        assert sent == ["ClearCache"]
                        held = await _keys(cluster_redis, f"lab-{run}:stations:station:*")
                        assert held == [f"lab-{run}:stations:station:{identity}".encode()]
                missing = await client.get(f"{api_node.api_url}/chargers/CL-NOBODY-{run}")
                assert missing.status_code == 404
        finally:
            await api_node.stop()
