"""``/api/v1`` commands as ``chargeyard csms`` wires them: the API holds the listener's
``CsmsServer.link``, so every CALL travels as a request on the in-process path and its answer
comes back as data (``csms/local_calls.py``). The answers are those of the CSMS API reference;
a 2.0.1 report (B07) and a remote start (F02) are completed by what the station then sends,
through the state the command shares with the listener's handlers (``csms/command_state.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from chargeyard.api import ApiSettings
from chargeyard.api.serve import settle_history
from chargeyard.csms.registration import RegistrationGate
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.fleet.runtime import ReconnectPolicy, StationRuntime
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.station.model.ev import LARGE_CAR
from chargeyard.station.model.states import Registration
from chargeyard.store import Store
from tests.api.apps import api_app
from tests.migrated import migrated_sqlite_url
from tests.polling import polled, until
from tests.station.wall_clock import wall_clock_station

TEMPLATE = "alfen-eve-single-pro-line"
FAST = ReconnectPolicy(initial=0.05, factor=2.0, ceiling=0.2)
TAG = "TAG-REMOTE"


@dataclass
class Linked:
    """The real listener, the API over its link, and the stations started."""

    server: CsmsServer
    client: httpx.AsyncClient
    runtimes: list[StationRuntime] = field(default_factory=list)

    async def station(self, identity: str, version: VersionSpec) -> StationRuntime:
        await self.server.store.stations.register(identity)
        runtime = StationRuntime(
            wall_clock_station(identity, TEMPLATE, version),
            f"ws://127.0.0.1:{self.server.port}/ocpp/{identity}",
            reconnect=FAST,
        )
        self.runtimes.append(runtime)
        runtime.start()
        await until(
            lambda: (
                runtime.station.registration is Registration.ACCEPTED
                and self.server.registry.is_connected(identity)
            )
        )
        return runtime

    async def post(self, identity: str, path: str, body: Any = None) -> httpx.Response:
        return await self.client.post(f"/api/v1/chargers/{identity}/{path}", json=body)


@pytest.fixture
async def linked(tmp_path: Path) -> AsyncIterator[Linked]:
    store = await Store.open(migrated_sqlite_url(tmp_path, "db.sqlite"))
    _, key = await store.api_keys.create("tests")
    settings = ApiSettings(command_timeout=5.0)
    try:
        async with CsmsServer(store, CsmsSettings(port=0, heartbeat_interval=60)) as server:
            with api_app(store, server.link, settings, events=server.events) as app:
                async with httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url="http://api.test",
                    headers={"X-API-Key": key},
                ) as client:
                    lab = Linked(server, client)
                    try:
                        yield lab
                    finally:
                        for runtime in lab.runtimes:
                            await runtime.stop()
                        await settle_history(app)
    finally:
        await store.close()


# The station keeps its connection a second after answering, for the CSMS to close it first
# (power.CLOSE_WAIT_AFTER_RESET_S): on the virtual-time loop that second passes at once, every
# peer (the listener, the station, the API, SQLite) running on the test's loop. There a poll
# costs only its request, so the test polls four times a second of that clock, not fifty.
@pytest.mark.virtual_time
@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_b11_a_reset_goes_and_its_answer_comes_back(
    linked: Linked, version: VersionSpec
) -> None:
    await linked.station("CP-1", version)
    response = await linked.post("CP-1", "reset", {"type": "Soft"})
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Soft reset accepted by charger",
            "chargeBoxId": "CP-1",
            "type": "Soft",
            "status": "accepted",
        },
    )

    async def charger() -> dict[str, Any]:
        body: dict[str, Any] = (await linked.client.get("/api/v1/chargers/CP-1")).json()
        return body

    # Nothing runs, so the station reboots at once (1.6 section 5.14, 2.0.1 B11/B12).
    await polled(charger, lambda body: body["isOnline"] is False, every=0.25)


async def test_b07_a_full_report_is_completed_by_the_stations_notify_report_parts(
    linked: Linked,
) -> None:
    await linked.station("CS-1", V201)
    response = await linked.post("CS-1", "configuration/get", {})
    body = response.json()
    assert (response.status_code, body["chargeBoxId"], body["unknownKey"]) == (200, "CS-1", [])
    found = {item["key"]: item for item in body["configurationKey"]}
    assert len(found) > 20
    assert found["SecurityCtrlr.Identity"] == {
        "key": "SecurityCtrlr.Identity",
        "readonly": True,
        "value": "CS-1",
    }
    assert len(linked.server.registry.reports) == 0  # nothing left waiting


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_f02_a_remote_start_is_claimed_by_the_transaction_the_station_begins(
    linked: Linked, version: VersionSpec
) -> None:
    runtime = await linked.station("CP-1", version)
    await linked.server.store.id_tags.create(TAG)
    runtime.station.plug(1, 1, ev=LARGE_CAR)

    response = await linked.post("CP-1", "remote-start", {"connectorId": 1, "idTag": TAG})

    assert (response.status_code, response.json()["status"]) == (200, "accepted")

    async def active() -> dict[str, Any]:
        answer = await linked.client.get(
            "/api/v1/transactions", params={"chargeBoxId": "CP-1", "status": "active"}
        )
        body: dict[str, Any] = answer.json()
        return body

    started = await polled(active, lambda body: body["total"] == 1)
    assert started["data"][0]["remoteStarted"] is True
    assert len(linked.server.registry.remote_starts) == 0  # claimed


async def test_409_for_a_charger_rejected_at_boot_refused_by_the_serving_side(
    linked: Linked,
) -> None:
    await linked.station("CP-1", V16)
    # as a boot answered Rejected leaves it
    linked.server.registry.gates["CP-1"] = RegistrationGate("CP-1", "Rejected")
    response = await linked.post("CP-1", "reset", {"type": "Soft"})
    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "charger CP-1 was rejected at boot (BootNotification answered Rejected):"
            " no command is sent to it until a boot is accepted"
        },
    )


async def test_503_for_a_registered_charger_that_is_not_connected(linked: Linked) -> None:
    await linked.server.store.stations.register("CP-OFF")
    response = await linked.post("CP-OFF", "reset", {"type": "Soft"})
    assert (response.status_code, response.json()) == (
        503,
        {"detail": "charger CP-OFF is not connected"},
    )
