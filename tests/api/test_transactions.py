"""``/api/v1`` transactions against the real CSMS and simulated stations: remote start (1.6
section 5.11, 2.0.1 F01/F02) and stop (5.12, F03), the stored transaction as the API shows it,
the list, and every error answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import V16, V201, Payload
from chargeyard.station.model.ev import LARGE_CAR
from chargeyard.station.v201 import StationV201
from chargeyard.store.repositories import SampledValue
from tests.polling import polled
from tests.stack_lab import StackLab

# A 180 kW DC charger and a car that takes it: a tenth of a second is several Wh.
FAST_DC = "abb-terra-184"
TAG = "TAG-REMOTE"

Sent = list[tuple[str, str, Payload]]


@pytest.fixture
async def sent(csms_lab: StackLab, monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Every call the API sends through the registry: (identity, action, payload)."""
    calls: Sent = []
    call = csms_lab.registry.call

    async def recording(identity: str, action: str, payload: Payload, *args: Any) -> Payload:
        calls.append((identity, action, payload))
        return await call(identity, action, payload, *args)

    monkeypatch.setattr(csms_lab.registry, "call", recording)
    await csms_lab.store.id_tags.create(TAG)
    return calls


async def eventually(
    probe: Callable[[], Awaitable[httpx.Response]],
    condition: Callable[[dict[str, Any]], bool],
    within: float = 3.0,
) -> dict[str, Any]:
    """``probe()``'s JSON once it answers 200 and ``condition`` holds for it."""
    response = await polled(
        probe, lambda answer: answer.status_code == 200 and condition(answer.json()), within
    )
    body: dict[str, Any] = response.json()
    return body


async def remote_start(lab: StackLab, identity: str, connector: int = 1) -> httpx.Response:
    body = {"connectorId": connector, "idTag": TAG}
    return await lab.client.post(f"/api/v1/chargers/{identity}/remote-start", json=body)


async def active_on(lab: StackLab, identity: str) -> dict[str, Any]:
    """The station's one active transaction, once the CSMS has it."""
    page = await eventually(
        lambda: lab.client.get(
            "/api/v1/transactions", params={"chargeBoxId": identity, "status": "active"}
        ),
        lambda body: len(body["data"]) == 1,
    )
    transaction: dict[str, Any] = page["data"][0]
    return transaction


def duration_minutes(transaction: dict[str, Any]) -> float:
    started = datetime.fromisoformat(transaction["startedAt"])
    stopped = datetime.fromisoformat(transaction["stoppedAt"])
    return round((stopped - started).total_seconds() / 60, 2)


# -- OCPP 1.6 ---------------------------------------------------------------------------------


async def test_511_remote_start_meter_values_and_remote_stop_on_16(
    csms_lab: StackLab, sent: Sent
) -> None:
    runtime = await csms_lab.station("CP-16", V16, template=FAST_DC)
    runtime.station.plug(1, 1, ev=LARGE_CAR)

    response = await remote_start(csms_lab, "CP-16")

    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Remote start accepted by charger",
            "chargeBoxId": "CP-16",
            "connectorId": 1,
            "idTag": TAG,
            "status": "accepted",
        },
    )
    assert sent[-1] == ("CP-16", "RemoteStartTransaction", {"connectorId": 1, "idTag": TAG})
    started = await active_on(csms_lab, "CP-16")
    # One type for every version: the 1.6 integer written in decimal.
    assert started["transactionId"].isdecimal()
    assert started | {"startedAt": None, "durationMinutes": None} == {
        "transactionId": started["transactionId"],
        "chargeBoxId": "CP-16",
        "connectorId": 1,
        "evseId": None,
        "idTag": TAG,
        "stopIdTag": None,
        "status": "active",
        "startedAt": None,
        "stoppedAt": None,
        "meterStart": started["meterStart"],
        "meterStop": None,
        "energyDelivered": None,  # no reading yet
        "powerW": None,
        "durationMinutes": None,
        "stopReason": None,
        "remoteStarted": True,
        "chargingState": None,
        "registerWentBackwards": False,
        "closedByCsms": False,
        "csmsCloseReason": None,
    }
    assert started["startedAt"].endswith("Z")
    assert len(csms_lab.registry.remote_starts) == 0  # claimed by the StartTransaction

    # Energy so far: the latest register reading (MeterValues, section 4.7) - meterStart.
    url = f"/api/v1/transactions/{started['transactionId']}"

    async def triggered_reading() -> httpx.Response:
        trigger = {"requestedMessage": "MeterValues", "connectorId": 1}
        await csms_lab.client.post("/api/v1/chargers/CP-16/trigger", json=trigger)
        return await csms_lab.client.get(url)

    first = await eventually(triggered_reading, lambda body: (body["energyDelivered"] or 0) > 0)
    later = await eventually(
        triggered_reading, lambda body: body["energyDelivered"] > first["energyDelivered"]
    )
    assert later["status"] == "active"

    stop = await csms_lab.client.post(f"{url}/stop")

    assert (stop.status_code, stop.json()) == (
        200,
        {
            "message": "Remote stop accepted by charger",
            "chargeBoxId": "CP-16",
            "transactionId": started["transactionId"],
            "status": "accepted",
        },
    )
    assert sent[-1] == (
        "CP-16",
        "RemoteStopTransaction",
        {"transactionId": int(started["transactionId"])},  # the 1.6 message carries the integer
    )
    done = await eventually(lambda: csms_lab.client.get(url), lambda b: b["status"] == "completed")
    assert done["stopReason"] == "Remote"
    assert done["meterStop"] >= later["energyDelivered"] + done["meterStart"] - 1  # whole Wh
    assert done["energyDelivered"] == done["meterStop"] - done["meterStart"] > 0
    assert done["stoppedAt"].endswith("Z")
    assert done["durationMinutes"] == duration_minutes(done)
    assert done["remoteStarted"] is True
    samples = (await csms_lab.client.get(f"{url}/meter-values")).json()["meterValues"]
    contexts = {item["context"] for item in samples}
    # Triggered readings, then StopTransaction's transactionData (section 6.47).
    assert {"Trigger", "Transaction.Begin", "Transaction.End"} <= contexts


async def test_511_remote_start_before_the_cable_is_remote_started_on_16(
    csms_lab: StackLab, sent: Sent
) -> None:
    runtime = await csms_lab.station("CP-16", V16)

    response = await remote_start(csms_lab, "CP-16")
    assert response.json()["status"] == "accepted"
    assert len(csms_lab.registry.remote_starts) == 1  # waiting for its StartTransaction
    runtime.station.plug(1, 1)

    assert (await active_on(csms_lab, "CP-16"))["remoteStarted"] is True
    assert len(csms_lab.registry.remote_starts) == 0


async def test_a_driver_started_transaction_is_not_remote_started(
    csms_lab: StackLab, sent: Sent
) -> None:
    runtime = await csms_lab.station("CP-16", V16, template=FAST_DC)
    # A remote start for the other connector must not mark a driver's transaction.
    assert (await remote_start(csms_lab, "CP-16", connector=2)).json()["status"] == "accepted"
    runtime.station.plug(1, 1)
    runtime.station.present_id_token(TAG, 1)

    transactions = await eventually(
        lambda: csms_lab.client.get("/api/v1/transactions", params={"chargeBoxId": "CP-16"}),
        lambda body: any(item["connectorId"] == 1 for item in body["data"]),
    )
    driver = next(item for item in transactions["data"] if item["connectorId"] == 1)
    assert driver["remoteStarted"] is False


async def test_511_remote_start_rejected_by_the_charger(csms_lab: StackLab, sent: Sent) -> None:
    await csms_lab.station("CP-16", V16)

    response = await remote_start(csms_lab, "CP-16", connector=9)  # no such connector

    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Remote start rejected by charger",
            "chargeBoxId": "CP-16",
            "connectorId": 9,
            "idTag": TAG,
            "status": "rejected",
        },
    )
    assert len(csms_lab.registry.remote_starts) == 0  # forgotten with the refusal


# -- OCPP 2.0.1 -------------------------------------------------------------------------------


def report_meter(runtime: StationRuntime) -> None:
    """The station sends Updated with its TxUpdatedMeasurands now (as every TxUpdatedInterval,
    J02)."""
    station = runtime.station
    assert isinstance(station, StationV201)
    station.transaction_events.send_transaction_update(
        station.model.evses[1], "Trigger", ("SampledDataCtrlr", "TxUpdatedMeasurands"), "Trigger"
    )
    station.wake()


async def test_f01_remote_start_meter_values_and_f03_remote_stop_on_201(
    csms_lab: StackLab, sent: Sent
) -> None:
    runtime = await csms_lab.station("CS-201", V201, template=FAST_DC)
    runtime.station.plug(1, 1, ev=LARGE_CAR)

    response = await remote_start(csms_lab, "CS-201")

    assert response.json() == {
        "message": "Remote start accepted by charger",
        "chargeBoxId": "CS-201",
        "connectorId": 1,
        "idTag": TAG,
        "status": "accepted",
    }
    identity, action, payload = sent[-1]
    assert (identity, action) == ("CS-201", "RequestStartTransaction")
    assert payload == {
        "evseId": 1,
        "idToken": {"idToken": TAG, "type": "Central"},
        "remoteStartId": payload["remoteStartId"],
    }
    assert isinstance(payload["remoteStartId"], int)
    started = await active_on(csms_lab, "CS-201")
    assert isinstance(started["transactionId"], str)
    assert (started["evseId"], started["connectorId"], started["idTag"]) == (1, 1, TAG)
    assert started["remoteStarted"] is True
    assert started["chargingState"] in ("EVConnected", "Charging")

    url = f"/api/v1/transactions/{started['transactionId']}"

    async def reported() -> httpx.Response:
        report_meter(runtime)
        return await csms_lab.client.get(url)

    first = await eventually(reported, lambda body: (body["energyDelivered"] or 0) > 0)
    later = await eventually(
        reported, lambda body: body["energyDelivered"] > first["energyDelivered"]
    )
    assert later["chargingState"] == "Charging"

    stop = await csms_lab.client.post(f"{url}/stop")

    assert stop.json() == {
        "message": "Remote stop accepted by charger",
        "chargeBoxId": "CS-201",
        "transactionId": started["transactionId"],
        "status": "accepted",
    }
    assert sent[-1] == (
        "CS-201",
        "RequestStopTransaction",
        {"transactionId": started["transactionId"]},
    )
    done = await eventually(lambda: csms_lab.client.get(url), lambda b: b["status"] == "completed")
    assert (done["stopReason"], done["remoteStarted"]) == ("Remote", True)
    # To the meter's 0.1 Wh, without the tail of a binary subtraction.
    assert done["energyDelivered"] == round(done["meterStop"] - done["meterStart"], 1)
    assert done["durationMinutes"] == duration_minutes(done)


async def test_e06_meter_stop_is_the_transaction_end_reading_on_201(
    csms_lab: StackLab, sent: Sent
) -> None:
    runtime = await csms_lab.station("CS-201", V201, template=FAST_DC)
    runtime.station.plug(1, 1, ev=LARGE_CAR)
    await remote_start(csms_lab, "CS-201")
    started = await active_on(csms_lab, "CS-201")
    url = f"/api/v1/transactions/{started['transactionId']}"

    async def reported() -> httpx.Response:
        report_meter(runtime)
        return await csms_lab.client.get(url)

    seen = await eventually(reported, lambda body: (body["energyDelivered"] or 0) > 0)
    await csms_lab.client.post(f"{url}/stop")
    done = await eventually(lambda: csms_lab.client.get(url), lambda b: b["status"] == "completed")
    assert done["energyDelivered"] >= seen["energyDelivered"] > 0


async def test_f02_remote_start_before_the_cable_uses_the_tags_token_type(
    csms_lab: StackLab, sent: Sent
) -> None:
    await csms_lab.store.id_tags.create("CARD-1", token_type="ISO14443")
    runtime = await csms_lab.station("CS-201", V201)

    body = {"connectorId": 1, "idTag": "CARD-1"}
    response = await csms_lab.client.post("/api/v1/chargers/CS-201/remote-start", json=body)
    assert response.json()["status"] == "accepted"
    assert sent[-1][2]["idToken"] == {"idToken": "CARD-1", "type": "ISO14443"}
    runtime.station.plug(1, 1)

    # Started(CablePluggedIn) names our remoteStartId: remote started all the same.
    started = await active_on(csms_lab, "CS-201")
    assert (started["idTag"], started["remoteStarted"]) == ("CARD-1", True)
    assert len(csms_lab.registry.remote_starts) == 0


# -- reading and listing ----------------------------------------------------------------------

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


async def seed(lab: StackLab) -> None:
    """CP-A (1.6): ids 1-3, 2 completed; CP-B (2.0.1): "tx-b1" active. Started an hour apart."""
    await lab.store.stations.register("CP-A", ocpp_version=V16)
    await lab.store.stations.register("CP-B", ocpp_version=V201)
    transactions = lab.store.transactions
    for hour, (station, tx_id) in enumerate(
        [("CP-A", None), ("CP-A", None), ("CP-B", "tx-b1"), ("CP-A", None)]
    ):
        await transactions.start(
            station,
            transaction_id=tx_id,
            connector_id=1,
            evse_id=1 if station == "CP-B" else 0,
            meter_start_wh=1000.0,
            started_at=T0 + timedelta(hours=hour),
            id_tag="TAG-S",
            charging_state="Charging" if station == "CP-B" else None,
        )
    for tx_id in ("1", "2"):
        await transactions.stop(
            "CP-A",
            tx_id,
            meter_stop_wh=4500.0,
            stopped_at=T0 + timedelta(hours=int(tx_id) - 1, minutes=90),
            reason="Local",
            id_tag="TAG-T",
        )


def ids(page: dict[str, Any]) -> list[str]:
    return [item["transactionId"] for item in page["data"]]


async def test_list_is_newest_first_with_filters_and_paging(csms_lab: StackLab) -> None:
    await seed(csms_lab)

    async def listing(**params: Any) -> dict[str, Any]:
        response = await csms_lab.client.get("/api/v1/transactions", params=params)
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body

    everything = await listing()
    assert (ids(everything), everything["total"], everything["limit"]) == (
        ["3", "tx-b1", "2", "1"],
        4,
        20,
    )
    assert ids(await listing(chargeBoxId="CP-A")) == ["3", "2", "1"]
    assert ids(await listing(status="active")) == ["3", "tx-b1"]
    assert ids(await listing(status="completed", chargeBoxId="CP-A")) == ["2", "1"]
    paged = await listing(limit=2, offset=1)
    assert (ids(paged), paged["total"], paged["limit"], paged["offset"]) == (
        ["tx-b1", "2"],
        4,
        2,
        1,
    )
    assert ids(await listing(offset=10)) == []


async def test_a_completed_transaction_in_full(csms_lab: StackLab) -> None:
    await seed(csms_lab)

    response = await csms_lab.client.get("/api/v1/transactions/1")

    assert (response.status_code, response.json()) == (
        200,
        {
            "transactionId": "1",
            "chargeBoxId": "CP-A",
            "connectorId": 1,
            "evseId": None,
            "idTag": "TAG-S",
            "stopIdTag": "TAG-T",
            "status": "completed",
            "startedAt": "2026-01-01T08:00:00.000Z",
            "stoppedAt": "2026-01-01T09:30:00.000Z",
            "meterStart": 1000.0,
            "meterStop": 4500.0,
            "energyDelivered": 3500.0,
            "powerW": None,  # completed
            "durationMinutes": 90.0,
            "stopReason": "Local",
            "remoteStarted": False,
            "chargingState": None,
            "registerWentBackwards": False,
            "closedByCsms": False,
            "csmsCloseReason": None,
        },
    )


async def test_a_16_transaction_keeps_its_shape_after_its_station_moved_to_201(
    csms_lab: StackLab,
) -> None:
    await seed(csms_lab)
    await csms_lab.store.stations.set_online("CP-A", ocpp_version=V201)

    body = (await csms_lab.client.get("/api/v1/transactions/1")).json()

    assert (body["transactionId"], body["evseId"], body["chargingState"]) == ("1", None, None)


async def test_energy_is_served_to_the_meters_resolution(csms_lab: StackLab) -> None:
    # 5000.1 - 1130.7 is 3869.4000000000005 in binary floats; a meter shows 0.1 Wh steps.
    await csms_lab.store.stations.register("CP-E", ocpp_version=V201)
    transactions = csms_lab.store.transactions
    for tx_id in ("done", "running"):
        await transactions.start(
            "CP-E",
            transaction_id=tx_id,
            connector_id=1,
            evse_id=1,
            meter_start_wh=1130.7,
            started_at=T0,
        )
    await transactions.stop("CP-E", "done", meter_stop_wh=5000.1, stopped_at=T0)
    reading = SampledValue(T0, 2.0001, unit="kWh")  # 2000.1000000000001 Wh once multiplied
    await transactions.add_samples("CP-E", [reading], transaction_id="running")

    done = (await csms_lab.client.get("/api/v1/transactions/done")).json()
    running = (await csms_lab.client.get("/api/v1/transactions/running")).json()

    assert (done["meterStart"], done["meterStop"], done["energyDelivered"]) == (
        1130.7,
        5000.1,
        3869.4,
    )
    assert running["energyDelivered"] == 869.4


async def test_power_so_far_is_the_latest_power_reading_in_w(csms_lab: StackLab) -> None:
    await seed(csms_lab)
    at = T0 + timedelta(hours=3)
    readings = [
        SampledValue(at, 1.5, unit="kWh"),
        SampledValue(at, 11.0, measurand="Power.Active.Import", unit="kW"),
        SampledValue(at + timedelta(minutes=1), 7.2, measurand="Power.Active.Import", unit="kW"),
        SampledValue(at + timedelta(minutes=1), 2.4, measurand="Power.Active.Import", phase="L1"),
    ]
    await csms_lab.store.transactions.add_samples("CP-A", readings, transaction_id=3)

    body = (await csms_lab.client.get("/api/v1/transactions/3")).json()
    listed = await csms_lab.client.get("/api/v1/transactions", params={"status": "active"})

    assert body["powerW"] == 7200.0  # the whole EVSE's, not a phase's
    assert [row["powerW"] for row in listed.json()["data"] if row["transactionId"] == "3"] == [
        7200.0
    ]


async def test_power_of_a_station_sampling_energy_alone_is_derived_from_it(
    csms_lab: StackLab,
) -> None:
    """OCPP 1.6 section 9.1.15: MeterValuesSampledData may list the register alone; the power
    is then the energy between the latest two readings over the time between them."""
    await seed(csms_lab)
    at = T0 + timedelta(hours=3)
    readings = [
        SampledValue(at, 1000.0),
        SampledValue(at + timedelta(minutes=1), 1100.0),
        SampledValue(at + timedelta(minutes=2), 1222.0),  # 122 Wh in a minute: 7.32 kW
    ]
    await csms_lab.store.transactions.add_samples("CP-A", readings, transaction_id=3)

    body = (await csms_lab.client.get("/api/v1/transactions/3")).json()

    assert body["powerW"] == 7320.0


async def test_power_is_null_before_the_second_register_reading(csms_lab: StackLab) -> None:
    await seed(csms_lab)
    await csms_lab.store.transactions.add_samples(
        "CP-A", [SampledValue(T0 + timedelta(hours=3), 1000.0)], transaction_id=3
    )

    body = (await csms_lab.client.get("/api/v1/transactions/3")).json()

    assert body["powerW"] is None


async def test_energy_so_far_is_the_latest_register_reading_in_wh(csms_lab: StackLab) -> None:
    await seed(csms_lab)
    at = T0 + timedelta(hours=3)
    readings = [
        SampledValue(at + timedelta(minutes=1), 1.5, unit="kWh"),
        SampledValue(at + timedelta(minutes=2), 2.25, unit="kWh"),
        SampledValue(at + timedelta(minutes=2), 9999.0, phase="L1"),  # one phase: not a total
        SampledValue(at + timedelta(minutes=2), 7200.0, measurand="Power.Active.Import", unit="W"),
    ]
    await csms_lab.store.transactions.add_samples("CP-A", readings, transaction_id=3)

    body = (await csms_lab.client.get("/api/v1/transactions/3")).json()
    assert (body["status"], body["meterStart"], body["energyDelivered"]) == (
        "active",
        1000.0,
        1250.0,
    )

    samples = await csms_lab.client.get(
        "/api/v1/transactions/3/meter-values",
        params={"measurand": "Energy.Active.Import.Register"},
    )
    assert samples.json() == {
        "transactionId": "3",
        "chargeBoxId": "CP-A",
        "count": 3,
        "meterValues": [
            {
                "timestamp": "2026-01-01T11:01:00.000Z",
                "measurand": "Energy.Active.Import.Register",
                "value": 1.5,
                "unit": "kWh",
                "phase": None,
                "context": None,
                "location": None,
            },
            {
                "timestamp": "2026-01-01T11:02:00.000Z",
                "measurand": "Energy.Active.Import.Register",
                "value": 2.25,
                "unit": "kWh",
                "phase": None,
                "context": None,
                "location": None,
            },
            {
                "timestamp": "2026-01-01T11:02:00.000Z",
                "measurand": "Energy.Active.Import.Register",
                "value": 9999.0,
                "unit": None,
                "phase": "L1",
                "context": None,
                "location": None,
            },
        ],
    }
    everything = await csms_lab.client.get("/api/v1/transactions/3/meter-values?limit=2")
    assert [item["value"] for item in everything.json()["meterValues"]] == [1.5, 2.25]


async def test_an_active_201_transaction_runs_until_now(csms_lab: StackLab) -> None:
    await seed(csms_lab)

    body = (await csms_lab.client.get("/api/v1/transactions/tx-b1")).json()

    assert (body["chargeBoxId"], body["evseId"], body["chargingState"]) == ("CP-B", 1, "Charging")
    assert (body["meterStop"], body["energyDelivered"], body["stoppedAt"]) == (None, None, None)
    started = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    elapsed = (datetime.now(UTC) - started).total_seconds() / 60
    assert elapsed - 1 < body["durationMinutes"] <= elapsed + 1


# -- errors -----------------------------------------------------------------------------------


async def test_an_id_used_by_two_201_chargers_needs_the_charge_box_id(csms_lab: StackLab) -> None:
    await seed(csms_lab)
    await csms_lab.store.stations.register("CP-C", ocpp_version=V201)
    await csms_lab.store.transactions.start(
        "CP-C", transaction_id="tx-b1", connector_id=1, meter_start_wh=0.0, started_at=T0
    )

    for response in (
        await csms_lab.client.get("/api/v1/transactions/tx-b1"),
        await csms_lab.client.post("/api/v1/transactions/tx-b1/stop"),
    ):
        assert response.status_code == 409
        assert "CP-B, CP-C" in response.json()["detail"]
        assert "chargeBoxId" in response.json()["detail"]

    chosen = await csms_lab.client.get("/api/v1/transactions/tx-b1?chargeBoxId=CP-C")
    assert (chosen.status_code, chosen.json()["chargeBoxId"]) == (200, "CP-C")
    # CP-C is registered but not connected.
    offline = await csms_lab.client.post("/api/v1/transactions/tx-b1/stop?chargeBoxId=CP-C")
    assert (offline.status_code, offline.json()) == (
        503,
        {"detail": "charger CP-C is not connected"},
    )


async def test_stopping_a_completed_transaction_is_a_conflict(csms_lab: StackLab) -> None:
    await seed(csms_lab)

    response = await csms_lab.client.post("/api/v1/transactions/1/stop")

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "transaction 1 on charger CP-A is already completed"},
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/transactions/99"),
        ("POST", "/api/v1/transactions/99/stop"),
        ("GET", "/api/v1/transactions/1?chargeBoxId=CP-B"),
        ("GET", "/api/v1/transactions/99/meter-values"),
    ],
)
async def test_an_unknown_transaction_is_404(csms_lab: StackLab, method: str, path: str) -> None:
    await seed(csms_lab)

    response = await csms_lab.client.request(method, path)

    assert response.status_code == 404
    assert response.json()["detail"].startswith("transaction ")


async def test_remote_start_to_an_unknown_or_offline_charger(csms_lab: StackLab) -> None:
    await csms_lab.store.stations.register("CP-OFF")

    unknown = await remote_start(csms_lab, "CP-NOPE")
    offline = await remote_start(csms_lab, "CP-OFF")

    assert (unknown.status_code, unknown.json()) == (404, {"detail": "charger CP-NOPE not found"})
    assert (offline.status_code, offline.json()) == (
        503,
        {"detail": "charger CP-OFF is not connected"},
    )
    assert len(csms_lab.registry.remote_starts) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"connectorId": 0, "idTag": TAG},
        {"connectorId": 1},
        {"connectorId": 1, "idTag": ""},
        {"connectorId": 1, "idTag": TAG, "evseId": 1},
    ],
)
async def test_a_bad_remote_start_body_is_422(csms_lab: StackLab, body: dict[str, Any]) -> None:
    await csms_lab.station("CP-16", V16)

    response = await csms_lab.client.post("/api/v1/chargers/CP-16/remote-start", json=body)

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "offset=-1",
        "offset=9223372036854775808",  # fuzz test: past SQLite's INTEGER it was a 500
        "status=running",
        "chargeBoxId=CP-NOPE",
    ],
)
async def test_a_bad_list_query(csms_lab: StackLab, query: str) -> None:
    response = await csms_lab.client.get(f"/api/v1/transactions?{query}")

    assert response.status_code == (404 if "chargeBoxId" in query else 422)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/chargers/CP-16/remote-start"),
        ("POST", "/api/v1/transactions/1/stop"),
        ("GET", "/api/v1/transactions"),
        ("GET", "/api/v1/transactions/1"),
        ("GET", "/api/v1/transactions/1/meter-values"),
    ],
)
async def test_every_endpoint_needs_the_api_key(csms_lab: StackLab, method: str, path: str) -> None:
    for key in ("", "wrong"):
        response = await csms_lab.client.request(
            method, path, json={"connectorId": 1, "idTag": TAG}, headers={"X-API-Key": key}
        )
        assert (response.status_code, response.json()) == (
            401,
            {"detail": "missing or invalid API key"},
        )


async def test_j02_a_201_transactions_begin_reading_is_listed_once(
    csms_lab: StackLab, sent: Sent
) -> None:
    # The Started event's TxStartedMeasurands and the Ended event's TxEndedMeasurands both
    # carry the Transaction.Begin reading: the meter values list it once.
    runtime = await csms_lab.station("CS-201", V201, template=FAST_DC)
    runtime.station.plug(1, 1, ev=LARGE_CAR)
    await remote_start(csms_lab, "CS-201")
    started = await active_on(csms_lab, "CS-201")
    url = f"/api/v1/transactions/{started['transactionId']}"
    await csms_lab.client.post(f"{url}/stop")
    await eventually(lambda: csms_lab.client.get(url), lambda b: b["status"] == "completed")
    response = await csms_lab.client.get(f"{url}/meter-values")
    contexts = [value["context"] for value in response.json()["meterValues"]]
    assert contexts.count("Transaction.Begin") == 1
    assert contexts.count("Transaction.End") == 1
