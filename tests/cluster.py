"""Helpers of the tests that run chargeyard as a cluster of processes on the machine's
PostgreSQL and Redis: a database of the test's own, an API key in it, CSMS nodes, a station
that answers every CALL, a command sent until a node holds the station, the live stream,
gateway chargers and how they are shared out among the workers."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import shutil
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from chargeyard.store import Store, create_engine
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID
from chargeyard.store.models.workers import ChargerLease
from tests.ports import free_port
from tests.processes import CsmsProcess


@contextlib.asynccontextmanager
async def running(*processes: CsmsProcess) -> AsyncIterator[None]:
    """The processes started together, and stopped together at the end."""
    try:
        await asyncio.gather(*(process.start(within=60) for process in processes))
        yield
    finally:
        await asyncio.gather(*(process.stop() for process in processes))


def alive(*processes: CsmsProcess) -> bool:
    """Whether every one of them still runs (none ended, none was restarted by the test)."""
    return all(p.process is not None and p.process.returncode is None for p in processes)


async def api_key(database_url: str, organization: str | None = None) -> str:
    """An admin key for /api/v1, of ``organization`` (the default organization without one),
    made as ``chargeyard apikey create`` makes it, in this process: a key sees its
    organization's stations only, and a simulator gateway's chargers register into their own
    organization. The database is migrated first, so the nodes find it ready.
    (``tests/test_cli.py`` and ``tests/test_deploy.py`` run the command itself.)"""
    org = organization or DEFAULT_ORGANIZATION_ID
    async with await Store.open(database_url) as store:
        await store.organizations.ensure(org)
        _, plaintext = await store.api_keys.create("cluster", organization_id=org)
    return plaintext


@contextlib.asynccontextmanager
async def csms_nodes(
    tmp_path: Path, database_url: str, redis: str, *arguments: str, api: bool = True
) -> AsyncIterator[list[CsmsProcess]]:
    """Two ``chargeyard csms`` nodes (``a`` and ``b``) on ``database_url`` and ``redis`` (the
    test's own, ``cluster_redis``), letting any station in; ``arguments`` go to both.
    ``api=False``: without their REST API, behind API nodes."""
    run = uuid.uuid4().hex[:8]
    nodes = [
        CsmsProcess(
            tmp_path / name,
            tmp_path / f"{name}.log",
            *("--database-url", database_url, "--redis-url", redis),
            *("--node-name", f"{name}-{run}", "--auto-register", *arguments),
            api=api,
        )
        for name in ("a", "b")
    ]
    try:
        await asyncio.gather(*(node.start(within=60) for node in nodes))
        yield nodes
    finally:
        for node in nodes:
            await node.stop()


@contextlib.asynccontextmanager
async def booted_station(
    node: CsmsProcess, identity: str, *, answering: bool = True
) -> AsyncIterator[list[str]]:
    """A 1.6 station booted on ``node`` that answers every CALL Accepted, or with
    ``answering=False`` none (each stays in flight at its node); yields the actions it was
    sent."""
    received: list[str] = []
    async with connect(
        node.ocpp_url(identity),
        subprotocols=[Subprotocol("ocpp1.6")],
        proxy=None,
        open_timeout=10,
        close_timeout=1 if answering else 0.5,  # (a silent station's node may be dead)
    ) as websocket:
        boot = {"chargePointVendor": "Cluster", "chargePointModel": "Two-Nodes"}
        await websocket.send(orjson.dumps([2, "boot", "BootNotification", boot]).decode())
        async with asyncio.timeout(10):
            # A station that booted before (on another node) may be sent a command as soon as
            # it connects, before this boot is answered: heard like any other.
            while (frame := orjson.loads(await websocket.recv()))[0] == 2:
                await _heard(websocket, frame, received, answering)
        assert frame[:2] == [3, "boot"], frame
        assert frame[2]["status"] == "Accepted", frame
        hearing = asyncio.create_task(_hear_calls(websocket, received, answering))
        try:
            yield received
        finally:
            hearing.cancel()


async def _hear_calls(websocket: ClientConnection, received: list[str], answering: bool) -> None:
    with contextlib.suppress(ConnectionClosed):  # (a test may kill its node under it)
        async for text in websocket:
            frame: list[Any] = orjson.loads(text)
            if frame[0] == 2:
                await _heard(websocket, frame, received, answering)


async def _heard(
    websocket: ClientConnection, call: list[Any], received: list[str], answering: bool
) -> None:
    received.append(call[2])
    if answering:
        await websocket.send(orjson.dumps([3, call[1], {"status": "Accepted"}]).decode())


async def commanded(client: httpx.AsyncClient, node: CsmsProcess, identity: str) -> httpx.Response:
    """ClearCache to ``identity`` through ``node``'s API. Asked once: a station's boot is
    answered only after its node wrote where every node reads that it holds the station
    (``Registry.announcers``), so a booted station is never 503."""
    return await client.post(f"{node.api_url}/chargers/{identity}/cache/clear")


async def create_charger(
    client: httpx.AsyncClient, base_url: str, identity: str, ws_url: str, **fields: Any
) -> str:
    """A durable simulated 1.6 charger created through the gateway API at ``base_url`` (a worker
    runs it, connecting to ``ws_url``), with ``fields`` of the creation's body; its id."""
    created = await client.post(
        f"{base_url}/ocpp/chargers",
        json={
            "identity": identity,
            "brand_slug": "alfen",
            "model_slug": "eve-single-pro-line",
            "connector_type": "Type2",
            "ws_url": ws_url,
            "ocpp_version": "ocpp1.6",
            **fields,
        },
    )
    assert created.status_code == 202, created.text
    charger_id: str = created.json()["charger_id"]
    return charger_id


async def chargers_accepted(client: httpx.AsyncClient, base_url: str, ids: list[str]) -> bool:
    """Whether each charger's worker says, over Redis, that its station is Accepted (asked
    through the API node at ``base_url``)."""
    for charger_id in ids:
        response = await client.get(f"{base_url}/ocpp/chargers/{charger_id}")
        assert response.status_code == 200, response.text
        runtime = response.json()["runtime"]
        if runtime is None or runtime["registration"] != "Accepted":
            return False
    return True


async def leases(database_url: str, charger_ids: list[str]) -> dict[str, str]:
    """The worker holding each of the chargers' leases (those leased)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(ChargerLease.charger_id, ChargerLease.worker).where(
                    ChargerLease.charger_id.in_(charger_ids)
                )
            )
            return {charger: worker for charger, worker in rows}
    finally:
        await engine.dispose()


async def shared_out(database_url: str, charger_ids: list[str], workers: int) -> bool:
    """Whether the chargers are settled on the workers: each leased, and no worker above its
    share (a worker that took more while it was alone hands the rest off, a power cycle on
    the way: ``gateway/leases.py``)."""
    holders = await leases(database_url, charger_ids)
    per_worker = Counter(holders.values())
    share = math.ceil(len(charger_ids) / workers)
    return (
        len(holders) == len(charger_ids)
        and len(per_worker) == workers
        and max(per_worker.values()) <= share
    )


async def command_succeeded(client: httpx.AsyncClient, base_url: str, command_id: str) -> bool:
    """Whether the gateway command succeeded (asked through the API node at ``base_url``);
    one that failed fails the test."""
    response = await client.get(f"{base_url}/ocpp/commands/{command_id}")
    assert response.status_code == 200, response.text
    outcome: dict[str, Any] = response.json()
    assert outcome["status"] not in ("rejected", "failed", "expired"), outcome
    return bool(outcome["status"] == "applied")


async def booted_in_stream(stream: ClientConnection, identities: set[str]) -> set[str]:
    seen: set[str] = set()
    async with asyncio.timeout(15):
        while seen != identities:
            event = orjson.loads(await stream.recv())
            if event.get("event") == "charger.boot":
                seen.add(event["chargeBoxId"])
    return seen


class Haproxy:
    """Debian's ``haproxy`` on a free 127.0.0.1 port, in front of CSMS nodes' OCPP listeners
    (TCP, round robin; a node that stops answering is out within a fraction of a second). The
    test's own config, in ``directory``; CI installs the package (``.ci/run``)."""

    def __init__(self, directory: Path, nodes: list[CsmsProcess]) -> None:
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(binary).exists():
            if os.environ.get("CHARGEYARD_TEST_HAPROXY") == "required":
                raise AssertionError("haproxy is not installed (CI installs it: .ci/run)")
            pytest.skip("needs haproxy: apt-get install haproxy")
        self.binary = binary
        self.port = free_port()
        self.config = directory / "haproxy.cfg"
        servers = "\n".join(
            f"    server node{n} 127.0.0.1:{node.ocpp_port} check inter 100 fall 1 rise 2"
            for n, node in enumerate(nodes)
        )
        self.config.write_text(
            "defaults\n"
            "    mode tcp\n"
            "    timeout connect 1s\n"
            "    timeout client 1h\n"
            "    timeout server 1h\n"
            "frontend ocpp\n"
            f"    bind 127.0.0.1:{self.port}\n"
            "    default_backend csms\n"
            "backend csms\n"
            "    balance roundrobin\n"
            f"{servers}\n"
        )
        self._process: asyncio.subprocess.Process | None = None

    def url(self, identity: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp/{identity}"

    async def __aenter__(self) -> Haproxy:
        self._process = await asyncio.create_subprocess_exec(
            self.binary, "-db", "-f", str(self.config), stdout=asyncio.subprocess.DEVNULL
        )
        async with asyncio.timeout(10):
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                except OSError:
                    await asyncio.sleep(0.02)
                    continue
                writer.close()
                return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            await self._process.wait()
