"""The charger and transaction endpoints over stations written with the third-party ``ocpp``
library: what the station reported shows in ``GET /chargers/{id}``, and a remote start and
stop reach it as the calls of its version and end up on the transaction it then reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from tests.api.ocpp_library_stations import (
    FIRMWARE,
    MODEL,
    SERIAL,
    VENDOR,
    LibraryStation,
    LibraryStation16,
    booted,
    now,
)
from tests.stack_lab import StackLab

ID = "LIB-1"
TAG = "TAG-OK"


@pytest.fixture(params=["1.6", "2.0.1"])
async def station(
    csms_lab: StackLab, request: pytest.FixtureRequest
) -> AsyncIterator[LibraryStation]:
    await csms_lab.store.id_tags.create(TAG)
    async with booted(csms_lab, request.param, ID) as station:
        yield station


async def report_available(station: LibraryStation) -> None:
    if isinstance(station, LibraryStation16):
        await station.send(
            call16.StatusNotification(connector_id=1, error_code="NoError", status="Available")
        )
    else:
        await station.send(
            call201.StatusNotification(
                timestamp=now(), connector_status="Available", evse_id=1, connector_id=1
            )
        )


async def test_get_charger_shows_what_the_library_station_reported(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    await report_available(station)
    response = await csms_lab.client.get(f"/api/v1/chargers/{ID}")
    answer = response.json()
    (connector,) = answer["connectors"]
    assert (response.status_code, answer) == (
        200,
        {
            **answer,
            "chargeBoxId": ID,
            "vendor": VENDOR,
            "model": MODEL[station.version],
            "serialNumber": SERIAL,
            "firmwareVersion": FIRMWARE,
            "ocppVersion": station.version,
            "registrationStatus": "Accepted",
            "isOnline": True,
            "connectors": [
                {
                    "connectorId": 1,
                    "evseId": None if station.version == "1.6" else 1,
                    "status": "Available",
                    "errorCode": "NoError",
                    "info": None,
                    "vendorErrorCode": None,
                    "updatedAt": connector["updatedAt"],
                }
            ],
        },
    )
    assert answer["connectedAt"] is not None


async def begin(station: LibraryStation, remote_start_id: int | None) -> str:
    """What a station does after accepting a remote start: begin the transaction (1.6
    StartTransaction; 2.0.1 TransactionEvent Started with the remoteStartId, F01.FR.25)."""
    if isinstance(station, LibraryStation16):
        started = await station.send(
            call16.StartTransaction(connector_id=1, id_tag=TAG, meter_start=0, timestamp=now())
        )
        return str(started.transaction_id)
    await station.send(
        call201.TransactionEvent(
            event_type="Started",
            timestamp=now(),
            trigger_reason="RemoteStart",
            seq_no=0,
            transaction_info={"transaction_id": "tx-remote", "remote_start_id": remote_start_id},
            evse={"id": 1, "connector_id": 1},
            id_token={"id_token": TAG, "type": "Central"},
        )
    )
    return "tx-remote"


async def test_remote_start_and_stop_of_a_library_station(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    response = await csms_lab.client.post(
        f"/api/v1/chargers/{ID}/remote-start", json={"connectorId": 1, "idTag": TAG}
    )
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Remote start accepted by charger",
            "chargeBoxId": ID,
            "connectorId": 1,
            "idTag": TAG,
            "status": "accepted",
        },
    )
    action, payload = station.last_call()
    remote_start_id = payload.get("remoteStartId")
    assert (action, payload) == (
        ("RemoteStartTransaction", {"connectorId": 1, "idTag": TAG})
        if station.version == "1.6"
        else (
            "RequestStartTransaction",
            {
                "evseId": 1,
                "idToken": {"idToken": TAG, "type": "Central"},
                "remoteStartId": remote_start_id,
            },
        )
    )

    transaction_id = await begin(station, remote_start_id)
    kept = await csms_lab.store.transactions.get(ID, transaction_id)
    assert kept is not None
    assert (kept.remote_started, kept.id_tag, kept.status) == (True, TAG, "active")

    response = await csms_lab.client.post(f"/api/v1/transactions/{transaction_id}/stop")
    # The API writes every id as a string; the 1.6 message carries the integer (5.12).
    wire_id: Any = int(transaction_id) if station.version == "1.6" else transaction_id
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Remote stop accepted by charger",
            "chargeBoxId": ID,
            "transactionId": str(transaction_id),
            "status": "accepted",
        },
    )
    assert station.last_call() == (
        "RemoteStopTransaction" if station.version == "1.6" else "RequestStopTransaction",
        {"transactionId": wire_id},
    )


async def test_remote_start_rejected_by_a_library_station(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    action = "RemoteStartTransaction" if station.version == "1.6" else "RequestStartTransaction"
    station.script(action, status="Rejected")
    response = await csms_lab.client.post(
        f"/api/v1/chargers/{ID}/remote-start", json={"connectorId": 1, "idTag": TAG}
    )
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Remote start rejected by charger",
            "chargeBoxId": ID,
            "connectorId": 1,
            "idTag": TAG,
            "status": "rejected",
        },
    )
    assert len(csms_lab.registry.remote_starts) == 0  # nothing left waiting for a start
