"""The simulator gateway's chargers on two ``chargeyard worker`` processes, with a CSMS node and
an API node, on the machine's PostgreSQL and Redis: the workers share the chargers under
leases, the API node reaches a charger's worker over Redis, and the chargers of a worker killed
with SIGKILL are adopted by the other within 15 s and connect again.

A worker killed while its charger charges: the adopter reports the transaction ended as a real
station does after a power loss (1.6 StopTransaction, reason ``PowerLoss``), at the register
it read from the charger's row, which is at most 10 s of charging (plus one write) short of
what the charger had registered at the kill (docs/configuration.md, ``chargeyard worker``).

The chargers have app drivers (``drivers`` app): an adopted one follows the CSMS node's remote
start, its driver sent by the worker that runs it now."""

from __future__ import annotations

import functools
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from chargeyard.gateway.memory import REGISTER_EVERY_S
from chargeyard.protocol import V16
from chargeyard.store import Store
from chargeyard.store.models import ChargerLease, DesiredState
from tests.api.gateway_lab import SECRET, bearer, token
from tests.cluster import (
    api_key,
    chargers_accepted,
    command_succeeded,
    create_charger,
    leases,
    running,
)
from tests.polling import eventually, polled
from tests.processes import ApiProcess, CsmsProcess, WorkerProcess
from tests.stack_lab import TEMPLATE

pytestmark = pytest.mark.slow

ORG = "org-cluster"
APP_TAG = "APP-1"
COUNT = 4


async def _chargers(database_url: str, csms: CsmsProcess) -> list[str]:
    """``COUNT`` chargers of ``ORG`` with app drivers that want to run, pointed at ``csms``."""
    async with await Store.open(database_url) as store:
        await store.organizations.create("Cluster", organization_id=ORG)
        # The tag the remote start names: the CSMS knows it, so the session it starts goes on.
        await store.id_tags.create(APP_TAG, organization_id=ORG)
        ids = []
        for n in range(COUNT):
            charger = await store.chargers.create(
                ORG,
                identity=f"WK-{n}",
                ocpp_version=V16,
                csms_url=csms.ocpp_url("").rstrip("/"),
                template=TEMPLATE,
                config={"drivers": "app"},
            )
            await store.chargers.set_desired_state(ORG, charger.id, DesiredState.RUNNING)
            ids.append(charger.id)
        return ids


async def _leases(database_url: str) -> dict[str, str]:
    async with await Store.open(database_url) as store, store.engine.connect() as connection:
        rows = await connection.execute(select(ChargerLease.charger_id, ChargerLease.worker))
        return {charger_id: worker for charger_id, worker in rows.all()}


def _name(worker: WorkerProcess) -> str:
    return worker.arguments[worker.arguments.index("--node-name") + 1]


async def _charging_after_remote_start(
    gateway: httpx.AsyncClient,
    api: ApiProcess,
    csms: CsmsProcess,
    key: str,
    charger_id: str,
    identity: str,
) -> None:
    """The CSMS node's ``/api/v1`` remote start of ``identity`` is accepted, and its station
    (asked over Redis through the API node) charges, as the CSMS node records."""
    async with httpx.AsyncClient(headers={"X-API-Key": key}, timeout=20) as csms_api:
        started = await csms_api.post(
            f"{csms.api_url}/chargers/{identity}/remote-start",
            json={"connectorId": 1, "idTag": APP_TAG},
        )
        assert started.status_code == 200, started.text
        assert started.json()["status"] == "accepted"

        async def charging() -> bool:
            charger = await gateway.get(f"{api.base_url}/ocpp/chargers/{charger_id}")
            connectors = charger.json()["runtime"]["connectors"]
            return [c["status"] for c in connectors] == ["Charging"]

        await eventually(charging, within=15)

        async def transactions() -> list[dict[str, Any]]:
            listed = await csms_api.get(
                f"{csms.api_url}/transactions", params={"chargeBoxId": identity}
            )
            found: list[dict[str, Any]] = listed.json()["data"]
            return found

        [transaction] = await polled(transactions, lambda found: found != [], within=10)
        assert (transaction["idTag"], transaction["status"]) == (APP_TAG, "active")


async def test_workers_share_the_chargers_and_a_killed_one_s_are_adopted_within_15_s(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    run = uuid.uuid4().hex[:8]
    cluster = ("--database-url", cluster_database, "--redis-url", cluster_redis)
    csms = CsmsProcess(tmp_path / "csms", tmp_path / "csms.log", *cluster, "--auto-register")
    csms.arguments += ["--node-name", f"csms-{run}"]
    api = ApiProcess(tmp_path / "api", tmp_path / "api.log", *cluster)
    api.env = {"CHARGEYARD_API_JWT_SECRET": SECRET}
    workers = [
        WorkerProcess(
            tmp_path / name,
            tmp_path / f"{name}.log",
            *cluster,
            *("--node-name", name, "--app-plug-delay", "0.1-0.3"),
        )
        for name in (f"wa-{run}", f"wb-{run}")
    ]
    try:
        await csms.start(within=60)
        ids = await _chargers(cluster_database, csms)
        key = await api_key(cluster_database, ORG)
        await api.start(within=60)
        for worker in workers:
            await worker.start(within=60)

        async def shared() -> bool:
            holders = await _leases(cluster_database)
            return (
                len(holders) == COUNT
                and sorted(holders.values()).count(_name(workers[0])) == COUNT // 2
            )

        await eventually(shared, within=20)  # the first took all, and handed the second half

        async with httpx.AsyncClient(headers=bearer(token(ORG, ["admin"])), timeout=20) as client:
            every_charger_active = functools.partial(chargers_accepted, client, api.base_url, ids)
            await eventually(every_charger_active, within=30)

            holders = await _leases(cluster_database)
            moved = sorted(c for c, worker in holders.items() if worker == _name(workers[0]))
            killed = workers[0]
            killed.kill()
            await killed.wait_killed()
            gone = time.monotonic()
            # Asked at once, while the killed worker still counts as alive on the bus: the
            # request waits on its queue and moves on (bus/request_watch.py), rather than
            # waiting out the API's 30 s deadline: to the survivor once that holds the charger,
            # or, when the killed worker's presence runs out first, to the placement node,
            # which answers that it runs no such station yet (``runtime`` null). Within 15 s
            # of the kill, the survivor runs it.

            async def runs_there() -> bool:
                shown = await client.get(f"{api.base_url}/ocpp/chargers/{moved[0]}")
                assert shown.status_code == 200, shown.text
                return shown.json()["runtime"] is not None

            await eventually(runs_there, within=15.0, every=0.2)

            async def adopted() -> bool:
                holders = await _leases(cluster_database)
                return set(holders.values()) == {_name(workers[1])} and len(holders) == COUNT

            await eventually(adopted, within=20)
            assert time.monotonic() - gone <= 15.0
            await eventually(every_charger_active, within=30)

            # An adopted charger's app driver, now the survivor's, follows a remote start.
            shown = await client.get(f"{api.base_url}/ocpp/chargers/{moved[0]}")
            assert shown.json()["drivers"] == "app"
            identity = shown.json()["identity"]
            await _charging_after_remote_start(client, api, csms, key, moved[0], identity)
    finally:
        for process in [*workers, api, csms]:
            await process.stop()


CHARGED_S = 2 * REGISTER_EVERY_S
"""How long the session charges before its worker is killed: past the stated bound, so that an
adopter stopping at the register of the last transaction message (the start) would be seen."""
ONE_WRITE_S = 2.0
"""What one batched write of the registers may add to the bound on this loaded machine."""


async def _meter(client: httpx.AsyncClient, api: ApiProcess, charger_id: str) -> dict[str, Any]:
    """EVSE 1's meter as the charger's worker reads it now, through the API."""
    response = await client.get(f"{api.base_url}/ocpp/chargers/{charger_id}")
    assert response.status_code == 200, response.text
    runtime = response.json()["runtime"]
    assert runtime is not None, response.text
    [evse] = [evse for evse in runtime["evses"] if evse["evse_id"] == 1]
    meter: dict[str, Any] = evse
    return meter


def _wh_per_s(meter: dict[str, Any]) -> float:
    return float(meter["power_w"]) / 3600


async def test_a_worker_killed_mid_session_leaves_its_adopter_the_register_within_the_bound(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    org = "org-killed-mid-session"
    async with await Store.open(cluster_database) as store:
        await store.organizations.create("Killed mid-session", organization_id=org)
    key = await api_key(cluster_database, org)
    run = uuid.uuid4().hex[:8]
    cluster = ("--database-url", cluster_database, "--redis-url", cluster_redis)
    csms = CsmsProcess(
        tmp_path / "csms",
        tmp_path / "csms.log",
        *cluster,
        *("--node-name", f"csms-{run}", "--auto-register", "--accept-unknown-tags"),
    )
    api = ApiProcess(tmp_path / "api", tmp_path / "api.log", *cluster, "--node-name", f"api-{run}")
    api.env = {"CHARGEYARD_API_JWT_SECRET": SECRET}
    workers = {
        name: WorkerProcess(
            tmp_path / name, tmp_path / f"{name}.log", *cluster, "--node-name", name
        )
        for name in (f"wa-{run}", f"wb-{run}")
    }
    identity = f"MID-{run}"
    async with (
        running(csms, api, *workers.values()),
        httpx.AsyncClient(headers=bearer(token(org, ["admin"])), timeout=90) as gateway,
        httpx.AsyncClient(headers={"X-API-Key": key}, timeout=20) as central,
    ):
        charger_id = await create_charger(
            gateway, api.base_url, identity, csms.ocpp_url("").rstrip("/")
        )
        await eventually(
            functools.partial(chargers_accepted, gateway, api.base_url, [charger_id]), within=30
        )
        sent = await gateway.post(
            f"{api.base_url}/ocpp/commands/start-session",
            json={
                "target": {"charger_id": charger_id},
                "event": {
                    "evse_id": 1,
                    "connector_id": 1,
                    "id_tag": "MIDSESSION",
                    "duration_seconds": 3600,
                    "target_energy_kwh": 500,
                },
            },
        )
        assert sent.status_code == 202, sent.text
        assert sent.json()["queued_count"] == 1, sent.text
        command_id = sent.json()["results"][0]["command"]["id"]
        await eventually(
            functools.partial(command_succeeded, gateway, api.base_url, command_id), within=60
        )
        active = (
            await central.get(f"{api.api_url}/transactions?chargeBoxId={identity}&status=active")
        ).json()["data"]
        [transaction] = active
        transaction_id = transaction["transactionId"]

        # It charges for a while, then its worker is killed right after the API read its meter.
        meter = await polled(
            lambda: _meter(gateway, api, charger_id),
            lambda meter: (
                meter["power_w"] > 0
                and meter["energy_wh"] - transaction["meterStart"] >= _wh_per_s(meter) * CHARGED_S
            ),
            within=CHARGED_S + 30,
            every=0.5,
        )
        [holder] = set((await leases(cluster_database, [charger_id])).values())
        killed = workers[holder]
        read_at = time.monotonic()
        killed.kill()
        killed_at = time.monotonic()
        await killed.wait_killed()

        async def ended() -> bool:
            response = await central.get(f"{api.api_url}/transactions/{transaction_id}")
            assert response.status_code == 200, response.text
            return bool(response.json()["status"] == "completed")

        await eventually(ended, within=40)
        stopped = (await central.get(f"{api.api_url}/transactions/{transaction_id}")).json()
        adopter = set((await leases(cluster_database, [charger_id])).values())
        assert adopter == set(workers) - {holder}

        # What a power loss gives, reported by the station itself (not closed by the CSMS).
        assert stopped["stopReason"] == "PowerLoss", stopped
        assert stopped["closedByCsms"] is False, stopped
        # Within the bound: at most REGISTER_EVERY_S of charging (and one write) short of the
        # register the charger had just before the kill, and never more than it could have.
        per_s = _wh_per_s(meter)
        lost_s = (meter["energy_wh"] - stopped["meterStop"]) / per_s
        assert lost_s <= REGISTER_EVERY_S + ONE_WRITE_S, (meter, stopped)
        gained_s = (stopped["meterStop"] - meter["energy_wh"]) / per_s
        assert gained_s <= killed_at - read_at + ONE_WRITE_S, (meter, stopped)
        only = (await central.get(f"{api.api_url}/transactions?chargeBoxId={identity}")).json()
        assert [t["transactionId"] for t in only["data"]] == [transaction_id]
