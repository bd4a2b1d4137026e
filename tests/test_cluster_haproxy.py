"""A CSMS node killed under its stations: behind HAProxy, they reconnect to the other node and
what they queued meanwhile reaches the central system in order, none of it twice.

Two ``chargeyard csms`` nodes on the machine's PostgreSQL and Redis, Debian's ``haproxy`` in
front of them with a config the test writes, and a simulated OCPP 1.6 station of chargeyard's
own (``fleet/runtime.py``) connected through it. The node holding the station is killed with
SIGKILL in the middle of a charging session; the station stops the session while it has no
connection, reconnects through HAProxy to the surviving node, and sends what it queued there.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import V16
from chargeyard.station.model.states import Registration
from tests.cluster import Haproxy, api_key, csms_nodes
from tests.polling import eventually, polled, until
from tests.processes import CsmsProcess
from tests.stack_lab import FAST, TEMPLATE
from tests.station.wall_clock import wall_clock_station

pytestmark = pytest.mark.slow

TAG = "TAG-HAPROXY"


async def _holder(redis: str, nodes: list[CsmsProcess], identity: str) -> CsmsProcess | None:
    """The node that says in Redis it holds ``identity``; None while none says so."""
    client: Redis = Redis.from_url(redis)
    try:
        raw = await client.get(f"chargeyard:stations:station:{identity}")
    finally:
        await client.aclose()
    if raw is None:
        return None
    [holder] = [node for node in nodes if node.node_name_in(raw)]
    return holder


async def _held_by(redis: str, nodes: list[CsmsProcess], identity: str, node: CsmsProcess) -> bool:
    return await _holder(redis, nodes, identity) is node


async def test_a_killed_node_s_station_reconnects_through_haproxy_and_loses_nothing(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    key = await api_key(cluster_database)
    identity = f"HA-{uuid.uuid4().hex[:8]}"
    async with (
        csms_nodes(tmp_path, cluster_database, cluster_redis, "--accept-unknown-tags") as nodes,
        Haproxy(tmp_path, nodes) as proxy,
        httpx.AsyncClient(headers={"X-API-Key": key}, timeout=20) as client,
    ):
        station = wall_clock_station(identity, TEMPLATE, V16)
        runtime = StationRuntime(station, proxy.url(identity), reconnect=FAST)
        runtime.start()
        try:
            await until(lambda: station.registration is Registration.ACCEPTED, within=20)
            # The node records its hold in Redis before it answers the boot.
            holder = await _holder(cluster_redis, nodes, identity)
            assert holder is not None
            survivor = next(node for node in nodes if node is not holder)

            station.plug(1, 1)
            station.present_id_token(TAG, 1)
            started = await _transactions(client, survivor, identity, lambda rows: len(rows) == 1)
            assert started[0]["status"] == "active"

            holder.kill()
            await holder.wait_killed()
            station.stop_transaction(1, "Local")  # queued: its connection is gone
            register_at_stop = station.model.evses[1].meter.energy_register_wh

            # Through HAProxy, to the survivor, which says so in Redis.
            await eventually(lambda: _held_by(cluster_redis, nodes, identity, survivor), within=20)
            [stopped] = await _transactions(
                client, survivor, identity, lambda rows: rows[0]["status"] == "completed"
            )
            stops = await polled(
                lambda: _get(
                    client,
                    f"{survivor.api_url}/chargers/{identity}/frames?action=StopTransaction",
                ),
                lambda body: body["count"] >= 2,  # the CALL and its answer, once written
                within=10,
            )
        finally:
            await runtime.stop()

    assert stopped["transactionId"] == started[0]["transactionId"]
    assert stopped["meterStop"] == pytest.approx(register_at_stop, abs=1.0)
    assert stopped["stopReason"] == "Local"
    calls = [frame for frame in stops["frames"] if frame["direction"] == "incoming"]
    assert len(calls) == 1  # queued once, delivered once


async def _transactions(
    client: httpx.AsyncClient, node: CsmsProcess, identity: str, until_: Any
) -> list[dict[str, Any]]:
    page = await polled(
        lambda: _get(client, f"{node.api_url}/transactions?chargeBoxId={identity}"),
        lambda body: until_(body["data"]) if body["data"] else False,
        within=20,
    )
    rows: list[dict[str, Any]] = page["data"]
    return rows


async def _get(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
