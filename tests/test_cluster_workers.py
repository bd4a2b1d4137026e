"""The simulator gateway's chargers on two ``chargeyard worker`` processes, with a CSMS node and
an API node, on the machine's PostgreSQL and Redis: the workers share the chargers under
leases, the API node reaches a charger's worker over Redis, and the chargers of a worker killed
with SIGKILL are adopted by the other within 15 s and connect again."""

from __future__ import annotations

import functools
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from chargeyard.store import Store
from chargeyard.store.models import ChargerLease, DesiredState
from tests.api.gateway_lab import SECRET, bearer, token
from tests.cluster import chargers_accepted
from tests.polling import eventually
from tests.processes import ApiProcess, CsmsProcess, WorkerProcess
from tests.stack_lab import TEMPLATE

pytestmark = pytest.mark.slow

ORG = "org-cluster"
COUNT = 4


async def _chargers(database_url: str, csms: CsmsProcess) -> list[str]:
    """``COUNT`` chargers of ``ORG`` that want to run, pointed at ``csms``."""
    async with await Store.open(database_url) as store:
        await store.organizations.create("Cluster", organization_id=ORG)
        ids = []
        for n in range(COUNT):
            charger = await store.chargers.create(
                ORG,
                identity=f"WK-{n}",
                ocpp_version="ocpp1.6",
                csms_url=csms.ocpp_url("").rstrip("/"),
                template=TEMPLATE,
            )
            await store.chargers.set_desired_state(ORG, charger.id, DesiredState.RUNNING)
            ids.append(charger.id)
        return ids


async def _leases(database_url: str) -> dict[str, str]:
    async with await Store.open(database_url) as store, store.engine.connect() as connection:
        rows = await connection.execute(select(ChargerLease.charger_id, ChargerLease.worker))
        return {charger_id: worker for charger_id, worker in rows.all()}


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
        WorkerProcess(tmp_path / name, tmp_path / f"{name}.log", *cluster, "--node-name", name)
        for name in (f"wa-{run}", f"wb-{run}")
    ]
    try:
        await csms.start(within=60)
        ids = await _chargers(cluster_database, csms)
        await api.start(within=60)
        for worker in workers:
            await worker.start(within=60)

        async def shared() -> bool:
            holders = await _leases(cluster_database)
            return (
                len(holders) == COUNT
                and sorted(holders.values()).count(workers[0].arguments[-1]) == COUNT // 2
            )

        await eventually(shared, within=20)  # the first took all, and handed the second half

        async with httpx.AsyncClient(headers=bearer(token(ORG, ["admin"])), timeout=20) as client:
            every_charger_active = functools.partial(chargers_accepted, client, api.base_url, ids)
            await eventually(every_charger_active, within=30)

            killed = workers[0]
            killed.kill()
            await killed.wait_killed()
            gone = time.monotonic()

            async def adopted() -> bool:
                holders = await _leases(cluster_database)
                return set(holders.values()) == {workers[1].arguments[-1]} and len(holders) == COUNT

            await eventually(adopted, within=20)
            assert time.monotonic() - gone <= 15.0
            await eventually(every_charger_active, within=30)
    finally:
        for process in [*workers, api, csms]:
            await process.stop()
