"""Redis frozen (``SIGSTOP``) past the presence TTL under a running cluster, no process
restarted: two CSMS nodes holding stations, an API node, and two workers running gateway
chargers whose stations are those the nodes hold, on a ``redis-server`` of the test's own and
the test's own PostgreSQL database.

While Redis is stopped its clients' connections stay open and unanswered, and every key with
a TTL is past it when Redis runs again: each node's ``alive`` key, each station's presence,
so every node looks gone to the first one that asks. Within 5 s of ``SIGCONT`` every command
works again: a gateway command to each worker's chargers, an ``/api/v1`` command to the
stations of each CSMS node, and ``HLEN {prefix}bus:holders`` counts every charger again; no
station was marked offline on the way (every node was alive all along).

The processes run with ``--presence-ttl`` of a few seconds, so that the pause is past it
without waiting out the default 15 s.
"""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from chargeyard.protocol import V16
from chargeyard.store import Store
from chargeyard.store.models import DesiredState
from tests.api.gateway_lab import SECRET, bearer, token
from tests.bus.own_redis import OwnRedis
from tests.cluster import (
    alive,
    api_key,
    chargers_accepted,
    running,
    shared_out,
)
from tests.polling import eventually
from tests.processes import ApiProcess, CsmsProcess, WorkerProcess
from tests.stack_lab import TEMPLATE

pytestmark = pytest.mark.slow

ORG = "org-paused-redis"
PRESENCE_TTL_S = 4
PAUSED_S = PRESENCE_TTL_S + 2.0
"""Past the TTL counted from the last renewal before the pause, which is at most a third of
the TTL earlier."""
BACK_WITHIN_S = 5.0


async def _chargers(database_url: str, nodes: list[CsmsProcess], per_node: int) -> list[str]:
    """``per_node`` gateway chargers of ``ORG`` that want to run, dialling each CSMS node."""
    async with await Store.open(database_url) as store:
        ids = []
        for n, node in enumerate(nodes):
            for m in range(per_node):
                charger = await store.chargers.create(
                    ORG,
                    identity=f"PAUSE-{uuid.uuid4().hex[:6]}-{n}{m}",
                    ocpp_version=V16,
                    csms_url=node.ocpp_url("").rstrip("/"),
                    template=TEMPLATE,
                )
                await store.chargers.set_desired_state(ORG, charger.id, DesiredState.RUNNING)
                ids.append(charger.id)
        return ids


async def _identities(database_url: str, charger_ids: list[str]) -> list[str]:
    async with await Store.open(database_url) as store:
        chargers = [await store.chargers.get(ORG, charger_id) for charger_id in charger_ids]
    return [charger.identity for charger in chargers if charger is not None]


async def _heartbeat_went(gateway: httpx.AsyncClient, api: ApiProcess, charger_id: str) -> bool:
    """A gateway command that goes through the charger's worker to its station and on to the
    central system (proxy-message Heartbeat), and whether it succeeded."""
    sent = await gateway.post(
        f"{api.base_url}/ocpp/commands/proxy-message",
        json={
            "target": {"charger_id": charger_id},
            "event": {"action": "Heartbeat", "ocpp_version": "1.6", "payload": {}},
        },
    )
    assert sent.status_code == 202, sent.text
    if sent.json()["queued_count"] != 1:  # ("charger is not running": not held yet)
        return False
    command_id = sent.json()["results"][0]["command"]["id"]
    response = await gateway.get(f"{api.base_url}/ocpp/commands/{command_id}")
    while response.json()["status"] not in ("applied", "deferred", "rejected", "failed", "expired"):
        await asyncio.sleep(0.05)
        response = await gateway.get(f"{api.base_url}/ocpp/commands/{command_id}")
    return bool(response.json()["status"] == "applied")


async def _cache_cleared(central: httpx.AsyncClient, api: ApiProcess, identity: str) -> bool:
    response = await central.post(f"{api.api_url}/chargers/{identity}/cache/clear")
    return response.status_code == 200 and response.json()["status"] == "accepted"


async def _holders(redis: Redis) -> int:
    return int(await redis.hlen("chargeyard:bus:holders"))


class _Works:
    """The condition polled: every charger held on the bus, and commanded through the gateway
    and through /api/v1. For a failure's message: what it was doing, and what last did not
    work."""

    def __init__(
        self,
        gateway: httpx.AsyncClient,
        central: httpx.AsyncClient,
        api: ApiProcess,
        redis: Redis,
        charger_ids: list[str],
        identities: list[str],
    ) -> None:
        self._gateway, self._central, self._api, self._redis = gateway, central, api, redis
        self._charger_ids, self._identities = charger_ids, identities
        self.doing = "nothing yet"
        self.failed = "nothing"

    async def __call__(self) -> bool:
        works = await self._ask()
        self.doing = "nothing: between two tries"  # (a timeout inside _ask leaves its step)
        return works

    async def _ask(self) -> bool:
        self.doing = "counting the chargers held on the bus"
        holders = await _holders(self._redis)
        if holders != len(self._charger_ids):
            self.failed = f"{holders} of {len(self._charger_ids)} chargers held on the bus"
            return False
        for charger_id in self._charger_ids:
            self.doing = f"a gateway command to charger {charger_id}"
            if not await _heartbeat_went(self._gateway, self._api, charger_id):
                self.failed = f"a gateway command to charger {charger_id} did not apply"
                return False
        for identity in self._identities:
            self.doing = f"an /api/v1 command to station {identity}"
            if not await _cache_cleared(self._central, self._api, identity):
                self.failed = f"an /api/v1 command to station {identity} was not accepted"
                return False
        return True


async def test_redis_paused_past_the_presence_ttl_every_command_works_within_5_s_of_its_return(
    tmp_path: Path, cluster_database: str
) -> None:
    server = OwnRedis(tmp_path / "redis")
    (tmp_path / "redis").mkdir()
    await server.start()
    redis: Redis = Redis.from_url(server.url)
    try:
        async with await Store.open(cluster_database) as store:
            await store.organizations.create("Paused Redis", organization_id=ORG)
        key = await api_key(cluster_database, ORG)
        run = uuid.uuid4().hex[:8]
        cluster = ("--database-url", cluster_database, "--redis-url", server.url)
        ttl = ("--presence-ttl", str(PRESENCE_TTL_S))
        nodes = [
            CsmsProcess(
                tmp_path / name,
                tmp_path / f"{name}.log",
                *cluster,
                *ttl,
                *("--node-name", f"{name}-{run}", "--auto-register"),
                api=False,
            )
            for name in ("csms-a", "csms-b")
        ]
        api = ApiProcess(
            tmp_path / "api", tmp_path / "api.log", *cluster, "--node-name", f"api-{run}"
        )
        api.env = {"CHARGEYARD_API_JWT_SECRET": SECRET}
        workers = [
            WorkerProcess(
                tmp_path / name, tmp_path / f"{name}.log", *cluster, *ttl, "--node-name", name
            )
            for name in (f"worker-a-{run}", f"worker-b-{run}")
        ]
        charger_ids = await _chargers(cluster_database, nodes, per_node=2)
        identities = await _identities(cluster_database, charger_ids)
        processes = (*nodes, api, *workers)
        async with (
            running(*processes),
            httpx.AsyncClient(headers=bearer(token(ORG, ["admin"])), timeout=30) as gateway,
            httpx.AsyncClient(headers={"X-API-Key": key}, timeout=30) as central,
        ):
            await eventually(
                functools.partial(shared_out, cluster_database, charger_ids, len(workers)),
                within=30,
            )
            await eventually(
                functools.partial(chargers_accepted, gateway, api.base_url, charger_ids),
                within=30,
            )
            work = _Works(gateway, central, api, redis, charger_ids, identities)
            await eventually(work, within=20)  # (a charger handed off may be rebooting)

            alive_keys = [key async for key in redis.scan_iter(match="chargeyard:*alive:*")]
            assert len(alive_keys) == len(nodes) + len(workers)
            for ttl_ms in [await redis.pttl(k) for k in alive_keys]:
                assert 0 < ttl_ms <= PRESENCE_TTL_S * 1000  # the processes' --presence-ttl

            logged = {node: len(node.output()) for node in nodes}
            server.pause()
            await asyncio.sleep(PAUSED_S)  # (the scenario: Redis frozen this long)
            server.resume()
            resumed = time.monotonic()

            back = _Works(gateway, central, api, redis, charger_ids, identities)
            try:
                await eventually(back, within=BACK_WITHIN_S, every=0.1)
            except TimeoutError:
                pytest.fail(
                    f"{BACK_WITHIN_S} s after Redis's return: at work on {back.doing};"
                    f" the last that did not work: {back.failed}"
                )
            back_in = time.monotonic() - resumed
            assert back_in <= BACK_WITHIN_S
            assert alive(*processes), "a process ended while Redis was paused"
            for identity in identities:
                station = await central.get(f"{api.api_url}/chargers/{identity}")
                assert station.json()["isOnline"] is True, station.text
            for node in nodes:  # (no node took another for gone: each was there all along)
                since = node.output()[logged[node] :]
                assert "marked offline" not in since, since
                assert "went away" not in since, since
    finally:
        await redis.aclose()
        await server.stop()
