"""The whole cluster at once, as ``deploy/compose.yaml`` runs it, on the machine's PostgreSQL
and Redis: two ``chargeyard api`` nodes, two ``chargeyard csms`` nodes behind Debian's
``haproxy``, two ``chargeyard worker`` processes.

Chargers are created through API node A; the workers run them and their stations connect
through HAProxy, so both CSMS nodes hold some. API node B then commands them (a gateway command
and an ``/api/v1`` command), every ``/api/v1`` command goes to every station through both API
nodes, and API node A's live stream shows every station's boot, whichever CSMS node holds it.
"""

from __future__ import annotations

import functools
import uuid
from pathlib import Path

import httpx
import orjson
import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import connect

from chargeyard.store import Store
from tests.api.gateway_lab import SECRET, bearer, token
from tests.cluster import (
    Haproxy,
    api_key,
    booted_in_stream,
    chargers_accepted,
    command_succeeded,
    commanded,
    create_charger,
    csms_nodes,
    running,
    shared_out,
)
from tests.polling import eventually
from tests.processes import ApiProcess, CsmsProcess, WorkerProcess

pytestmark = pytest.mark.slow

ORG = "org-whole-cluster"
COUNT = 6  # HAProxy's round robin puts three on each CSMS node


async def _holders(
    redis: str, nodes: list[CsmsProcess], identities: list[str]
) -> dict[str, CsmsProcess]:
    """Which CSMS node says in Redis that it holds each station."""
    client: Redis = Redis.from_url(redis)
    try:
        raws = await client.mget([f"chargeyard:stations:station:{i}" for i in identities])
    finally:
        await client.aclose()
    return {
        identity: node
        for identity, raw in zip(identities, raws, strict=True)
        if raw is not None
        for node in nodes
        if node.node_name_in(raw)
    }


async def test_the_whole_cluster_creates_through_one_api_node_and_commands_through_the_other(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    async with await Store.open(cluster_database) as store:
        await store.organizations.create("Whole cluster", organization_id=ORG)
    key = await api_key(cluster_database, ORG)
    run = uuid.uuid4().hex[:8]
    cluster = ("--database-url", cluster_database, "--redis-url", cluster_redis)
    apis = [
        ApiProcess(tmp_path / name, tmp_path / f"{name}.log", *cluster, "--node-name", name)
        for name in (f"api-a-{run}", f"api-b-{run}")
    ]
    for api in apis:
        api.env = {"CHARGEYARD_API_JWT_SECRET": SECRET}
    workers = [
        WorkerProcess(tmp_path / name, tmp_path / f"{name}.log", *cluster, "--node-name", name)
        for name in (f"worker-a-{run}", f"worker-b-{run}")
    ]
    api_a, api_b = apis
    identities = [f"WH-{run}-{n}" for n in range(COUNT)]
    gateway_headers = bearer(token(ORG, ["admin"]))
    async with (
        csms_nodes(
            tmp_path, cluster_database, cluster_redis, "--accept-unknown-tags", api=False
        ) as nodes,
        Haproxy(tmp_path, nodes) as proxy,
        running(*apis, *workers),
        httpx.AsyncClient(headers=gateway_headers, timeout=20) as gateway,
        httpx.AsyncClient(headers={"X-API-Key": key}, timeout=20) as central,
        connect(
            f"{api_a.api_url.replace('http://', 'ws://')}/events?apiKey={key}",
            proxy=None,
            open_timeout=10,
        ) as stream,
    ):
        assert orjson.loads(await stream.recv())["event"] == "stream.ready"

        # Created through API node A; a worker runs each; HAProxy spreads their connections.
        charger_ids = [
            await create_charger(gateway, api_a.base_url, identity, proxy.url("").rstrip("/"))
            for identity in identities
        ]

        # API node A's stream shows every boot, from stations on both CSMS nodes.
        assert await booted_in_stream(stream, set(identities)) == set(identities)
        # Every station held by a node: a worker handing chargers off power-cycles them, so one
        # may be between its connections just after its boot was seen.
        holders: dict[str, CsmsProcess] = {}

        async def all_held() -> bool:
            holders.clear()
            holders.update(await _holders(cluster_redis, nodes, identities))
            return set(holders) == set(identities)

        await eventually(all_held, within=15)
        assert set(holders.values()) == set(nodes), "HAProxy put every station on one node"

        # The chargers settle on the two workers (one may take them all before the other
        # joins, then hands half off), and API node B sees them running (its answer comes
        # from their workers over Redis) ...
        settled = functools.partial(shared_out, cluster_database, charger_ids, len(workers))
        await eventually(settled, within=30)
        every_charger_accepted = functools.partial(
            chargers_accepted, gateway, api_b.base_url, charger_ids
        )
        await eventually(every_charger_accepted, within=30)

        # ... and commands them: a cable plugged in at each, through their workers.
        for charger_id in charger_ids:
            sent = await gateway.post(
                f"{api_b.base_url}/ocpp/commands/plug-connector",
                json={"target": {"charger_id": charger_id}, "event": {}},
            )
            assert sent.status_code == 202, sent.text
            assert sent.json()["queued_count"] == 1, sent.text
            command_id = sent.json()["results"][0]["command"]["id"]
            await eventually(
                functools.partial(command_succeeded, gateway, api_a.base_url, command_id),
                within=20,
            )

        # Every station, on either CSMS node, answers /api/v1 through either API node.
        for identity in identities:
            for api in apis:
                response = await commanded(central, api, identity)
                assert response.status_code == 200, (identity, api.arguments, response.text)
                assert response.json()["status"] == "accepted", response.text

        # The plugs were reported to the central system: every connector Preparing, which
        # API node B reads from the one database.
        async def every_connector_preparing() -> bool:
            for identity in identities:
                response = await central.get(f"{api_b.api_url}/chargers/{identity}")
                assert response.status_code == 200, response.text
                connectors = response.json()["connectors"]
                if not any(c["status"] == "Preparing" for c in connectors):
                    return False
            return True

        await eventually(every_connector_preparing, within=20)
