"""The cluster rides out its servers going away, without any of its processes restarting.

* **Redis gone for a while.** A CSMS node, an API node and a worker on a ``redis-server`` of
  the test's own (never the machine's shared one), which the test stops and starts again
  empty. While it is away, an ``/api/v1`` command and a gateway command each answer 503 saying
  that Redis cannot be reached and that nothing was sent; within 5 s of its return both work
  again (the worker holds its charger again, the node writes its station's presence again),
  and the station was never marked offline.
* **PostgreSQL gone for a while.** A CSMS node reaches the machine's PostgreSQL through a TCP
  proxy of the test's own, which the test cuts and restores (the server itself never stops).
  What a station reports meanwhile is answered late, once it is stored, and nothing is lost.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from redis.asyncio import Redis
from sqlalchemy import make_url
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from chargeyard.store import Store
from tests.api.gateway_lab import SECRET, bearer, token
from tests.bus.own_redis import OwnRedis
from tests.cluster import alive, api_key, chargers_accepted, create_charger, running
from tests.polling import eventually, polled
from tests.processes import ApiProcess, CsmsProcess, WorkerProcess
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow

ORG = "org-outages"


async def test_while_redis_is_gone_commands_are_503_and_work_within_5_s_of_its_empty_return(
    tmp_path: Path, cluster_database: str
) -> None:
    redis = OwnRedis(tmp_path / "redis")
    (tmp_path / "redis").mkdir()
    await redis.start()
    try:
        async with await Store.open(cluster_database) as store:
            await store.organizations.create("Outages", organization_id=ORG)
        key = await api_key(cluster_database, ORG)
        run = uuid.uuid4().hex[:8]
        cluster = ("--database-url", cluster_database, "--redis-url", redis.url)
        node = CsmsProcess(
            tmp_path / "csms",
            tmp_path / "csms.log",
            *cluster,
            *("--node-name", f"csms-{run}", "--auto-register"),
            api=False,
        )
        api = ApiProcess(
            tmp_path / "api", tmp_path / "api.log", *cluster, "--node-name", f"api-{run}"
        )
        api.env = {"CHARGEYARD_API_JWT_SECRET": SECRET}
        worker = WorkerProcess(
            tmp_path / "worker", tmp_path / "worker.log", *cluster, "--node-name", f"wk-{run}"
        )
        identity = f"OUT-{run}"
        async with (
            running(node, api, worker),
            httpx.AsyncClient(headers=bearer(token(ORG, ["admin"])), timeout=20) as gateway,
            httpx.AsyncClient(headers={"X-API-Key": key}, timeout=20) as central,
        ):
            ws_url = node.ocpp_url("").rstrip("/")
            charger_id = await create_charger(gateway, api.base_url, identity, ws_url)
            await eventually(
                lambda: chargers_accepted(gateway, api.base_url, [charger_id]), within=30
            )

            async def clear_cache() -> httpx.Response:
                return await central.post(f"{api.api_url}/chargers/{identity}/cache/clear")

            async def plug() -> httpx.Response:
                return await gateway.post(
                    f"{api.base_url}/ocpp/commands/plug-connector",
                    json={"target": {"charger_id": charger_id}, "event": {}},
                )

            assert (await clear_cache()).status_code == 200

            await redis.stop()
            for ask, who in (
                (clear_cache, "the central system cannot reach its stations' nodes"),
                (plug, "the simulator gateway cannot reach its fleet hosts"),
            ):
                refused = await ask()
                assert refused.status_code == 503, refused.text
                detail = refused.json()["detail"]
                assert detail.startswith(
                    f"{who}: Redis at 127.0.0.1:{redis.port} cannot be reached"
                ), detail
                assert detail.endswith("nothing was sent, try again"), detail
            for _ in range(3):  # (a user looking at the charger while Redis is away)
                shown = await gateway.get(f"{api.base_url}/ocpp/chargers/{charger_id}")
                assert shown.status_code == 200, shown.text
                assert shown.json()["runtime"] is None, shown.text

            await redis.start(empty=True)  # (a server that kept nothing: no holder, no key)
            async with asyncio.timeout(5):
                back = await polled(clear_cache, lambda r: r.status_code == 200, within=5)
                assert back.json()["status"] == "accepted"
                # The worker holds its charger again: the command goes to it, not to the
                # placement node (with two workers, the other's would answer "not running").
                client: Redis = Redis.from_url(redis.url)
                try:
                    await eventually(lambda: _holders(client, 1), within=5)
                finally:
                    await client.aclose()
                sent = await polled(plug, lambda r: r.status_code == 202, within=5)
            command_id = sent.json()["results"][0]["command"]["id"]

            async def plugged() -> bool:
                response = await gateway.get(f"{api.base_url}/ocpp/commands/{command_id}")
                outcome: dict[str, Any] = response.json()
                assert outcome["status"] not in ("rejected", "failed", "expired"), outcome
                return bool(outcome["status"] == "applied")

            await eventually(plugged, within=20)
            station = await central.get(f"{api.api_url}/chargers/{identity}")
            assert station.json()["isOnline"] is True
            assert alive(node, api, worker), "a process ended while Redis was away"
            # Each process said once that Redis was lost and once that it is back, and the
            # API node logged nothing for each look at the charger meanwhile.
            at = f"127.0.0.1:{redis.port}"
            for process in (node, api, worker):
                log = process.output()
                assert log.count(f"lost the Redis connection to {at}") == 1, log
                assert log.count(f"the Redis connection to {at} is back") == 1, log
            warnings = [line for line in api.output().splitlines() if " WARNING " in line]
            assert len(warnings) == 1, warnings
    finally:
        await redis.stop()


async def _holders(client: Redis, count: int) -> bool:
    return bool(await client.hlen("chargeyard:bus:holders") == count)


async def _answers(
    websocket: ClientConnection, calls: dict[str, tuple[str, Any]]
) -> dict[str, Any]:
    """Send the CALLs (unique id: (action, payload)) at once; their answers, by unique id."""
    for unique, (action, payload) in calls.items():
        await websocket.send(orjson.dumps([2, unique, action, payload]).decode())
    answers: dict[str, Any] = {}
    while len(answers) < len(calls):
        frame = orjson.loads(await websocket.recv())
        if frame[0] in (3, 4) and frame[1] in calls:
            answers[frame[1]] = frame[2] if frame[0] == 3 else frame[2:]
    return answers


async def test_while_postgresql_is_gone_a_station_s_reports_wait_and_none_is_lost(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    target = make_url(cluster_database)
    async with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        through = target.set(host="127.0.0.1", port=proxy.port)
        node = CsmsProcess(
            tmp_path / "csms",
            tmp_path / "csms.log",
            *("--database-url", through.render_as_string(hide_password=False)),
            *("--redis-url", cluster_redis, "--auto-register"),
            api=False,
        )
        identity = f"PG-{uuid.uuid4().hex[:8]}"
        async with (
            running(node),
            connect(
                node.ocpp_url(identity),
                subprotocols=[Subprotocol("ocpp1.6")],
                proxy=None,
                open_timeout=10,
            ) as websocket,
        ):
            boot = {"chargePointVendor": "Outage", "chargePointModel": "PG"}
            booted = await _answers(websocket, {"b": ("BootNotification", boot)})
            assert booted["b"]["status"] == "Accepted"

            proxy.cut_off()
            reports = [
                {"connectorId": 1, "status": "Preparing", "errorCode": "NoError"},
                {"connectorId": 2, "status": "Faulted", "errorCode": "GroundFailure"},
            ]
            answers = asyncio.create_task(
                _answers(
                    websocket,
                    {
                        "s1": ("StatusNotification", reports[0]),
                        "s2": ("StatusNotification", reports[1]),
                    },
                )
            )
            await eventually(lambda: _refused(proxy), within=10)  # the node is retrying
            assert not answers.done()  # (a report is answered once it is stored)
            proxy.restore()
            async with asyncio.timeout(30):
                assert await answers == {"s1": {}, "s2": {}}
            assert alive(node)

        async with await Store.open(cluster_database) as store:
            for report in reports:
                connector = await store.connectors.get(identity, report["connectorId"])
                assert connector is not None
                assert (connector.status, connector.error_code) == (
                    report["status"],
                    report["errorCode"],
                )


async def _refused(proxy: TcpProxy) -> bool:
    return proxy.refused >= 1
