"""Commands in flight when a node of the cluster goes, as processes on the test's own
PostgreSQL database and Redis: a CSMS node killed with ``kill -9`` while it holds a call, and
with a call queued for it, and an API node stopped (SIGTERM) while its calls wait on a dead
node.

What is asserted is the user's view: every command is answered well before its 30 s timeout
(a call its node never took goes to the node the station reconnected to; one the dead node
took is 503 "went away; retry"), commands work again within 15 s of the kill, and a stopping
API node exits within 3 s, answering what it had in flight.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from tests.cluster import api_key, booted_station, commanded, csms_nodes
from tests.polling import eventually, until
from tests.processes import ApiProcess, CsmsProcess

pytestmark = pytest.mark.slow


def _name(node: CsmsProcess) -> str:
    return node.arguments[node.arguments.index("--node-name") + 1]


async def _one_queued(redis: str, node: CsmsProcess) -> bool:
    """Whether one call waits in ``node``'s calls list (the cluster's default prefix)."""
    client: Redis = Redis.from_url(redis)
    try:
        return bool(await client.llen(f"chargeyard:stations:calls:{_name(node)}") == 1)
    finally:
        await client.aclose()


async def test_after_a_node_s_kill_9_its_calls_are_answered_and_its_station_commanded_within_15_s(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    identity = f"CL-KILL-{uuid.uuid4().hex[:8]}"
    making_key = asyncio.create_task(api_key(cluster_database))  # (while the nodes start)
    async with (
        csms_nodes(tmp_path, cluster_database, cluster_redis) as (node_a, node_b),
        httpx.AsyncClient(headers={"X-API-Key": await making_key}, timeout=40) as client,
    ):
        async with booted_station(node_a, identity, answering=False) as heard:
            taken = asyncio.create_task(commanded(client, node_b, identity))
            await until(lambda: heard == ["ClearCache"], within=10)

            node_a.kill()
            killed_at = time.monotonic()
            await node_a.wait_killed()
            # Its presence lives on for a while: a command now waits in its list.
            queued = asyncio.create_task(commanded(client, node_b, identity))
            await eventually(lambda: _one_queued(cluster_redis, node_a))

        # The station reconnects, to node B (as a balancer sends it once A is gone).
        async with booted_station(node_b, identity) as sent:
            moved = await queued
            went_away = await taken
            again = await commanded(client, node_b, identity)
            answered_in = time.monotonic() - killed_at

        assert moved.status_code == 200, moved.text
        assert went_away.status_code == 503, went_away.text
        assert went_away.json() == {
            "detail": f"the node holding charger {identity} went away; retry"
            " (the command may have reached the charger)"
        }
        assert went_away.headers["Retry-After"] == "2"
        assert again.status_code == 200, again.text
        assert sent == ["ClearCache", "ClearCache"]  # the moved one, then the new one
        assert answered_in < 15


async def test_an_api_node_stopped_with_calls_waiting_on_a_dead_node_exits_within_3_s(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    run = uuid.uuid4().hex[:8]
    identity = f"CL-STOP-{run}"
    node = CsmsProcess(
        tmp_path / "csms",
        tmp_path / "csms.log",
        *("--database-url", cluster_database, "--redis-url", cluster_redis),
        *("--node-name", f"csms-{run}", "--auto-register"),
        api=False,
    )
    api_node = ApiProcess(
        tmp_path / "api",
        tmp_path / "api.log",
        *("--database-url", cluster_database, "--redis-url", cluster_redis),
        *("--node-name", f"api-{run}"),
    )
    try:
        key, _, _ = await asyncio.gather(
            api_key(cluster_database), node.start(within=60), api_node.start(within=60)
        )
        async with (
            httpx.AsyncClient(headers={"X-API-Key": key}, timeout=40) as client,
            booted_station(node, identity, answering=False) as heard,
        ):
            taken = asyncio.create_task(commanded(client, api_node, identity))
            await until(lambda: heard == ["ClearCache"], within=10)
            node.kill()
            await node.wait_killed()
            queued = asyncio.create_task(commanded(client, api_node, identity))
            await eventually(lambda: _one_queued(cluster_redis, node))

            started = time.monotonic()
            status = await api_node.stop()
            stopped_in = time.monotonic() - started
            answers = [await taken, await queued]

        assert status == 0, api_node.output()
        assert stopped_in < 3
        for answer in answers:
            assert answer.status_code == 503, answer.text
            assert answer.json()["detail"].startswith(
                f"this node is stopping before charger {identity} answered; retry ("
            )
    finally:
        await api_node.stop()
        await node.stop()
