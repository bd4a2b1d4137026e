"""``GET /metrics`` over the real CSMS and a simulated fleet: what a user load-testing a CSMS
reads there, parsed as Prometheus parses it."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from chargeyard.api import ApiSettings
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.metrics import Metrics
from chargeyard.protocol import V16, V201
from chargeyard.station.model.ev import LARGE_CAR
from chargeyard.station.v16 import StationV16
from chargeyard.store import Store
from tests.api.apps import api_app
from tests.stack_lab import KNOWN_ONLY, Samples, StackLab, parse_samples, stack_lab

FAST_DC = "abb-terra-184"  # 180 kW: a tenth of a second is several Wh
TAG = "TAG-METRICS"


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample's value; 0 for a series not (yet) exported."""
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
async def metered(tmp_path: Path, settings: ApiSettings) -> AsyncIterator[StackLab]:
    """The lab's CSMS with its metrics, the API serving them; ``metered.stations`` adds a
    fleet reporting to them."""
    async with stack_lab(tmp_path, csms=KNOWN_ONLY, settings=settings) as lab:
        yield lab


MESSAGES = "chargeyard_ocpp_messages_total"
DURATION = "chargeyard_ocpp_call_duration_seconds"


async def test_stations_connected_and_booted_by_version_and_their_boot_messages(
    metered: StackLab,
) -> None:
    await metered.stations("CP-16", version=V16)
    await metered.stations("CS-201", version=V201)

    samples = await metered.scrape()  # no X-API-Key: scrapers seldom send one

    for name in ("chargeyard_csms_stations_connected", "chargeyard_csms_stations_booted"):
        assert value(samples, name, ocpp_version="1.6") == 1
        assert value(samples, name, ocpp_version="2.0.1") == 1
        assert (name, frozenset({("ocpp_version", "2.1")})) in samples  # 0, but exported
    boot = {"action": "BootNotification"}
    assert value(samples, MESSAGES, side="csms", direction="in", type="call", **boot) == 2
    assert value(samples, MESSAGES, side="csms", direction="out", type="result", **boot) == 2
    assert value(samples, MESSAGES, side="station", direction="out", type="call", **boot) == 2
    assert value(samples, MESSAGES, side="station", direction="in", type="result", **boot) == 2
    # The stations timed their BootNotification; the CSMS sent no CALL of its own for it.
    assert value(samples, f"{DURATION}_count", side="station", **boot) == 2
    assert value(samples, f"{DURATION}_bucket", side="station", le="30.0", **boot) == 2
    assert value(samples, f"{DURATION}_count", side="csms", **boot) == 0
    # The simulator side, read from the fleet.
    assert value(samples, "chargeyard_fleet_stations", registration="Accepted") == 2
    assert value(samples, "chargeyard_fleet_connections", phase="open") == 2
    assert value(samples, "chargeyard_fleet_connectors", status="Available") >= 2
    assert value(samples, "chargeyard_fleet_connects_total") == 2


async def test_a_command_sent_through_the_api_is_timed(metered: StackLab) -> None:
    await metered.stations("CP-1")

    response = await metered.client.post(
        "/api/v1/chargers/CP-1/configuration/get", json={"key": ["HeartbeatInterval"]}
    )

    assert response.status_code == 200, response.text
    samples = await metered.scrape()
    get = {"side": "csms", "action": "GetConfiguration"}
    assert value(samples, MESSAGES, direction="out", type="call", **get) == 1
    assert value(samples, MESSAGES, direction="in", type="result", **get) == 1
    assert value(samples, f"{DURATION}_count", **get) == 1
    assert value(samples, f"{DURATION}_bucket", le="+Inf", **get) == 1
    assert 0 < value(samples, f"{DURATION}_sum", **get) < 5
    # The station answered it: an incoming CALL and an outgoing result on its side.
    station = {"side": "station", "action": "GetConfiguration"}
    assert value(samples, MESSAGES, direction="in", type="call", **station) == 1
    assert value(samples, MESSAGES, direction="out", type="result", **station) == 1


async def test_callerrors_are_counted_by_code(metered: StackLab) -> None:
    """A bare socket sends an action outside OCPP 1.6, which the CSMS refuses with
    NotImplemented, and refuses every CALL of the CSMS with NotSupported."""
    await metered.store.stations.register("RAW-1")
    url = f"ws://127.0.0.1:{metered.server.port}/ocpp/RAW-1"
    async with connect(url, subprotocols=[Subprotocol("ocpp1.6")]) as peer:
        # Booted, so that commands reach it.
        boot = {"chargePointVendor": "Raw", "chargePointModel": "Socket"}
        await peer.send(json.dumps([2, "boot-1", "BootNotification", boot]))
        assert json.loads(await peer.recv())[:2] == [3, "boot-1"]
        await peer.send(json.dumps([2, "raw-1", "NoSuchAction", {}]))
        assert json.loads(await peer.recv())[:3] == [4, "raw-1", "NotImplemented"]

        async def refuse() -> None:
            with contextlib.suppress(Exception):
                async for message in peer:
                    call: list[Any] = json.loads(message)
                    await peer.send(json.dumps([4, call[1], "NotSupported", "no", {}]))

        refusing = asyncio.create_task(refuse())
        try:
            response = await metered.client.post(
                "/api/v1/chargers/RAW-1/reset", json={"type": "Soft"}
            )
            assert response.status_code == 502, response.text
            samples = await metered.scrape()
        finally:
            refusing.cancel()
            await asyncio.gather(refusing, return_exceptions=True)

    errors = "chargeyard_ocpp_callerrors_total"
    assert value(samples, errors, side="csms", direction="in", code="NotSupported") == 1
    assert value(samples, errors, side="csms", direction="out", code="NotImplemented") == 1
    assert value(samples, errors, side="csms", direction="in", code="NotImplemented") == 0
    reset = {"side": "csms", "action": "Reset"}
    assert value(samples, MESSAGES, direction="in", type="error", **reset) == 1
    assert value(samples, f"{DURATION}_count", **reset) == 1  # a CALLERROR ends the round trip


async def test_transactions_active_then_energy_delivered(metered: StackLab) -> None:
    await metered.store.id_tags.create(TAG)
    await metered.stations("CP-DC", template=FAST_DC)
    station = metered.fleet.station("CP-DC")
    assert isinstance(station, StationV16)
    before = await metered.scrape()
    assert value(before, "chargeyard_transactions_active") == 0
    assert value(before, "chargeyard_energy_delivered_wh_total") == 0

    station.plug(1, 1, ev=LARGE_CAR)
    station.present_id_token(TAG)
    await metered.scrape_until(lambda s: value(s, "chargeyard_transactions_active") == 1)
    assert value(await metered.scrape(), "chargeyard_fleet_transactions_active") == 1
    trigger = {"requestedMessage": "MeterValues", "connectorId": 1}
    await metered.client.post("/api/v1/chargers/CP-DC/trigger", json=trigger)
    await metered.scrape_until(lambda s: value(s, "chargeyard_transactions_active_energy_wh") > 0)
    station.stop_transaction(1)

    after = await metered.scrape_until(lambda s: value(s, "chargeyard_transactions_active") == 0)
    assert value(after, "chargeyard_transactions_completed_total") == 1
    assert value(after, "chargeyard_energy_delivered_wh_total") > 0
    assert value(after, "chargeyard_transactions_active_energy_wh") == 0


async def test_gateway_commands_are_counted_by_type_and_outcome(metered: StackLab) -> None:
    metered.metrics.gateway_command("plug", "succeeded")
    metered.metrics.gateway_command("plug", "succeeded")
    metered.metrics.gateway_command("start", "failed")

    samples = await metered.scrape()

    name = "chargeyard_gateway_commands_total"
    assert value(samples, name, event_type="plug", outcome="succeeded") == 2
    assert value(samples, name, event_type="start", outcome="failed") == 1


async def test_an_app_without_attached_metrics_still_reports_its_stations(
    csms_lab: StackLab, settings: ApiSettings
) -> None:
    await csms_lab.station("CP-1", V16)

    # The app alone (create_app), over the lab's CSMS: nobody attached the stack's metrics.
    with api_app(csms_lab.store, csms_lab.csms.link, settings) as app:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://api.test",
            headers={"X-API-Key": csms_lab.key},
        ) as client:
            response = await client.get("/metrics")
            openmetrics = await client.get(
                "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
            )

    samples = parse_samples(response.text)
    assert value(samples, "chargeyard_csms_stations_connected", ocpp_version="1.6") == 1
    assert value(samples, "chargeyard_csms_stations_booted", ocpp_version="1.6") == 1
    assert openmetrics.headers["content-type"].startswith("application/openmetrics-text")
    assert openmetrics.text.endswith("# EOF\n")


async def test_the_api_key_can_be_required(store: Store, settings: ApiSettings) -> None:
    _, key = await store.api_keys.create("tests")
    metrics = Metrics(require_api_key=True)
    async with CsmsServer(store, CsmsSettings(port=0)) as server:
        metrics.attach_csms(server.registry, store)
        with api_app(store, server.link, settings) as app:
            metrics.attach_app(app)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as api:
                refused = await api.get("/metrics")
                served = await api.get("/metrics", headers={"X-API-Key": key})

    assert (refused.status_code, refused.json()) == (401, {"detail": "missing or invalid API key"})
    assert served.status_code == 200
    assert "chargeyard_csms_stations_connected" in served.text
